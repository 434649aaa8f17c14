"""Notifications: the outbox service, the periodic scan of what is due, and the sending.

Guarantee: each outbox row (kind, object, due date, recipient) exists once (a database
constraint) and is claimed by one worker at a time (SELECT … FOR UPDATE SKIP LOCKED); a row marked
sent is never sent again, so each row is sent at most once. Every row is attempted at least once
and retried with backoff until sent or marked failed (visible in the admin, with a resend
action). A worker killed mid-send leaves the row "sending"; after NOTIFICATION_CLAIM_TIMEOUT the
next scan queues it again. The one window for a second copy is a worker dying after the mail
server accepted the message and before the row was marked sent."""

from __future__ import annotations

import random
import smtplib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.emails import render_text, send_templated_email
from portal.models import (
    Notification,
    NotificationStatus,
    PublicBodyMembership,
    PublicBodyRole,
    ReminderSettings,
    User,
    parse_days,
)
from portal.selectors import user_memberships

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAX_ATTEMPTS = 4
MAX_BACKOFF = 3600  # seconds, before jitter
RETRY_LOST = timedelta(seconds=2 * MAX_BACKOFF)
DIGEST_LIMIT = 50  # items per list in the digest; the count says how many there are in all


def claim_timeout() -> timedelta:
    return timedelta(seconds=settings.NOTIFICATION_CLAIM_TIMEOUT)


# --- the kinds -------------------------------------------------------------------------------


def _application(application: Any, _row: Notification) -> dict[str, Any]:
    return {
        "application": application,
        "url": reverse("grants:application", args=[application.pk]),
    }


def _submission(submission: Any, row: Notification) -> dict[str, Any]:
    return {**_application(submission.application, row), "submission": submission}


def _call(call: Any, _row: Notification) -> dict[str, Any]:
    return {"call": call, "url": reverse("grants:call", args=[call.pk])}


def _report(report: Any, _row: Notification) -> dict[str, Any]:
    return {
        "report": report,
        "application": report.application,
        "url": reverse("grants:report", args=[report.application_id]),
    }


def _annual_documents(organisation: Any, row: Notification) -> dict[str, Any]:
    from organisations.models import ANNUAL_DOCUMENT_KINDS, DocumentKind

    year = row.due_date.year
    present = set(
        organisation.documents.filter(year=year)
        .exclude(status="returned")
        .values_list("kind", flat=True)
    )
    return {
        "organisation": organisation,
        "year": year,
        "missing": [
            DocumentKind(kind).label for kind in ANNUAL_DOCUMENT_KINDS if kind not in present
        ],
        "url": reverse("organisations:documents", args=[organisation.pk]) + f"?ar={year}",
    }


def _join_request(join_request: Any, _row: Notification) -> dict[str, Any]:
    return {
        "join_request": join_request,
        "url": reverse("organisations:members", args=[join_request.organisation_id]),
    }


def _join_decision(join_request: Any, _row: Notification) -> dict[str, Any]:
    return {"join_request": join_request, "url": reverse("organisations:mine")}


def _organisation_status(event: Any, _row: Notification) -> dict[str, Any]:
    """About a status change (its audit event: each change is a notification of its own)."""
    from organisations.models import Organisation, OrganisationStatus

    organisation = Organisation.objects.get(pk=event.object_id)
    return {
        "organisation": organisation,
        "event": event,
        "status": OrganisationStatus(event.to_state).label,  # as it was then, not as it is now
        "url": reverse("organisations:detail", args=[organisation.pk]),
    }


def _organisation_details_changed(event: Any, _row: Notification) -> dict[str, Any]:
    """A change of the organisation's identity or payment account (its audit event)."""
    from organisations.models import Organisation

    organisation = Organisation.objects.get(pk=event.object_id)
    return {
        "organisation": organisation,
        "event": event,
        "url": reverse("organisations:detail", args=[organisation.pk]),
    }


def _agreement(agreement: Any, _row: Notification) -> dict[str, Any]:
    return {
        "agreement": agreement,
        "url": reverse("agreements:agreement", args=[agreement.pk]),
    }


def _follow_up(point: Any, row: Notification) -> dict[str, Any]:
    return {**_agreement(point.agreement, row), "point": point}


def _version(version: Any, row: Notification) -> dict[str, Any]:
    return {**_agreement(version.agreement, row), "version": version}


