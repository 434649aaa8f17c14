"""Every write of the grants app. Status changes go through `application_transition`, which
locks the row, checks the transition table and who may make it, saves and audits."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grants import permissions
from grants.eligibility import eligibility_problems
from grants.models import (
    DEFAULT_APPEAL_TEXT,
    Application,
    ApplicationStatus,
    Attachment,
    AttachmentType,
    BudgetLine,
    BudgetLineKind,
    Call,
    Criterion,
    DecisionChoice,
    FollowUpReport,
    Payment,
    ProposalOutcome,
    Question,
    QuestionKind,
    Recovery,
    RecoveryStatus,
    ReportAttachment,
    ReportStatus,
    ReportSubmission,
    Review,
    Submission,
)
from grants.money import format_sek
from organisations.files import check_upload, store_upload
from organisations.models import Organisation, OrganisationMembership
from organisations.notifications import organisation_people
from organisations.selectors import organisation_payable
from portal.models import User
from portal.notifications import notify
from portal.services import audit_record, registry_number_allocate
from portal.versions import audit_note, check_seen, fingerprint

A = ApplicationStatus
EDITABLE = {A.DRAFT, A.COMPLETION_REQUESTED}
DECIDED = {A.APPROVED, A.PARTLY_APPROVED}

OWN_DECISION_PAYMENT_MESSAGE = gettext_lazy(
    "You took the decision on this grant, so another case officer must register its payments "
    "(four eyes on money)."
)

# (from, to) → who may make the change: the association ("member"), a case officer of the
# owning body ("officer"), or a decision maker of that body other than the proposer ("decider").
TRANSITIONS: dict[tuple[str, str], str] = {
    (A.DRAFT, A.SUBMITTED): "member",
    (A.DRAFT, A.WITHDRAWN): "member",
    (A.SUBMITTED, A.COMPLETION_REQUESTED): "officer",
    (A.SUBMITTED, A.IN_REVIEW): "officer",
    (A.SUBMITTED, A.WITHDRAWN): "member",
    (A.COMPLETION_REQUESTED, A.SUBMITTED): "member",
    (A.COMPLETION_REQUESTED, A.WITHDRAWN): "member",
    (A.IN_REVIEW, A.PROPOSED): "officer",
    (A.PROPOSED, A.APPROVED): "decider",
    (A.PROPOSED, A.PARTLY_APPROVED): "decider",
    (A.PROPOSED, A.REJECTED): "decider",
}


def _membership(user: User, organisation: Organisation) -> OrganisationMembership | None:
    return OrganisationMembership.objects.filter(user=user, organisation=organisation).first()


def _may(who: str, actor: User, application: Application) -> bool:
    if who == "member":
        return permissions.can_edit(_membership(actor, application.organisation))
    if who == "officer":
        return permissions.can_handle(actor, application)
    return permissions.can_decide(actor, application)


@transaction.atomic
def application_transition(
    *, application: Application, to: str, actor: User, comment: str = ""
) -> Application:
    """Move an application to `to`. Other fields the caller changed on `application` are saved
    with it, in the same transaction."""
    current = (
        Application.objects.select_for_update()
        .filter(pk=application.pk)
        .values_list("status", flat=True)
        .get()
    )
    who = TRANSITIONS.get((current, to))
    if who is None:
        raise ValidationError(
            _("The application cannot go from “%(from)s” to “%(to)s”.")
            % {"from": A(current).label, "to": A(to).label}
        )
    if not _may(who, actor, application):
        raise PermissionDenied
    application.status = to
    application.save()
    audit_record(
        actor=actor,
        obj=application,
        action="status_changed",
        from_state=current,
        to_state=to,
        comment=comment,
    )
    return application


# --- the association ---------------------------------------------------------------------


@transaction.atomic
def application_start(*, actor: User, call: Call, organisation: Organisation) -> Application:
    if not permissions.can_edit(_membership(actor, organisation)):
        raise PermissionDenied
    if not call.is_open():
        raise ValidationError(_("The call is not open for applications."))
    problems = eligibility_problems(organisation=organisation, programme=call.programme)
    if problems:
        raise ValidationError(problems)
    application = Application.objects.create(
        call=call,
        organisation=organisation,
        public_body=call.programme.public_body,
        created_by=actor,
    )
    audit_record(actor=actor, obj=application, action="created", to_state=A.DRAFT)
    return application


def _locked_editable(application: Application, actor: User) -> Application:
    if not permissions.can_edit(_membership(actor, application.organisation)):
        raise PermissionDenied
    locked = (
        # lock the application's row only, not the call, organisation or public body joined in
        Application.objects.select_for_update(of=("self",))
        .select_related("call__programme__public_body", "organisation")
        .get(pk=application.pk)
    )
    if locked.status not in EDITABLE:
        raise ValidationError(_("The application has been sent in and can no longer be changed."))
    return locked


NUMBER_ANSWER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def clean_answer(question: Question, value: Any) -> Any:
    """The answer as stored, or a ValidationError in Swedish. Empty answers are allowed here
    (a draft); completeness is checked on submit."""
    if value in (None, ""):
        return ""
    if question.kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
        text = str(value).strip()
        if len(text) > question.max_length:
            raise ValidationError(
                _("The answer is %(length)d characters; at most %(max)d are allowed.")
                % {"length": len(text), "max": question.max_length}
            )
        return text
    if question.kind == QuestionKind.NUMBER:
        # Written as people write numbers ("1 200", "3,5"): digits, at most one decimal sign,
        # at most 15 digits. "1e999999", "NaN" and "Infinity" are not answers.
        text = str(value).replace(" ", "").replace("\u00a0", "").replace(",", ".")
        if not NUMBER_ANSWER.fullmatch(text) or len(text.replace(".", "").lstrip("-")) > 15:
            raise ValidationError(_("Give a number, such as 25 or 3,5."))
        return str(Decimal(text))
    if question.kind == QuestionKind.CHOICE:
        if value not in question.choices:
            raise ValidationError(_("Choose one of the options."))
        return value
    if value not in ("yes", "no"):
        raise ValidationError(_("Answer yes or no."))
    return value


@transaction.atomic
def application_save(
    *,
    application: Application,
    actor: User,
    title: str,
    answers: dict[str, Any],
    amount_requested: Decimal | None,
    budget_lines: list[dict[str, Any]],
    planned_start: date | None = None,
    planned_end: date | None = None,
) -> Application:
    """Save the association's work so far (a draft, or a completion in progress)."""
    application = _locked_editable(application, actor)
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for question in application.call.questions.all():
        key = str(question.pk)
        try:
            cleaned[key] = clean_answer(question, answers.get(key, ""))
        except ValidationError as error:
            errors[f"question_{question.pk}"] = error.messages
    if amount_requested is not None and amount_requested < 0:
        errors["amount_requested"] = [_("The amount cannot be negative.")]
    for line in budget_lines:
        if line["amount"] < 0:
            errors["budget"] = [_("A budget amount cannot be negative.")]
    if planned_start and planned_end and planned_end < planned_start:
        errors["planned_end"] = [_("The activity cannot end before it starts.")]
    if errors:
        raise ValidationError(errors)
    changed = (
        application.answers != cleaned
        or application.amount_requested != amount_requested
        or application.title != title.strip()
    )
    application.title = title.strip()
    application.answers = cleaned
    changed = changed or (application.planned_start, application.planned_end) != (
        planned_start,
        planned_end,
    )
    application.amount_requested = amount_requested
    application.planned_start = planned_start
    application.planned_end = planned_end
    application.save()
    old_lines = list(application.budget_lines.values_list("kind", "description", "amount"))
    new_lines = [
        (line["kind"], line["description"].strip(), line["amount"]) for line in budget_lines
    ]
    if old_lines != new_lines:
        application.budget_lines.all().delete()
        BudgetLine.objects.bulk_create(
            BudgetLine(application=application, kind=kind, description=description, amount=amount)
            for kind, description, amount in new_lines
        )
        changed = True
    if changed:
        audit_record(actor=actor, obj=application, action="saved")
    return application


