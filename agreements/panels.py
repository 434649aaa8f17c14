"""What IOP agreements add to the portal's own pages: a card and a link on the overviews, and
the menu link."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from agreements import selectors
from portal.registry import DASHBOARD, OFFICER_HOME, PUBLIC, Context, NavItem, Panel


def _nothing(request: HttpRequest) -> Context:
    return {}


def _officer_home(request: HttpRequest) -> Context:
    return {"initiatives": selectors.initiatives_to_screen(user=request.user)}


PANELS = [
    Panel("agreements", DASHBOARD, _nothing, "agreements/panels/dashboard.html", 20),
    Panel(
        "agreements_cards", OFFICER_HOME, _officer_home, "agreements/panels/officer_home.html", 20
    ),
]
NAV = [NavItem("agreements:register", _("IOP"), PUBLIC, 30)]
