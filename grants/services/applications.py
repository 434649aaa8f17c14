"""The application as the association writes and sends it in, and as the case officer takes it
in: start, save, attachments, submit, withdraw, assign, completion, review. Status changes go
through `application_transition`: the table `APPLICATION_MACHINE`, run by `portal.transitions`,
which locks the row, checks the table and who may make the move, saves and audits."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grants import permissions
from grants.assessment import MAX_SCORE, Assessment, assessment_of
from grants.eligibility import eligibility_problems
from grants.models import (
    Application,
    ApplicationStatus,
    Attachment,
    AttachmentType,
    BudgetLine,
    BudgetLineKind,
    Call,
    Criterion,
    Question,
    QuestionKind,
    Review,
    Submission,
)
from grants.services._shared import DECIDER, MEMBER, OFFICER, A, _locked
from organisations.models import Organisation
from organisations.notifications import organisation_people
from portal import second_factor, transitions
from portal.files import check_upload, store_upload
from portal.formats import long_datetime
from portal.models import User
from portal.notifications import notify
from portal.services import audit_record, registry_number_allocate
from portal.transitions import Machine, Transition

if TYPE_CHECKING:
    from portal.eid.signing import Proof

EDITABLE = {A.DRAFT, A.COMPLETION_REQUESTED}

# The application's status: who may move it from one status to another. Sending in, completing,
# proposing and deciding are made through their own forms; withdrawing and starting the
# assessment are buttons of the pages (which ask `transitions.can`). A draft is not withdrawn:
# it was never sent in, has no diarienummer and nothing of it is on record, so the association
# deletes it (`application_delete`) instead of keeping a "withdrawn" draft in its lists.
APPLICATION_MACHINE: Machine[Application] = Machine(
    states=ApplicationStatus,
    cannot=gettext_lazy("The application cannot go from “%(from)s” to “%(to)s”."),
    transitions=[
        Transition(A.DRAFT, A.SUBMITTED, MEMBER),
        Transition(A.SUBMITTED, A.COMPLETION_REQUESTED, OFFICER),
        Transition(A.SUBMITTED, A.IN_REVIEW, OFFICER),
        Transition(A.SUBMITTED, A.WITHDRAWN, MEMBER),
        Transition(A.COMPLETION_REQUESTED, A.SUBMITTED, MEMBER),
        Transition(A.COMPLETION_REQUESTED, A.WITHDRAWN, MEMBER),
        Transition(A.IN_REVIEW, A.PROPOSED, OFFICER),
        Transition(A.PROPOSED, A.APPROVED, DECIDER),
        Transition(A.PROPOSED, A.PARTLY_APPROVED, DECIDER),
        Transition(A.PROPOSED, A.REJECTED, DECIDER),
    ],
)


def application_transition(
    *,
    application: Application,
    to: str,
    actor: User,
    comment: str = "",
    seen_state: str | None = None,
) -> Application:
    """Move an application to `to` (`APPLICATION_MACHINE`). Other fields the caller changed on
    `application` are saved with it, in the same transaction; a page's form passes the
    `seen_state` it showed (`portal.transitions.state_token`)."""
    return transitions.transition(
        APPLICATION_MACHINE, application, to=to, actor=actor, comment=comment, seen_state=seen_state
    )


# --- the association ---------------------------------------------------------------------


@transaction.atomic
def application_start(*, actor: User, call: Call, organisation: Organisation) -> Application:
    if not permissions.can_apply_for(actor, organisation):
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
    if not permissions.can_apply_for(actor, application.organisation):
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
    seen_state: str | None = None,
) -> Application:
    """Save the association's work so far (a draft, or a completion in progress)."""
    application = _locked_editable(application, actor)
    # The page's form: refused when the application changed since it was drawn (another tab
    # sent it in, the officer asked for completion again), so newer answers are never lost.
    transitions.ensure_seen_state(application, seen_state)
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
    transitions.record_changed(application)  # a page drawn before is stale
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
        transitions.record_changed(application)  # a page drawn before is stale


