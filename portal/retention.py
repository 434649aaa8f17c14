"""Retention and disposal (gallring): the schedule, legal holds and the nightly disposal.

Each app registers the kinds of record that may be disposed of (`registry.DisposalKind`):
drafts never sent in, rejected and withdrawn applications, the files of closed cases,
notification rows, expired sessions. The schedule (`RetentionRule`, one row per kind, in the
admin) says how long each is kept and on which decision; a kind without a period is kept.
Drafts and sessions expire by default; decided cases are kept until an administrator sets a
period.

`dispose_due` (a nightly Celery task) removes what is older than its period, except what
belongs to a case under legal hold (`LegalHold`, set and lifted by an officer with a reason),
and writes the disposal log (`DisposalRecord`: kind, how many, period, decision; never the
content). It is safe to run twice, and at the same time: each kind is disposed of under a lock
on its schedule row, and what one run removed is not there for the next."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import registry
from portal.models import (
    DisposalRecord,
    LegalHold,
    PublicBody,
    PublicBodyMembership,
    PublicBodyRole,
    RetentionRule,
    User,
)
from portal.services import audit_record


def ensure_schedule() -> list[RetentionRule]:
    """The schedule, with a row for every registered kind (the app's default for a new one),
    in the order the kinds are registered."""
    existing = {rule.kind: rule for rule in RetentionRule.objects.all()}
    missing = [
        RetentionRule(kind=kind.name, keep_days=kind.default_days, basis=str(kind.default_basis))
        for kind in registry.disposal_kinds()
        if kind.name not in existing
    ]
    if missing:
        RetentionRule.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {rule.kind: rule for rule in RetentionRule.objects.all()}
    return [existing[kind.name] for kind in registry.disposal_kinds() if kind.name in existing]


def label_of(kind_name: str) -> str:
    kind = registry.registry.disposal_kinds.get(kind_name)
    return str(kind.label) if kind else kind_name


def _held_ids(kind_name: str) -> list[int]:
    return list(
        LegalHold.objects.filter(kind=kind_name, lifted_at__isnull=True).values_list(
            "object_id", flat=True
        )
    )


def _due(kind: registry.DisposalKind, keep_days: int, now: datetime) -> QuerySet[Any]:
    """What of a kind is older than its period, less what belongs to a held case."""
    rows = kind.due(now - timedelta(days=keep_days))
    if kind.held_kind:
        held = _held_ids(kind.held_kind)
        if held:
            rows = rows.exclude(**{f"{kind.held_path}__in": held})
    return rows


def due_count(kind_name: str, *, now: datetime | None = None) -> int:
    """How many records of a kind the next disposal would remove (holds left out)."""
    kind = registry.registry.disposal_kinds.get(kind_name)
    rule = RetentionRule.objects.filter(kind=kind_name).first()
    if kind is None or rule is None or rule.keep_days is None:
        return 0
    return _due(kind, max(rule.keep_days, kind.minimum_days), now or timezone.now()).count()


def dispose_kind(kind: registry.DisposalKind, *, now: datetime | None = None) -> int:
    """Dispose of what is due of one kind, under a lock on its schedule row; log it."""
    now = now or timezone.now()
    with transaction.atomic():
        rule = RetentionRule.objects.select_for_update().filter(kind=kind.name).first()
        if rule is None or rule.keep_days is None:
            return 0
        keep_days = max(rule.keep_days, kind.minimum_days)  # never shorter than the law's
        cutoff = now - timedelta(days=keep_days)
        count = kind.dispose(_due(kind, keep_days, now))
        if count:
            DisposalRecord.objects.create(
                kind=kind.name,
                label=str(kind.label)[:200],
                count=count,
                keep_days=keep_days,
                basis=rule.basis,
                cutoff=cutoff,
                disposed_at=now,
            )
        return count


def dispose_due(*, now: datetime | None = None) -> dict[str, int]:
    """Every kind's disposal, one transaction each: what was removed, by kind."""
    ensure_schedule()
    return {kind.name: dispose_kind(kind, now=now) for kind in registry.disposal_kinds()}


# --- legal holds -------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    kind: str
    object_id: int
    number: str
    public_body: PublicBody


def may_hold(user: User) -> bool:
    """Whether the person sets and lifts legal holds: a case officer somewhere (the roles kept
    for the request, no query); at which bodies is `hold_bodies`."""
    from portal.selectors import user_memberships

    return any(m.role == PublicBodyRole.CASE_OFFICER for m in user_memberships(user=user))


def hold_bodies(user: User) -> list[PublicBody]:
    """The public bodies where the person may set and lift holds: their case officers'."""
    return list(
        PublicBody.objects.filter(
            memberships__user=user, memberships__role=PublicBodyRole.CASE_OFFICER
        )
        .distinct()
        .order_by("name")
    )


def find_document(*, user: User, number: str) -> Found:
    """The registered document with this diarienummer at one of the person's bodies."""
    mine = hold_bodies(user)
    typed = " ".join(number.split()).upper()
    # "KFN2026/5", "KFN 2026 / 05" and "kfn 2026/5" are all KFN 2026/5
    written = re.fullmatch(r"(.*?)\s*(\d{4})\s*/\s*0*(\d+)", typed)
    if written is None:
        raise ValidationError({"number": _not_found(typed, mine)})
    prefix, year_text = written.group(1), written.group(2)
    number = f"{prefix} {year_text}/{written.group(3)}"
    bodies = [b for b in mine if b.registry_prefix.upper() == prefix]
    for body in bodies:
        for kind in registry.record_kinds():
            found = (
                kind.documents(body, int(year_text))
                .filter(entry_number__iexact=number)
                .values_list("entry_object_id", "entry_number")
                .first()
            )
            if found is not None:
                return Found(kind.name, found[0], found[1], body)
    raise ValidationError({"number": _not_found(number, mine)})


def _not_found(number: str, mine: list[PublicBody]) -> str:
    example = f"{mine[0].registry_prefix if mine else 'KFN'} {timezone.localdate().year}/12"
    return _(
        "No document of your public bodies has the registration number %(number)s. Check the "
        "number in the diarium: it is written as %(example)s."
    ) % {"number": number, "example": example}


def _ensure_officer(actor: User, body_id: int) -> None:
    if not PublicBodyMembership.objects.filter(
        user=actor, public_body_id=body_id, role=PublicBodyRole.CASE_OFFICER
    ).exists():
        raise PermissionDenied


@transaction.atomic
def legal_hold_set(*, actor: User, number: str, reason: str) -> LegalHold:
    """An officer stops the disposal of a registered document of their body, with a reason."""
    if not reason.strip():
        raise ValidationError({"reason": _("Write why the document must be kept.")})
    found = find_document(user=actor, number=number)
    _ensure_officer(actor, found.public_body.pk)
    # The night's disposal of the kinds this document belongs to holds their schedule rows
    # while it removes: taking them here puts a hold either wholly before a disposal (which
    # then leaves the document) or after it (the document is then gone, and said so).
    list(
        RetentionRule.objects.select_for_update().filter(
            kind__in=[k.name for k in registry.disposal_kinds() if k.held_kind == found.kind]
        )
    )
    found = find_document(user=actor, number=number)
    already = ValidationError(
        {"number": _("%(number)s is already held.") % {"number": found.number}}
    )
    if LegalHold.objects.filter(
        kind=found.kind, object_id=found.object_id, lifted_at__isnull=True
    ).exists():
        raise already
    try:
        with transaction.atomic():
            hold = LegalHold.objects.create(
                kind=found.kind,
                object_id=found.object_id,
                public_body=found.public_body,
                number=found.number,
                reason=reason.strip(),
                set_by=actor,
            )
    except IntegrityError:  # set by a colleague at the same moment
        raise already from None
    audit_record(actor=actor, obj=hold, action="legal_hold_set", comment=hold.reason)
    return hold


@transaction.atomic
def legal_hold_lift(*, actor: User, hold: LegalHold, reason: str) -> LegalHold:
    """An officer of the body lifts a hold, with a reason; the schedule applies again."""
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    _ensure_officer(actor, hold.public_body_id)
    if hold.lifted_at is not None:
        raise ValidationError(_("The hold has already been lifted."))
    if not reason.strip():
        raise ValidationError({"reason": _("Write why the hold is lifted.")})
    hold.lifted_by = actor
    hold.lifted_at = timezone.now()
    hold.lift_reason = reason.strip()
    hold.save(update_fields=["lifted_by", "lifted_at", "lift_reason"])
    audit_record(actor=actor, obj=hold, action="legal_hold_lifted", comment=hold.lift_reason)
    return hold


def _holds_at_bodies_of(user: User) -> QuerySet[LegalHold]:
    """Holds (in force or lifted) at the person's case officer bodies."""
    return LegalHold.objects.filter(
        public_body__memberships__user=user,
        public_body__memberships__role=PublicBodyRole.CASE_OFFICER,
    ).distinct()


def holds_for(user: User) -> QuerySet[LegalHold]:
    """The holds in force at the person's case officer bodies, newest first."""
    return (
        _holds_at_bodies_of(user)
        .filter(lifted_at__isnull=True)
        .select_related("set_by", "public_body")
        .order_by("-set_at", "-id")
    )


def hold_get_for_user(*, user: User, pk: int) -> LegalHold:
    """A hold (in force or lifted) at one of the person's case officer bodies, or 404."""
    from django.http import Http404

    hold = _holds_at_bodies_of(user).filter(pk=pk).first()
    if hold is None:
        raise Http404
    return hold


# --- what the platform itself disposes of -------------------------------------------------


def _delete(rows: QuerySet[Any]) -> int:
    return rows.delete()[0]


def _sessions_due(cutoff: datetime) -> QuerySet[Any]:
    from django.contrib.sessions.models import Session

    return Session.objects.filter(expire_date__lt=cutoff)


def _notifications_due(cutoff: datetime) -> QuerySet[Any]:
    from portal.models import Notification, NotificationStatus

    return Notification.objects.filter(
        created_at__lt=cutoff,
        status__in=[NotificationStatus.SENT, NotificationStatus.FAILED],
    )


# Audit events of routine changes to a person's own account, not of any case: what a
# municipality's plan may let go after a while (the cases' own history is kept with them).
ROUTINE_AUDIT_ACTIONS = ("notification_settings", "personal_data_exported")


def _routine_audit_due(cutoff: datetime) -> QuerySet[Any]:
    from portal.models import AuditEvent

    return AuditEvent.objects.filter(action__in=ROUTINE_AUDIT_ACTIONS, created_at__lt=cutoff)


def _dispose_audit(rows: QuerySet[Any]) -> int:
    """The audit trail refuses deletes but for a disposal's permit, held only inside this
    transaction (`AuditRedaction`, migration 0012)."""
    from portal.models import AuditRedaction

    permit = AuditRedaction.objects.create(purpose=AuditRedaction.DISPOSAL)
    count = rows.delete()[0]
    permit.delete()
    return count


def platform_kinds() -> list[registry.DisposalKind]:
    from django.utils.translation import gettext_lazy

    return [
        registry.DisposalKind(
            name="portal.sessions",
            label=gettext_lazy("Expired logins (sessions)"),
            due=_sessions_due,
            dispose=_delete,
            default_days=0,
            default_basis=gettext_lazy(
                "Technical data, not public records: removed when they have expired."
            ),
            order=10,
        ),
        registry.DisposalKind(
            name="portal.notifications",
            label=gettext_lazy("Notifications sent (copies of the emails)"),
            due=_notifications_due,
            dispose=_delete,
            default_basis=gettext_lazy(
                "Copies of routine messages (of little or passing importance): may be disposed "
                "of when no longer needed, as the document management plan says."
            ),
            order=20,
        ),
        registry.DisposalKind(
            name="portal.audit_routine",
            label=gettext_lazy(
                "History of routine account changes (notification settings, copies of personal "
                "data downloaded)"
            ),
            due=_routine_audit_due,
            dispose=_dispose_audit,
            default_basis=gettext_lazy(
                "Records of little or passing importance about a person's own account, not about "
                "a case: may be disposed of as the document management plan says."
            ),
            order=25,
        ),
    ]
