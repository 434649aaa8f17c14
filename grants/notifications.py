"""What grants tell people by email, the grant deadlines the hourly scan reminds of, and the
officer's lists in the morning's digest: registered with the portal's notification machinery in
GrantsConfig.ready()."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants import selectors
from grants.models import (
    REPORT_WITH_ASSOCIATION,
    Application,
    ApplicationStatus,
    Call,
    FollowUpReport,
    GrantReminderSettings,
    Programme,
    Submission,
)
from grants.state_aid import decision_statement
from organisations import segregation
from organisations import selectors as organisation_selectors
from organisations.notifications import members_by_organisation
from portal import links
from portal.models import Notification, PublicBodyMembership, PublicBodyRole, User
from portal.notifications import days_or, offset_kind
from portal.registry import Context, DigestSection, Kind, Rows

# --- the reader's link ------------------------------------------------------------------------

_MEMBER_APPLICATIONS = "_grants_member_application_ids"


def _member_application_ids(reader: User) -> frozenset[int]:
    """The applications of the organisations the reader is a member of now: one query, kept on
    the user object for the request."""
    cached: frozenset[int] | None = reader.__dict__.get(_MEMBER_APPLICATIONS)
    if cached is None:
        cached = frozenset(
            Application.objects.filter(
                organisation_id__in=organisation_selectors.organisation_ids_for(user=reader)
            ).values_list("pk", flat=True)
        )
        reader.__dict__[_MEMBER_APPLICATIONS] = cached
    return cached


def application_link(reader: User, row: Notification) -> str:
    """A notification's link in the reader's list of notifications: the application's (or its
    report's) page while the reader is a member of its organisation; else the admin's page of
    the application for an administrator who may view it there, and no link for anyone else
    (a former member). Public pages (a call) keep their link."""
    linked = links.linked_view(row.url)
    if linked is None:
        return ""
    view_name, kwargs = linked
    pk = kwargs.get("pk")
    if view_name not in {"grants:application", "grants:report", "grants:receipt"}:
        return row.url
    if pk in _member_application_ids(reader):
        return row.url
    if reader.is_staff and reader.has_perm("grants.view_application"):
        return reverse("admin:grants_application_change", args=[pk])
    return ""


# --- the kinds -------------------------------------------------------------------------------


def _application(application: Application, _row: Notification) -> Context:
    return {
        "application": application,
        "url": reverse("grants:application", args=[application.pk]),
    }


def _decision(application: Application, row: Notification) -> Context:
    """The decision email: a grant that is de minimis aid says so, from the ledger's entry."""
    entry = selectors.aid_entry_of(application=application)
    return {
        **_application(application, row),
        "aid_statement": decision_statement(entry) if entry else [],
    }


def _submission(submission: Submission, row: Notification) -> Context:
    return {**_application(submission.application, row), "submission": submission}


def _call(call: Call, _row: Notification) -> Context:
    return {"call": call, "url": reverse("grants:call", args=[call.pk])}


def _report(report: FollowUpReport, _row: Notification) -> Context:
    return {
        "report": report,
        "application": report.application,
        "url": reverse("grants:report", args=[report.application_id]),
    }


KINDS = [
    # deadline reminders, found by the scan
    Kind("call_closing", _("A call closes"), "grants/email/call_closing", True, _call),
    Kind(
        "completion_due",
        _("Completion due"),
        "grants/email/completion_due",
        True,
        _application,
        ("call", "organisation"),
        link=application_link,
    ),
    Kind(
        "report_due",
        _("Follow-up report due"),
        "grants/email/report_due",
        True,
        _report,
        ("application__call",),
        link=application_link,
    ),
    # events, asked for by the services when they happen
    Kind(
        "receipt",
        _("Receipt of an application"),
        "grants/email/receipt",
        False,
        _submission,
        ("application__call", "application__organisation"),
        link=application_link,
    ),
    Kind(
        "completion_requested",
        _("Completion requested"),
        "grants/email/completion",
        True,
        _application,
        ("call", "organisation"),
        link=application_link,
    ),
    Kind(
        "decision",
        _("Decision on an application"),
        "grants/email/decision",
        False,
        _decision,
        ("call", "organisation"),
        link=application_link,
    ),
    Kind(
        "report_revision",
        _("Follow-up report to revise"),
        "grants/email/report_revision",
        True,
        _report,
        ("application__call",),
        link=application_link,
    ),
]


# --- the reminders ---------------------------------------------------------------------------


def grant_reminders(rows: Rows, *, now: datetime, today: date) -> None:
    """The grant deadlines of the day, with the settings read once."""
    config = GrantReminderSettings.load()
    calls_closing(rows, now, today, config)
    completions_due(rows, today, config)
    reports_due(rows, today, config)


def calls_closing(rows: Rows, now: datetime, today: date, config: GrantReminderSettings) -> None:
    """A call closes in N days (per call, else per programme, else the settings): to the
    representatives and editors of organisations with a draft in it. Three queries at most."""
    default = config.days("call_closing_days")
    due: dict[int, tuple[date, int]] = {}
    for pk, closes_at, own, programme in Call.objects.filter(closes_at__gte=now).values_list(
        "pk", "closes_at", "closing_reminder_days", "programme__closing_reminder_days"
    ):
        closes = timezone.localdate(closes_at)
        days = (closes - today).days
        if days in days_or(own or programme, default):
            due[pk] = (closes, days)
    if not due:
        return
    drafts = set(
        Application.objects.filter(status=ApplicationStatus.DRAFT, call_id__in=due).values_list(
            "call_id", "organisation_id"
        )
    )
    members = members_by_organisation({o for _c, o in drafts})
    for call_id, organisation_id in drafts:
        closes, days = due[call_id]
        rows.add(
            offset_kind("call_closing", days),
            Call,
            call_id,
            closes,
            members.get(organisation_id, []),
        )


