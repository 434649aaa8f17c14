"""The statistics' links in the menus."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.registry import FOOTER, OFFICER, NavItem

NAV = [
    NavItem("insights:public", _("Who gets the support"), FOOTER, 30),
    NavItem("insights:dashboard", _("Statistics"), OFFICER, 90),
]