def _agreement_event(event: Any, row: Notification) -> dict[str, Any]:
    """About a signing event on an agreement (its audit event: each is a notification of its
    own, however many happen in a day)."""
    agreement = event.content_type.get_object_for_this_type(pk=event.object_id)
    return {**_agreement(agreement, row), "event": event}


@dataclass(frozen=True)
class Kind:
    """What a kind of notification is about and how it reads. Urgent kinds are deadlines: always
    sent at once. The others wait for the daily digest when the person has asked for that."""

    label: StrOrPromise
    template: str
    urgent: bool
    context: Callable[[Any, Notification], dict[str, Any]]
    related: tuple[str, ...] = field(default=())


# A kind is "<what>" or "<what>_<n>d" (n days before the date; negative: after it), so each
# reminder of the same deadline is a row of its own.
KINDS: dict[str, Kind] = {
    # deadline reminders, found by the scan
    "call_closing": Kind(_("A call closes"), "portal/email/call_closing", True, _call),
    "completion_due": Kind(
        _("Completion due"),
        "portal/email/completion_due",
        True,
        _application,
        ("call", "organisation"),
    ),
    "report_due": Kind(
        _("Follow-up report due"), "portal/email/report_due", True, _report, ("application__call",)
    ),
    "annual_documents": Kind(
        _("Annual documents missing"), "portal/email/annual_documents", True, _annual_documents
    ),
    "iop_follow_up": Kind(
        _("IOP follow-up due"), "portal/email/iop_follow_up", True, _follow_up, ("agreement",)
    ),
    "agreement_ending": Kind(
        _("IOP agreement ends"), "portal/email/agreement_ending", True, _agreement
    ),
    # events, asked for by the services when they happen
    "receipt": Kind(
        _("Receipt of an application"),
        "grants/email/receipt",
        False,
        _submission,
        ("application__call", "application__organisation"),
    ),
    "completion_requested": Kind(
        _("Completion requested"),
        "grants/email/completion",
        True,
        _application,
        ("call", "organisation"),
    ),
    "decision": Kind(
        _("Decision on an application"),
        "grants/email/decision",
        False,
        _application,
        ("call", "organisation"),
    ),
    "report_revision": Kind(
        _("Follow-up report to revise"),
        "portal/email/report_revision",
        True,
        _report,
        ("application__call",),
    ),
    "organisation_status": Kind(
        _("Status of your organisation"), "organisations/email/status", True, _organisation_status
    ),
    "organisation_details_changed": Kind(
        _("Your organisation's number, name or payment account changed"),
        "organisations/email/details_changed",
        True,
        _organisation_details_changed,
    ),
    "join_request": Kind(
        _("Request to join an organisation"),
        "organisations/email/join_request",
        False,
        _join_request,
        ("organisation", "user"),
    ),
    "join_decision": Kind(
        _("Answer to a request to join"),
        "organisations/email/join_decision",
        False,
        _join_decision,
        ("organisation", "user"),
    ),
    "agreement_to_sign": Kind(
        _("IOP agreement to sign"), "portal/email/agreement_to_sign", False, _agreement
    ),
    "agreement_signed": Kind(
        _("IOP agreement signed"), "portal/email/agreement_signed", False, _version, ("agreement",)
    ),
    "agreement_signing_restarted": Kind(
        _("IOP agreement: the signing starts again"),
        "agreements/email/signing_restarted",
        True,
        _agreement_event,
    ),
    "agreement_signatory_replaced": Kind(
        _("IOP agreement: a signatory was replaced"),
        "agreements/email/signatory_replaced",
        True,
        _agreement_event,
    ),
    # the daily digest: the officer's day and what a person chose to receive once a day
    "digest": Kind(_("Daily digest"), "portal/email/digest", True, lambda user, row: {}),
}


def kind_of(kind: str) -> Kind:
    """The kind's settings, for "<what>" and for "<what>_<n>d"."""
    what, _sep, offset = kind.rpartition("_")
    if what and offset.endswith("d") and offset[:-1].lstrip("-").isdigit():
        return KINDS[what]
    return KINDS[kind]


def offset_kind(what: str, days: int) -> str:
    return f"{what}_{days}d"


# --- asking for notifications ----------------------------------------------------------------


