"""Pages of the register, one module per part of the work: the association's own pages
(`association`), its people (`members`), its annual `documents`, the case officer's pages
(`officer`), the de minimis ledger's pages (`state_aid`: the association's declaration, the
officer's page of an organisation's aid, the register) and the public `directory`. Each view
parses the request, calls one selector or service, and renders; `organisations/urls.py` names
each page. `declare_conflict`, the one way an officer declares a conflict of interest on a case
of any app, is re-exported here."""

from organisations.views.officer import declare_conflict

__all__ = ["declare_conflict"]
