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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import registry
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
from portal.registry import Context, DigestSection, Kind
from portal.sql import one_of

MAX_ATTEMPTS = 4
MAX_BACKOFF = 3600  # seconds, before jitter
RETRY_LOST = timedelta(seconds=2 * MAX_BACKOFF)
DIGEST_LIMIT = 50  # items per list in the digest; the count says how many there are in all


def claim_timeout() -> timedelta:
    return timedelta(seconds=settings.NOTIFICATION_CLAIM_TIMEOUT)


def kind_of(kind: str) -> Kind:
    """The registered kind of "<what>" and of "<what>_<n>d" (n days before a date; negative:
    after it), so each reminder of the same deadline is a row of its own. KeyError if unknown."""
    return registry.kind(kind)


def offset_kind(what: str, days: int) -> str:
    return f"{what}_{days}d"


def days_or(own: str, default: list[int]) -> list[int]:
    """An object's own reminder days ("7, 1"), or the default when it has none or a value saved
    around the admin's validation."""
    try:
        return parse_days(own) if own.strip() else default
    except ValidationError:
        return default


# The platform's own kind, registered in PortalConfig.ready(): the daily digest (the officer's
# day and what a person chose to receive once a day). Domain apps register theirs in theirs.
DIGEST = Kind(
    "digest", _("Daily digest"), "portal/email/digest", True, lambda user, row: {"url": ""}
)


# --- asking for notifications ----------------------------------------------------------------


def _row(
    kind: str, obj_type: ContentType, object_id: object, due: date, user: User
) -> Notification:
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


def officers_by_body(
    body_ids: set[int], role: str = PublicBodyRole.CASE_OFFICER
) -> dict[int, list[User]]:
    """{public body: its active officers in the role}, in one query."""
    found: dict[int, list[User]] = {}
    if not body_ids:
        return found
    for membership in PublicBodyMembership.objects.filter(
        public_body_id__in=body_ids, role=role, user__is_active=True
    ).select_related("user"):
        found.setdefault(membership.public_body_id, []).append(membership.user)
    return found


# --- the scan --------------------------------------------------------------------------------


class OutboxRows:
    """The rows one scan writes, one per (kind, object, date, person): what the registered
    reminder sources add to."""

    def __init__(self) -> None:
        self.rows: list[Notification] = []
        self._types: dict[type[models.Model], ContentType] = {}

    def add(
        self,
        kind: str,
        model: type[models.Model],
        object_id: object,
        due: date,
        users: Iterable[User],
    ) -> None:
        if model not in self._types:
            self._types[model] = ContentType.objects.get_for_model(model)
        for user in {u.pk: u for u in users}.values():
            self.rows.append(_row(kind, self._types[model], object_id, due, user))


def scan(*, now: datetime | None = None) -> int:
    """Derive what is due today from every registered reminder source and write the outbox rows:
    each source reads in a fixed number of queries whatever the number of due objects. Returns
    the number of rows queued."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    rows = OutboxRows()
    for source in registry.reminder_sources():
        source(rows, now=now, today=today)
    _digests(rows, now, today, ReminderSettings.load())
    return _write(rows.rows)


# --- the daily digest ------------------------------------------------------------------------


def digest_window(day: date, hour: int) -> tuple[datetime, datetime]:
    """From yesterday's digest to today's, in Swedish time (23 or 25 hours across DST)."""
    zone = timezone.get_current_timezone()
    end = datetime.combine(day, time(hour), tzinfo=zone)
    start = datetime.combine(day - timedelta(days=1), time(hour), tzinfo=zone)
    return start, end


def _digests(rows: OutboxRows, now: datetime, today: date, config: ReminderSettings) -> None:
    """From the digest hour on: one digest a day to each person for whom a registered section
    may hold something and each person with notifications held for it; nothing to whom nothing
    waits (the digest is checked again when it is sent). One query for every section."""
    if timezone.localtime(now).hour < config.digest_hour:
        return
    start, end = digest_window(today, config.digest_hour)
    wanted = Q(
        pk__in=Notification.objects.filter(status=NotificationStatus.HELD).values("recipient_id")
    )
    for section in registry.digest_sections():
        wanted |= section.recipients(start, end)
    for user in User.objects.filter(is_active=True).filter(wanted):
        rows.add("digest", User, user.pk, today, [user])


@dataclass
class DigestPart:
    """One section of a person's digest: the first DIGEST_LIMIT items and how many there are."""

    section: DigestSection
    items: list[models.Model]
    count: int

    @property
    def template(self) -> str:
        return self.section.template


