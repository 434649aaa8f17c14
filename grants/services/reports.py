"""Follow-up reports: created with the decision, written and sent in by the association, reviewed
by the case officer."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grants import permissions
from grants.models import (
    REPORT_WITH_ASSOCIATION,
    Application,
    BudgetLineKind,
    FollowUpReport,
    ReportAttachment,
    ReportStatus,
    ReportSubmission,
)
from grants.services._shared import DECIDED, MEMBER, OFFICER
from grants.services.payments import amount_paid
from organisations.notifications import organisation_people
from portal import transitions
from portal.files import check_upload, store_upload
from portal.models import User
from portal.notifications import notify
from portal.services import audit_record
from portal.transitions import Machine, Rule, Transition
from portal.versions import fingerprint

REPORT_MIN_DAYS_AFTER_DECISION = 30


def report_version(report: FollowUpReport) -> str:
    """What the officer reviewing a follow-up report sees: its status and which sending of it
    (a resubmission after a revision is another text)."""
    latest = report.submissions.aggregate(number=Max("number"))["number"]
    return fingerprint("report", report.status, latest)


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


def _report_rule(rule: Rule[Application]) -> Rule[FollowUpReport]:
    """The application's rule, for its follow-up report."""
    return Rule(lambda actor, report: rule.allows(actor, report.application))


# The report's status: the association sends it in (again), the case officer asks for a revision
# (with a comment) or approves, each only on the sending they had on screen.
REPORT_MACHINE: Machine[FollowUpReport] = Machine(
    states=ReportStatus,
    cannot=gettext_lazy("The report cannot go from “%(from)s” to “%(to)s”."),
    comment_message=gettext_lazy("Tell the association what to revise."),
    transitions=[
        Transition(
            ReportStatus.DUE,
            ReportStatus.SUBMITTED,
            _report_rule(MEMBER),
            "report_status_changed",
        ),
        Transition(
            ReportStatus.REVISION_REQUESTED,
            ReportStatus.SUBMITTED,
            _report_rule(MEMBER),
            "report_status_changed",
        ),
        Transition(
            ReportStatus.SUBMITTED,
            ReportStatus.REVISION_REQUESTED,
            _report_rule(OFFICER),
            "report_status_changed",
            comment_required=True,
            version=report_version,
        ),
        Transition(
            ReportStatus.SUBMITTED,
            ReportStatus.APPROVED,
            _report_rule(OFFICER),
            "report_status_changed",
            version=report_version,
        ),
    ],
    audit_object=lambda report: report.application,
)
REPORT_EDITABLE = REPORT_WITH_ASSOCIATION


def report_transition(
    *,
    report: FollowUpReport,
    to: str,
    actor: User,
    comment: str = "",
    seen_version: str | None = None,
    seen_state: str | None = None,
) -> FollowUpReport:
    """Move the report to `to` (`REPORT_MACHINE`); the trail records it on the application.
    Other fields the caller changed on `report` are saved with it."""
    return transitions.transition(
        REPORT_MACHINE,
        report,
        to=to,
        actor=actor,
        comment=comment,
        seen_version=seen_version,
        seen_state=seen_state,
    )


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
    seen_state: str | None = None,
) -> FollowUpReport:
    report = _locked_report(report)
    transitions.ensure_seen_state(report, seen_state)  # the page's form, as it was drawn
    if not permissions.can_apply_for(actor, report.application.organisation):
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
    if not permissions.can_apply_for(actor, report.application.organisation):
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
    transitions.record_changed(report)  # a page drawn before is stale
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
    if not permissions.can_apply_for(actor, report.application.organisation):
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
    seen_state: str | None = None,
) -> FollowUpReport:
    """Approve the report, or send it back with a comment: only the sending the officer saw
    (`seen_version`, see `report_version`), from a page drawn since its last change
    (`seen_state`)."""
    report = _locked_report(report)
    report.review_comment = comment.strip()
    report.reviewed_by = actor
    report = report_transition(
        report=report,
        to=ReportStatus.APPROVED if approve else ReportStatus.REVISION_REQUESTED,
        actor=actor,
        comment=comment,
        seen_version=seen_version,
        seen_state=seen_state,
    )
    if not approve:
        notify(
            kind="report_revision",
            obj=report,
            recipients=organisation_people([report.application.organisation_id]),
            due_date=timezone.localdate(),
        )
    return report
