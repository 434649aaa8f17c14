"""Consultations (remisser, sakråd): the public list and each consultation's page (the question,
its documents and last day; after the last day the public responses, and what happened next),
where members of the organisations asked respond; and the officers' pages, where a
consultation is written, published, its sensitive responses assessed and its outcome told."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from dialogue import permissions, selectors, services
from dialogue.forms import (
    AssessForm,
    ConsultationForm,
    DocumentForm,
    FeedbackForm,
    OutcomeForm,
    ResponseForm,
)
from dialogue.models import Consultation, ConsultationStatus, Response, Secrecy
from organisations.models import OrganisationRole, TargetGroup
from portal import transitions
from portal.confirm import confirmation
from portal.formats import long_date
from portal.http import (
    add_service_errors,
    error_messages,
    offered_form,
    private_file_response,
    request_user,
)
from portal.pagination import paginate
from portal.public_cache import public_page


def _url(pk: int, anchor: str = "") -> str:
    return reverse("dialogue:consultation", args=[pk]) + (f"#{anchor}" if anchor else "")


def _officer_url(pk: int, anchor: str = "") -> str:
    return reverse("dialogue:officer_consultation", args=[pk]) + (f"#{anchor}" if anchor else "")


# --- the public side --------------------------------------------------------------------------


@login_not_required
@require_safe
@public_page
def consultations(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.public_consultations())
    return render(request, "dialogue/consultations.html", {"page": page})


@login_not_required
@require_safe
def consultation(request: HttpRequest, pk: int) -> HttpResponse:
    return consultation_page(request, selectors.consultation_public(pk=pk))


def consultation_page(
    request: HttpRequest, found: Consultation, *, bound: dict[str, Any] | None = None
) -> HttpResponse:
    bound = bound or {}
    user = request.user
    open_ = services.consultation_open(found)
    responding = (
        selectors.responding_organisations(user=user, consultation=found)
        if open_ and user.is_authenticated
        else []
    )
    return render(
        request,
        "dialogue/consultation.html",
        {
            "consultation": found,
            "documents": selectors.documents_of(found),
            "open": open_,
            "closed": services.consultation_closed(found),
            "responses": selectors.public_responses(found),
            "own": selectors.own_responses(user=user, consultation=found)
            if user.is_authenticated
            else [],
            "response_form": offered_form(
                bound,
                "response_form",
                bool(responding),
                partial(ResponseForm, organisations=responding),
            ),
            "page_errors": bool(bound),
        },
        status=400 if bound else 200,
    )


@require_POST
def respond(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    found = selectors.consultation_public(pk=pk)
    form = ResponseForm(
        request.POST,
        request.FILES,
        organisations=selectors.responding_organisations(user=user, consultation=found),
    )
    if form.is_valid():
        organisation = selectors.own_organisation(
            user=user,
            pk=form.cleaned_data["organisation"],
            roles=[OrganisationRole.REPRESENTATIVE, OrganisationRole.EDITOR],
        )
        data = form.cleaned_data
        try:
            created = services.response_submit(
                actor=user,
                consultation=found,
                organisation=organisation,
                text=data["text"],
                sensitive_note=data["sensitive_note"],
                uploads=data["attachments"],
            )
        except (PermissionDenied, ValidationError) as error:
            add_service_errors(form, error, refused=_("You may not respond for this organisation."))
        else:
            messages.success(
                request,
                _("The response has been received and registered as %(number)s.")
                % {"number": created.registry_number},
            )
            return redirect(_url(pk, "ert-svar"))
    return consultation_page(request, found, bound={"response_form": form})


@login_not_required
@require_safe
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    return private_file_response(selectors.consultation_file(user=request.user, pk=pk))


@login_not_required
@require_safe
def response_file(request: HttpRequest, pk: int) -> FileResponse:
    return private_file_response(selectors.response_file(user=request.user, pk=pk))


# --- the officers' side -----------------------------------------------------------------------


def _choices(user: Any) -> dict[str, Any]:
    bodies = selectors.managed_bodies(user=user)
    return {
        "bodies": bodies,
        "groups": list(TargetGroup.objects.order_by("position", "name").values_list("pk", "name")),
        "forums": list(
            selectors.managed_forums(user=user).order_by("title").values_list("pk", "title")
        ),
    }


@require_http_methods(["GET", "POST"])
def officer_consultations(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not permissions.can_manage_any(user):
        raise PermissionDenied
    form = ConsultationForm(request.POST or None, initial={"audience": "all"}, **_choices(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        body = selectors.managed_body(user=user, pk=data["public_body"])
        forum = (
            selectors.managed_forums(user=user).filter(pk=data["forum"]).first()
            if data["forum"]
            else None
        )
        try:
            created = services.consultation_create(
                actor=user,
                public_body=body,
                title=data["title"],
                question=data["question"],
                audience=data["audience"],
                deadline=data["deadline"],
                forum=forum,
                target_groups=list(TargetGroup.objects.filter(pk__in=data["target_groups"])),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The consultation is saved as a draft. Add its documents, then publish it."),
            )
            return redirect("dialogue:officer_consultation", pk=created.pk)
    return render(
        request,
        "dialogue/officer_consultations.html",
        {"page": paginate(request, selectors.managed_consultations(user=user)), "form": form},
        status=400 if form.errors else 200,
    )


@require_safe
def officer_consultation(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    return officer_page(request, selectors.consultation_for_manager(user=user, pk=pk))


def officer_page(
    request: HttpRequest, found: Consultation, *, bound: dict[str, Any] | None = None
) -> HttpResponse:
    bound = bound or {}
    closed = services.consultation_closed(found)
    responses = selectors.all_responses(found)
    return render(
        request,
        "dialogue/officer_consultation.html",
        {
            "consultation": found,
            "documents": selectors.documents_of(found),
            "draft": found.status == ConsultationStatus.DRAFT,
            "open": services.consultation_open(found),
            "closed": closed,
            "seen_state": transitions.state_token(found),
            "document_form": offered_form(bound, "document_form", not closed, DocumentForm),
            "responses": [
                (
                    response,
                    bound.get(f"assess_form_{response.pk}")
                    or AssessForm(auto_id=f"id_assess_{response.pk}_%s"),
                    bound.get(f"feedback_form_{response.pk}")
                    or FeedbackForm(
                        initial={"feedback": response.feedback},
                        auto_id=f"id_feedback_{response.pk}_%s",
                    ),
                )
                for response in responses
            ],
            "pending": sum(1 for r in responses if r.secrecy == Secrecy.PENDING),
            "outcome_form": offered_form(
                bound,
                "outcome_form",
                closed and found.outcome_published_at is None,
                partial(OutcomeForm, initial={"seen_state": transitions.state_token(found)}),
            ),
            "page_errors": bool(bound),
        },
        status=400 if bound else 200,
    )


@require_POST
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    found = selectors.consultation_for_manager(user=user, pk=pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.consultation_document_add(
                actor=user, consultation=found, upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, _("The document has been added."))
            return redirect(_officer_url(pk, "dokument"))
    return officer_page(request, found, bound={"document_form": form})


@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    found = selectors.consultation_for_manager(user=user, pk=pk)
    if (
        response := confirmation(
            request,
            title=_("Publish the consultation"),
            question=_("Publish “%(title)s” and ask the organisations?") % {"title": found.title},
            confirm_label=_("Publish"),
            cancel_url=_officer_url(pk),
            consequences=[
                _("Everyone can read the question and its documents."),
                _("The representatives and editors of the organisations asked are told by email."),
                _("Responses are taken until %(date)s.") % {"date": long_date(found.deadline)},
            ],
            danger=False,
        )
    ) is not None:
        return response
    try:
        services.consultation_publish(
            actor=user, consultation=found, seen_state=transitions.posted_state(request.POST)
        )
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(request, _("The consultation is published."))
    return redirect(_officer_url(pk))


def _response(found: Consultation, pk: int) -> Response:
    response = Response.objects.filter(pk=pk, consultation=found).first()
    if response is None:
        raise Http404
    return response


@require_POST
def assess(request: HttpRequest, pk: int, response: int) -> HttpResponse:
    user = request_user(request)
    found = selectors.consultation_for_manager(user=user, pk=pk)
    target = _response(found, response)
    form = AssessForm(request.POST, auto_id=f"id_assess_{target.pk}_%s")
    if form.is_valid():
        try:
            services.response_assess(
                actor=user,
                response=target,
                secrecy=form.cleaned_data["secrecy"],
                reason=form.cleaned_data["reason"],
                public_text=form.cleaned_data["public_text"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The assessment of %(number)s is recorded.") % {"number": target.registry_number},
            )
            return redirect(_officer_url(pk, f"svar-{target.pk}"))
    return officer_page(request, found, bound={f"assess_form_{target.pk}": form})


@require_POST
def feedback(request: HttpRequest, pk: int, response: int) -> HttpResponse:
    user = request_user(request)
    found = selectors.consultation_for_manager(user=user, pk=pk)
    target = _response(found, response)
    form = FeedbackForm(request.POST, auto_id=f"id_feedback_{target.pk}_%s")
    if form.is_valid():
        try:
            services.response_feedback(
                actor=user, response=target, feedback=form.cleaned_data["feedback"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The note on the response is saved."))
            return redirect(_officer_url(pk, f"svar-{target.pk}"))
    return officer_page(request, found, bound={f"feedback_form_{target.pk}": form})


@require_POST
def outcome(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    found = selectors.consultation_for_manager(user=user, pk=pk)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        return officer_page(request, found, bound={"outcome_form": form})
    if (
        response := confirmation(
            request,
            title=_("Publish what happened next"),
            question=_("Publish what happened next and tell every organisation that responded?"),
            confirm_label=_("Publish"),
            cancel_url=_officer_url(pk, "vad-hande-sedan"),
            consequences=[
                _(
                    "Everyone can read it on the consultation's page, with your notes on each response."
                ),
                _("It is no longer changed."),
            ],
            danger=False,
        )
    ) is not None:
        return response
    try:
        services.consultation_outcome_publish(
            actor=user,
            consultation=found,
            outcome=form.cleaned_data["outcome"],
            seen_state=form.cleaned_data["seen_state"] or "",
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return officer_page(request, found, bound={"outcome_form": form})
    messages.success(request, _("What happened next is published; the organisations are told."))
    return redirect(_officer_url(pk, "vad-hande-sedan"))