@dataclass
class Digest:
    sections: list[DigestPart]
    held: list[tuple[Notification, str, str]]  # row, subject, url
    gone: list[Notification]  # held rows about something deleted since: nothing to say
    counts: dict[str, int]

    def __bool__(self) -> bool:
        return any(self.counts.values())


def digest_for(user: User, day: date) -> Digest:
    """What waits for the person on the day's digest: a fixed number of queries per section."""
    config = ReminderSettings.load()
    start, end = digest_window(day, config.digest_hour)
    parts = []
    for section in registry.digest_sections():
        items = section.items(user, start, end)
        count = items.count()
        parts.append(DigestPart(section, list(items[:DIGEST_LIMIT]) if count else [], count))
    held = list(
        Notification.objects.filter(recipient=user, status=NotificationStatus.HELD).order_by(
            "created_at", "id"
        )
    )
    rendered = _render_held(held)
    shown = {row.pk for row, _subject, _url in rendered}
    counts = {part.section.name: part.count for part in parts}
    counts["held"] = len(rendered)
    return Digest(
        sections=[part for part in parts if part.count],
        held=rendered,
        gone=[row for row in held if row.pk not in shown],
        counts=counts,
    )


def _objects(rows: list[Notification]) -> dict[tuple[int, str], models.Model]:
    """The objects the rows are about: one query per kind, not one per row."""
    wanted: dict[tuple[int, tuple[str, ...]], set[str]] = {}
    for row in rows:
        wanted.setdefault((row.content_type_id, kind_of(row.kind).related), set()).add(
            row.object_id
        )
    found: dict[tuple[int, str], models.Model] = {}
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
        rendered.append((row, _subject(row, context), str(context["url"])))
    return rendered


# --- sending ---------------------------------------------------------------------------------


def _context(row: Notification, obj: models.Model) -> Context:
    return {
        **kind_of(row.kind).context(obj, row),
        "object": obj,
        "recipient": row.recipient,
        "due": row.due_date,
        "days": (row.due_date - timezone.localdate()).days,
        "overdue": row.due_date < timezone.localdate(),
    }


def _subject(row: Notification, context: Context) -> str:
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
    held: list[tuple[Notification, str, str]] = []
    if row.kind == "digest":
        digest = digest_for(row.recipient, row.due_date)
        Notification.objects.filter(pk__in=[gone.pk for gone in digest.gone]).update(
            status=NotificationStatus.FAILED, last_error="The object no longer exists."
        )
        if not digest:  # everything was dealt with before the digest went out
            row.delete()
            return True
        held = digest.held
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
    row.url = str(context["url"])
    row.save(update_fields=["status", "sent_at", "last_error", "subject", "url"])
    for item, subject, url in held:
        item.subject, item.url = subject, url
        item.status, item.sent_at = NotificationStatus.SENT, now
    if held:
        Notification.objects.bulk_update(
            [item for item, _subject, _url in held], ["status", "sent_at", "subject", "url"]
        )
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
        one_of("status", [NotificationStatus.SENT, NotificationStatus.HELD]), recipient=user
    ).order_by("-created_at", "-id")


def links_for(*, reader: User, rows: Sequence[Notification]) -> list[str]:
    """The links of a page of the person's notifications (`link_for` of each row), after each
    kind's `prepare_links` has read at once what its rows need."""
    prepared: dict[Callable[[User, list[Notification]], None], list[Notification]] = {}
    for row in rows:
        try:
            prepare = kind_of(row.kind).prepare_links
        except KeyError:
            continue
        if prepare is not None:
            prepared.setdefault(prepare, []).append(row)
    for prepare, its_rows in prepared.items():
        prepare(reader, its_rows)
    return [link_for(reader=reader, row=row) for row in rows]


def link_for(*, reader: User, row: Notification) -> str:
    """The link a row shows in the person's list: only to a page they may open now (their kind
    decides, `Kind.link`); the row's own link for kinds that do not say."""
    try:
        kind = kind_of(row.kind)
    except KeyError:
        return ""
    if kind.link is None:
        return row.url
    return kind.link(reader, row) if row.url else ""