@transaction.atomic
def attachment_add(
    *,
    application: Application,
    actor: User,
    attachment_type: AttachmentType | None,
    upload: UploadedFile,
) -> Attachment:
    application = _locked_editable(application, actor)
    if attachment_type is not None and attachment_type.call_id != application.call_id:
        raise ValidationError(_("That attachment does not belong to this call."))
    checked = check_upload(upload)
    attachment = Attachment(
        application=application, attachment_type=attachment_type, uploaded_by=actor
    )
    store_upload(record=attachment, upload=upload, checked=checked)
    audit_record(actor=actor, obj=application, action="attachment_added", comment=checked.safe_name)
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, actor: User) -> None:
    """Hide an attachment from the application; the file stays on record."""
    application = _locked_editable(attachment.application, actor)
    if attachment.removed_at is None:
        attachment.removed_at = timezone.now()
        attachment.save(update_fields=["removed_at"])
        audit_record(
            actor=actor,
            obj=application,
            action="attachment_removed",
            comment=attachment.original_name,
        )


def completeness_problems(application: Application) -> list[str]:
    """Everything missing before the application can be sent in, each item named."""
    problems = []
    for question in application.call.questions.all():
        if question.required and application.answers.get(str(question.pk), "") in ("", None):
            problems.append(_("Answer the question “%(question)s”.") % {"question": question.text})
    if not application.title:
        problems.append(_("Give the application a title."))
    if application.amount_requested is None or application.amount_requested <= 0:
        problems.append(_("Give the amount you apply for."))
    if not application.planned_start or not application.planned_end:
        problems.append(_("Give when the activity starts and ends."))
    if not application.budget_lines.filter(kind=BudgetLineKind.COST).exists():
        problems.append(_("Add at least one cost to the budget."))
    present = set(
        application.attachments.filter(removed_at__isnull=True).values_list(
            "attachment_type_id", flat=True
        )
    )
    for attachment_type in application.call.attachment_types.filter(required=True):
        if attachment_type.pk not in present:
            problems.append(_("Attach “%(attachment)s”.") % {"attachment": attachment_type.name})
    return problems


