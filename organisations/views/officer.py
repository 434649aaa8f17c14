"""The case officer's pages of the register: the queue, an organisation's page and its actions,
and the one way to declare a conflict of interest (jäv) on a case."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from organisations import permissions, segregation, selectors, services
from organisations.forms import (
    ConflictForm,
    DocumentReviewForm,
    PaymentVerificationForm,
    QueueFilterForm,
    RoleForm,
    TransitionForm,
    year_choices,
)
from organisations.models import Organisation, OrganisationRole, OrganisationStatus
from organisations.views.documents import year_asked
from organisations.views.members import _decide_join_request
from portal import registry, transitions
from portal.confirm import confirmation
from portal.http import error_messages, form_error_messages, request_user
from portal.pagination import paginate, query_without_page
from portal.panels import render_panels

# --- the case officer's pages ------------------------------------------------------------
#
# Segregation of duties: the queue leaves out the organisations the officer must stay out of
# (`segregation.exclude_conflicted`). Their page still opens, read-only: it says why the officer
# may not handle the case and offers no action; every action's service refuses it
# (`segregation.ensure_may_act`) and the view shows that refusal as a message.


def _refused(request: HttpRequest, error: PermissionDenied) -> None:
    """Show a service's refusal on segregation grounds (which always says why)."""
    if not error.args or not str(error.args[0]):
        raise error
    messages.error(request, str(error.args[0]))


@require_safe
def officer_queue(request: HttpRequest) -> HttpResponse:
    params = request.GET.copy()
    if "status" not in params:
        params["status"] = OrganisationStatus.PENDING
    form = QueueFilterForm(params, districts=selectors.districts())
    filters = form.cleaned_data if form.is_valid() else {"status": OrganisationStatus.PENDING}
    organisations = selectors.officer_queue(
        user=request.user,
        status=filters.get("status", ""),
        legal_form=filters.get("legal_form", ""),
        district=filters.get("district", ""),
        q=filters.get("q", "").strip(),
        documents_waiting=filters.get("documents") == "waiting",
    )
    return render(
        request,
        "organisations/officer_queue.html",
        {
            "form": form,
            "page": paginate(request, organisations),
            "query": query_without_page(request),
        },
    )


@require_safe
def officer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get_for_officer(user=request.user, pk=pk)
    user = request_user(request)
    # The year asked for, else the newest with documents waiting for review (a report for last
    # year is sent in this spring), else this year.
    waiting_years = selectors.document_years_waiting(organisation=organisation)
    years = sorted({year for year, _label in year_choices()} | set(waiting_years), reverse=True)
    year = year_asked(
        request,
        years,
        default=waiting_years[0] if waiting_years else timezone.localdate().year,
    )
    can_review = permissions.can_review(user, organisation)
    members = selectors.members_of(organisation=organisation)
    own_change = segregation.is_own_change(user, organisation.payment_details_changed_by_id)
    # The officer's moves (verifying their own change of the payment details is not one).
    moves = transitions.available_transitions(
        services.ORGANISATION_MACHINE, organisation, user, buttons=True
    )
    return render(
        request,
        "organisations/officer_detail.html",
        {
            "organisation": organisation,
            "target_groups": selectors.target_group_names(organisation=organisation),
            "year": year,
            "years": years,
            "waiting_years": waiting_years,
            "documents": selectors.documents_of_year(organisation=organisation, year=year),
            "members": members,
            "join_requests": selectors.pending_join_requests(organisation=organisation),
            "can_answer_join_requests": permissions.can_answer_as_officer(
                user,
                organisation,
                has_representative=any(
                    member.role == OrganisationRole.REPRESENTATIVE for member in members
                ),
            ),
            "history": selectors.history_of(organisation=organisation),
            "excluded": not can_review,
            "can_review": can_review,
            "can_verify_payment": permissions.can_verify_payment_details(user, organisation),
            "own_change": own_change,
            "can_declare_conflict": permissions.can_declare_conflict(user, organisation),
            "seen_version": selectors.payment_details_version(organisation),
            "transitions": moves,
            "transitions_to": [move.target for move in moves],
            "role_choices": RoleForm.base_fields["role"].choices,  # type: ignore[attr-defined]
            # what the other apps show of the organisation: its applications, for one
            "panels": render_panels(
                request, registry.ORGANISATION_OFFICER, organisation=organisation
            ),
        },
    )


def _officer_act(request: HttpRequest, pk: int, act: Callable[[], str]) -> HttpResponse:
    """Run one officer action from the organisation's page and go back to it: with the action's
    own message, or with why it was refused (nothing changed then)."""
    try:
        message = act()
    except ValidationError as error:
        error_messages(request, error)
    except PermissionDenied as error:
        _refused(request, error)
    else:
        messages.success(request, message)
    return redirect("organisations:officer_detail", pk=pk)


