"""What organisations add to the portal's own pages: the person's organisations on their
overview and in the header, the verification queue on the officer's case handling page, and
the menu links."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from organisations import selectors
from organisations.models import OrganisationMembership
from portal.models import PublicBodyRole
from portal.registry import (
    DASHBOARD,
    HEADER,
    OFFICER,
    OFFICER_HOME,
    PUBLIC,
    SIGNED_IN,
    Context,
    NavItem,
    Panel,
)


def _memberships(request: HttpRequest) -> list[OrganisationMembership]:
    """The person's organisation roles, read once per request (header and overview share it)."""
    cached: list[OrganisationMembership] | None = getattr(request, "_organisation_panel", None)
    if cached is None:
        cached = list(selectors.memberships_for_user(user=request.user))
        request._organisation_panel = cached  # type: ignore[attr-defined]
    return cached


def _header(request: HttpRequest) -> Context:
    return {"roles": [f"{m.get_role_display()}, {m.organisation}" for m in _memberships(request)]}


def _dashboard(request: HttpRequest) -> Context:
    return {"organisation_memberships": _memberships(request)}


def _officer_home(request: HttpRequest) -> Context:
    return {"pending_count": selectors.waiting_for_verification_count(user=request.user)}


PANELS = [
    Panel("organisations_header", HEADER, _header),
    Panel("organisations", DASHBOARD, _dashboard, "organisations/panels/dashboard.html", 10),
    Panel(
        "organisations_queue",
        OFFICER_HOME,
        _officer_home,
        "organisations/panels/officer_home.html",
        50,
    ),
]
NAV = [
    NavItem("organisations:directory", _("Directory"), PUBLIC, 40),
    NavItem("organisations:mine", _("My organisations"), SIGNED_IN, 30),
    NavItem(
        "organisations:officer_queue",
        _("Organisations"),
        OFFICER,
        60,
        (PublicBodyRole.CASE_OFFICER,),
    ),
]
