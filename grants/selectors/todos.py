"""What waits for an association's people in grants, for their overview's to-do list: drafts
of calls that close soon, completions asked for and follow-up reports to send in. The same
"soon" as the reminder emails: from the first reminder day (per call, programme or the
settings). Three queries, whatever the number of items."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils import timezone

from grants.models import (
    Application,
    ApplicationStatus,
    FollowUpReport,
    GrantReminderSettings,
    ReportStatus,
)
from grants.models.follow_up import REPORT_WITH_ASSOCIATION
from organisations import selectors as organisation_selectors
from organisations.models import OrganisationRole
from portal.models import User
from portal.notifications import days_or

WRITERS = [OrganisationRole.REPRESENTATIVE, OrganisationRole.EDITOR]


def _first_reminder(own: str, default: list[int]) -> int:
    """How many days before a deadline the first reminder goes out (0: on the day)."""
    return max([0, *days_or(own, default)])


def waiting_for_member(
    *, user: User | AnonymousUser, now: datetime | None = None
) -> tuple[list[Application], list[FollowUpReport]]:
    """Of the organisations the person writes for (representative or editor): drafts in open
    calls that close within their first reminder's days, applications whose completion the
    officer asked for, and follow-up reports sent back for revision or due within their first
    reminder's days (or overdue). Three queries; none for who writes for no organisation."""
    writes_for = [
        pk
        for pk, role in organisation_selectors.organisation_roles(user=user).items()
        if role in WRITERS
    ]
    if not writes_for:
        return [], []
    now = now or timezone.now()
    today = timezone.localdate(now)
    settings = GrantReminderSettings.load()
    applications = [
        application
        for application in Application.objects.filter(organisation_id__in=writes_for)
        .filter(
            Q(status=ApplicationStatus.DRAFT, call__closes_at__gt=now, call__opens_at__lte=now)
            | Q(status=ApplicationStatus.COMPLETION_REQUESTED)
        )
        .select_related("call__programme", "organisation")
        .order_by("id")
        if application.status == ApplicationStatus.COMPLETION_REQUESTED
        or (timezone.localdate(application.call.closes_at) - today).days
        <= _first_reminder(
            application.call.closing_reminder_days
            or application.call.programme.closing_reminder_days,
            settings.days("call_closing_days"),
        )
    ]
    reports = [
        report
        for report in FollowUpReport.objects.filter(
            application__organisation_id__in=writes_for, status__in=REPORT_WITH_ASSOCIATION
        )
        .select_related("application__call__programme", "application__organisation")
        .order_by("id")
        if report.status == ReportStatus.REVISION_REQUESTED
        or (report.due_date - today).days
        <= _first_reminder(
            report.application.call.programme.report_reminder_days, settings.days("report_days")
        )
    ]
    return applications, reports
