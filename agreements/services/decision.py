"""The legal review (why this is not a purchase, the state-aid route, the de minimis ceiling)
and the decision that sends the agreement for signing. De minimis aid is counted in the
register's one ledger (`organisations.state_aid`), with the organisation's grants and the aid
it declared from others: the legal review refuses an amount that would cross the ceiling, and
the decision enters the aid in the ledger, or is refused with nothing written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agreements import de_minimis, permissions
from agreements.models import Agreement, StateAidRoute
from agreements.services._shared import S, _locked
from agreements.services.cocreation import agreement_transition
from organisations import services as organisation_services
from portal.models import User


@transaction.atomic
def agreement_legal_review(
    *, agreement: Agreement, actor: User, procurement: str, route: str, amount: Decimal | None
) -> list[str]:
    """Record why this is not a purchase and the state-aid route; move on to the decision.
    De minimis aid that would cross the ceiling for the organisation's undertaking today is
    refused (on the amount). Returns warnings for the officer to see: the organisation has not
    yet declared its de minimis aid from others, which it may still do before the decision."""
    agreement = _locked(agreement)
    permissions.ensure(permissions.can_handle(actor, agreement), actor, agreement)
    errors: dict[str, list[str]] = {}
    if not procurement.strip():
        errors["procurement"] = [_("Explain why this is not a purchase under LOU.")]
    if route not in StateAidRoute.values:
        errors["route"] = [_("Choose the state-aid route.")]
    if route != StateAidRoute.NOT_ECONOMIC and (amount is None or amount < 0):
        errors["amount"] = [_("Give the amount of aid.")]
    if not errors:
        refusal = de_minimis.legal_review_refusal(agreement, route=route, amount=amount)
        if refusal:
            errors["amount"] = [refusal]
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
    if de_minimis.regulation_of(route) is not None:
        missing = de_minimis.declaration_warning(agreement)
        if missing:
            warnings.append(missing)
    return warnings


@transaction.atomic
def agreement_decide(
    *, agreement: Agreement, actor: User, decided_on: date, reference: str
) -> Agreement:
    """Record the committee's decision and send the agreement for signing. De minimis aid is
    entered in the ledger at the decision date, after the checks under the undertaking's locks
    (`organisations.services.aid_grant`): a decision that would cross the ceiling, or one taken
    before the organisation declared its aid from others, is refused and nothing is written."""
    agreement = _locked(agreement)
    permissions.ensure(permissions.can_decide(actor, agreement), actor, agreement)
    if not reference.strip():
        raise ValidationError({"reference": [_("Give the protocol reference (§).")]})
    agreement.decision_date = decided_on
    agreement.decision_reference = reference.strip()
    agreement.decision_recorded_by = actor
    agreement = agreement_transition(
        agreement=agreement,
        to=S.SIGNING,
        actor=actor,
        comment=f"{decided_on:%Y-%m-%d} {reference.strip()}",
    )
    regulation = de_minimis.regulation_of(agreement.state_aid_route)
    if regulation is not None:
        organisation_services.aid_grant(
            organisation=agreement.initiating_organisation,
            actor=actor,
            regulation=regulation,
            decided_on=decided_on,
            amount_sek=agreement.state_aid_amount or Decimal(0),
            public_body=agreement.public_body,
            source_kind=de_minimis.SOURCE_KIND,
            source_id=agreement.pk,
            source_reference=agreement.registry_number or "",
            since=agreement.created_at,
            since_label=str(de_minimis.SINCE_LABEL),
            instrument=de_minimis.instrument_of(agreement),
        )
    return agreement