def _transition_consequences(organisation: Organisation, to: str, *, comment: str) -> list[str]:
    """What a status change on the organisation's page leads to, for its confirmation."""
    lines = [
        _("The association's representatives are told by email, with your comment.")
        if comment.strip()
        else _("The association's representatives are told by email.")
    ]
    if to == OrganisationStatus.VERIFIED:
        if not organisation.payment_details_verified and organisation.payment_account:
            lines.insert(
                0,
                _(
                    "The organisation number %(number)s and the account %(account)s are "
                    "verified with it: granted money can be paid there."
                )
                % {
                    "number": organisation.organisation_number or "–",
                    "account": organisation.payment_account_display,
                },
            )
        lines.append(_("The organisation can apply for grants that require verification."))
    else:
        lines.append(
            _("The organisation can no longer apply for grants that require verification.")
        )
    return lines


def _status_changed_message(to: str) -> str:
    """The message after a status change: what the organisation's status is now."""
    return {
        OrganisationStatus.VERIFIED: _("The organisation is now verified."),
        OrganisationStatus.PENDING: _("The organisation is now awaiting verification."),
        OrganisationStatus.NEEDS_UPDATE: _(
            "The organisation has been asked to complete its details."
        ),
        OrganisationStatus.REJECTED: _("The organisation's registration has been rejected."),
        OrganisationStatus.SUSPENDED: _("The organisation is now suspended."),
    }.get(to, _("The status has been changed."))  # type: ignore[call-overload]


