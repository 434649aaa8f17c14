"""Pages of the IOP agreements, one module per part of the work: the public register, the
user's own agreements and the initiative (`public`), the agreement page and its co-creation forms
(`cocreation`), legal review, decision, signing and the PDFs (`signing`), and the agreement in
force (`follow_up`). `agreements/urls.py` names each page."""
