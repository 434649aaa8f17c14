"""Pages of the dialogue app, one module per part: the local `compacts` and the `forums` and
councils with their meetings. `dialogue/urls.py` names each page."""