@require_POST
def officer_transition(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get_for_officer(user=request.user, pk=pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        form_error_messages(request, form)
        return redirect("organisations:officer_detail", pk=pk)

    to = form.cleaned_data["to"]
    # A move the person may make is confirmed first; any other goes straight to the service,
    # which refuses it and says why.
    move = services.ORGANISATION_MACHINE.get(organisation.status, to)
    if not transitions.can(
        services.ORGANISATION_MACHINE, organisation, request_user(request), to=to
    ):
        move = None
    if move is not None and move.comment_required and not form.cleaned_data["comment"].strip():
        # said before the confirmation, not after it
        messages.error(request, str(services.ORGANISATION_MACHINE.comment_message))
        return redirect("organisations:officer_detail", pk=pk)
    if (
        move is not None
        and (
            response := confirmation(
                request,
                title=str(move.label),
                question=_("Change the status of %(name)s from “%(from)s” to “%(to)s”?")
                % {
                    "name": organisation.name,
                    "from": organisation.get_status_display(),
                    "to": OrganisationStatus(to).label,
                },
                consequences=_transition_consequences(
                    organisation, to, comment=form.cleaned_data["comment"]
                ),
                confirm_label=_("Yes, change the status"),
                cancel_url=reverse("organisations:officer_detail", args=[pk]),
                danger=to != OrganisationStatus.VERIFIED,
            )
        )
        is not None
    ):
        return response

    def act() -> str:
        services.organisation_transition(
            organisation=organisation,
            to=to,
            actor=request_user(request),
            comment=form.cleaned_data["comment"],
            seen_version=form.cleaned_data["seen_version"],
            seen_state=transitions.posted_state(request.POST),
        )
        return _status_changed_message(to)

    return _officer_act(request, pk, act)


@require_POST
def officer_verify_payment(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get_for_officer(user=request.user, pk=pk)
    form = PaymentVerificationForm(request.POST)
    seen = form.cleaned_data["seen_version"] if form.is_valid() else None
    if (
        permissions.can_verify_payment_details(request_user(request), organisation)
        and (
            response := confirmation(
                request,
                title=_("Verify the organisation number and account"),
                question=_("Verify %(account)s as the account of %(name)s?")
                % {"account": organisation.payment_account_display, "name": organisation.name},
                consequences=[
                    _(
                        "Granted money is paid to this account from now on. Check it against the "
                        "association's documents first."
                    ),
                    _("The verification is recorded in the history with your name."),
                ],
                confirm_label=_("Yes, verify the account"),
                cancel_url=reverse("organisations:officer_detail", args=[pk]),
                danger=False,
            )
        )
        is not None
    ):
        return response

    def act() -> str:
        services.organisation_verify_payment_details(
            organisation=organisation, actor=request_user(request), seen_version=seen
        )
        return _("The organisation number and account are verified.")

    return _officer_act(request, pk, act)


@require_POST
def officer_document_review(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    organisation = selectors.organisation_get_for_officer(user=request.user, pk=pk)
    document = selectors.document_get(organisation=organisation, pk=document_pk)
    form = DocumentReviewForm(request.POST)
    if not form.is_valid():
        form_error_messages(request, form)
        return redirect("organisations:officer_detail", pk=pk)
    approve = form.cleaned_data["decision"] == "approve"
    may = permissions.can_review(request_user(request), organisation)
    if may and not approve and not form.cleaned_data["comment"].strip():
        messages.error(request, str(services.DOCUMENT_MACHINE.comment_message))
        return redirect("organisations:officer_detail", pk=pk)
    what = f"{document.get_kind_display()} {document.year}"
    if (
        may
        and (
            response := confirmation(
                request,
                title=_("Approve the document") if approve else _("Send the document back"),
                question=(
                    _("Approve %(document)s of %(name)s?")
                    if approve
                    else _("Send %(document)s back to %(name)s?")
                )
                % {"document": what, "name": organisation.name},
                consequences=[
                    _("The file you had on screen is approved; a new upload needs a new review.")
                    if approve
                    else _("The association is asked to upload a new version, with your comment."),
                ],
                confirm_label=_("Yes, approve") if approve else _("Yes, send it back"),
                cancel_url=reverse("organisations:officer_detail", args=[pk]),
                danger=not approve,
            )
        )
        is not None
    ):
        return response

    def act() -> str:
        services.document_review(
            document=document,
            actor=request_user(request),
            approve=approve,
            comment=form.cleaned_data["comment"],
            seen_version=form.cleaned_data["seen_version"],
        )
        return (
            _("The document has been approved.")
            if approve
            else _("The document has been sent back.")
        )

    return _officer_act(request, pk, act)


@require_POST
def officer_join_request_decide(request: HttpRequest, pk: int, request_pk: int) -> HttpResponse:
    organisation = selectors.organisation_get_for_officer(user=request.user, pk=pk)
    try:
        return _decide_join_request(
            request, organisation, request_pk, "organisations:officer_detail"
        )
    except PermissionDenied as error:
        _refused(request, error)
        return redirect("organisations:officer_detail", pk=pk)


def declare_conflict(
    request: HttpRequest,
    *,
    case: models.Model,
    back: str,
    done: str,
    done_message: str,
    organisations: Iterable[Organisation] = (),
) -> HttpResponse:
    """The one way an officer declares a conflict of interest (jäv) on a case: the form of
    `organisations/_conflict_form.html` posts `reason` to a view of the case's app, which calls
    this with the case it fetched through its own officer selector, and the organisations the
    case concerns. Refused or empty: the officer is sent back to the case (`back`) with the
    message; declared: to `done`."""
    organisations = list(organisations)
    form = ConflictForm(request.POST)
    if not form.is_valid():
        form_error_messages(request, form)
        return redirect(back)
    if (
        response := confirmation(
            request,
            title=_("Declare a conflict of interest"),
            question=_("Declare a conflict of interest (jäv) in %(case)s?") % {"case": case},
            consequences=[
                _(
                    "You step out of the case: it disappears from your lists and another "
                    "officer handles it."
                ),
                _(
                    "The declaration is recorded in the case's history with your reason and "
                    "cannot be withdrawn."
                ),
                *[
                    _(
                        "A conflict in this case is a conflict with %(organisation)s: you also "
                        "step out of its other cases, its verification and its documents."
                    )
                    % {"organisation": organisation}
                    for organisation in organisations
                    if not (isinstance(case, Organisation) and organisation.pk == case.pk)
                ],
            ],
            confirm_label=_("Yes, declare a conflict of interest"),
            cancel_url=back,
        )
    ) is not None:
        return response
    try:
        services.conflict_declare(
            actor=request_user(request),
            case=case,
            reason=form.cleaned_data["reason"],
            organisations=organisations,
        )
    except ValidationError as error:
        error_messages(request, error)
        return redirect(back)
    messages.success(request, done_message)
    return redirect(done)


@require_POST
def officer_declare_conflict(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get_for_officer(user=request.user, pk=pk)
    if segregation.is_excluded(request.user, organisation_ids=[organisation.pk], case=organisation):
        messages.info(request, str(segregation.EXCLUDED_MESSAGE))
        return redirect("organisations:officer_queue")
    return declare_conflict(
        request,
        case=organisation,
        back=reverse("organisations:officer_detail", args=[pk]),
        done=reverse("organisations:officer_queue"),
        done_message=_(
            "You have declared a conflict of interest in %(name)s. Another case officer handles "
            "the organisation; it is no longer shown in your queue."
        )
        % {"name": organisation.name},
    )
