"""What grants add to the portal's own pages: the case handling cards and the menu links."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.models import PublicBodyRole
from portal.registry import FOOTER, OFFICER_HOME, PUBLIC, SIGNED_IN, Context, NavItem, Panel
from portal.selectors import user_memberships


def _officer_home(request: HttpRequest) -> Context:
    memberships = user_memberships(user=request.user)
    return {"is_decision_maker": any(m.role == PublicBodyRole.DECISION_MAKER for m in memberships)}


def _nothing(request: HttpRequest) -> Context:
    return {}


PANELS = [
    Panel("grants", OFFICER_HOME, _nothing, "grants/panels/officer_home.html", 10),
    Panel(
        "grants_decisions", OFFICER_HOME, _officer_home, "grants/panels/officer_decisions.html", 30
    ),
]
NAV = [
    NavItem("grants:calls", _("Open calls"), PUBLIC, 20),
    NavItem("grants:mine", _("My applications"), SIGNED_IN, 20),
    NavItem("grants:open_data", _("Granted money – open data"), FOOTER, 20),
]
