"""What grants add to the portal's own pages: the case handling cards, with what waits for the
officer, the to-do items on a person's overview, and the menu links."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from grants import selectors
from grants.models import ApplicationStatus, ReportStatus
from grants.selectors.todos import waiting_for_member
from organisations.models import Organisation
from portal.models import PublicBodyRole
from portal.pagination import paginate, query_without_page
from portal.registry import (
    FOOTER,
    OFFICER,
    OFFICER_HOME,
    ORGANISATION_OFFICER,
    PUBLIC,
    SIGNED_IN,
    Context,
    NavItem,
    Panel,
    Todo,
)
from portal.selectors import user_memberships


def _waiting(request: HttpRequest) -> dict[str, int]:
    """Read once per request: both cards show a part of it."""
    cached: dict[str, int] | None = getattr(request, "_grants_waiting", None)
    if cached is None:
        cached = selectors.waiting_for_officer(user=request.user)
        request._grants_waiting = cached  # type: ignore[attr-defined]
    return cached


def _roles(request: HttpRequest) -> set[str]:
    return {m.role for m in user_memberships(user=request.user)}


def _applications(request: HttpRequest) -> Context:
    return {
        "waiting": _waiting(request),
        "is_case_officer": PublicBodyRole.CASE_OFFICER in _roles(request),
    }


def _decisions(request: HttpRequest) -> Context:
    return {
        "waiting": _waiting(request),
        "is_decision_maker": PublicBodyRole.DECISION_MAKER in _roles(request),
    }


def _organisation_applications(request: HttpRequest, *, organisation: Organisation) -> Context:
    """The organisation's cases in the officer's committees, in pages (`?sida=`), on the
    organisation's page for officers: where an organisation number typed in the inbox leads."""
    return {
        "applications": paginate(
            request,
            selectors.organisation_cases(user=request.user, organisation=organisation.pk),
            rows=selectors.case_rows(user=request.user),
        ),
        "query": query_without_page(request),
        "organisation": organisation,
        # the cases the officer must stay out of are left out: the section says so
        "segregated": selectors.officer_has_exclusions(user=request.user),
    }


def member_todos(request: HttpRequest) -> list[Todo]:
    """An association's representative or editor: drafts of calls that close soon, completions
    to send in and follow-up reports to send in or revise, each linking to its page."""
    applications, reports = waiting_for_member(user=request.user)
    todos = []
    for application in applications:
        due: date | None
        if application.status == ApplicationStatus.DRAFT:
            text = gettext("Send in your application to “%(call)s”") % {
                "call": application.call.title
            }
            due = timezone.localdate(application.call.closes_at)
        else:
            text = gettext("Complete application %(number)s") % {
                "number": application.registry_number
            }
            due = application.completion_due
        todos.append(
            Todo(
                text,
                reverse("grants:application", args=[application.pk]),
                due,
                application.organisation.name,
            )
        )
    for report in reports:
        number = {"number": report.application.registry_number}
        todos.append(
            Todo(
                gettext("Revise the follow-up report on %(number)s") % number
                if report.status == ReportStatus.REVISION_REQUESTED
                else gettext("Send in the follow-up report on %(number)s") % number,
                reverse("grants:report", args=[report.application_id]),
                report.due_date,
                report.application.organisation.name,
            )
        )
    return todos


def officer_todos(request: HttpRequest) -> list[Todo]:
    """A case officer's and a decision maker's counts, each linking to the list that holds them
    (the same numbers as the case handling page)."""
    if not user_memberships(user=request.user):
        return []
    waiting = _waiting(request)
    inbox = reverse("grants:inbox")
    counts = [
        (
            waiting["applications"],
            ngettext(
                "%(count)s new application to take up",
                "%(count)s new applications to take up",
                waiting["applications"],
            ),
            f"{inbox}?status=submitted",
        ),
        (
            waiting["completions"],
            ngettext(
                "%(count)s completion has come in",
                "%(count)s completions have come in",
                waiting["completions"],
            ),
            f"{inbox}?status=submitted",
        ),
        (
            waiting["reports"],
            ngettext(
                "%(count)s follow-up report to review",
                "%(count)s follow-up reports to review",
                waiting["reports"],
            ),
            f"{reverse('grants:reports')}?state=submitted",
        ),
        (
            waiting["proposals"],
            ngettext(
                "%(count)s proposal waits for your decision",
                "%(count)s proposals wait for your decision",
                waiting["proposals"],
            ),
            reverse("grants:decisions"),
        ),
    ]
    return [Todo(text % {"count": count}, url, order=10) for count, text, url in counts if count]


TODOS = [("grants", member_todos), ("grants_officer", officer_todos)]
PANELS = [
    Panel("grants", OFFICER_HOME, _applications, "grants/panels/officer_home.html", 10),
    Panel("grants_decisions", OFFICER_HOME, _decisions, "grants/panels/officer_decisions.html", 30),
    Panel(
        "grants_organisation",
        ORGANISATION_OFFICER,
        _organisation_applications,
        "grants/panels/organisation_applications.html",
        10,
    ),
]
NAV = [
    NavItem("grants:calls", _("Open calls"), PUBLIC, 20),
    NavItem("grants:mine", _("My applications"), SIGNED_IN, 20),
    NavItem("grants:open_data", _("Granted money – open data"), FOOTER, 20),
    # the officers' menu: the lists of case handling, each for the roles that work in it
    NavItem("grants:inbox", _("Applications"), OFFICER, 10),
    NavItem("grants:decisions", _("Decisions"), OFFICER, 20, (PublicBodyRole.DECISION_MAKER,)),
    NavItem("grants:reports", _("Follow-up reports"), OFFICER, 30, (PublicBodyRole.CASE_OFFICER,)),
    NavItem("grants:payments", _("Payments"), OFFICER, 40, (PublicBodyRole.CASE_OFFICER,)),
    NavItem("grants:recoveries", _("Recoveries"), OFFICER, 50, (PublicBodyRole.CASE_OFFICER,)),
]