def _row(kind: str, obj_type: ContentType, object_id: Any, due: date, user: User) -> Notification:
    held = user.notification_digest and not kind_of(kind).urgent
    return Notification(
        kind=kind,
        content_type=obj_type,
        object_id=str(object_id),
        due_date=due,
        recipient=user,
        status=NotificationStatus.HELD if held else NotificationStatus.PENDING,
    )


def notify(*, kind: str, obj: models.Model, recipients: Iterable[User], due_date: date) -> None:
    """Ask for a notification. Outbox rows are written when the caller's transaction commits,
    once per recipient however often this is called."""
    kind_of(kind)  # an unknown kind is a KeyError here, not a silent row
    content_type = ContentType.objects.get_for_model(obj)
    people = {user.pk: user for user in recipients if user.is_active}
    rows = [_row(kind, content_type, obj.pk, due_date, user) for user in people.values()]
    transaction.on_commit(lambda: _write(rows))


def organisation_people(organisation_ids: Iterable[int], *, editors: bool = True) -> list[User]:
    """The representatives (and editors) of organisations: who is told about their business."""
    members = _members_by_organisation(set(organisation_ids), editors=editors)
    return [user for users in members.values() for user in users]


def agreement_people(agreement: Any) -> list[User]:
    """The organisation parties' representatives and editors, the signatories, and the case
    officers of the responsible public body."""
    from agreements.models import Party

    parties = list(Party.objects.filter(agreement=agreement).select_related("signatory"))
    people = organisation_people(p.organisation_id for p in parties if p.organisation_id)
    people += [p.signatory for p in parties if p.signatory is not None]
    people += _officers_by_body({agreement.public_body_id}).get(agreement.public_body_id, [])
    return people


def _write(rows: list[Notification]) -> int:
    """Insert the rows that do not exist yet and queue everything that waits to be sent."""
    if rows:
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return queue_pending()


