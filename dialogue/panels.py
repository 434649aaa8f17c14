"""Where the local compacts are found: the main menu and the footer for everyone, a card on the
officers' case handling page, and a to-do for a representative whose organisation is asked to
confirm a new version."""

from __future__ import annotations

from django.db.models import Count, Max
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from dialogue import permissions
from dialogue.models import (
    AgendaItem,
    CompactVersion,
    ForumMember,
    ItemStatus,
    MemberStatus,
    SignOn,
    VersionStatus,
)
from portal.registry import FOOTER, OFFICER_HOME, Context, NavItem, Panel, Todo

NAV = [
    NavItem("dialogue:compacts", _("Local compacts"), FOOTER, 40),
    NavItem("dialogue:forums", _("Forums and councils"), FOOTER, 41),
]


def _officer_home(request: HttpRequest) -> Context:
    return {"manages": permissions.can_manage_any(request.user)}


PANELS = [
    Panel("dialogue", OFFICER_HOME, _officer_home, "dialogue/panels/officer_home.html", 95),
]


def todos(request: HttpRequest) -> list[Todo]:
    """What waits for the person in the dialogue: a new version of a compact to confirm and an
    invitation to a forum to answer (a representative), proposed agenda items to consider (the
    forum's officers)."""
    return [*_compacts_to_confirm(request), *_invitations(request), *_proposals(request)]


def _invitations(request: HttpRequest) -> list[Todo]:
    organisations = permissions.signing_organisation_ids(request.user)
    if not organisations:
        return []
    return [
        Todo(
            gettext("Answer the invitation of %(organisation)s to “%(forum)s”")
            % {"organisation": organisation, "forum": title},
            reverse("dialogue:forum", args=[forum_id]) + "#min-organisation",
            order=41,
        )
        for forum_id, title, organisation in ForumMember.objects.filter(
            organisation_id__in=organisations, status=MemberStatus.INVITED
        )
        .order_by("forum__title", "organisation__name")
        .values_list("forum_id", "forum__title", "organisation__name")
    ]


def _proposals(request: HttpRequest) -> list[Todo]:
    bodies = permissions.managed_body_ids(request.user)
    if not bodies:
        return []
    return [
        Todo(
            ngettext(
                "%(count)d proposed agenda item to consider for “%(forum)s”",
                "%(count)d proposed agenda items to consider for “%(forum)s”",
                count,
            )
            % {"count": count, "forum": title},
            reverse("dialogue:officer_meeting", args=[meeting_id]) + "#dagordning",
            due=timezone.localdate(starts_at),
            order=42,
        )
        for meeting_id, title, starts_at, count in AgendaItem.objects.filter(
            status=ItemStatus.PROPOSED,
            meeting__forum__public_body_id__in=bodies,
            meeting__starts_at__gt=timezone.now(),
        )
        .values("meeting_id", "meeting__forum__title", "meeting__starts_at")
        .annotate(count=Count("id"))
        .order_by("meeting__starts_at")
        .values_list("meeting_id", "meeting__forum__title", "meeting__starts_at", "count")
    ]


def _compacts_to_confirm(request: HttpRequest) -> list[Todo]:
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
