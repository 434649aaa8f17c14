"""Recoveries: money the association pays back, opened and marked paid by the case officer."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from grants import permissions
from grants.models import Application, Recovery, RecoveryStatus
from grants.services._shared import _date_errors, _locked
from grants.services.payments import amount_paid
from portal.models import User
from portal.money import format_sek
from portal.services import audit_record

RECOVERY_DAYS_AHEAD = 2 * 365


@transaction.atomic
def recovery_open(
    *, application: Application, actor: User, amount: Decimal, reason: str, due_date: date
) -> Recovery:
    application = _locked(application)
    if not permissions.can_handle(actor, application):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    paid = amount_paid(application)
    already = application.recoveries.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    if amount <= 0 or amount > paid - already:
        errors["amount"] = [
            _(
                "The amount must be more than 0 and at most %(left)s (paid out less earlier recoveries)."
            )
            % {"left": format_sek(paid - already)}
        ]
    if not reason.strip():
        errors["reason"] = [_("Give the reason for the recovery.")]
    today = timezone.localdate()
    date_errors = _date_errors(
        due_date,
        label=_("The date to pay back by"),
        not_before=today,
        not_before_what=_("today"),
        not_after=today + timedelta(days=RECOVERY_DAYS_AHEAD),
        not_after_what=_("two years from today"),
    )
    if date_errors:
        errors["due_date"] = date_errors
    if errors:
        raise ValidationError(errors)
    recovery = Recovery.objects.create(
        application=application,
        amount=amount,
        reason=reason.strip(),
        due_date=due_date,
        opened_by=actor,
    )
    audit_record(
        actor=actor,
        obj=application,
        action="recovery_opened",
        comment=f"{format_sek(amount)}: {reason.strip()}",
    )
    return recovery


@transaction.atomic
def recovery_mark_paid(*, recovery: Recovery, actor: User, paid_on: date) -> Recovery:
    recovery = (
        Recovery.objects.select_for_update(of=("self",))
        .select_related("application__call__programme")
        .get(pk=recovery.pk)
    )
    if not permissions.can_handle(actor, recovery.application):
        raise PermissionDenied
    if recovery.status == RecoveryStatus.PAID:
        raise ValidationError(_("The recovery is already paid back."))
    date_errors = _date_errors(
        paid_on,
        label=_("The date it was paid back"),
        not_before=timezone.localdate(recovery.opened_at),
        not_before_what=_("the day the recovery was opened"),
        not_after=timezone.localdate(),
        not_after_what=_("today"),
    )
    if date_errors:
        raise ValidationError({"paid_on": date_errors})
    recovery.status = RecoveryStatus.PAID
    recovery.paid_on = paid_on
    recovery.recorded_by = actor
    recovery.save()
    audit_record(
        actor=actor,
        obj=recovery.application,
        action="recovery_paid",
        comment=f"{format_sek(recovery.amount)} {paid_on:%Y-%m-%d}",
    )
    return recovery