def completions_due(rows: Rows, today: date, config: GrantReminderSettings) -> None:
    """A completion the officer asked for is due in N days (or N days overdue)."""
    dates = {today + timedelta(days=n): n for n in config.days("completion_days")}
    due = list(
        Application.objects.filter(
            status=ApplicationStatus.COMPLETION_REQUESTED, completion_due__in=dates
        )
        .order_by()
        .values_list("pk", "completion_due", "organisation_id")
    )
    members = members_by_organisation({o for _a, _d, o in due})
    for pk, completion_due, organisation_id in due:
        if completion_due is None:  # the filter excludes it; this tells the type checker
            continue
        rows.add(
            offset_kind("completion_due", dates[completion_due]),
            Application,
            pk,
            completion_due,
            members.get(organisation_id, []),
        )


def reports_due(rows: Rows, today: date, config: GrantReminderSettings) -> None:
    """A follow-up report is due in 14 days, today, or 7 days ago (per programme or settings)."""
    default = config.days("report_days")
    own = {
        pk: days_or(days, default)
        for pk, days in Programme.objects.exclude(report_reminder_days="").values_list(
            "pk", "report_reminder_days"
        )
    }
    offsets = set(default).union(*own.values())
    due = list(
        FollowUpReport.objects.filter(
            status__in=REPORT_WITH_ASSOCIATION,
            due_date__in=[today + timedelta(days=n) for n in offsets],
        )
        .order_by()
        .values_list(
            "pk", "due_date", "application__organisation_id", "application__call__programme_id"
        )
    )
    due = [row for row in due if (row[1] - today).days in own.get(row[3], default)]
    members = members_by_organisation({row[2] for row in due})
    for pk, due_date, organisation_id, _programme in due:
        rows.add(
            offset_kind("report_due", (due_date - today).days),
            FollowUpReport,
            pk,
            due_date,
            members.get(organisation_id, []),
        )


# --- the officer's digest --------------------------------------------------------------------


def _officers(
    role: str,
    bodies: QuerySet[Application] | QuerySet[FollowUpReport] | QuerySet[Submission],
    field: str,
) -> Q:
    """Officers in `role` at the public bodies the queryset's `field` names: a filter on users."""
    return Q(
        pk__in=PublicBodyMembership.objects.filter(
            role=role, public_body_id__in=bodies.order_by().values(field)
        ).values("user_id")
    )


def _bodies(user: User, role: str) -> QuerySet[PublicBodyMembership, int]:
    return PublicBodyMembership.objects.filter(user=user, role=role).values_list(
        "public_body_id", flat=True
    )


def _submissions(start: datetime, end: datetime) -> QuerySet[Submission]:
    return Submission.objects.filter(submitted_at__gte=start, submitted_at__lt=end)


def _submitted_to(user: User, start: datetime, end: datetime) -> QuerySet[Submission]:
    """What was sent in to the person's bodies, without the cases they must stay out of: the
    digest names no case the person may not open (the same rule as the case handling page)."""
    return (
        segregation.exclude_conflicted(
            _submissions(start, end).filter(
                application__public_body_id__in=_bodies(user, PublicBodyRole.CASE_OFFICER)
            ),
            user,
            organisation_field="application__organisation_id",
            case=Application,
            case_field="application__pk",
        )
        .select_related("application__organisation", "application__call")
        .order_by("submitted_at", "id")
    )


def _proposals() -> QuerySet[Application]:
    return Application.objects.filter(status=ApplicationStatus.PROPOSED)


def _proposals_to_decide(user: User) -> QuerySet[Application]:
    """The proposals the person may decide, as their list of decisions shows them: prepared by
    someone else (four eyes), without the cases they must stay out of."""
    try:
        return selectors.proposals_for_decision(user=user)
    except Http404:  # no longer a decision maker anywhere
        return Application.objects.none()


def _submission_section(name: str, order: int, *, first: bool) -> DigestSection:
    """Applications sent in since yesterday: for the first time (new) or again (completed)."""
    which = Q(number=1) if first else Q(number__gt=1)
    return DigestSection(
        name,
        f"grants/email/digest_{name}",
        recipients=lambda start, end: _officers(
            PublicBodyRole.CASE_OFFICER,
            _submissions(start, end).filter(which),
            "application__public_body_id",
        ),
        items=lambda user, start, end: _submitted_to(user, start, end).filter(which),
        order=order,
    )


SECTIONS = [
    _submission_section("new", 10, first=True),
    _submission_section("completed", 20, first=False),
    DigestSection(
        "reports",
        "grants/email/digest_reports",
        recipients=lambda start, end: _officers(
            PublicBodyRole.CASE_OFFICER,
            FollowUpReport.objects.waiting_for_review(),
            "application__public_body_id",
        ),
        items=lambda user, start, end: (
            FollowUpReport.objects.waiting_for_review(user)
            .select_related("application__organisation")
            .order_by("submitted_at", "id")
        ),
        order=30,
    ),
    DigestSection(
        "proposals",
        "grants/email/digest_proposals",
        recipients=lambda start, end: _officers(
            PublicBodyRole.DECISION_MAKER, _proposals(), "public_body_id"
        ),
        items=lambda user, start, end: _proposals_to_decide(user),
        order=40,
    ),
]
