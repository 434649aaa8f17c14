"""Pages of the grants app: public calls, the association's applications, the case officer's
inbox and application page, and the decision maker's list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from grants import open_data as open_data_files
from grants import permissions, selectors, services
from grants.eligibility import eligibility_problems
from grants.forms import (
    ApplicationForm,
    AssignForm,
    AttachmentForm,
    BudgetFormSet,
    CompletionRequestForm,
    DecisionForm,
    InboxFilterForm,
    OfficerListForm,
    PaymentForm,
    ProposalForm,
    RecoveryForm,
    RecoveryPaidForm,
    ReportAttachmentForm,
    ReportForm,
    ReportReviewForm,
    ReviewForm,
    StartForm,
    amount_for_input,
    budget_lines_from,
)
from grants.models import Application, ApplicationStatus, DecisionChoice
from organisations import views as organisation_views
from organisations.selectors import organisation_payable
from portal import versions
from portal.exports import export_response
from portal.http import (
    error_messages,
    form_error,
    form_error_messages,
    private_file_response,
    request_user,
)
from portal.models import User
from portal.pagination import paginate, query_without_page

# --- public ----------------------------------------------------------------------------------


@login_not_required
@require_safe
def calls(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "grants/calls.html",
        {
            "page": paginate(request, selectors.open_calls()),
            "query": query_without_page(request),
            "now": timezone.now(),
        },
    )


@login_not_required
@require_safe
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call = selectors.call_get_public(pk=pk)
    start_form = None
    eligibility: list[tuple[str, list[str]]] = []
    if request.user.is_authenticated and call.is_open():
        memberships = list(selectors.organisations_that_may_apply(user=request.user))
        for membership in memberships:
            eligibility.append(
                (
                    membership.organisation.name,
                    eligibility_problems(
                        organisation=membership.organisation, programme=call.programme
                    ),
                )
            )
        choices = [
            (m.organisation.pk, m.organisation.name)
            for m, (_name, problems) in zip(memberships, eligibility, strict=True)
            if not problems
        ]
        if choices:
            start_form = StartForm(organisations=choices)
    return render(
        request,
        "grants/call_detail.html",
        {"call": call, "start_form": start_form, "eligibility": eligibility, "now": timezone.now()},
    )


# --- the association ---------------------------------------------------------------------------


@require_POST
def application_start(request: HttpRequest, pk: int) -> HttpResponse:
    call = selectors.call_get_public(pk=pk)
    memberships = {
        m.organisation.pk: m for m in selectors.organisations_that_may_apply(user=request.user)
    }
    form = StartForm(
        request.POST, organisations=[(pk_, m.organisation.name) for pk_, m in memberships.items()]
    )
    if not form.is_valid():
        messages.error(request, _("Choose the organisation that applies."))
        return redirect("grants:call", pk=pk)
    organisation = memberships[int(form.cleaned_data["organisation"])].organisation
    try:
        application = services.application_start(
            actor=request_user(request), call=call, organisation=organisation
        )
    except ValidationError as error:
        error_messages(request, error)
        return redirect("grants:call", pk=pk)
    messages.success(
        request, _("The application has been started. It is saved as a draft until you send it in.")
    )
    return redirect("grants:application", pk=application.pk)


@require_safe
def my_applications(request: HttpRequest) -> HttpResponse:
    applications = selectors.applications_for_member(user=request.user)
    return render(
        request,
        "grants/my_applications.html",
        {"page": paginate(request, applications), "query": ""},
    )


def _money_context(application: Application) -> dict[str, Any]:
    if not application.decided_at:
        return {}
    payments = list(selectors.payments_of(application=application))
    return {
        "payments": payments,
        "paid": sum((p.amount for p in payments), start=0),
        "report": selectors.report_of(application=application),
        "recoveries": selectors.recoveries_of(application=application),
        "today": timezone.localdate(),
    }


def _application_context(application: Application, **extra: Any) -> dict[str, Any]:
    lines = list(application.budget_lines.all())
    costs = sum((line.amount for line in lines if line.kind == "cost"), start=0)
    funding = sum((line.amount for line in lines if line.kind != "cost"), start=0)
    return {
        "application": application,
        "budget_lines": lines,
        "total_costs": costs,
        "total_funding": funding,
        "attachments": selectors.current_attachments(application=application),
        "answers": [
            (question, application.answers.get(str(question.pk), ""))
            for question in application.call.questions.all()
        ],
        **_money_context(application),
        **extra,
    }


@require_http_methods(["GET", "POST"])
def application(request: HttpRequest, pk: int) -> HttpResponse:
    application, membership = selectors.application_get_for_member(user=request.user, pk=pk)
    editable = application.status in services.EDITABLE and permissions.can_edit(membership)
    form = ApplicationForm(application=application)
    budget = BudgetFormSet(
        prefix="budget",
        initial=[
            {
                "kind": line.kind,
                "description": line.description,
                "amount": amount_for_input(line.amount),
            }
            for line in application.budget_lines.all()
        ],
    )
    problems: list[str] = []
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        form = ApplicationForm(request.POST, application=application)
        budget = BudgetFormSet(request.POST, prefix="budget")
        if form.is_valid() and budget.is_valid():
            try:
                services.application_save(
                    application=application,
                    actor=request_user(request),
                    title=form.cleaned_data["title"],
                    answers=form.answers(),
                    amount_requested=form.cleaned_data["amount_requested"],
                    budget_lines=budget_lines_from(budget),
                    planned_start=form.cleaned_data["planned_start"],
                    planned_end=form.cleaned_data["planned_end"],
                )
                if "submit" in request.POST:
                    services.application_submit(
                        application=application, actor=request_user(request)
                    )
                    application.refresh_from_db()
                    messages.success(
                        request,
                        _(
                            "The application has been sent in with registration number %(number)s. A receipt is on its way by email."
                        )
                        % {"number": application.registry_number},
                    )
                    return redirect("grants:application", pk=pk)
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    problems = error.messages
            else:
                messages.success(request, _("The draft has been saved."))
                return redirect("grants:application", pk=pk)
    application.refresh_from_db()
    return render(
        request,
        "grants/application.html",
        _application_context(
            application,
            membership=membership,
            editable=editable,
            form=form,
            budget=budget,
            problems=problems,
            attachment_form=AttachmentForm(call=application.call) if editable else None,
            can_withdraw=permissions.can_edit(membership)
            and application.status
            in {
                ApplicationStatus.DRAFT,
                ApplicationStatus.SUBMITTED,
                ApplicationStatus.COMPLETION_REQUESTED,
            },
        ),
    )


@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    application, _membership = selectors.application_get_for_member(user=request.user, pk=pk)
    form = AttachmentForm(request.POST, request.FILES, call=application.call)
    if form.is_valid():
        try:
            services.attachment_add(
                application=application,
                actor=request_user(request),
                attachment_type=form.cleaned_data["attachment_type"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as error:
            error_messages(request, error)
        else:
            messages.success(request, _("The attachment has been added."))
    else:
        form_error_messages(request, form)
    return redirect("grants:application", pk=pk)


@require_POST
def attachment_remove(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    attachment = selectors.attachment_get_for_user(
        user=request.user, application_pk=pk, pk=attachment_pk
    )
    selectors.application_get_for_member(user=request.user, pk=pk)
    try:
        services.attachment_remove(attachment=attachment, actor=request_user(request))
    except ValidationError as error:
        error_messages(request, error)
    return redirect("grants:application", pk=pk)


@require_safe
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    attachment = selectors.attachment_get_for_user(
        user=request.user, application_pk=pk, pk=attachment_pk
    )
    return private_file_response(attachment)


@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application, _membership = selectors.application_get_for_member(user=request.user, pk=pk)
    try:
        services.application_withdraw(application=application, actor=request_user(request))
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(request, _("The application has been withdrawn."))
    return redirect("grants:application", pk=pk)


# --- the case officer and the decision maker -----------------------------------------------------


@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    calls = selectors.inbox_calls(user=request.user)
    form = InboxFilterForm(
        request.GET, calls=calls, officers=selectors.inbox_officers(user=request.user)
    )
    filters = form.cleaned_data if form.is_valid() else {}
    applications = selectors.inbox(
        user=request.user,
        call=filters.get("call"),
        status=filters.get("status") or "",
        assigned=filters.get("assigned") or "",
        q=filters.get("q") or "",
        sort=filters.get("sort") or "submitted",
    )
    return render(
        request,
        "grants/inbox.html",
        {
            "form": form,
            "page": paginate(request, applications),
            "query": query_without_page(request),
            "segregated": selectors.officer_has_exclusions(user=request.user),
        },
    )


@require_safe
def decisions(request: HttpRequest) -> HttpResponse:
    proposals = selectors.proposals_for_decision(user=request.user)
    return render(
        request, "grants/decisions.html", {"page": paginate(request, proposals), "query": ""}
    )


def _review_initial(criterion: Any) -> dict[str, Any] | None:
    """The saved score of a criterion from `criteria_with_reviews`, as the form's initial data."""
    if criterion.review_score is None:
        return None
    return {"score": criterion.review_score, "comment": criterion.review_comment}


