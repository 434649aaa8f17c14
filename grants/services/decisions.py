"""The case officer's proposal and the decision maker's decision, what each of them saw
(portal.versions), and what is left of a call's budget."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from grants import open_data_store, permissions
from grants.assessment import assessment_of
from grants.models import (
    DEFAULT_APPEAL_TEXT,
    Application,
    Call,
    DecisionChoice,
    ProposalOutcome,
    proposal_text,
)
from grants.services._shared import DECIDED, A, _locked, _money
from grants.services.applications import application_transition
from grants.services.reports import _create_report
from grants.state_aid import CALL_OPENED, SOURCE_KIND
from organisations import services as organisation_services
from organisations import state_aid
from organisations.notifications import organisation_people
from portal.models import User
from portal.money import format_sek
from portal.notifications import notify
from portal.versions import audit_note, check_seen, fingerprint


def proposal_version(
    application: Application,
    *,
    submission_number: int | None = None,
    scores: list[tuple[int, int]] | None = None,
) -> str:
    """What the case officer sees when proposing: the status, the amount applied for, which
    submission of the application, and the criteria's scores ((criterion id, score) pairs). A
    page that has already read the submissions and scores passes them in."""
    if submission_number is None:
        submission_number = (
            application.submissions.order_by("-number").values_list("number", flat=True).first()
        )
    if scores is None:
        scores = list(application.reviews.values_list("criterion_id", "score"))
    return fingerprint(
        "propose",
        application.status,
        _money(application.amount_requested),
        submission_number,
        sorted(scores),
    )


def decision_version(application: Application) -> str:
    """What the decision maker sees: the proposal as it stands and who made it. A new proposal
    in between (another amount, another motivation, another proposer) is another version."""
    return fingerprint(
        "decide",
        application.status,
        application.proposal_outcome,
        _money(application.proposal_amount),
        application.proposal_motivation,
        application.proposal_conditions,
        _money(application.amount_requested),
        application.proposed_by_id,
        application.proposed_at,
        application.economic_activity,
        application.economic_activity_reasons,
    )


def _de_minimis_check(
    application: Application, *, regulation: str, amount: Decimal, field: str
) -> None:
    """A grant of `amount` decided today as de minimis aid under `regulation`: a declaration
    since the call opened, and room under the ceiling for all of it (`organisations.state_aid.
    check`); a ValidationError naming `field` with the reasons otherwise."""
    try:
        state_aid.check(
            organisation=application.organisation,
            at=timezone.localdate(),
            amount_sek=amount,
            regulation=regulation,
            since=application.call.opens_at,
            since_label=str(CALL_OPENED),
            excluding=(SOURCE_KIND, application.pk),
        )
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error


def _economic_activity_errors(economic_activity: bool | None, reasons: str) -> dict[str, list[str]]:
    """The case officer's assessment, required in a programme classed as de minimis aid."""
    errors: dict[str, list[str]] = {}
    if economic_activity is None:
        errors["economic_activity"] = [
            _("Say whether the grant supports economic activity (de minimis aid) or not.")
        ]
    if not reasons.strip():
        errors["economic_activity_reasons"] = [
            _("Give the reasons for the assessment of economic activity.")
        ]
    return errors


