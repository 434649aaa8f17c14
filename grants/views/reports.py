"""Follow-up reports: the association writes and sends one in, the case officer reviews it, and
the officer's list of reports."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from grants import permissions, selectors, services
from grants.forms import ReportAttachmentForm, ReportForm, ReportReviewForm
from grants.models import ReportStatus
from grants.views._shared import _cost_lines, _for_the_form, _list_page, _refused
from portal import transitions
from portal.confirm import confirmation
from portal.http import (
    add_service_errors,
    error_messages,
    form_error_messages,
    private_file_response,
    request_user,
)


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, pk: int) -> HttpResponse:
    report, membership = selectors.report_get_for_member(user=request.user, pk=pk)
    editable = report.status in services.REPORT_EDITABLE and permissions.can_edit(membership)
    cost_lines = _cost_lines(report.application)
    form = ReportForm(report=report, cost_lines=cost_lines)
    problems: list[str] = []
    if request.method == "POST":
        if not editable:  # a direct post, or a page left open: say why, change nothing
            messages.error(
                request,
                _("Only the association's representatives and editors can change the report.")
                if not permissions.can_edit(membership)
                else _(
                    "The report has been sent in and can no longer be changed. If something is "
                    "wrong, contact the case officer."
                ),
            )
            return redirect("grants:report", pk=pk)
        form = ReportForm(request.POST, report=report, cost_lines=cost_lines)
        if form.is_valid():
            try:
                services.report_save(
                    report=report,
                    actor=request_user(request),
                    narrative=form.cleaned_data["narrative"],
                    activities=form.cleaned_data["activities"],
                    participants=form.participants(),
                    actual_costs=form.actual_costs(),
                    other_income=form.cleaned_data["other_income"],
                    seen_state=transitions.posted_state(request.POST),
                )
                if "submit" in request.POST:
                    services.report_submit(report=report, actor=request_user(request))
                    messages.success(request, _("The report has been sent in."))
                    return redirect("grants:report", pk=pk)
            except ValidationError as error:
                problems = error.messages
            else:
                messages.success(request, _("The report has been saved."))
                return redirect("grants:report", pk=pk)
    report.refresh_from_db()
    return render(
        request,
        "grants/report.html",
        {
            "report": report,
            "application": report.application,
            "form": form,
            "editable": editable,
            "problems": problems,
            "unspent": services.report_unspent(report),
            "paid": services.amount_paid(report.application),
            "attachments": report.attachments.all(),
            "attachment_form": ReportAttachmentForm() if editable else None,
            "today": timezone.localdate(),
        },
    )


@require_POST
def report_attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    report, _membership = selectors.report_get_for_member(user=request.user, pk=pk)
    form = ReportAttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.report_attachment_add(
                report=report, actor=request_user(request), upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            error_messages(request, error)
        else:
            messages.success(request, _("The attachment has been added."))
    else:
        form_error_messages(request, form)
    return redirect("grants:report", pk=pk)


@require_safe
def report_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    attachment = selectors.report_attachment_get_for_user(
        user=request.user, application_pk=pk, pk=attachment_pk
    )
    return private_file_response(attachment)


@require_http_methods(["GET", "POST"])
def officer_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The case officer reads a follow-up report and approves it or sends it back. A review
    refused (no comment to a revision, no choice) comes back with what was typed and why."""
    report = selectors.report_get_for_officer(user=request.user, pk=pk)
    form = ReportReviewForm()
    http_status = 200
    if request.method == "POST":
        form = ReportReviewForm(request.POST)
        if form.is_valid():
            approve = form.cleaned_data["decision"] == "approve"
            if approve and (
                response := confirmation(
                    request,
                    title=_("Approve the follow-up report"),
                    question=_(
                        "Do you want to approve the follow-up report for application %(number)s?"
                    )
                    % {"number": report.application.registry_number},
                    consequences=[
                        _(
                            "The report is approved and closed; the association can no longer "
                            "change it, and this cannot be undone."
                        )
                    ],
                    confirm_label=_("Yes, approve the report"),
                    cancel_url=reverse("grants:officer_report", args=[pk]),
                )
            ):
                return response
            try:
                services.report_review(
                    report=report,
                    actor=request_user(request),
                    approve=approve,
                    comment=form.cleaned_data["comment"],
                    seen_version=form.cleaned_data["seen_version"],
                    seen_state=transitions.posted_state(request.POST),
                )
            except PermissionDenied as error:
                _refused(request, error)
                return redirect("grants:officer_report", pk=pk)
            except ValidationError as error:
                if not _for_the_form(form, error):
                    error_messages(request, error)  # stale, or already reviewed: look again
                    return redirect("grants:officer_report", pk=pk)
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The follow-up report has been approved.")
                    if approve
                    else _("The follow-up report has been sent back for revision."),
                )
                return redirect("grants:officer_report", pk=pk)
        http_status = 400
    cost_lines = _cost_lines(report.application)
    actual = report.actual_costs
    return render(
        request,
        "grants/officer_report.html",
        {
            "report": report,
            "application": report.application,
            "costs": [(line, actual.get(str(line.pk))) for line in cost_lines],
            "participants": report.participants,
            "unspent": services.report_unspent(report),
            "paid": services.amount_paid(report.application),
            "submissions": list(report.submissions.order_by("number")),
            "attachments": report.attachments.all(),
            "can_review": transitions.can(
                services.REPORT_MACHINE,
                report,
                request_user(request),
                to=ReportStatus.APPROVED,
            ),
            "form": form,
            "seen_version": services.report_version(report),
            "today": timezone.localdate(),
        },
        status=http_status,
    )


@require_safe
def reports_list(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    return _list_page(
        request,
        template="grants/reports_list.html",
        items_for=lambda state, call, body: selectors.reports_list(
            user=request.user, state=state, call=call, public_body=body
        ),
        states=[
            ("due", pgettext("report filter", "Due")),
            ("overdue", _("Overdue")),
            ("submitted", _("Waiting for review")),
            ("revision_requested", _("Revision requested")),
            ("approved", _("Approved")),
        ],
        export_name="aterrapporteringar",
        export_header=[
            _("Registration number"),
            _("Organisation"),
            _("Call"),
            _("Due"),
            _("Status"),
        ],
        export_row=lambda r: [
            r.application.registry_number,
            r.application.organisation.name,
            r.application.call.title,
            r.due_date.isoformat(),
            r.get_status_display(),
        ],
    )
