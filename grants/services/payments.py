"""Payments of a decided grant: what has been paid, and registering a payment as the person saw it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grants import open_data_store, permissions
from grants.models import Application, Payment
from grants.services._shared import DECIDED, _date_errors, _locked, _money
from organisations.models import Organisation
from organisations.selectors import organisation_payable
from portal.models import User
from portal.money import format_sek
from portal.services import audit_record
from portal.versions import audit_note, check_seen, fingerprint

OWN_DECISION_PAYMENT_MESSAGE = gettext_lazy(
    "You took the decision on this grant, so another case officer must register its payments "
    "(four eyes on money)."
)


def amount_paid(application: Application) -> Decimal:
    return application.payments.aggregate(total=Sum("amount"))["total"] or Decimal(0)


# A payment is registered when it is made, or at most a month ahead when the bank has it
# scheduled; a date further ahead is a typing mistake.
PAYMENT_DAYS_AHEAD = 30


def payment_version(application: Application, *, paid: Decimal | None = None) -> str:
    """What the person registering a payment sees: the decided amount, what has been paid, and
    the account the money goes to."""
    organisation = application.organisation
    return fingerprint(
        "pay",
        application.status,
        _money(application.decided_amount),
        _money(amount_paid(application) if paid is None else paid),
        organisation.payment_method,
        organisation.payment_account,
        organisation.payment_details_verified,
        organisation.status,
    )


@transaction.atomic
def payment_register(
    *,
    application: Application,
    actor: User,
    amount: Decimal,
    paid_on: date,
    reference: str,
    seen_version: str | None,
) -> Payment:
    """Record an instalment paid to the organisation's verified account, as the person saw it.
    The application's and the organisation's rows are locked, so two payments at the same moment
    cannot together exceed the decided amount and the account cannot change under the payment.
    Four eyes on money: the person who took the decision does not register its payments."""
    application = _locked(application)
    if not permissions.can_handle(actor, application):
        raise PermissionDenied
    if not permissions.can_pay(actor, application):
        raise PermissionDenied(OWN_DECISION_PAYMENT_MESSAGE)
    if application.status not in DECIDED:
        raise ValidationError(_("Only an approved grant can be paid."))
    organisation = Organisation.objects.select_for_update().get(pk=application.organisation_id)
    application.organisation = organisation
    paid = amount_paid(application)
    version = payment_version(application, paid=paid)
    check_seen(seen=seen_version, current=version)
    if not organisation_payable(organisation):
        raise ValidationError(
            _(
                "The organisation or its payment account is not verified, so nothing can be "
                "paid. Verify them on the organisation's page first."
            )
        )
    errors: dict[str, list[str]] = {}
    if amount <= 0:
        errors["amount"] = [_("The amount must be more than 0.")]
    left = (application.decided_amount or Decimal(0)) - paid
    if amount > left:
        errors["amount"] = [
            _("Only %(left)s of the decided amount is left to pay.") % {"left": format_sek(left)}
        ]
    if not reference.strip():
        errors["reference"] = [_("Give the payment's reference.")]
    today = timezone.localdate()
    date_errors = _date_errors(
        paid_on,
        label=_("The payment date"),
        not_before=timezone.localdate(application.decided_at) if application.decided_at else None,
        not_before_what=_("the date of the decision"),
        not_after=today + timedelta(days=PAYMENT_DAYS_AHEAD),
        not_after_what=_("30 days from today"),
    )
    if date_errors:
        errors["paid_on"] = date_errors
    if errors:
        raise ValidationError(errors)
    payment = Payment.objects.create(
        application=application,
        amount=amount,
        paid_on=paid_on,
        reference=reference.strip(),
        account=organisation.payment_account_display,
        registered_by=actor,
    )
    # the grant's running total, under the row lock taken above (the lists of paid grants)
    Application.objects.filter(pk=application.pk).update(paid_amount=F("paid_amount") + amount)
    open_data_store.rebuild_soon()  # open data publishes what was paid of each grant
    audit_record(
        actor=actor,
        obj=application,
        action="paid",
        comment=audit_note(
            f"{format_sek(amount)} {paid_on:%Y-%m-%d} {payment.account} ({payment.reference})",
            version,
        ),
    )
    return payment
