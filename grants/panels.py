"""What grants add to the portal's own pages: the case handling cards, with what waits for the
officer, and the menu links."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from grants import selectors
from portal.models import PublicBodyRole
from portal.registry import (
    FOOTER,
    OFFICER,
    OFFICER_HOME,
    PUBLIC,
    SIGNED_IN,
    Context,
    NavItem,
    Panel,
)
from portal.selectors import user_memberships


def _waiting(request: HttpRequest) -> dict[str, int]:
    """Read once per request: both cards show a part of it."""
    cached: dict[str, int] | None = getattr(request, "_grants_waiting", None)
    if cached is None:
        cached = selectors.waiting_for_officer(user=request.user)
        request._grants_waiting = cached  # type: ignore[attr-defined]
    return cached


def _roles(request: HttpRequest) -> set[str]:
    return {m.role for m in user_memberships(user=request.user)}


def _applications(request: HttpRequest) -> Context:
    return {
        "waiting": _waiting(request),
        "is_case_officer": PublicBodyRole.CASE_OFFICER in _roles(request),
    }


def _decisions(request: HttpRequest) -> Context:
    return {
        "waiting": _waiting(request),
        "is_decision_maker": PublicBodyRole.DECISION_MAKER in _roles(request),
    }


PANELS = [
    Panel("grants", OFFICER_HOME, _applications, "grants/panels/officer_home.html", 10),
    Panel("grants_decisions", OFFICER_HOME, _decisions, "grants/panels/officer_decisions.html", 30),
]
NAV = [
    NavItem("grants:calls", _("Open calls"), PUBLIC, 20),
    NavItem("grants:mine", _("My applications"), SIGNED_IN, 20),
    NavItem("grants:open_data", _("Granted money – open data"), FOOTER, 20),
    # the officers' menu: the lists of case handling, each for the roles that work in it
    NavItem("grants:inbox", _("Applications"), OFFICER, 10),
    NavItem("grants:decisions", _("Decisions"), OFFICER, 20, (PublicBodyRole.DECISION_MAKER,)),
    NavItem("grants:reports", _("Follow-up reports"), OFFICER, 30, (PublicBodyRole.CASE_OFFICER,)),
    NavItem("grants:payments", _("Payments"), OFFICER, 40, (PublicBodyRole.CASE_OFFICER,)),
    NavItem("grants:recoveries", _("Recoveries"), OFFICER, 50, (PublicBodyRole.CASE_OFFICER,)),
]