@require_safe
def officer_application(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_get_for_officer(user=request.user, pk=pk)
    return _officer_page(request, application)


def _officer_page(request: HttpRequest, application: Application, **overrides: Any) -> HttpResponse:
    """The officer's page of an application; a form in `overrides` replaces the empty one (a
    decision sent back for changes keeps what was typed, with its errors)."""
    user = request_user(request)
    handle = permissions.can_handle(user, application)
    criteria = [
        (
            criterion,
            ReviewForm(
                prefix=f"c{criterion.pk}",
                initial=_review_initial(criterion),
            ),
        )
        for criterion in selectors.criteria_with_reviews(application=application)
    ]
    submissions = selectors.submissions_of(application=application)
    changed: list[str] = []
    if len(submissions) >= 2:
        before, after = submissions[-2].content, submissions[-1].content
        questions = {str(q.pk): q.text for q in application.call.questions.all()}
        changed = [
            questions.get(key, key)
            for key in after["answers"]
            if after["answers"].get(key) != before["answers"].get(key)
        ]
        if after["budget"] != before["budget"]:
            changed.append(_("Budget"))
        if after["amount_requested"] != before["amount_requested"]:
            changed.append(_("Amount applied for"))
        if after["attachments"] != before["attachments"]:
            changed.append(_("Attachments"))
    status = application.status
    can_decide = permissions.can_decide(user, application)
    context = _application_context(
        application,
        can_handle=handle,
        can_decide=can_decide,
        four_eyes_block=status == ApplicationStatus.PROPOSED
        and application.proposed_by_id == user.pk,
        # four eyes on money: whoever decided does not register the payments
        own_decision=handle and not permissions.can_pay(user, application),
        payable=organisation_payable(application.organisation),
        criteria=criteria,
        submissions=submissions,
        changed=changed,
        history=selectors.history_of(application=application)[:50],
        can_declare_conflict=permissions.can_declare_conflict(user, application),
        assign_form=AssignForm(
            colleagues=selectors.colleagues(application=application),
            initial={"assignee": application.assigned_to_id},
        )
        if handle
        else None,
        completion_form=CompletionRequestForm(),
        recovery_form=RecoveryForm(),
        budget_left=services.call_budget_left(application.call)
        if status in {ApplicationStatus.IN_REVIEW, ApplicationStatus.PROPOSED}
        else None,
    )
    if handle and status == ApplicationStatus.IN_REVIEW:
        version = services.proposal_version(
            application,
            submission_number=submissions[-1].number if submissions else None,
            scores=[
                (c.pk, score)
                for c, _form in criteria
                if (score := getattr(c, "review_score", None)) is not None
            ],
        )
        context["proposal_form"] = ProposalForm(initial={"seen_version": version})
    if can_decide and status == ApplicationStatus.PROPOSED:
        context["decision_form"] = DecisionForm(
            initial={"seen_version": services.decision_version(application)}
        )
    if handle and status in services.DECIDED:
        context["payment_form"] = PaymentForm(
            initial={
                "paid_on": timezone.localdate(),
                "seen_version": services.payment_version(application, paid=context["paid"]),
            }
        )
    context.update(overrides)
    return render(request, "grants/officer_application.html", context)


@require_POST
def declare_conflict(request: HttpRequest, pk: int) -> HttpResponse:
    """An officer declares a conflict of interest (jäv) on an application and steps out of it:
    from then on the case is gone from their lists and its page is 404 for them."""
    application = selectors.application_get_for_officer(user=request.user, pk=pk)
    return organisation_views.declare_conflict(
        request,
        case=application,
        organisations=[application.organisation],
        back=reverse("grants:officer_application", args=[pk]),
        done=reverse("grants:inbox"),
        done_message=_(
            "You have declared a conflict of interest in %(number)s. Another officer handles the "
            "application; it is no longer shown to you."
        )
        % {"number": application.registry_number},
    )


def _officer_action(request: HttpRequest, pk: int, action: Any) -> HttpResponse:
    application = selectors.application_get_for_officer(user=request.user, pk=pk)
    try:
        message = action(application, request_user(request))
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(request, message)
    return redirect("grants:officer_application", pk=pk)


@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    def act(application: Application, user: User) -> str:
        form = AssignForm(request.POST, colleagues=selectors.colleagues(application=application))
        if not form.is_valid():
            raise ValidationError(_("Choose a case officer."))
        services.application_assign(
            application=application, actor=user, assignee=form.cleaned_data["assignee"]
        )
        return _("The case officer has been changed.")

    return _officer_action(request, pk, act)


@require_POST
def request_completion(request: HttpRequest, pk: int) -> HttpResponse:
    def act(application: Application, user: User) -> str:
        form = CompletionRequestForm(request.POST)
        if not form.is_valid():
            raise form_error(form)
        services.application_request_completion(
            application=application,
            actor=user,
            message=form.cleaned_data["message"],
            due=form.cleaned_data["due"],
        )
        return _("The association has been asked to complete the application.")

    return _officer_action(request, pk, act)


@require_POST
def start_review(request: HttpRequest, pk: int) -> HttpResponse:
    def act(application: Application, user: User) -> str:
        services.application_start_review(application=application, actor=user)
        return _("The application is in review.")

    return _officer_action(request, pk, act)


@require_POST
def score(request: HttpRequest, pk: int, criterion_pk: int) -> HttpResponse:
    def act(application: Application, user: User) -> str:
        criterion = application.call.programme.criteria.filter(pk=criterion_pk).first()
        if criterion is None:
            raise ValidationError(_("Unknown criterion."))
        form = ReviewForm(request.POST, prefix=f"c{criterion.pk}")
        if not form.is_valid():
            raise ValidationError(_("Give a score from 0 to 5."))
        services.review_save(
            application=application,
            actor=user,
            criterion=criterion,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
        )
        return _("The score has been saved.")

    return _officer_action(request, pk, act)


def _named_form_error(form: Any) -> ValidationError:
    """A form's errors as messages that name their field: "Payment date: Enter a valid date."."""
    messages_ = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        messages_ += [f"{label}: {message}" if label else str(message) for message in errors]
    return ValidationError(messages_)


@require_POST
def propose(request: HttpRequest, pk: int) -> HttpResponse:
    def act(application: Application, user: User) -> str:
        form = ProposalForm(request.POST)
        if not form.is_valid():
            raise _named_form_error(form)
        services.application_propose(
            application=application,
            actor=user,
            outcome=form.cleaned_data["outcome"],
            amount=form.cleaned_data["amount"],
            motivation=form.cleaned_data["motivation"],
            conditions=form.cleaned_data["conditions"],
            seen_version=form.cleaned_data["seen_version"],
        )
        return _("The proposal has been sent to the decision maker.")

    return _officer_action(request, pk, act)


def _add_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Two steps (check your answers): the first POST checks the decision and shows exactly
    what will be recorded; only "Take the decision" on that page decides. "Change" goes back
    to the form with what was typed."""
    application = selectors.application_get_for_officer(user=request.user, pk=pk)
    user = request_user(request)
    if not permissions.can_decide(user, application):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    if "edit" in request.POST or not form.is_valid():
        return _officer_page(request, application, decision_form=form)
    data = form.cleaned_data
    arguments: dict[str, Any] = {
        "application": application,
        "actor": user,
        "decision": data["decision"],
        "amount": data["amount"] if data["decision"] == DecisionChoice.CHANGE else None,
        "change_reason": data["change_reason"],
        "seen_version": data["seen_version"],
    }
    try:
        if "confirmed" not in request.POST:
            outcome = services.decision_preview(**arguments)
            return render(
                request,
                "grants/decision_confirm.html",
                {"application": application, "form": form, "outcome": outcome},
            )
        services.application_decide(**arguments)
    except ValidationError as error:
        if versions.FIELD in getattr(error, "error_dict", {}) or application.status != "proposed":
            error_messages(request, error)  # stale or already decided: reload and look again
            return redirect("grants:officer_application", pk=pk)
        _add_errors(form, error)
        return _officer_page(request, application, decision_form=form)
    messages.success(request, _("The decision has been taken."))
    return redirect("grants:officer_application", pk=pk)


# --- payments, follow-up reports, recoveries ------------------------------------------------


@require_POST
def payment_add(request: HttpRequest, pk: int) -> HttpResponse:
    def act(application: Application, user: User) -> str:
        form = PaymentForm(request.POST)
        if not form.is_valid():
            raise _named_form_error(form)
        services.payment_register(application=application, actor=user, **form.cleaned_data)
        return _("The payment has been registered.")

    return _officer_action(request, pk, act)


@require_POST
def recovery_add(request: HttpRequest, pk: int) -> HttpResponse:
    def act(application: Application, user: User) -> str:
        form = RecoveryForm(request.POST)
        if not form.is_valid():
            raise _named_form_error(form)
        services.recovery_open(application=application, actor=user, **form.cleaned_data)
        return _("The recovery has been opened and is shown to the association.")

    return _officer_action(request, pk, act)


@require_POST
def recovery_paid(request: HttpRequest, pk: int, recovery_pk: int) -> HttpResponse:
    def act(application: Application, user: User) -> str:
        recovery = selectors.recoveries_of(application=application).filter(pk=recovery_pk).first()
        form = RecoveryPaidForm(request.POST)
        if recovery is None or not form.is_valid():
            raise ValidationError(_("Give the date it was paid back."))
        services.recovery_mark_paid(
            recovery=recovery, actor=user, paid_on=form.cleaned_data["paid_on"]
        )
        return _("The recovery is recorded as paid back.")

    return _officer_action(request, pk, act)


def _cost_lines(application: Application) -> list[Any]:
    return list(application.budget_lines.filter(kind="cost").order_by("id"))


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, pk: int) -> HttpResponse:
    report, membership = selectors.report_get_for_member(user=request.user, pk=pk)
    editable = report.status in services.REPORT_EDITABLE and permissions.can_edit(membership)
    cost_lines = _cost_lines(report.application)
    form = ReportForm(report=report, cost_lines=cost_lines)
    problems: list[str] = []
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
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
    report = selectors.report_get_for_officer(user=request.user, pk=pk)
    if request.method == "POST":
        form = ReportReviewForm(request.POST)
        if form.is_valid():
            try:
                services.report_review(
                    report=report,
                    actor=request_user(request),
                    approve=form.cleaned_data["decision"] == "approve",
                    comment=form.cleaned_data["comment"],
                    seen_version=form.cleaned_data["seen_version"],
                )
            except ValidationError as error:
                error_messages(request, error)
            else:
                messages.success(request, _("The report has been reviewed."))
        return redirect("grants:officer_report", pk=pk)
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
            "can_review": permissions.can_handle(request_user(request), report.application)
            and report.status == "submitted",
            "seen_version": services.report_version(report),
            "today": timezone.localdate(),
        },
    )


def _list_page(
    request: HttpRequest,
    *,
    template: str,
    items_for: Any,
    states: list[tuple[str, str]],
    export_name: str,
    export_header: list[str],
    export_row: Any,
) -> HttpResponse | StreamingHttpResponse:
    form = OfficerListForm(
        request.GET,
        calls=selectors.inbox_calls(user=request.user),
        bodies=selectors.officer_bodies(user=request.user),
        states=states,
    )
    filters = form.cleaned_data if form.is_valid() else {}
    items = items_for(filters.get("state") or "", filters.get("call"), filters.get("public_body"))
    fmt = request.GET.get("export", "")
    if fmt in {"csv", "xlsx"}:
        return export_response(
            rows=(export_row(item) for item in items.iterator(chunk_size=2000)),
            header=export_header,
            filename=export_name,
            fmt=fmt,
        )
    query = query_without_page(request)
    return render(
        request,
        template,
        {
            "form": form,
            "page": paginate(request, items),
            "query": query,
            "export_query": query,
            "today": timezone.localdate(),
            "segregated": selectors.officer_has_exclusions(user=request.user),
        },
    )


@require_safe
def payments_list(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    return _list_page(
        request,
        template="grants/payments_list.html",
        items_for=lambda state, call, body: selectors.payments_list(
            user=request.user, call=call, public_body=body
        ),
        states=[],
        export_name="utbetalningar",
        export_header=[
            _("Registration number"),
            _("Organisation"),
            _("Call"),
            _("Payment date"),
            _("Amount (SEK)"),
            _("Reference"),
            _("Paid to"),
        ],
        export_row=lambda p: [
            p.application.registry_number,
            p.application.organisation.name,
            p.application.call.title,
            p.paid_on.isoformat(),
            p.amount,
            p.reference,
            p.account,
        ],
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


@require_safe
def recoveries_list(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    return _list_page(
        request,
        template="grants/recoveries_list.html",
        items_for=lambda state, call, body: selectors.recoveries_list(
            user=request.user, status=state, call=call, public_body=body
        ),
        states=[("open", _("To be paid back")), ("paid", _("Paid back"))],
        export_name="aterkrav",
        export_header=[
            _("Registration number"),
            _("Organisation"),
            _("Amount (SEK)"),
            _("Reason"),
            _("To be paid back by"),
            _("Status"),
            _("Paid back on"),
        ],
        export_row=lambda r: [
            r.application.registry_number,
            r.application.organisation.name,
            r.amount,
            r.reason,
            r.due_date.isoformat(),
            r.get_status_display(),
            r.paid_on.isoformat() if r.paid_on else "",
        ],
    )


# --- open data --------------------------------------------------------------------------------


@login_not_required
@require_safe
def open_data(request: HttpRequest) -> HttpResponse:
    return render(
        request, "grants/open_data.html", {"rows": selectors.granted_by_programme_and_year()}
    )


@login_not_required
@require_safe
def open_data_json(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    grants = selectors.granted()
    if not grants.exists():
        return JsonResponse(
            {
                "detail": "Inga beviljade bidrag är publicerade ännu. Ett 360Giving-paket kräver minst ett bidrag."
            },
            status=404,
            json_dumps_params={"ensure_ascii": False},
        )
    response = StreamingHttpResponse(
        open_data_files.package_stream(grants, download_url=request.build_absolute_uri()),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="grants.json"'
    return response


@login_not_required
@require_safe
def open_data_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    response = StreamingHttpResponse(
        open_data_files.csv_stream(selectors.granted()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="grants.csv"'
    return response
