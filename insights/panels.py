"""Where the statistics are found: the footer of every page, and a card on the officers' case
handling page (the officers' menu is full at 1280 px)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.registry import FOOTER, OFFICER_HOME, Context, NavItem, Panel

NAV = [NavItem("insights:public", _("Who gets the support"), FOOTER, 30)]


def _statistics(request: HttpRequest) -> Context:
    return {}


PANELS = [Panel("insights", OFFICER_HOME, _statistics, "insights/panels/officer_home.html", 90)]
