"""The legal review (why this is not a purchase, the state-aid route, the de minimis ceiling)
and the decision that sends the agreement for signing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements import permissions
from agreements.models import Agreement, StateAidRoute
from agreements.services._shared import DE_MINIMIS_ROUTES, S, _locked
from agreements.services.cocreation import agreement_transition
from organisations.models import Organisation
from portal.models import User
from portal.money import format_sek


def de_minimis_total(
    *, organisation: Organisation, at: date, excluding: Agreement | None = None
) -> Decimal:
    """De minimis aid to the organisation decided in the rolling three years up to `at`
    (from the same date three years earlier, inclusive)."""
    start = (
        at.replace(year=at.year - 3)
        if not (at.month == 2 and at.day == 29)
        else date(at.year - 3, 2, 28)
    )
    agreements = Agreement.objects.filter(
        parties__organisation=organisation,
        state_aid_route__in=DE_MINIMIS_ROUTES,
        decision_date__gte=start,
        decision_date__lte=at,
    )
    if excluding is not None:
        agreements = agreements.exclude(pk=excluding.pk)
    return agreements.aggregate(total=Sum("state_aid_amount"))["total"] or Decimal(0)


def de_minimis_ceiling_sek() -> Decimal:
    return Decimal(settings.DE_MINIMIS_CEILING_EUR) * Decimal(settings.SEK_PER_EUR)


@transaction.atomic
def agreement_legal_review(
    *, agreement: Agreement, actor: User, procurement: str, route: str, amount: Decimal | None
) -> list[str]:
    """Record why this is not a purchase and the state-aid route; move on to the decision.
    Returns warnings (the de minimis ceiling) for the officer to see."""
    agreement = _locked(agreement)
    permissions.ensure(permissions.can_handle(actor, agreement), actor, agreement)
    errors: dict[str, list[str]] = {}
    if not procurement.strip():
        errors["procurement"] = [_("Explain why this is not a purchase under LOU.")]
    if route not in StateAidRoute.values:
        errors["route"] = [_("Choose the state-aid route.")]
    if route != StateAidRoute.NOT_ECONOMIC and (amount is None or amount < 0):
        errors["amount"] = [_("Give the amount of aid.")]
    if errors:
        raise ValidationError(errors)
    agreement.procurement_assessment = procurement.strip()
    agreement.state_aid_route = route
    agreement.state_aid_amount = amount
    agreement.legal_reviewed_by = actor
    agreement_transition(
        agreement=agreement, to=S.DECISION, actor=actor, comment=str(StateAidRoute(route).label)
    )
    warnings = []
    if route in DE_MINIMIS_ROUTES:
        total = de_minimis_total(
            organisation=agreement.initiating_organisation,
            at=timezone.localdate(),
            excluding=agreement,
        )
        total += amount or Decimal(0)
        if total > de_minimis_ceiling_sek():
            warnings.append(
                _(
                    "The organisation's de minimis aid over three years would be %(total)s, above the ceiling of %(ceiling)s."
                )
                % {"total": format_sek(total), "ceiling": format_sek(de_minimis_ceiling_sek())}
            )
    return warnings


@transaction.atomic
def agreement_decide(
    *, agreement: Agreement, actor: User, decided_on: date, reference: str
) -> Agreement:
    agreement = _locked(agreement)
    permissions.ensure(permissions.can_decide(actor, agreement), actor, agreement)
    if not reference.strip():
        raise ValidationError({"reference": [_("Give the protocol reference (§).")]})
    agreement.decision_date = decided_on
    agreement.decision_reference = reference.strip()
    agreement.decision_recorded_by = actor
    return agreement_transition(
        agreement=agreement,
        to=S.SIGNING,
        actor=actor,
        comment=f"{decided_on:%Y-%m-%d} {reference.strip()}",
    )
