"""Pages of the grants app, one module per part of the work: public calls and open data
(`public`), the association's applications (`applications`), the case officer's handling
(`cases`), proposals and decisions (`decisions`), `payments`, follow-up `reports` and
`recoveries`. `grants/urls.py` names each page."""
