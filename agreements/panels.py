"""What IOP agreements add to the portal's own pages: a card and a link on the overviews, the
to-do items on a person's overview, and the menu link."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from agreements import permissions, selectors
from agreements.models import AgreementStatus
from portal.registry import DASHBOARD, OFFICER_HOME, PUBLIC, Context, NavItem, Panel, Todo

# The officer's list of the agreements of their public bodies, at the initiatives to screen
# (as the card on Case handling links it).
OFFICER_LIST = "agreements:officer_list"


def _dashboard(request: HttpRequest) -> Context:
    """The association part of the overview (as the register's panel): for members of an
    organisation and whoever holds no officer role; officers reach agreements through case
    handling."""
    return {
        "show": bool(permissions.organisation_roles(request.user))
        or not permissions.body_ids(request.user)
    }


def _initiatives(request: HttpRequest) -> int:
    """Read once per request: the card and the to-do list show the same number."""
    cached: int | None = getattr(request, "_agreements_initiatives", None)
    if cached is None:
        cached = selectors.initiatives_to_screen(user=request.user)
        request._agreements_initiatives = cached  # type: ignore[attr-defined]
    return cached


def _officer_home(request: HttpRequest) -> Context:
    return {"initiatives": _initiatives(request)}


def todos(request: HttpRequest) -> list[Todo]:
    """Agreements waiting for the person's signature (an organisation's or a public body's
    signatory), and for a case officer the initiatives to screen."""
    items = [
        Todo(
            gettext("Sign the IOP agreement “%(title)s” for %(party)s")
            % {"title": party.agreement.title, "party": party},
            reverse("agreements:agreement", args=[party.agreement_id]),
        )
        for party in selectors.signatures_waiting(user=request.user)
    ]
    initiatives = _initiatives(request)
    if initiatives:
        items.append(
            Todo(
                ngettext(
                    "%(count)s IOP initiative to screen",
                    "%(count)s IOP initiatives to screen",
                    initiatives,
                )
                % {"count": initiatives},
                f"{reverse(OFFICER_LIST)}?status={AgreementStatus.INITIATIVE}",
                order=20,
            )
        )
    return items


TODOS = [("agreements", todos)]
PANELS = [
    Panel("agreements", DASHBOARD, _dashboard, "agreements/panels/dashboard.html", 20),
    Panel(
        "agreements_cards", OFFICER_HOME, _officer_home, "agreements/panels/officer_home.html", 20
    ),
]
NAV = [NavItem("agreements:register", _("IOP"), PUBLIC, 30)]
