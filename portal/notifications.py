"""Notifications: the outbox service, the periodic scan of what is due, and the sending.

Guarantee: each outbox row (kind, object, due date, recipient) exists once (a database
constraint), is claimed by one worker at a time, and is sent at most once; it is attempted at
least once, and retried with backoff until sent or marked failed (visible in the admin, with a
resend action). A worker killed mid-send leaves the row claimed; after CLAIM_TIMEOUT it is
claimed again (the message is redelivered because tasks are acknowledged late)."""

from __future__ import annotations

import random
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from portal.emails import send_templated_email
from portal.models import Notification, NotificationStatus, User

MAX_ATTEMPTS = 4
CLAIM_TIMEOUT = timedelta(minutes=10)


@dataclass(frozen=True)
class Kind:
    template: str
    urgent: bool


# A kind is "<what>" or "<what>_<n>d" (n days before the deadline; negative: after it), so each
# reminder of the same deadline is a row of its own.
KINDS: dict[str, Kind] = {
    "call_closing": Kind("portal/email/call_closing", urgent=True),
    "report_due": Kind("portal/email/report_due", urgent=True),
}


def kind_of(kind: str) -> Kind:
    """The kind's settings, for "<what>" and for "<what>_<n>d"."""
    what, _sep, offset = kind.rpartition("_")
    if what and offset.endswith("d") and offset[:-1].lstrip("-").isdigit():
        return KINDS[what]
    return KINDS[kind]


def notify(*, kind: str, obj: models.Model, recipients: Iterable[User], due_date: date) -> None:
    """Ask for a notification. Outbox rows are written when the caller's transaction commits,
    once per recipient however often this is called."""
    kind_of(kind)  # an unknown kind is a KeyError here, not a silent row
    content_type = ContentType.objects.get_for_model(obj)
    rows = [
        Notification(
            kind=kind,
            content_type=content_type,
            object_id=str(obj.pk),
            due_date=due_date,
            recipient=user,
        )
        for user in recipients
    ]
    transaction.on_commit(lambda: _write(rows))


def _write(rows: list[Notification]) -> int:
    """Insert the rows that do not exist yet and queue everything that waits to be sent."""
    if rows:
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return queue_pending()