def queue_pending() -> int:
    """Queue a send for every row never tried, every row whose worker died mid-send, and every
    row whose retry should long have run (its message lost). A row waiting for its retry's
    backoff is left to that retry, so a failing mail server is not hammered."""
    from portal.tasks import send_notification

    now = timezone.now()
    ids = list(
        Notification.objects.filter(
            Q(status=NotificationStatus.PENDING, attempts=0)
            | Q(status=NotificationStatus.PENDING, claimed_at__lt=now - RETRY_LOST)
            | Q(status=NotificationStatus.SENDING, claimed_at__lt=now - claim_timeout())
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        send_notification.delay(pk)
    return len(ids)


# --- who is told -----------------------------------------------------------------------------


def _members_by_organisation(
    organisation_ids: set[int], *, editors: bool = True
) -> dict[int, list[User]]:
    from organisations.models import OrganisationMembership, OrganisationRole

    found: dict[int, list[User]] = {}
    if not organisation_ids:
        return found
    roles = [OrganisationRole.REPRESENTATIVE, *([OrganisationRole.EDITOR] if editors else [])]
    for membership in OrganisationMembership.objects.filter(
        organisation_id__in=organisation_ids,
        role__in=roles,
        user__is_active=True,
    ).select_related("user"):
        found.setdefault(membership.organisation_id, []).append(membership.user)
    return found


def _officers_by_body(
    body_ids: set[int], role: str = PublicBodyRole.CASE_OFFICER
) -> dict[int, list[User]]:
    found: dict[int, list[User]] = {}
    if not body_ids:
        return found
    for membership in PublicBodyMembership.objects.filter(
        public_body_id__in=body_ids, role=role, user__is_active=True
    ).select_related("user"):
        found.setdefault(membership.public_body_id, []).append(membership.user)
    return found


# --- the scan --------------------------------------------------------------------------------


class _Rows:
    """The rows one scan writes, one per (kind, object, date, person)."""

    def __init__(self) -> None:
        self.rows: list[Notification] = []
        self._types: dict[type[models.Model], ContentType] = {}

    def add(
        self, kind: str, model: type[models.Model], object_id: Any, due: date, users: Iterable[User]
    ) -> None:
        if model not in self._types:
            self._types[model] = ContentType.objects.get_for_model(model)
        for user in {u.pk: u for u in users}.values():
            self.rows.append(_row(kind, self._types[model], object_id, due, user))


def scan(*, now: datetime | None = None) -> int:
    """Derive what is due today from the database and write the outbox rows: a bounded number
    of queries whatever the number of due objects. Returns the number of rows queued."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    config = ReminderSettings.load()
    rows = _Rows()
    _calls_closing(rows, now, today, config)
    _completions_due(rows, today, config)
    _reports_due(rows, today, config)
    _annual_documents_missing(rows, today, config)
    _iop_follow_ups(rows, today, config)
    _agreements_ending(rows, today, config)
    _digests(rows, now, today, config)
    return _write(rows.rows)


def _days(own: str, default: list[int]) -> list[int]:
    try:
        return parse_days(own) if own.strip() else default
    except ValidationError:  # a value saved around the admin's validation: fall back
        return default


def _calls_closing(rows: _Rows, now: datetime, today: date, config: ReminderSettings) -> None:
    """A call closes in N days (per call, else per programme, else the settings): to the
    representatives and editors of organisations with a draft in it."""
    from grants.models import Application, ApplicationStatus, Call

    default = config.days("call_closing_days")
    due: dict[int, tuple[date, int]] = {}
    for pk, closes_at, own, programme in Call.objects.filter(closes_at__gte=now).values_list(
        "pk", "closes_at", "closing_reminder_days", "programme__closing_reminder_days"
    ):
        closes = timezone.localdate(closes_at)
        days = (closes - today).days
        if days in _days(own or programme, default):
            due[pk] = (closes, days)
    if not due:
        return
    drafts = set(
        Application.objects.filter(status=ApplicationStatus.DRAFT, call_id__in=due).values_list(
            "call_id", "organisation_id"
        )
    )
    members = _members_by_organisation({o for _c, o in drafts})
    for call_id, organisation_id in drafts:
        closes, days = due[call_id]
        rows.add(
            offset_kind("call_closing", days),
            Call,
            call_id,
            closes,
            members.get(organisation_id, []),
        )


def _completions_due(rows: _Rows, today: date, config: ReminderSettings) -> None:
    from grants.models import Application, ApplicationStatus

    dates = {today + timedelta(days=n): n for n in config.days("completion_days")}
    due = list(
        Application.objects.filter(
            status=ApplicationStatus.COMPLETION_REQUESTED, completion_due__in=dates
        )
        .order_by()
        .values_list("pk", "completion_due", "organisation_id")
    )
    members = _members_by_organisation({o for _a, _d, o in due})
    for pk, completion_due, organisation_id in due:
        if completion_due is None:  # the filter excludes it; this tells the type checker
            continue
        rows.add(
            offset_kind("completion_due", dates[completion_due]),
            Application,
            pk,
            completion_due,
            members.get(organisation_id, []),
        )


def _reports_due(rows: _Rows, today: date, config: ReminderSettings) -> None:
    """A follow-up report is due in 14 days, today, or 7 days ago (per programme or settings)."""
    from grants.models import FollowUpReport, Programme, ReportStatus

    default = config.days("report_days")
    own = {
        pk: _days(days, default)
        for pk, days in Programme.objects.exclude(report_reminder_days="").values_list(
            "pk", "report_reminder_days"
        )
    }
    offsets = set(default).union(*own.values())
    due = list(
        FollowUpReport.objects.filter(
            status__in=[ReportStatus.DUE, ReportStatus.REVISION_REQUESTED],
            due_date__in=[today + timedelta(days=n) for n in offsets],
        )
        .order_by()
        .values_list(
            "pk", "due_date", "application__organisation_id", "application__call__programme_id"
        )
    )
    due = [row for row in due if (row[1] - today).days in own.get(row[3], default)]
    members = _members_by_organisation({row[2] for row in due})
    for pk, due_date, organisation_id, _programme in due:
        rows.add(
            offset_kind("report_due", (due_date - today).days),
            FollowUpReport,
            pk,
            due_date,
            members.get(organisation_id, []),
        )


def _annual_documents_missing(rows: _Rows, today: date, config: ReminderSettings) -> None:
    """N days after the year's annual-meeting deadline, verified organisations that have not
    sent in the year's documents are asked for them."""
    from organisations.models import (
        ANNUAL_DOCUMENT_KINDS,
        AnnualDocument,
        DocumentStatus,
        Organisation,
        OrganisationStatus,
    )

    for days in config.days("annual_documents_days"):
        for year in (today.year, today.year - 1):
            deadline = date(year, config.annual_meeting_month, config.annual_meeting_day)
            if deadline + timedelta(days=days) != today:
                continue
            complete = (
                AnnualDocument.objects.filter(year=year, kind__in=ANNUAL_DOCUMENT_KINDS)
                .exclude(status=DocumentStatus.RETURNED)
                .values("organisation_id")
                .annotate(kinds=Count("kind", distinct=True))
                .filter(kinds=len(ANNUAL_DOCUMENT_KINDS))
                .values("organisation_id")
            )
            missing = set(
                Organisation.objects.filter(status=OrganisationStatus.VERIFIED)
                .exclude(pk__in=complete)
                .values_list("pk", flat=True)
            )
            members = _members_by_organisation(missing)
            for organisation_id in missing:
                rows.add(
                    offset_kind("annual_documents", -days),
                    Organisation,
                    organisation_id,
                    deadline,
                    members.get(organisation_id, []),
                )


def _agreement_recipients(agreements: dict[int, int]) -> dict[int, list[User]]:
    """{agreement: public body} → {agreement: its organisations' people and case officers}."""
    from agreements.models import Party

    parties = list(
        Party.objects.filter(agreement_id__in=agreements, organisation__isnull=False).values_list(
            "agreement_id", "organisation_id"
        )
    )
    members = _members_by_organisation({o for _a, o in parties})
    officers = _officers_by_body(set(agreements.values()))
    found: dict[int, list[User]] = {
        pk: list(officers.get(body, [])) for pk, body in agreements.items()
    }
    for agreement_id, organisation_id in parties:
        found[agreement_id] += members.get(organisation_id, [])
    return found


LIVE_AGREEMENT = ["active", "amendment"]


def _iop_follow_ups(rows: _Rows, today: date, config: ReminderSettings) -> None:
    from agreements.models import FollowUp

    dates = {today + timedelta(days=n): n for n in config.days("iop_follow_up_days")}
    due = list(
        FollowUp.objects.filter(
            due_date__in=dates, text="", agreement__status__in=LIVE_AGREEMENT
        ).values_list("pk", "due_date", "agreement_id", "agreement__public_body_id")
    )
    people = _agreement_recipients({a: b for _p, _d, a, b in due})
    for pk, due_date, agreement_id, _body in due:
        rows.add(
            offset_kind("iop_follow_up", dates[due_date]),
            FollowUp,
            pk,
            due_date,
            people[agreement_id],
        )


def _agreements_ending(rows: _Rows, today: date, config: ReminderSettings) -> None:
    from agreements.models import Agreement

    dates = {today + timedelta(days=n): n for n in config.days("agreement_end_days")}
    due = list(
        Agreement.objects.filter(status__in=LIVE_AGREEMENT, proposed_end__in=dates).values_list(
            "pk", "proposed_end", "public_body_id"
        )
    )
    people = _agreement_recipients({a: b for a, _d, b in due})
    for pk, ends, _body in due:
        if ends is None:  # the filter excludes it; this tells the type checker
            continue
        rows.add(offset_kind("agreement_ending", dates[ends]), Agreement, pk, ends, people[pk])


# --- the daily digest ------------------------------------------------------------------------


def digest_window(day: date, hour: int) -> tuple[datetime, datetime]:
    """From yesterday's digest to today's, in Swedish time (23 or 25 hours across DST)."""
    zone = timezone.get_current_timezone()
    end = datetime.combine(day, time(hour), tzinfo=zone)
    start = datetime.combine(day - timedelta(days=1), time(hour), tzinfo=zone)
    return start, end


def _digests(rows: _Rows, now: datetime, today: date, config: ReminderSettings) -> None:
    """From the digest hour on: one digest a day to each officer with something waiting and
    each person with notifications held for it; nothing to whom nothing waits."""
    from grants.models import (
        Application,
        ApplicationStatus,
        FollowUpReport,
        ReportStatus,
        Submission,
    )

    if timezone.localtime(now).hour < config.digest_hour:
        return
    start, end = digest_window(today, config.digest_hour)
    # .order_by(): the models' default ordering would otherwise widen each DISTINCT
    case_bodies = set(
        Submission.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
        .order_by()
        .values_list("application__public_body_id", flat=True)
        .distinct()
    )
    case_bodies |= set(
        FollowUpReport.objects.filter(status=ReportStatus.SUBMITTED)
        .order_by()
        .values_list("application__public_body_id", flat=True)
        .distinct()
    )
    decision_bodies = set(
        Application.objects.filter(status=ApplicationStatus.PROPOSED)
        .order_by()
        .values_list("public_body_id", flat=True)
        .distinct()
    )
    officers = PublicBodyMembership.objects.filter(
        Q(public_body_id__in=case_bodies, role=PublicBodyRole.CASE_OFFICER)
        | Q(public_body_id__in=decision_bodies, role=PublicBodyRole.DECISION_MAKER)
    ).values("user_id")
    waiting = Notification.objects.filter(status=NotificationStatus.HELD).values("recipient_id")
    users = User.objects.filter(is_active=True).filter(Q(pk__in=officers) | Q(pk__in=waiting))
    for user in users:
        rows.add("digest", User, user.pk, today, [user])


@dataclass
class Digest:
    new: list[Any]
    completed: list[Any]
    reports: list[Any]
    proposals: list[Any]
    held: list[tuple[Notification, str, str]]  # row, subject, url
    gone: list[Notification]  # held rows about something deleted since: nothing to say
    counts: dict[str, int]

    def __bool__(self) -> bool:
        return any(self.counts.values())


def digest_for(user: User, day: date) -> Digest:
    """What waits for the person on the day's digest: a fixed number of queries."""
    from grants.models import (
        Application,
        ApplicationStatus,
        FollowUpReport,
        ReportStatus,
        Submission,
    )

    config = ReminderSettings.load()
    start, end = digest_window(day, config.digest_hour)
    memberships = user_memberships(user=user)
    case = [m.public_body_id for m in memberships if m.role == PublicBodyRole.CASE_OFFICER]
    deciding = [m.public_body_id for m in memberships if m.role == PublicBodyRole.DECISION_MAKER]
    submissions = Submission.objects.filter(
        submitted_at__gte=start, submitted_at__lt=end, application__public_body_id__in=case
    ).select_related("application__organisation", "application__call")
    new = submissions.filter(number=1).order_by("submitted_at", "id")
    completed = submissions.filter(number__gt=1).order_by("submitted_at", "id")
    reports = (
        FollowUpReport.objects.filter(
            status=ReportStatus.SUBMITTED, application__public_body_id__in=case
        )
        .select_related("application__organisation")
        .order_by("submitted_at", "id")
    )
    proposals = (
        Application.objects.filter(status=ApplicationStatus.PROPOSED, public_body_id__in=deciding)
        .select_related("organisation")
        .order_by("proposed_at", "id")
    )
    held = list(
        Notification.objects.filter(recipient=user, status=NotificationStatus.HELD).order_by(
            "created_at", "id"
        )
    )
    rendered = _render_held(held)
    shown = {row.pk for row, _subject, _url in rendered}
    counts = {
        "new": new.count(),
        "completed": completed.count(),
        "reports": reports.count(),
        "proposals": proposals.count(),
        "held": len(rendered),
    }
    return Digest(
        new=list(new[:DIGEST_LIMIT]),
        completed=list(completed[:DIGEST_LIMIT]),
        reports=list(reports[:DIGEST_LIMIT]),
        proposals=list(proposals[:DIGEST_LIMIT]),
        held=rendered,
        gone=[row for row in held if row.pk not in shown],
        counts=counts,
    )


def _objects(rows: list[Notification]) -> dict[tuple[int, str], Any]:
    """The objects the rows are about: one query per kind, not one per row."""
    wanted: dict[tuple[int, tuple[str, ...]], set[str]] = {}
    for row in rows:
        wanted.setdefault((row.content_type_id, kind_of(row.kind).related), set()).add(
            row.object_id
        )
    found: dict[tuple[int, str], Any] = {}
    for (type_id, related), ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:  # a model that no longer exists: nothing to send about
            continue
        for obj in model._default_manager.select_related(*related).filter(pk__in=ids):
            found[(type_id, str(obj.pk))] = obj
    return found


def _render_held(rows: list[Notification]) -> list[tuple[Notification, str, str]]:
    objects = _objects(rows)
    rendered = []
    for row in rows:
        obj = objects.get((row.content_type_id, row.object_id))
        if obj is None:
            continue
        context = _context(row, obj)
        rendered.append((row, _subject(row, context), context["url"]))
    return rendered


# --- sending ---------------------------------------------------------------------------------


def _context(row: Notification, obj: Any) -> dict[str, Any]:
    return {
        **kind_of(row.kind).context(obj, row),
        "object": obj,
        "recipient": row.recipient,
        "due": row.due_date,
        "days": (row.due_date - timezone.localdate()).days,
        "overdue": row.due_date < timezone.localdate(),
    }


def _subject(row: Notification, context: dict[str, Any]) -> str:
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        # plain text: not HTML-escaped (the digest's HTML escapes it when it shows it)
        subject = render_text(f"{kind_of(row.kind).template}_subject.txt", context)
    return " ".join(subject.split())[:255]


def backoff(attempt: int) -> float:
    """Seconds before the next attempt: exponential, with jitter so retries do not bunch up."""
    return float(min(MAX_BACKOFF, 30 * 2 ** (attempt - 1)) * random.uniform(0.8, 1.2))  # noqa: S311


def claim(notification_id: int) -> Notification | None:
    stale = timezone.now() - claim_timeout()
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update(skip_locked=True)
            .select_related("recipient")
            .filter(pk=notification_id)
            .filter(
                Q(status=NotificationStatus.PENDING)
                | Q(status=NotificationStatus.SENDING, claimed_at__lt=stale)
            )
            .first()
        )
        if row is None:
            return None
        row.status = NotificationStatus.SENDING
        row.attempts += 1
        row.claimed_at = timezone.now()
        row.save(update_fields=["status", "attempts", "claimed_at"])
    return row


def _finish(row: Notification, status: str, error: str = "") -> None:
    row.status = status
    row.last_error = error[:2000]
    row.save(update_fields=["status", "last_error"])


def deliver(row: Notification) -> bool:
    """Send a claimed row. True when done with it (sent, or nothing left to send); False when it
    should be tried again; marks it failed after the last attempt."""
    obj = _objects([row]).get((row.content_type_id, row.object_id))
    if obj is None:
        _finish(row, NotificationStatus.FAILED, "The object no longer exists.")
        return True
    context = _context(row, obj)
    held: list[Notification] = []
    if row.kind == "digest":
        digest = digest_for(row.recipient, row.due_date)
        Notification.objects.filter(pk__in=[gone.pk for gone in digest.gone]).update(
            status=NotificationStatus.FAILED, last_error="The object no longer exists."
        )
        if not digest:  # everything was dealt with before the digest went out
            row.delete()
            return True
        held = [item for item, _subject, _url in digest.held]
        context.update(digest=digest, url=reverse("portal:notifications"))
    try:
        send_templated_email(
            template=kind_of(row.kind).template, to=[row.recipient.email], context=context
        )
    except (smtplib.SMTPException, OSError) as error:
        failed = row.attempts >= MAX_ATTEMPTS
        _finish(
            row,
            NotificationStatus.FAILED if failed else NotificationStatus.PENDING,
            f"{type(error).__name__}: {error}",
        )
        return failed
    now = timezone.now()
    row.status = NotificationStatus.SENT
    row.sent_at = now
    row.last_error = ""
    row.subject = _subject(row, context)
    row.url = context["url"]
    row.save(update_fields=["status", "sent_at", "last_error", "subject", "url"])
    if held:
        rendered = {item.pk: (subject, url) for item, subject, url in context["digest"].held}
        for item in held:
            item.subject, item.url = rendered[item.pk]
            item.status, item.sent_at = NotificationStatus.SENT, now
        Notification.objects.bulk_update(held, ["status", "sent_at", "subject", "url"])
    return True


def resend(*, ids: list[int]) -> int:
    """Put failed (or sent) rows back in the queue, for the administrator's resend action."""
    count = Notification.objects.filter(pk__in=ids).update(
        status=NotificationStatus.PENDING, attempts=0, last_error="", claimed_at=None, sent_at=None
    )
    transaction.on_commit(queue_pending)
    return count


def notifications_for(*, user: User) -> models.QuerySet[Notification]:
    """What was sent to a person, and what waits for their digest, newest first."""
    return Notification.objects.filter(
        recipient=user, status__in=[NotificationStatus.SENT, NotificationStatus.HELD]
    ).order_by("-created_at", "-id")
