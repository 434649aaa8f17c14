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

from dialogue import permissions, selectors, services
from dialogue.models import (
    AgendaItem,
    Audience,
    CompactVersion,
    Consultation,
    ConsultationStatus,
    ForumMember,
    ItemStatus,
    MemberStatus,
    Response,
    Secrecy,
    SignOn,
    VersionStatus,
)
from organisations.models import Organisation, OrganisationStatus
from portal.registry import (
    DASHBOARD,
    FOOTER,
    OFFICER_HOME,
    PUBLIC,
    Context,
    NavItem,
    Panel,
    Todo,
)

NAV = [
    NavItem("dialogue:hub", _("Dialogue"), PUBLIC, 40),
    NavItem("dialogue:compacts", _("Local compacts"), FOOTER, 40),
    NavItem("dialogue:forums", _("Forums and councils"), FOOTER, 41),
    NavItem("dialogue:consultations", _("Consultations"), FOOTER, 42),
]


def _officer_home(request: HttpRequest) -> Context:
    return {"manages": permissions.can_manage_any(request.user)}


def _dashboard(request: HttpRequest) -> Context:
    """The councils and forums the person sits in, each with its next meeting and the last day
    to propose items for it."""
    seats = selectors.my_seats(user=request.user)
    for seat in seats:
        if seat.next_meeting is not None:
            seat.next_meeting.proposals_close = services.proposals_close(  # type: ignore[attr-defined]
                seat.next_meeting
            )
    return {"seats": seats, "today": timezone.localdate()}


PANELS = [
    Panel("dialogue", OFFICER_HOME, _officer_home, "dialogue/panels/officer_home.html", 95),
    Panel("dialogue-seats", DASHBOARD, _dashboard, "dialogue/panels/dashboard.html", 40),
]


def todos(request: HttpRequest) -> list[Todo]:
    """What waits for the person in the dialogue: a new version of a compact to confirm and an
    invitation to a forum to answer (a representative), proposed agenda items to consider (the
    forum's officers)."""
    return [
        *_compacts_to_confirm(request),
        *_invitations(request),
        *_proposals(request),
        *_consultations_to_answer(request),
        *_consultations_to_follow_up(request),
    ]


def _consultations_to_answer(request: HttpRequest) -> list[Todo]:
    """Open consultations that ask an organisation the person writes for, not yet answered by
    it: a fixed number of queries."""
    mine = permissions.commenting_organisation_ids(request.user)
    if not mine:
        return []
    verified = dict(
        Organisation.objects.filter(pk__in=mine, status=OrganisationStatus.VERIFIED).values_list(
            "pk", "name"
        )
    )
    if not verified:
        return []
    open_ = list(
        Consultation.objects.filter(
            status=ConsultationStatus.OPEN, deadline__gte=timezone.localdate()
        )
        .prefetch_related("target_groups")
        .order_by("deadline", "id")
    )
    if not open_:
        return []
    groups: dict[int, set[int]] = {}
    for organisation_id, group_id in Organisation.target_groups.through.objects.filter(
        organisation_id__in=verified
    ).values_list("organisation_id", "targetgroup_id"):
        groups.setdefault(organisation_id, set()).add(group_id)
    forums: dict[int, set[int]] = {}
    for organisation_id, forum_id in ForumMember.objects.filter(
        organisation_id__in=verified, status=MemberStatus.ACTIVE
    ).values_list("organisation_id", "forum_id"):
        forums.setdefault(organisation_id, set()).add(forum_id)
    answered = set(
        Response.objects.filter(organisation_id__in=verified, consultation__in=open_).values_list(
            "consultation_id", "organisation_id"
        )
    )
    items = []
    for consultation in open_:
        wanted = {g.pk for g in consultation.target_groups.all()}
        for organisation_id, name in verified.items():
            if (consultation.pk, organisation_id) in answered:
                continue
            asked = (
                consultation.audience == Audience.ALL
                or (
                    consultation.audience == Audience.TARGET_GROUPS
                    and groups.get(organisation_id, set()) & wanted
                )
                or (
                    consultation.audience == Audience.FORUM
                    and consultation.forum_id in forums.get(organisation_id, set())
                )
            )
            if asked:
                items.append(
                    Todo(
                        gettext("Respond to “%(title)s” for %(organisation)s")
                        % {"title": consultation.title, "organisation": name},
                        reverse("dialogue:consultation", args=[consultation.pk]) + "#svara",
                        due=consultation.deadline,
                        order=43,
                    )
                )
    return items


def _consultations_to_follow_up(request: HttpRequest) -> list[Todo]:
    """For the officers: responses marked as sensitive to assess, and consultations whose last
    day has passed without what happened next."""
    bodies = permissions.managed_body_ids(request.user)
    if not bodies:
        return []
    mine = Consultation.objects.filter(public_body_id__in=bodies, status=ConsultationStatus.OPEN)
    items = [
        Todo(
            ngettext(
                "%(count)d response to “%(title)s” to assess for secrecy",
                "%(count)d responses to “%(title)s” to assess for secrecy",
                count,
            )
            % {"count": count, "title": title},
            reverse("dialogue:officer_consultation", args=[pk]) + "#svar",
            due=deadline,
            order=44,
        )
        for pk, title, deadline, count in mine.filter(responses__secrecy=Secrecy.PENDING)
        .values("pk", "title", "deadline")
        .annotate(count=Count("responses"))
        .order_by("deadline")
        .values_list("pk", "title", "deadline", "count")
    ]
    items += [
        Todo(
            gettext("Tell what happened next with “%(title)s”") % {"title": title},
            reverse("dialogue:officer_consultation", args=[pk]) + "#vad-hande-sedan",
            order=45,
        )
        for pk, title in mine.filter(
            deadline__lt=timezone.localdate(), outcome_published_at__isnull=True
        )
        .order_by("deadline")
        .values_list("pk", "title")
    ]
    return items


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
            due=notice_on,
            order=42,
        )
        for meeting_id, title, notice_on, count in AgendaItem.objects.filter(
            status=ItemStatus.PROPOSED,
            meeting__forum__public_body_id__in=bodies,
            meeting__starts_at__gt=timezone.now(),
        )
        .values("meeting_id", "meeting__forum__title", "meeting__notice_on")
        .annotate(count=Count("id"))
        .order_by("meeting__notice_on")
        .values_list("meeting_id", "meeting__forum__title", "meeting__notice_on", "count")
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