def queue_pending() -> int:
    from portal.tasks import send_notification

    stale = timezone.now() - CLAIM_TIMEOUT
    ids = list(
        Notification.objects.filter(
            Q(status=NotificationStatus.PENDING)
            | Q(status=NotificationStatus.SENDING, claimed_at__lt=stale)
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        send_notification.delay(pk)
    return len(ids)


def _members_by_organisation(organisation_ids: set[int]) -> dict[int, list[User]]:
    from organisations.models import OrganisationMembership, OrganisationRole

    found: dict[int, list[User]] = {}
    for membership in OrganisationMembership.objects.filter(
        organisation_id__in=organisation_ids,
        role__in=[OrganisationRole.REPRESENTATIVE, OrganisationRole.EDITOR],
    ).select_related("user"):
        found.setdefault(membership.organisation_id, []).append(membership.user)
    return found


def scan(*, now: Any = None) -> int:
    """Derive what is due today from the database and write the outbox rows: a bounded number
    of queries whatever the number of due objects. Returns the number of rows queued."""
    from grants.models import Application, ApplicationStatus, Call, FollowUpReport, ReportStatus

    now = now or timezone.now()
    today = timezone.localdate(now)
    rows: list[Notification] = []

    # A call closes in N days: to the organisations with a draft in it.
    targets = {today + timedelta(days=n): n for n in settings.REMINDER_CALL_CLOSING_DAYS}
    drafts = list(
        Application.objects.filter(status=ApplicationStatus.DRAFT, call__closes_at__gte=now)
        .filter(
            call__closes_at__lt=now + timedelta(days=max(settings.REMINDER_CALL_CLOSING_DAYS) + 1)
        )
        .values_list("call_id", "call__closes_at", "organisation_id")
    )
    due_drafts = [
        (c, timezone.localdate(closes), o)
        for c, closes, o in drafts
        if timezone.localdate(closes) in targets
    ]
    members = _members_by_organisation({o for _c, _d, o in due_drafts})
    call_type = ContentType.objects.get_for_model(Call)
    for call_id, closes, organisation_id in due_drafts:
        for user in members.get(organisation_id, []):
            rows.append(
                Notification(
                    kind=f"call_closing_{targets[closes]}d",
                    content_type=call_type,
                    object_id=str(call_id),
                    due_date=closes,
                    recipient=user,
                )
            )

    # A follow-up report is due in 14 days, due today, or 7 days overdue.
    report_dates = [today + timedelta(days=n) for n in settings.REMINDER_REPORT_DAYS]
    reports = list(
        FollowUpReport.objects.filter(
            status__in=[ReportStatus.DUE, ReportStatus.REVISION_REQUESTED],
            due_date__in=report_dates,
        ).values_list("pk", "due_date", "application__organisation_id")
    )
    members = _members_by_organisation({o for _r, _d, o in reports})
    report_type = ContentType.objects.get_for_model(FollowUpReport)
    for report_id, due, organisation_id in reports:
        for user in members.get(organisation_id, []):
            rows.append(
                Notification(
                    kind=f"report_due_{(due - today).days}d",
                    content_type=report_type,
                    object_id=str(report_id),
                    due_date=due,
                    recipient=user,
                )
            )
    return _write(rows)


def _context(row: Notification) -> dict[str, Any]:
    from django.urls import reverse

    obj = row.content_type.get_object_for_this_type(pk=row.object_id)
    if row.kind.startswith("call_closing"):
        url = reverse("grants:call", args=[obj.pk])
    else:
        url = reverse("grants:report", args=[getattr(obj, "application_id", obj.pk)])
    days = (row.due_date - timezone.localdate()).days
    return {
        "object": obj,
        "recipient": row.recipient,
        "url": url,
        "due": row.due_date,
        "days": days,
    }


def subject_of(row: Notification) -> str:
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"{kind_of(row.kind).template}_subject.txt", _context(row))
    return " ".join(subject.split())[:255]


def backoff(attempt: int) -> float:
    """Seconds before the next attempt: exponential, with jitter so retries do not bunch up."""
    return float(min(3600, 30 * 2 ** (attempt - 1)) * random.uniform(0.8, 1.2))  # noqa: S311


def claim(notification_id: int) -> Notification | None:
    stale = timezone.now() - CLAIM_TIMEOUT
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update(skip_locked=True)
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


def deliver(row: Notification) -> bool:
    """Send a claimed row. True when sent; False when it should be tried again; marks it failed
    after the last attempt."""
    try:
        send_templated_email(
            template=kind_of(row.kind).template, to=[row.recipient.email], context=_context(row)
        )
    except (smtplib.SMTPException, OSError) as error:
        row.last_error = f"{type(error).__name__}: {error}"[:2000]
        row.status = (
            NotificationStatus.FAILED
            if row.attempts >= MAX_ATTEMPTS
            else NotificationStatus.PENDING
        )
        row.save(update_fields=["last_error", "status"])
        return row.status == NotificationStatus.FAILED
    row.status = NotificationStatus.SENT
    row.sent_at = timezone.now()
    row.last_error = ""
    row.subject = subject_of(row)
    row.save(update_fields=["status", "sent_at", "last_error", "subject"])
    return True


def resend(*, ids: list[int]) -> int:
    """Put failed (or sent) rows back in the queue, for the administrator's resend action."""
    count = Notification.objects.filter(pk__in=ids).update(
        status=NotificationStatus.PENDING, attempts=0, last_error="", claimed_at=None, sent_at=None
    )
    transaction.on_commit(queue_pending)
    return count


def notifications_for(*, user: User) -> models.QuerySet[Notification]:
    """What was sent to a person, newest first (the "Notiser" page)."""
    return Notification.objects.filter(recipient=user, status=NotificationStatus.SENT).order_by(
        "-sent_at", "-id"
    )