@dataclass(frozen=True)
class Problem:
    """Something that stops the application from being sent in, and the id of the field on the
    application's page where it is put right ("" when nothing on the page fixes it)."""

    message: str
    field: str = ""


def completeness_items(application: Application) -> list[Problem]:
    """Everything missing before the application can be sent in, each item named, in the order
    of the application's page, with the field that fixes it."""
    problems = []
    if not application.title:
        problems.append(Problem(_("Give the application a title."), "id_title"))
    if not application.planned_start or not application.planned_end:
        field = "id_planned_start" if not application.planned_start else "id_planned_end"
        problems.append(Problem(_("Give when the activity starts and ends."), field))
    for question in application.call.questions.all():
        if question.required and application.answers.get(str(question.pk), "") in ("", None):
            problems.append(
                Problem(
                    _("Answer the question “%(question)s”.") % {"question": question.text},
                    f"id_question_{question.pk}",
                )
            )
    if not any(line.kind == BudgetLineKind.COST for line in application.budget_lines.all()):
        problems.append(Problem(_("Add at least one cost to the budget."), "id_budget-0-kind"))
    if application.amount_requested is None or application.amount_requested <= 0:
        problems.append(Problem(_("Give the amount you apply for."), "id_amount_requested"))
    present = {
        attachment.attachment_type_id
        for attachment in application.attachments.all()
        if attachment.removed_at is None
    }
    for attachment_type in application.call.attachment_types.all():
        if attachment_type.required and attachment_type.pk not in present:
            problems.append(
                Problem(
                    _("Attach “%(attachment)s”.") % {"attachment": attachment_type.name},
                    f"id_file_{attachment_type.pk}",
                )
            )
    return problems


def completeness_problems(application: Application) -> list[str]:
    """Everything missing before the application can be sent in, each item named."""
    return [problem.message for problem in completeness_items(application)]


def closed_problem(application: Application, now: datetime | None = None) -> str:
    """Why a draft can no longer be sent in ("" while it can): its call has closed. A completion
    asked for by the officer is sent in whenever the call closed."""
    if application.status == A.COMPLETION_REQUESTED or application.call.is_open(now):
        return ""
    return _("The call closed on %(closes)s. Applications can no longer be sent in.") % {
        "closes": long_datetime(application.call.closes_at)
    }


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
def application_submit(
    *,
    application: Application,
    actor: User,
    seen_state: str | None = None,
    proof: Proof | None = None,
) -> Application:
    """Send the application in: complete, in time, with a diarienummer and a receipt. Sent in
    again after a completion request, it keeps its diarienummer and is marked completed
    (`completed_at`), and the receipt says the completion was received. A page's form passes
    the `seen_state` of the application it showed: what was checked is what is sent in. Where
    the programme asks for it (and the portal has e-legitimation), the sender confirms with a
    fresh e-legitimation (`proof`), recorded with the hash of what was sent."""
    application = _locked_editable(application, actor)
    transitions.ensure_seen_state(application, seen_state)
    now = timezone.now()
    resubmission = application.status == A.COMPLETION_REQUESTED
    closed = closed_problem(application, now)
    if closed:
        raise ValidationError(closed)
    problems = completeness_problems(application)
    if problems:
        raise ValidationError(problems)
    confirmation = _send_in_confirmation(application, actor, proof)
    if not application.registry_number:
        application.registry_number = registry_number_allocate(
            public_body=application.call.programme.public_body, year=timezone.localdate(now).year
        )
        application.submitted_at = now
    if resubmission:
        application.completed_at = now
    number = application.submissions.count() + 1
    content = _snapshot(application)
    submission = Submission.objects.create(
        application=application,
        number=number,
        content=content,
        submitted_by=actor,
        submitted_at=now,
        text_sha256=hashlib.sha256(
            json.dumps(content, sort_keys=True, ensure_ascii=False, default=str).encode()
        ).hexdigest(),
        **(confirmation.evidence() if confirmation else {}),
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


def send_in_needs_eid(application: Application) -> bool:
    return settings.EID_ENABLED and application.call.programme.send_in_with_eid


def _send_in_confirmation(
    application: Application, actor: User, proof: Proof | None
) -> second_factor.Confirmation | None:
    if not send_in_needs_eid(application):
        return None
    if proof is None:
        raise ValidationError(
            _(
                "This programme asks you to confirm the sending in with e-legitimation. Press "
                "“Send in and confirm with e-legitimation”."
            )
        )
    return second_factor.confirm(actor=actor, proof=proof)


@transaction.atomic
def application_delete(
    *, application: Application, actor: User, seen_state: str | None = None
) -> None:
    """Delete a draft that was never sent in: it has no diarienummer and no submission, so
    nothing of it is on record. Its budget and files go with it; the audit trail keeps that it
    was deleted, by whom and when. Anything ever sent in is never deleted (it is withdrawn)."""
    application = _locked_editable(application, actor)
    transitions.ensure_seen_state(application, seen_state)
    if (
        application.status != A.DRAFT
        or application.registry_number
        or application.submissions.exists()
    ):
        raise ValidationError(
            _(
                "Only a draft that was never sent in can be deleted. Withdraw the application instead."
            )
        )
    audit_record(
        actor=actor,
        obj=application,
        action="draft_deleted",
        from_state=A.DRAFT,
        comment=application.title,
    )
    attachments = list(application.attachments.all())
    files = [(a.file.storage, a.file.name) for a in attachments if a.file and a.file.name]
    Attachment.objects.filter(pk__in=[attachment.pk for attachment in attachments]).delete()
    application.delete()  # the budget lines go with it (CASCADE)

    def remove_files() -> None:
        for storage, name in files:
            storage.delete(name)

    transaction.on_commit(remove_files)


@transaction.atomic
def application_withdraw(
    *, application: Application, actor: User, seen_state: str | None = None
) -> Application:
    return application_transition(
        application=_locked(application), to=A.WITHDRAWN, actor=actor, seen_state=seen_state
    )


# --- the case officer --------------------------------------------------------------------


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
    *,
    application: Application,
    actor: User,
    message: str,
    due: date,
    seen_state: str | None = None,
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
        application=application,
        to=A.COMPLETION_REQUESTED,
        actor=actor,
        comment=message,
        seen_state=seen_state,
    )
    notify(
        kind="completion_requested",
        obj=application,
        recipients=organisation_people([application.organisation_id]),
        due_date=due,
    )
    return application


