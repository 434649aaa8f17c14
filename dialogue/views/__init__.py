"""Pages of the dialogue app, one module per part: the `hub` that gathers them, the local
`compacts`, the `forums` and councils with their meetings, and the `consultations`.
`dialogue/urls.py` names each page."""