def _proposal_checked(
    application: Application,
    actor: User,
    *,
    outcome: str,
    amount: Decimal | None,
    motivation: str,
    seen_version: str | None,
    economic_activity: bool | None = None,
    economic_activity_reasons: str = "",
) -> tuple[Decimal, str]:
    """Every check of a proposal: the amount it proposes and the version seen, or a
    ValidationError naming the fields (and, for the form as a whole, the criteria not scored).
    In a programme classed as de minimis aid, the assessment of economic activity with its
    reasons, and for a grant to economic activity the de minimis check of the amount."""
    if not permissions.can_handle(actor, application):
        raise PermissionDenied
    if application.status != A.IN_REVIEW:
        raise ValidationError(_("Only an application in review can be proposed for decision."))
    version = proposal_version(application)
    check_seen(seen=seen_version, current=version)
    requested = application.amount_requested or Decimal(0)
    errors: dict[str, list[str]] = {}
    missing = assessment_of(application).missing
    if missing:
        errors[NON_FIELD_ERRORS] = [
            _("Score every criterion before you send the proposal. Not scored yet: %(criteria)s.")
            % {"criteria": ", ".join(criterion.name for criterion in missing)}
        ]
    if not motivation.strip():
        errors["motivation"] = [_("Write a motivation.")]
    if outcome == ProposalOutcome.APPROVE:
        amount = requested
    elif outcome == ProposalOutcome.PARTLY:
        if amount is None or not 0 < amount < requested:
            errors["amount"] = [
                _(
                    "A partly approved amount is more than 0 and less than the %(requested)s applied for."
                )
                % {"requested": format_sek(requested)}
            ]
    elif outcome == ProposalOutcome.REJECT:
        amount = Decimal(0)
    else:
        errors["outcome"] = [_("Choose approve, partly approve or reject.")]
    regulation = application.call.programme.aid_regulation
    if regulation:
        errors.update(_economic_activity_errors(economic_activity, economic_activity_reasons))
        if economic_activity and amount and "amount" not in errors and "outcome" not in errors:
            try:
                _de_minimis_check(
                    application,
                    regulation=regulation,
                    amount=amount,
                    field="amount" if outcome == ProposalOutcome.PARTLY else "outcome",
                )
            except ValidationError as error:
                errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return amount or Decimal(0), version


def proposal_preview(
    *,
    application: Application,
    actor: User,
    outcome: str,
    amount: Decimal | None,
    motivation: str,
    seen_version: str | None,
    economic_activity: bool | None = None,
    economic_activity_reasons: str = "",
) -> str:
    """The confirmation step of a proposal: every check, nothing written; the proposal as it
    will read ("Approve 35 000 kr")."""
    checked, _version = _proposal_checked(
        application,
        actor,
        outcome=outcome,
        amount=amount,
        motivation=motivation,
        seen_version=seen_version,
        economic_activity=economic_activity,
        economic_activity_reasons=economic_activity_reasons,
    )
    return proposal_text(outcome, checked)


@transaction.atomic
def application_propose(
    *,
    application: Application,
    actor: User,
    outcome: str,
    amount: Decimal | None,
    motivation: str,
    conditions: str = "",
    seen_version: str | None,
    economic_activity: bool | None = None,
    economic_activity_reasons: str = "",
) -> Application:
    """The case officer proposes a decision, with the assessment of economic activity in a
    programme classed as de minimis aid (ignored in any other)."""
    application = _locked(application)
    amount, version = _proposal_checked(
        application,
        actor,
        outcome=outcome,
        amount=amount,
        motivation=motivation,
        seen_version=seen_version,
        economic_activity=economic_activity,
        economic_activity_reasons=economic_activity_reasons,
    )
    assessed = bool(application.call.programme.aid_regulation)
    application.proposal_outcome = outcome
    application.proposal_amount = amount
    application.proposal_motivation = motivation.strip()
    application.proposal_conditions = conditions.strip()
    application.economic_activity = economic_activity if assessed else None
    application.economic_activity_reasons = economic_activity_reasons.strip() if assessed else ""
    application.proposed_by = actor
    application.proposed_at = timezone.now()
    comment = _("Proposal: %(proposal)s") % {"proposal": _lower_first(application.proposal_text)}
    if assessed:
        comment += ". " + (
            _("Economic activity: the grant is de minimis aid.")
            if economic_activity
            else _("Not economic activity: the grant is not state aid.")
        )
    return application_transition(
        application=application,
        to=A.PROPOSED,
        actor=actor,
        comment=audit_note(comment, version),
    )


def _lower_first(text: str) -> str:
    """ "Approve 35 000 kr" as it reads after a colon: "approve 35 000 kr"."""
    return text[:1].lower() + text[1:]


