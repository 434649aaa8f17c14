"""Where the local compacts are found: the main menu and the footer for everyone, a card on the
officers' case handling page, and a to-do for a representative whose organisation is asked to
confirm a new version."""

from __future__ import annotations

from django.db.models import Max
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dialogue import permissions
from dialogue.models import CompactVersion, SignOn, VersionStatus
from portal.registry import FOOTER, OFFICER_HOME, Context, NavItem, Panel, Todo

NAV = [NavItem("dialogue:compacts", _("Local compacts"), FOOTER, 40)]


def _officer_home(request: HttpRequest) -> Context:
    return {"manages": permissions.can_manage_any(request.user)}


PANELS = [
    Panel("dialogue", OFFICER_HOME, _officer_home, "dialogue/panels/officer_home.html", 95),
]


def todos(request: HttpRequest) -> list[Todo]:
    """The compacts a representative's organisation signed on to, whose newer adopted version it
    has not confirmed: two queries whatever the number of compacts."""
    organisations = permissions.signing_organisation_ids(request.user)
    if not organisations:
        return []
    live = list(
        SignOn.objects.filter(organisation_id__in=organisations, withdrawn_at=None)
        .values("compact_id", "compact__title", "organisation__name")
        .annotate(signed=Max("version__number"))
        .order_by("compact__title", "organisation__name")
    )
    latest = dict(
        CompactVersion.objects.filter(
            status=VersionStatus.ADOPTED, compact_id__in={row["compact_id"] for row in live}
        )
        .values("compact_id")
        .annotate(number=Max("number"))
        .values_list("compact_id", "number")
    )
    return [
        Todo(
            gettext("Confirm version %(number)d of the compact “%(title)s” for %(organisation)s")
            % {
                "number": latest[row["compact_id"]],
                "title": row["compact__title"],
                "organisation": row["organisation__name"],
            },
            reverse("dialogue:compact", args=[row["compact_id"]]) + "#min-organisation",
            order=40,
        )
        for row in live
        if latest.get(row["compact_id"], 0) > row["signed"]
    ]
