"""The association's pages: start an application, write it, attach files, send it in, withdraw it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from grants import permissions, selectors, services
from grants.forms import (
    ApplicationForm,
    AttachmentForm,
    BudgetFormSet,
    StartForm,
    amount_for_input,
    budget_lines_from,
)
from grants.models import ApplicationStatus
from grants.views._shared import _application_context
from portal import transitions
from portal.http import error_messages, form_error_messages, private_file_response, request_user
from portal.pagination import paginate


@require_POST
def application_start(request: HttpRequest, pk: int) -> HttpResponse:
    call = selectors.call_get_public(pk=pk)
    organisations = {o.pk: o for o in selectors.organisations_that_may_apply(user=request.user)}
    form = StartForm(
        request.POST, organisations=[(pk_, o.name) for pk_, o in organisations.items()]
    )
    if not form.is_valid():
        messages.error(request, _("Choose the organisation that applies."))
        return redirect("grants:call", pk=pk)
    organisation = organisations[int(form.cleaned_data["organisation"])]
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
                    seen_state=transitions.posted_state(request.POST),
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
            can_withdraw=transitions.can(
                services.APPLICATION_MACHINE,
                application,
                request_user(request),
                to=ApplicationStatus.WITHDRAWN,
            ),
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
        services.application_withdraw(
            application=application,
            actor=request_user(request),
            seen_state=transitions.posted_state(request.POST),
        )
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(request, _("The application has been withdrawn."))
    return redirect("grants:application", pk=pk)