def call_budget_left(call: Call, *, excluding: Application | None = None) -> Decimal:
    decided = Application.objects.filter(call=call, status__in=DECIDED)
    if excluding is not None:
        decided = decided.exclude(pk=excluding.pk)
    total = decided.aggregate(total=Sum("decided_amount"))["total"] or Decimal(0)
    return call.budget - total


@dataclass(frozen=True)
class DecisionOutcome:
    """Exactly what a decision will record: shown on the confirmation page, then saved."""

    status: str
    amount: Decimal
    requested: Decimal
    proposed: Decimal
    motivation: str
    conditions: str
    change_reason: str
    budget_left_after: Decimal
    appeal_text: str

    @property
    def status_label(self) -> str:
        return str(A(self.status).label)


def _decision_outcome(
    *,
    application: Application,
    call: Call,
    decision: str,
    amount: Decimal | None,
    change_reason: str,
) -> DecisionOutcome:
    """Check a decision and work out what it records; raise a ValidationError naming the fields
    otherwise. Changing the proposal always needs a reason; "another amount" needs the amount."""
    requested = application.amount_requested or Decimal(0)
    proposed = application.proposal_amount or Decimal(0)
    reason = change_reason.strip()
    errors: dict[str, list[str]] = {}
    decided = Decimal(0)
    if decision == DecisionChoice.AS_PROPOSED:
        if application.proposal_outcome == ProposalOutcome.REJECT:  # "as proposed" rejects
            decision = DecisionChoice.REJECT
        else:
            decided = proposed
    elif decision == DecisionChoice.CHANGE:
        if amount is None:
            errors["amount"] = [_("Give the amount you decide on.")]
        elif not 0 < amount <= requested:
            errors["amount"] = [
                _("The amount must be more than 0 and at most the %(requested)s applied for.")
                % {"requested": format_sek(requested)}
            ]
        else:
            decided = amount
        if not reason:
            errors["change_reason"] = [_("Give the reason for changing the proposed amount.")]
    elif decision == DecisionChoice.REJECT:
        if application.proposal_outcome != ProposalOutcome.REJECT and not reason:
            errors["change_reason"] = [
                _("Give the reason for rejecting, since the proposal was to grant money.")
            ]
    else:
        errors["decision"] = [_("Choose how you decide: as proposed, another amount or reject.")]
    left = call_budget_left(call, excluding=application)
    if not errors and decided > left:
        errors["amount" if decision == DecisionChoice.CHANGE else "decision"] = [
            _("The call has %(left)s left; %(amount)s would overspend it.")
            % {"left": format_sek(left), "amount": format_sek(decided)}
        ]
    if errors:
        raise ValidationError(errors)
    if decision == DecisionChoice.REJECT:
        status = A.REJECTED
    else:
        status = A.APPROVED if decided == requested else A.PARTLY_APPROVED
    programme_text = application.call.programme.appeal_text.strip()
    return DecisionOutcome(
        status=status,
        amount=decided,
        requested=requested,
        proposed=proposed,
        motivation=application.proposal_motivation,
        conditions=application.proposal_conditions,
        change_reason=reason,
        budget_left_after=left - decided,
        appeal_text=programme_text or str(DEFAULT_APPEAL_TEXT),
    )


def _check_may_decide(application: Application, actor: User, seen_version: str | None) -> str:
    if not permissions.can_decide(actor, application):
        raise PermissionDenied
    if application.status != A.PROPOSED:
        raise ValidationError(
            _("There is no proposal waiting for a decision: it has already been decided on.")
        )
    version = decision_version(application)
    check_seen(seen=seen_version, current=version)
    return version


def decision_preview(
    *,
    application: Application,
    actor: User,
    decision: str,
    amount: Decimal | None = None,
    change_reason: str = "",
    seen_version: str | None,
) -> DecisionOutcome:
    """The confirmation step: every check of the decision, nothing written; for de minimis
    aid, the check of the ceiling and the declaration too."""
    _check_may_decide(application, actor, seen_version)
    outcome = _decision_outcome(
        application=application,
        call=application.call,
        decision=decision,
        amount=amount,
        change_reason=change_reason,
    )
    regulation = _aid_regulation(application, outcome)
    if regulation:
        _de_minimis_check(
            application,
            regulation=regulation,
            amount=outcome.amount,
            field=_amount_field(decision),
        )
    return outcome


