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
    )


def _proposal_checked(
    application: Application,
    actor: User,
    *,
    outcome: str,
    amount: Decimal | None,
    motivation: str,
    seen_version: str | None,
) -> tuple[Decimal, str]:
    """Every check of a proposal: the amount it proposes and the version seen, or a
    ValidationError naming the fields (and, for the form as a whole, the criteria not scored)."""
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
) -> Application:
    application = _locked(application)
    amount, version = _proposal_checked(
        application,
        actor,
        outcome=outcome,
        amount=amount,
        motivation=motivation,
        seen_version=seen_version,
    )
    application.proposal_outcome = outcome
    application.proposal_amount = amount
    application.proposal_motivation = motivation.strip()
    application.proposal_conditions = conditions.strip()
    application.proposed_by = actor
    application.proposed_at = timezone.now()
    return application_transition(
        application=application,
        to=A.PROPOSED,
        actor=actor,
        comment=audit_note(
            _("Proposal: %(proposal)s") % {"proposal": _lower_first(application.proposal_text)},
            version,
        ),
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
    """The confirmation step: every check of the decision, nothing written."""
    _check_may_decide(application, actor, seen_version)
    return _decision_outcome(
        application=application,
        call=application.call,
        decision=decision,
        amount=amount,
        change_reason=change_reason,
    )


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
    row is locked first, so two decisions at the same moment cannot overspend it."""
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