@transaction.atomic
def application_start_review(
    *, application: Application, actor: User, seen_state: str | None = None
) -> Application:
    return application_transition(
        application=_locked(application), to=A.IN_REVIEW, actor=actor, seen_state=seen_state
    )


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


@transaction.atomic
def assessment_save(
    *,
    application: Application,
    actor: User,
    scores: list[tuple[Criterion, int | None, str]],
) -> Assessment:
    """The case officer saves the assessment: per criterion a score from 0 to 5 (None: not
    scored, which takes back an earlier score) and a comment. Only what changed is written and
    recorded in the history."""
    application = _locked(application)
    if not permissions.can_handle(actor, application):
        raise PermissionDenied
    if application.status not in {A.SUBMITTED, A.IN_REVIEW}:
        raise ValidationError(_("Criteria are scored while the application is being assessed."))
    current = {row.criterion.pk: row for row in assessment_of(application).rows}
    for criterion, score, comment in scores:
        row = current.get(criterion.pk)
        if row is None:
            raise ValidationError(_("The criterion does not belong to this programme."))
        if score is not None and not 0 <= score <= MAX_SCORE:
            raise ValidationError({f"c{criterion.pk}-score": [_("Give a score from 0 to 5.")]})
        comment = comment.strip()
        if score is None:
            if row.score is not None:
                Review.objects.filter(application=application, criterion=criterion).delete()
                audit_record(
                    actor=actor,
                    obj=application,
                    action="score_removed",
                    comment=criterion.name,
                )
            continue
        if (score, comment) == (row.score, row.comment):
            continue
        Review.objects.update_or_create(
            application=application,
            criterion=criterion,
            defaults={"score": score, "comment": comment, "reviewer": actor},
        )
        audit_record(
            actor=actor, obj=application, action="scored", comment=f"{criterion.name}: {score}"
        )
    return assessment_of(application)