def _snapshot(application: Application) -> dict[str, Any]:
    return {
        "title": application.title,
        "answers": application.answers,
        "amount_requested": str(application.amount_requested),
        "planned": [str(application.planned_start), str(application.planned_end)],
        "budget": [
            [line.kind, line.description, str(line.amount)]
            for line in application.budget_lines.all()
        ],
        "attachments": list(
            application.attachments.filter(removed_at__isnull=True).values_list("pk", flat=True)
        ),
    }


@transaction.atomic
def application_submit(*, application: Application, actor: User) -> Application:
    """Send the application in: complete, in time, with a diarienummer and a receipt."""
    application = _locked_editable(application, actor)
    now = timezone.now()
    resubmission = application.status == A.COMPLETION_REQUESTED
    if not resubmission and not application.call.is_open(now):
        raise ValidationError(
            _("The call closed on %(closes)s. Applications can no longer be sent in.")
            % {"closes": timezone.localtime(application.call.closes_at).strftime("%Y-%m-%d %H:%M")}
        )
    problems = completeness_problems(application)
    if problems:
        raise ValidationError(problems)
    if not application.registry_number:
        application.registry_number = registry_number_allocate(
            public_body=application.call.programme.public_body, year=timezone.localdate(now).year
        )
        application.submitted_at = now
    number = application.submissions.count() + 1
    submission = Submission.objects.create(
        application=application,
        number=number,
        content=_snapshot(application),
        submitted_by=actor,
        submitted_at=now,
    )
    application_transition(
        application=application,
        to=A.SUBMITTED,
        actor=actor,
        comment=_("Completed and sent in again") if resubmission else "",
    )
    notify(
        kind="receipt",
        obj=submission,
        recipients=[actor, *organisation_people([application.organisation_id])],
        due_date=timezone.localdate(now),
    )
    return application


@transaction.atomic
def application_withdraw(*, application: Application, actor: User) -> Application:
    return application_transition(application=_locked(application), to=A.WITHDRAWN, actor=actor)


# --- the case officer --------------------------------------------------------------------


def _locked(application: Application) -> Application:
    return (
        # lock the application's row only, not the call, organisation or public body joined in
        Application.objects.select_for_update(of=("self",))
        .select_related("call__programme__public_body", "organisation")
        .get(pk=application.pk)
    )


