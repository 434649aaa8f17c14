"""The association's pages: start an application (or continue the draft), write it as a task
list on one page, attach files, check the answers and send it in, see the receipt, delete a
draft, withdraw an application.

The application is one page with its sections (about, budget, attachments) and a task list at
the top that names each section's status and jumps to it. One page rather than a page per
section because the association's representative is often a volunteer on a phone: one page
loads once, keeps its place, saves everything typed with one button, and every secondary
action on it (uploading or removing a file) is a button of the same form, which saves what was
typed first. Sending in is a separate step, the check-answers page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from grants import permissions, selectors, services
from grants.forms import (
    ApplicationForm,
    AttachmentForm,
    BudgetFormSet,
    DraftAttachmentsForm,
    StartForm,
    amount_for_input,
    budget_lines_from,
    upload_help,
)
from grants.models import Application, ApplicationStatus
from grants.tasks import application_sections, attachment_slots
from grants.views._shared import _application_context
from portal import transitions, versions
from portal.confirm import confirmation
from portal.eid import signing as eid_signing
from portal.http import error_messages, form_error_messages, private_file_response, request_user
from portal.models import User
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
    # One draft per organisation and call: starting again continues the draft there is.
    draft = next(
        (
            d
            for d in selectors.drafts_for_call(user=request.user, call=call)
            if d.organisation_id == organisation.pk
        ),
        None,
    )
    if draft is not None:
        messages.info(
            request,
            _(
                "%(organisation)s already has a draft for this call. You continue where you "
                "left off."
            )
            % {"organisation": organisation.name},
        )
        return redirect("grants:application", pk=draft.pk)
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


def _budget_initial(application: Application) -> list[dict[str, Any]]:
    return [
        {
            "kind": line.kind,
            "description": line.description,
            "amount": amount_for_input(line.amount),
        }
        for line in application.budget_lines.all()
    ]


def _save_draft(
    request: HttpRequest, application: Application, form: ApplicationForm, budget: Any
) -> str:
    """Save what the form holds. Returns "all" when everything was saved, "partly" when the
    answers were saved but the budget (with errors) was not, "none" when nothing was; errors
    are added to the forms, for the page's error summary. "stale" when someone else saved the
    application after this page was drawn: nothing is saved and nothing in the form is wrong,
    so the page says that alone (what was typed stays in the form)."""
    if not form.is_valid():
        budget.is_valid()  # its errors are shown too
        return "none"
    budget_ok = budget.is_valid()
    lines = (
        budget_lines_from(budget)
        if budget_ok
        else [
            {"kind": line.kind, "description": line.description, "amount": line.amount}
            for line in application.budget_lines.all()
        ]
    )
    try:
        services.application_save(
            application=application,
            actor=request_user(request),
            title=form.cleaned_data["title"],
            answers=form.answers(),
            amount_requested=form.cleaned_data["amount_requested"],
            budget_lines=lines,
            planned_start=form.cleaned_data["planned_start"],
            planned_end=form.cleaned_data["planned_end"],
            seen_state=transitions.posted_state(request.POST),
        )
    except ValidationError as error:
        if _is_stale(error):
            return "stale"
        if hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error.messages)
        return "none"
    return "all" if budget_ok else "partly"


def _is_stale(error: ValidationError) -> bool:
    """The refusal of a page drawn before the application last changed (and nothing else)."""
    if not hasattr(error, "error_dict") or set(error.error_dict) != {versions.FIELD}:
        return False
    return all(e.code == "stale" for e in error.error_dict[versions.FIELD])


@require_http_methods(["GET", "POST"])
def application(request: HttpRequest, pk: int) -> HttpResponse:
    """The application's page. While the association writes it (a draft, or a completion
    asked for), one form with its sections: "save" saves the draft, "check" saves and goes on
    to the check-answers page, "upload" (a slot's key) saves and then stores that file,
    "remove" (an attachment's id) saves and then removes that file. Afterwards, read only."""
    application, membership = selectors.application_get_for_member(user=request.user, pk=pk)
    editable = application.status in services.EDITABLE and permissions.can_edit(membership)
    if request.method == "POST" and not editable:
        raise PermissionDenied
    slots = attachment_slots(
        application.call.attachment_types.all(),
        selectors.current_attachments(application=application),
    )
    form = ApplicationForm(application=application)
    budget = BudgetFormSet(prefix="budget", initial=_budget_initial(application))
    attachments_form = DraftAttachmentsForm(slots=slots) if editable else None
    saved = ""
    if request.method == "POST":
        form = ApplicationForm(request.POST, application=application)
        budget = BudgetFormSet(request.POST, prefix="budget")
        upload = request.POST.get("upload", "")
        remove = request.POST.get("remove", "")
        saved = _save_draft(request, application, form, budget)
        application.refresh_from_db()
        done: list[str] = []
        if upload:
            attachments_form = DraftAttachmentsForm(
                request.POST, request.FILES, slots=slots, upload=upload
            )
            if attachments_form.is_valid():
                attachment_type, file = attachments_form.chosen()
                try:
                    stored = services.attachment_add(
                        application=application,
                        actor=request_user(request),
                        attachment_type=attachment_type,
                        upload=file,
                    )
                except ValidationError as error:
                    attachments_form.add_error(f"file_{upload}", error.messages)
                else:
                    done.append(
                        _("The attachment “%(name)s” has been added.")
                        % {"name": stored.original_name}
                    )
                    attachments_form = DraftAttachmentsForm(slots=slots)
        elif remove.isdigit():
            attachment = selectors.attachment_get_for_user(
                user=request.user, application_pk=pk, pk=int(remove)
            )
            try:
                services.attachment_remove(attachment=attachment, actor=request_user(request))
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                done.append(
                    _("The attachment “%(name)s” has been removed.")
                    % {"name": attachment.original_name}
                )
        for message in done:
            messages.success(request, message)
        upload_failed = attachments_form is not None and attachments_form.errors
        if saved == "all" and not upload_failed and not form.errors:
            if "check" in request.POST:
                return redirect("grants:check", pk=pk)
            if not done:
                messages.success(request, _("The draft has been saved."))
            anchor = "#bilagor" if (upload or remove) else ""
            return redirect(reverse("grants:application", args=[pk]) + anchor)
        application.refresh_from_db()
        slots = attachment_slots(
            application.call.attachment_types.all(),
            selectors.current_attachments(application=application),
        )
        if attachments_form is not None:
            attachments_form.slots = {slot.key: slot for slot in slots}
    return render(
        request,
        "grants/application.html",
        _application_context(
            application,
            membership=membership,
            editable=editable,
            form=form,
            budget=budget,
            attachments_form=attachments_form,
            slots=slots,
            sections=application_sections(
                application, slots=slots, budget_lines=list(application.budget_lines.all())
            ),
            saved=saved,
            page_errors=saved == "stale",
            upload_help=upload_help(),
            **_member_actions(application, membership, request_user(request)),
        ),
    )


def _member_actions(application: Application, membership: Any, user: User) -> dict[str, bool]:
    """What the page offers the person: withdrawing (the transition table decides) and deleting
    a draft that was never sent in."""
    return {
        "can_withdraw": transitions.can(
            services.APPLICATION_MACHINE, application, user, to=ApplicationStatus.WITHDRAWN
        ),
        "can_delete": application.status == ApplicationStatus.DRAFT
        and not application.registry_number
        and permissions.can_edit(membership),
    }


SEND_IN_WITH_EID = "application_submit"  # the kind of signing portal.eid.signing completes


@require_http_methods(["GET", "POST"])
def application_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Check the answers and send in (GOV.UK's check answers pattern): every answer with a link
    to change it, what stops the sending in at the top with a link to where it is put right,
    and the send-in button. The only place an application is sent in from. Where the programme
    asks for it, the button first takes the person to their identity provider
    (`send_in_with_eid`)."""
    return _check_and_send(request, pk)


def send_in_with_eid(request: HttpRequest, values: dict[str, Any], proof: Any) -> HttpResponse:
    """The identity provider's answer to "Send in and confirm with e-legitimation"."""
    return _check_and_send(
        request, int(values["application"]), seen_state=values.get("seen_state"), proof=proof
    )


def _check_and_send(
    request: HttpRequest, pk: int, *, seen_state: str | None = None, proof: Any = None
) -> HttpResponse:
    application, membership = selectors.application_get_for_member(user=request.user, pk=pk)
    if application.status not in services.EDITABLE or not permissions.can_edit(membership):
        return redirect("grants:application", pk=pk)
    refused: list[str] = []
    if request.method == "POST" or proof is not None:
        if proof is None:
            seen_state = transitions.posted_state(request.POST)
        try:
            if proof is None and request.POST.get("with") == "eid":
                # what can be checked before leaving for the identity provider is checked now
                transitions.ensure_seen_state(application, seen_state)
                missing = services.completeness_problems(application)
                closing = services.closed_problem(application)
                if missing or closing:
                    raise ValidationError([*missing, *([closing] if closing else [])])
                return eid_signing.begin(
                    request,
                    kind=SEND_IN_WITH_EID,
                    values={"application": pk, "seen_state": seen_state},
                    back=reverse("grants:check", args=[pk]),
                )
            services.application_submit(
                application=application,
                actor=request_user(request),
                seen_state=seen_state,
                proof=proof,
            )
        except ValidationError as error:
            refused = error.messages
            application, membership = selectors.application_get_for_member(user=request.user, pk=pk)
        else:
            # the receipt page says it (a completion's receipt in its own words)
            return redirect("grants:receipt", pk=pk)
    problems = services.completeness_items(application)
    closed = services.closed_problem(application)
    send_in_eid = services.send_in_needs_eid(application)
    slots = attachment_slots(
        application.call.attachment_types.all(),
        selectors.current_attachments(application=application),
    )
    return render(
        request,
        "grants/application_check.html",
        _application_context(
            application,
            problems=problems,
            closed=closed,
            # what stopped the sending in that the list of problems below does not say already
            refused=(
                [m for m in refused if m not in {p.message for p in problems} | {closed}]
                or [_("Put right what is listed below first.")]
            )
            if refused
            else [],
            slots=slots,
            page_errors=bool(refused),
            send_in_eid=send_in_eid,
            # read only where the programme asks for e-legitimation
            eid_linked=send_in_eid and bool(eid_signing.linked_providers(request.user)),
        ),
    )


@require_safe
def application_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The receipt after sending in: the diarienummer the first time, "we have received the
    completion" after a completion."""
    application, _membership = selectors.application_get_for_member(user=request.user, pk=pk)
    submission = selectors.latest_submission(application=application)
    if submission is None:
        return redirect("grants:application", pk=pk)
    return render(
        request,
        "grants/application_receipt.html",
        {"application": application, "submission": submission},
    )


@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    """An upload on its own (the page's form uploads through `application`, saving first)."""
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


def _title(application: Application) -> str:
    return application.title or _("Untitled draft")


@require_POST
def application_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a draft that was never sent in, after the confirmation step."""
    application, membership = selectors.application_get_for_member(user=request.user, pk=pk)
    if not permissions.can_edit(membership):
        raise PermissionDenied
    if not _member_actions(application, membership, request_user(request))["can_delete"]:
        messages.error(
            request,
            _(
                "Only a draft that was never sent in can be deleted. Withdraw the application instead."
            ),
        )
        return redirect("grants:application", pk=pk)
    if (
        response := confirmation(
            request,
            title=_("Delete the draft"),
            question=_("Do you want to delete the draft “%(title)s”?")
            % {"title": _title(application)},
            confirm_label=_("Delete the draft"),
            cancel_url=reverse("grants:application", args=[pk]),
            consequences=[
                _("The answers, the budget and the attachments of the draft are deleted."),
                _("This cannot be undone."),
            ],
        )
    ) is not None:
        return response
    try:
        services.application_delete(
            application=application,
            actor=request_user(request),
            seen_state=transitions.posted_state(request.POST),
        )
    except ValidationError as error:
        error_messages(request, error)
        return redirect("grants:application", pk=pk)
    messages.success(request, _("The draft has been deleted."))
    return redirect("grants:mine")


@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw an application that was sent in, after the confirmation step."""
    application, membership = selectors.application_get_for_member(user=request.user, pk=pk)
    if not permissions.can_edit(membership):
        raise PermissionDenied
    if (
        transitions.can(
            services.APPLICATION_MACHINE,
            application,
            request_user(request),
            to=ApplicationStatus.WITHDRAWN,
        )
        and (
            response := confirmation(
                request,
                title=_("Withdraw the application"),
                question=_("Do you want to withdraw the application %(number)s?")
                % {"number": application.registry_number or _title(application)},
                confirm_label=_("Withdraw the application"),
                cancel_url=reverse("grants:application", args=[pk]),
                consequences=[
                    _("The application will not be assessed and no decision will be taken on it."),
                    _("It stays on record with its registration number. This cannot be undone."),
                ],
            )
        )
        is not None
    ):
        return response
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