def _amount_field(decision: str) -> str:
    """The field a refusal of the decided amount is shown beside (as the call's budget's)."""
    return "amount" if decision == DecisionChoice.CHANGE else "decision"


def _aid_regulation(application: Application, outcome: DecisionOutcome) -> str:
    """The regulation the decision grants de minimis aid under, or "" when it grants none: a
    rejection, a programme not classed as de minimis aid, or a case assessed as no economic
    activity. A programme classed as de minimis aid after the proposal was made, on a case
    never assessed, cannot grant money until it is."""
    regulation = application.call.programme.aid_regulation
    if not regulation or outcome.status not in DECIDED or outcome.amount <= 0:
        return ""
    if application.economic_activity is None:
        raise ValidationError(
            {
                "decision": [
                    _(
                        "The grant programme is classed as de minimis aid, but the proposal has "
                        "no assessment of whether the grant supports economic activity (the "
                        "programme was classed after the proposal was made). No grant can be "
                        "decided without it: reject, or ask the administrator about the "
                        "programme's classification."
                    )
                ]
            }
        )
    return regulation if application.economic_activity else ""


@transaction.atomic
def application_decide(
    *,
    application: Application,
    actor: User,
    decision: str,
    amount: Decimal | None = None,
    change_reason: str = "",
    seen_version: str | None,
) -> Application:
    """A decision maker confirms the proposal, decides another amount (with the amount and a
    reason) or rejects. Only on the proposal they saw (`seen_version`), only once. The call's
    row is locked first, so two decisions at the same moment cannot overspend it.

    A grant that is de minimis aid is entered in the organisation's de minimis ledger in the
    same transaction (`organisations.services.aid_grant`, under the undertaking's locks, dated
    the decision's day): refused there (over the ceiling, no declaration since the call opened),
    nothing of the decision is written."""
    call = Call.objects.select_for_update().get(pk=application.call_id)
    application = _locked(application)
    version = _check_may_decide(application, actor, seen_version)
    outcome = _decision_outcome(
        application=application,
        call=call,
        decision=decision,
        amount=amount,
        change_reason=change_reason,
    )
    programme = application.call.programme
    regulation = _aid_regulation(application, outcome)
    if regulation:
        try:
            organisation_services.aid_grant(
                organisation=application.organisation,
                actor=actor,
                regulation=regulation,
                decided_on=timezone.localdate(),
                amount_sek=outcome.amount,
                public_body=programme.public_body,
                source_kind=SOURCE_KIND,
                source_id=application.pk,
                source_reference=application.registry_number or "",
                since=call.opens_at,
                since_label=str(CALL_OPENED),
            )
        except ValidationError as error:
            raise ValidationError({_amount_field(decision): error.messages}) from error
    application.decision_state_aid_class = programme.state_aid_class
    organisation = application.organisation
    application.decided_amount = outcome.amount
    application.decision_motivation = outcome.motivation
    application.decision_conditions = outcome.conditions
    application.decision_change_reason = outcome.change_reason
    application.decision_appeal_text = application.call.programme.appeal_text.strip()
    application.recipient_org_number = organisation.organisation_number or ""
    application.recipient_name = organisation.name
    application.recipient_city = organisation.city
    application.decided_by = actor
    application.decided_at = timezone.now()
    application_transition(
        application=application,
        to=outcome.status,
        actor=actor,
        comment=audit_note(outcome.change_reason or format_sek(outcome.amount), version),
    )
    _create_report(application)
    if outcome.status in DECIDED:
        open_data_store.rebuild_soon()  # a granted grant is published as open data
    notify(
        kind="decision",
        obj=application,
        recipients=organisation_people([application.organisation_id]),
        due_date=timezone.localdate(),
    )
    return application