@transaction.atomic
def application_assign(
    *, application: Application, actor: User, assignee: User | None
) -> Application:
    application = _locked(application)
    if not permissions.can_handle(actor, application):
        raise PermissionDenied
    if assignee is not None and permissions.is_excluded(assignee, application):
        raise ValidationError(
            _(
                "%(person)s is connected to the applicant or has declared a conflict of "
                "interest (jäv), and may not handle the application."
            )
            % {"person": assignee.display_name}
        )
    if assignee is not None and not permissions.can_handle(assignee, application):
        raise ValidationError(_("The person is not a case officer of this public body."))
    application.assigned_to = assignee
    application.save(update_fields=["assigned_to", "updated_at"])
    audit_record(
        actor=actor,
        obj=application,
        action="assigned",
        comment=assignee.display_name if assignee else "",
    )
    return application


@transaction.atomic
def application_request_completion(
    *, application: Application, actor: User, message: str, due: date
) -> Application:
    application = _locked(application)
    message = message.strip()
    errors = {}
    if not message:
        errors["message"] = [_("Tell the association what to complete.")]
    if due < timezone.localdate():
        errors["due"] = [_("The date must not be in the past.")]
    if errors:
        raise ValidationError(errors)
    application.completion_message = message
    application.completion_due = due
    application_transition(
        application=application, to=A.COMPLETION_REQUESTED, actor=actor, comment=message
    )
    notify(
        kind="completion_requested",
        obj=application,
        recipients=organisation_people([application.organisation_id]),
        due_date=due,
    )
    return application


@transaction.atomic
def application_start_review(*, application: Application, actor: User) -> Application:
    return application_transition(application=_locked(application), to=A.IN_REVIEW, actor=actor)


@transaction.atomic
def review_save(
    *, application: Application, actor: User, criterion: Criterion, score: int, comment: str
) -> Review:
    application = _locked(application)
    if not permissions.can_handle(actor, application):
        raise PermissionDenied
    if application.status not in {A.SUBMITTED, A.IN_REVIEW}:
        raise ValidationError(_("Criteria are scored while the application is being assessed."))
    if criterion.programme_id != application.call.programme_id:
        raise ValidationError(_("The criterion does not belong to this programme."))
    if not 0 <= score <= 5:
        raise ValidationError({"score": [_("Give a score from 0 to 5.")]})
    review, _created = Review.objects.update_or_create(
        application=application,
        criterion=criterion,
        defaults={"score": score, "comment": comment.strip(), "reviewer": actor},
    )
    audit_record(
        actor=actor, obj=application, action="scored", comment=f"{criterion.name}: {score}"
    )
    return review


# --- what an approving person saw (portal.versions) ---------------------------------------------


def _money(value: Decimal | int | None) -> str | None:
    """An amount as the fingerprint sees it: 25000, 25000.0 and 25000.00 are one amount."""
    return None if value is None else f"{Decimal(value):.2f}"


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


def report_version(report: FollowUpReport) -> str:
    """What the officer reviewing a follow-up report sees: its status and which sending of it
    (a resubmission after a revision is another text)."""
    latest = report.submissions.aggregate(number=Max("number"))["number"]
    return fingerprint("report", report.status, latest)


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


# --- proposal and decision -------------------------------------------------------------------


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
    if not permissions.can_handle(actor, application):
        raise PermissionDenied
    if application.status != A.IN_REVIEW:
        raise ValidationError(_("Only an application in review can be proposed for decision."))
    version = proposal_version(application)
    check_seen(seen=seen_version, current=version)
    requested = application.amount_requested or Decimal(0)
    errors: dict[str, list[str]] = {}
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
        comment=audit_note(f"{outcome}: {format_sek(amount or Decimal(0))}", version),
    )


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
    notify(
        kind="decision",
        obj=application,
        recipients=organisation_people([application.organisation_id]),
        due_date=timezone.localdate(),
    )
    return application


# --- payments, follow-up reports and recoveries ---------------------------------------------


def amount_paid(application: Application) -> Decimal:
    return application.payments.aggregate(total=Sum("amount"))["total"] or Decimal(0)


# Dates that money hangs on are checked against what they relate to. Nothing before this date is a
# real date in the portal (a mistyped year such as 1900 or 0202 is refused).
EARLIEST_DATE = date(2000, 1, 1)
# A payment is registered when it is made, or at most a month ahead when the bank has it
# scheduled; a date further ahead is a typing mistake.
PAYMENT_DAYS_AHEAD = 30
RECOVERY_DAYS_AHEAD = 2 * 365
REPORT_MIN_DAYS_AFTER_DECISION = 30


