"""What the local compacts tell people by email: registered in DialogueConfig.ready(). Every link
leads to the compact's public page, which anyone may open."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dialogue import permissions
from dialogue.models import (
    AgendaItem,
    Audience,
    CompactVersion,
    Consultation,
    ConsultationStatus,
    FollowUp,
    ForumMember,
    Meeting,
    MeetingStatus,
    MemberStatus,
    Response,
    SignOn,
    VersionComment,
)
from organisations.models import Organisation, OrganisationStatus
from organisations.notifications import members_by_organisation
from portal.models import AuditEvent, Notification, User
from portal.notifications import offset_kind
from portal.registry import Context, DigestSection, Kind, Rows


def _compact_url(pk: int, anchor: str = "") -> str:
    return reverse("dialogue:compact", args=[pk]) + (f"#{anchor}" if anchor else "")


def _version(version: CompactVersion, _row: Notification) -> Context:
    return {
        "compact": version.compact,
        "version": version,
        "url": _compact_url(version.compact_id, "kommentarer")
        if version.status == "consultation"
        else _compact_url(version.compact_id),
    }


def _sign_on(sign_on: SignOn, _row: Notification) -> Context:
    return {
        "compact": sign_on.compact,
        "sign_on": sign_on,
        "url": _compact_url(sign_on.compact_id, "anslutna"),
    }


def _follow_up(follow_up: FollowUp, _row: Notification) -> Context:
    return {
        "compact": follow_up.plan.compact,
        "follow_up": follow_up,
        "url": _compact_url(follow_up.plan.compact_id, "uppfoljning"),
    }


def _forum_url(pk: int, anchor: str = "") -> str:
    return reverse("dialogue:forum", args=[pk]) + (f"#{anchor}" if anchor else "")


def _invitation(member: ForumMember, _row: Notification) -> Context:
    return {
        "forum": member.forum,
        "member": member,
        "url": _forum_url(member.forum_id, "min-organisation"),
    }


def _meeting(meeting: Meeting, _row: Notification) -> Context:
    return {
        "forum": meeting.forum,
        "meeting": meeting,
        "agenda": list(meeting.items.filter(status="accepted").order_by("position", "id")),
        "url": _forum_url(meeting.forum_id, f"mote-{meeting.pk}"),
    }


def _meeting_event(event: AuditEvent, row: Notification) -> Context:
    """About a change to a meeting (its audit event: each change a notification of its own)."""
    meeting = Meeting.objects.select_related("forum").get(pk=event.object_id)
    return {**_meeting(meeting, row), "event": event}


def _item(item: AgendaItem, _row: Notification) -> Context:
    return {
        "forum": item.meeting.forum,
        "meeting": item.meeting,
        "item": item,
        "url": _forum_url(item.meeting.forum_id, f"mote-{item.meeting_id}"),
    }


def _consultation_url(pk: int, anchor: str = "") -> str:
    return reverse("dialogue:consultation", args=[pk]) + (f"#{anchor}" if anchor else "")


def _consultation(consultation: Consultation, _row: Notification) -> Context:
    return {"consultation": consultation, "url": _consultation_url(consultation.pk)}


def _response(response: Response, _row: Notification) -> Context:
    return {
        "consultation": response.consultation,
        "response": response,
        "url": _consultation_url(response.consultation_id, "ert-svar"),
    }


KINDS = [
    Kind(
        "compact_open_for_comments",
        _("Local compact open for comments"),
        "dialogue/email/open_for_comments",
        False,
        _version,
        ("compact",),
    ),
    Kind(
        "compact_confirm_version",
        _("Local compact: confirm the new version"),
        "dialogue/email/confirm_version",
        False,
        _version,
        ("compact",),
    ),
    Kind(
        "compact_signed_on",
        _("Signed on to a local compact"),
        "dialogue/email/signed_on",
        False,
        _sign_on,
        ("compact", "organisation"),
    ),
    Kind(
        "compact_follow_up_published",
        _("Local compact: the year's follow-up"),
        "dialogue/email/follow_up_published",
        False,
        _follow_up,
        ("plan__compact",),
    ),
    Kind(
        "forum_invitation",
        _("Invitation to a forum or council"),
        "dialogue/email/forum_invitation",
        False,
        _invitation,
        ("forum", "organisation"),
    ),
    # the notice of a meeting, found by the scan the forum's notice days before it
    Kind(
        "meeting_notice",
        _("Notice of a meeting"),
        "dialogue/email/meeting_notice",
        True,
        _meeting,
        ("forum",),
    ),
    Kind(
        "meeting_changed",
        _("A meeting has changed"),
        "dialogue/email/meeting_changed",
        True,
        _meeting_event,
    ),
    Kind(
        "meeting_cancelled",
        _("A meeting is cancelled"),
        "dialogue/email/meeting_cancelled",
        True,
        _meeting_event,
    ),
    Kind(
        "agenda_item_decided",
        _("Your proposed agenda item"),
        "dialogue/email/agenda_item_decided",
        False,
        _item,
        ("meeting__forum",),
    ),
    Kind(
        "consultation_published",
        _("A consultation asks your organisation"),
        "dialogue/email/consultation_published",
        False,
        _consultation,
    ),
    # the last day of a consultation draws near (found by the scan)
    Kind(
        "consultation_reminder",
        _("The last day of a consultation"),
        "dialogue/email/consultation_reminder",
        True,
        _consultation,
    ),
    Kind(
        "response_received",
        _("Consultation response received"),
        "dialogue/email/response_received",
        False,
        _response,
        ("consultation", "organisation"),
    ),
    Kind(
        "consultation_outcome",
        _("What became of a consultation"),
        "dialogue/email/consultation_outcome",
        False,
        _consultation,
    ),
    Kind(
        "minutes_published",
        _("Minutes published"),
        "dialogue/email/minutes_published",
        False,
        _meeting,
        ("forum",),
    ),
]


def meeting_notices(rows: Rows, *, now: datetime, today: date) -> None:
    """The notice of every coming meeting whose day of notice has come (and was perhaps missed
    while the scan did not run), to the appointed representatives and deputies of the forum's
    members: one row per meeting and person, so a person appointed after the notice went gets it
    at the next scan, and nobody twice. Two queries whatever the number of meetings."""
    due = list(
        Meeting.objects.filter(
            status=MeetingStatus.PLANNED,
            starts_at__gt=now,
            notice_on__lte=today,
            notice_on__gte=today - timedelta(days=366),
        )
        .order_by()
        .values_list("pk", "forum_id", "notice_on")
    )
    if not due:
        return
    from dialogue.selectors import current_people, with_current_people

    people: dict[int, dict[int, User]] = {}
    for member in with_current_people(
        ForumMember.objects.filter(
            forum_id__in={forum for _pk, forum, _on in due},
            status=MemberStatus.ACTIVE,
            organisation__status=OrganisationStatus.VERIFIED,
        )
    ):
        for person in current_people(member):
            people.setdefault(member.forum_id, {})[person.pk] = person
    for pk, forum_id, notice_on in due:
        rows.add("meeting_notice", Meeting, pk, notice_on, people.get(forum_id, {}).values())


CONSULTATION_REMINDER_DAYS = (7, 1)


def consultation_reminders(rows: Rows, *, now: datetime, today: date) -> None:
    """The last day of a consultation is a week or a day away: the representatives and editors
    of every organisation asked that has not responded yet. A fixed number of queries whatever
    the number of consultations and organisations."""
    dates = {today + timedelta(days=n): n for n in CONSULTATION_REMINDER_DAYS}
    due = list(
        Consultation.objects.filter(status=ConsultationStatus.OPEN, deadline__in=dates)
        .order_by()
        .prefetch_related("target_groups")
    )
    if not due:
        return
    verified = Organisation.objects.filter(status=OrganisationStatus.VERIFIED)
    everyone: set[int] | None = None
    groups_of: dict[int, set[int]] = {}
    forum_members: dict[int, set[int]] = {}
    if any(c.audience == Audience.ALL for c in due):
        everyone = set(verified.values_list("pk", flat=True))
    wanted_groups = {g.pk for c in due for g in c.target_groups.all()}
    if wanted_groups:
        for organisation_id, group_id in verified.filter(
            target_groups__in=wanted_groups
        ).values_list("pk", "target_groups"):
            groups_of.setdefault(group_id, set()).add(organisation_id)
    forums = {c.forum_id for c in due if c.forum_id}
    if forums:
        for forum_id, organisation_id in ForumMember.objects.filter(
            forum_id__in=forums,
            status=MemberStatus.ACTIVE,
            organisation__status=OrganisationStatus.VERIFIED,
        ).values_list("forum_id", "organisation_id"):
            forum_members.setdefault(forum_id, set()).add(organisation_id)
    answered: dict[int, set[int]] = {}
    for consultation_id, organisation_id in Response.objects.filter(
        consultation__in=due
    ).values_list("consultation_id", "organisation_id"):
        answered.setdefault(consultation_id, set()).add(organisation_id)
    asked: dict[int, set[int]] = {}
    for consultation in due:
        if consultation.audience == Audience.ALL:
            ids = set(everyone or ())
        elif consultation.audience == Audience.TARGET_GROUPS:
            ids = set().union(
                *(groups_of.get(g.pk, set()) for g in consultation.target_groups.all())
            )
        else:
            ids = set(forum_members.get(consultation.forum_id or 0, set()))
        asked[consultation.pk] = ids - answered.get(consultation.pk, set())
    people = members_by_organisation(set().union(*asked.values()))
    for consultation in due:
        rows.add(
            offset_kind("consultation_reminder", dates[consultation.deadline]),
            Consultation,
            consultation.pk,
            consultation.deadline,
            [person for pk in asked[consultation.pk] for person in people.get(pk, [])],
        )


# --- the officers' digest -------------------------------------------------------------------


def _new_rows(
    name: str,
    rows: Callable[[datetime, datetime], QuerySet[Any]],
    *,
    body: str,
    related: str,
    when: str,
    order: int,
) -> DigestSection:
    """A digest section of what came in between two digests (`rows`), for the officers who
    manage the public body found at `body` (a lookup path) and for nobody else."""
    return DigestSection(
        name,
        f"dialogue/email/digest_{name.removeprefix('dialogue_')}",
        recipients=lambda start, end: permissions.managers_q(rows(start, end).values(body)),
        items=lambda user, start, end: (
            rows(start, end)
            .filter(**{f"{body}__in": permissions.managed_body_ids(user)})
            .select_related(related, "organisation")
            .order_by(when, "id")
        ),
        order=order,
    )


SECTIONS = [
    _new_rows(
        "dialogue_responses",
        lambda start, end: Response.objects.filter(submitted_at__gte=start, submitted_at__lt=end),
        body="consultation__public_body_id",
        related="consultation",
        when="submitted_at",
        order=50,
    ),
    _new_rows(
        "dialogue_proposals",
        lambda start, end: AgendaItem.objects.filter(
            status="proposed", organisation__isnull=False, created_at__gte=start, created_at__lt=end
        ),
        body="meeting__forum__public_body_id",
        related="meeting__forum",
        when="created_at",
        order=51,
    ),
    _new_rows(
        "dialogue_comments",
        lambda start, end: VersionComment.objects.filter(created_at__gte=start, created_at__lt=end),
        body="version__compact__public_body_id",
        related="version__compact",
        when="created_at",
        order=52,
    ),
]