def _day(value: date) -> str:
    return date_format(value, "j F Y")


def _date_errors(
    value: date,
    *,
    label: str,
    not_before: date | None = None,
    not_before_what: str = "",
    not_after: date | None = None,
    not_after_what: str = "",
) -> list[str]:
    """The problems with a date, each naming the field and the limit (empty: it is fine)."""
    if value < EARLIEST_DATE:
        return [
            _("%(field)s: %(date)s is not possible; give a date from 1 January 2000 onwards.")
            % {"field": label, "date": value.isoformat()}
        ]
    if not_before is not None and value < not_before:
        return [
            _("%(field)s cannot be before %(what)s, %(limit)s.")
            % {"field": label, "what": not_before_what, "limit": _day(not_before)}
        ]
    if not_after is not None and value > not_after:
        return [
            _("%(field)s cannot be after %(what)s, %(limit)s.")
            % {"field": label, "what": not_after_what, "limit": _day(not_after)}
        ]
    return []


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


def report_due_date(application: Application) -> date:
    """When the follow-up report is due: the call's fixed date, or days after the activity ends,
    or 90 days after the decision; never sooner than 30 days after the decision (a fixed date
    or an activity already past would make the report overdue on the day it is granted)."""
    call = application.call
    decided = timezone.localdate(application.decided_at or timezone.now())
    if call.follow_up_due_date:
        due = call.follow_up_due_date
    else:
        end = application.planned_end or decided
        due = end + timedelta(
            days=call.follow_up_days_after_end if call.follow_up_days_after_end is not None else 90
        )
    return max(due, decided + timedelta(days=REPORT_MIN_DAYS_AFTER_DECISION))


def _create_report(application: Application) -> None:
    if application.call.follow_up_required and application.status in DECIDED:
        FollowUpReport.objects.get_or_create(
            application=application, defaults={"due_date": report_due_date(application)}
        )


REPORT_TRANSITIONS: dict[tuple[str, str], str] = {
    (ReportStatus.DUE, ReportStatus.SUBMITTED): "member",
    (ReportStatus.REVISION_REQUESTED, ReportStatus.SUBMITTED): "member",
    (ReportStatus.SUBMITTED, ReportStatus.REVISION_REQUESTED): "officer",
    (ReportStatus.SUBMITTED, ReportStatus.APPROVED): "officer",
}
REPORT_EDITABLE = {ReportStatus.DUE, ReportStatus.REVISION_REQUESTED}


@transaction.atomic
def report_transition(
    *, report: FollowUpReport, to: str, actor: User, comment: str = ""
) -> FollowUpReport:
    current, updated_at = (
        FollowUpReport.objects.select_for_update()
        .filter(pk=report.pk)
        .values_list("status", "updated_at")
        .get()
    )
    if updated_at != report.updated_at:
        raise RuntimeError("report_transition needs the report as it is in the database")
    who = REPORT_TRANSITIONS.get((current, to))
    if who is None:
        raise ValidationError(
            _("The report cannot go from “%(from)s” to “%(to)s”.")
            % {"from": ReportStatus(current).label, "to": ReportStatus(to).label}
        )
    if not _may(who, actor, report.application):
        raise PermissionDenied
    report.status = to
    report.save()
    audit_record(
        actor=actor,
        obj=report.application,
        action="report_status_changed",
        from_state=current,
        to_state=to,
        comment=comment,
    )
    return report


def _locked_report(report: FollowUpReport) -> FollowUpReport:
    return (
        FollowUpReport.objects.select_for_update(of=("self",))
        .select_related("application__organisation", "application__call")
        .get(pk=report.pk)
    )


def report_unspent(report: FollowUpReport) -> Decimal:
    """Paid out minus what the grant covered: actual costs less income from others (never
    below 0)."""
    paid = amount_paid(report.application)
    costs = sum(
        (Decimal(str(v)) for v in report.actual_costs.values() if v not in ("", None)),
        start=Decimal(0),
    )
    used = max(Decimal(0), costs - (report.other_income or Decimal(0)))
    return max(Decimal(0), paid - used)


@transaction.atomic
def report_save(
    *,
    report: FollowUpReport,
    actor: User,
    narrative: str,
    activities: int | None,
    participants: dict[str, dict[str, int]],
    actual_costs: Mapping[str, Decimal | None],
    other_income: Decimal | None,
) -> FollowUpReport:
    report = _locked_report(report)
    if not permissions.can_edit(_membership(actor, report.application.organisation)):
        raise PermissionDenied
    if report.status not in REPORT_EDITABLE:
        raise ValidationError(_("The report has been sent in and can no longer be changed."))
    if any(v is not None and v < 0 for v in actual_costs.values()) or (
        other_income is not None and other_income < 0
    ):
        raise ValidationError(_("Amounts cannot be negative."))
    report.narrative = narrative.strip()
    report.activities = activities
    report.participants = participants
    report.actual_costs = {
        key: str(value) for key, value in actual_costs.items() if value is not None
    }
    report.other_income = other_income
    report.save()
    audit_record(actor=actor, obj=report.application, action="report_saved")
    return report


@transaction.atomic
def report_attachment_add(
    *, report: FollowUpReport, actor: User, upload: UploadedFile
) -> ReportAttachment:
    report = _locked_report(report)
    if not permissions.can_edit(_membership(actor, report.application.organisation)):
        raise PermissionDenied
    if report.status not in REPORT_EDITABLE:
        raise ValidationError(_("The report has been sent in and can no longer be changed."))
    checked = check_upload(upload)
    attachment = ReportAttachment(report=report, uploaded_by=actor)
    store_upload(record=attachment, upload=upload, checked=checked)
    audit_record(
        actor=actor,
        obj=report.application,
        action="report_attachment_added",
        comment=checked.safe_name,
    )
    return attachment


def report_problems(report: FollowUpReport) -> list[str]:
    problems = []
    if not report.narrative:
        problems.append(_("Describe what was done, compared with the plan."))
    if report.activities is None:
        problems.append(_("Give the number of activities."))
    if not any(sum(band.values()) for band in report.participants.values()):
        problems.append(_("Give the participants by age and gender."))
    cost_lines = report.application.budget_lines.filter(kind=BudgetLineKind.COST).values_list(
        "pk", flat=True
    )
    if any(str(pk) not in report.actual_costs for pk in cost_lines):
        problems.append(_("Give the actual cost for every cost in the budget."))
    return problems


@transaction.atomic
def report_submit(*, report: FollowUpReport, actor: User) -> FollowUpReport:
    report = _locked_report(report)
    if not permissions.can_edit(_membership(actor, report.application.organisation)):
        raise PermissionDenied
    problems = report_problems(report)
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    ReportSubmission.objects.create(
        report=report,
        number=report.submissions.count() + 1,
        content={
            "narrative": report.narrative,
            "activities": report.activities,
            "participants": report.participants,
            "actual_costs": report.actual_costs,
            "other_income": str(report.other_income) if report.other_income is not None else None,
            "unspent": str(report_unspent(report)),
            "attachments": list(report.attachments.values_list("pk", flat=True)),
        },
        submitted_by=actor,
        submitted_at=now,
    )
    report.submitted_at = now
    return report_transition(report=report, to=ReportStatus.SUBMITTED, actor=actor)


@transaction.atomic
def report_review(
    *,
    report: FollowUpReport,
    actor: User,
    approve: bool,
    comment: str = "",
    seen_version: str | None,
) -> FollowUpReport:
    """Approve the report, or send it back with a comment: only the sending the officer saw."""
    report = _locked_report(report)
    version = report_version(report)
    check_seen(seen=seen_version, current=version)
    comment = comment.strip()
    if not approve and not comment:
        raise ValidationError({"comment": [_("Tell the association what to revise.")]})
    report.review_comment = comment
    report.reviewed_by = actor
    report = report_transition(
        report=report,
        to=ReportStatus.APPROVED if approve else ReportStatus.REVISION_REQUESTED,
        actor=actor,
        comment=audit_note(comment, version),
    )
    if not approve:
        notify(
            kind="report_revision",
            obj=report,
            recipients=organisation_people([report.application.organisation_id]),
            due_date=timezone.localdate(),
        )
    return report


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
