"""Pages of the register: the association's own pages, the case officer's queue, and the public
directory. Each view parses the request, calls one selector or service, and renders."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from organisations import permissions, segregation, selectors, services
from organisations.forms import (
    ConflictForm,
    DirectorySearchForm,
    DocumentReviewForm,
    DocumentUploadForm,
    InviteForm,
    JoinDecisionForm,
    JoinRequestForm,
    OrganisationForm,
    PaymentVerificationForm,
    QueueFilterForm,
    RoleForm,
    TransitionForm,
    year_choices,
)
from organisations.models import Organisation, OrganisationRole, OrganisationStatus
from portal import transitions
from portal.http import error_messages, form_error_messages, private_file_response, request_user
from portal.pagination import paginate, query_without_page

# --- the association's pages ------------------------------------------------------------


@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "organisations/mine.html",
        {
            "memberships": selectors.memberships_for_user(user=user),
            "join_requests": selectors.join_requests_for_user(user=user),
        },
    )


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = OrganisationForm(request.POST or None, initial={"contact_email": user.email})
    taken: Organisation | None = None
    if request.method == "POST" and form.is_valid():
        data, groups = form.service_data()
        number = data.get("organisation_number")
        taken = selectors.organisation_find_by_number(number=number) if number else None
        if taken is None:
            try:
                organisation = services.organisation_register(
                    actor=user, data=data, target_groups=groups
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _(
                        "%(name)s is registered. A case officer will verify it; upload the annual documents meanwhile."
                    )
                    % {"name": organisation.name},
                )
                return redirect("organisations:documents", pk=organisation.pk)
    join_form = (
        JoinRequestForm(initial={"organisation_number": taken.organisation_number})
        if taken
        else None
    )
    return render(
        request,
        "organisations/register.html",
        {"form": form, "taken": taken, "join_form": join_form},
    )


@require_POST
def join_request_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = JoinRequestForm(request.POST)
    organisation = form.is_valid() and selectors.organisation_find_by_number(
        number=form.cleaned_data["organisation_number"]
    )
    if not organisation:
        messages.error(request, _("No organisation with that number is registered."))
        return redirect("organisations:register")
    try:
        services.join_request_create(
            organisation=organisation, actor=user, message=form.cleaned_data["message"]
        )
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(
            request,
            _("Your request has been sent. You will get an email when it has been answered."),
        )
    return redirect("organisations:mine")


@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation, membership = selectors.organisation_get_for_member(user=request.user, pk=pk)
    year = timezone.localdate().year
    return render(
        request,
        "organisations/detail.html",
        {
            "organisation": organisation,
            "membership": membership,
            "year": year,
            "documents": selectors.documents_of_year(organisation=organisation, year=year),
            "can_edit": permissions.can_edit_organisation(membership),
            "can_resubmit": transitions.can(
                services.ORGANISATION_MACHINE,
                organisation,
                request_user(request),
                to=OrganisationStatus.PENDING,
            ),
            "target_groups": organisation.target_groups.all(),
        },
    )


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation, membership = selectors.organisation_get_for_member(user=request.user, pk=pk)
    if not permissions.can_edit_organisation(membership):
        raise PermissionDenied
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        data, groups = form.service_data()
        # The form changed the instance while validating; the service starts from the database.
        organisation.refresh_from_db()
        was_verified = organisation.status == OrganisationStatus.VERIFIED
        payment_was_verified = organisation.payment_details_verified
        try:
            updated = services.organisation_update(
                organisation=organisation,
                actor=request_user(request),
                data=data,
                target_groups=groups,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The changes have been saved."))
            if was_verified and updated.status == OrganisationStatus.PENDING:
                messages.warning(
                    request,
                    _(
                        "You changed the organisation's name, organisation number or legal form, "
                        "so a case officer must verify the organisation again. Until then it "
                        "cannot apply for grants that require a verified organisation, and "
                        "nothing can be paid to it."
                    ),
                )
            elif payment_was_verified and not updated.payment_details_verified:
                messages.warning(
                    request,
                    _(
                        "A case officer must verify the new organisation number or account "
                        "before any payment goes there."
                    ),
                )
            return redirect("organisations:detail", pk=pk)
    return render(request, "organisations/edit.html", {"form": form, "organisation": organisation})


@require_POST
def resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation, _membership = selectors.organisation_get_for_member(user=request.user, pk=pk)
    try:
        services.organisation_transition(
            organisation=organisation,
            to=OrganisationStatus.PENDING,
            actor=request_user(request),
            seen_state=transitions.posted_state(request.POST),
        )
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(request, _("The organisation has been sent for review again."))
    return redirect("organisations:detail", pk=pk)


@require_safe
def members(request: HttpRequest, pk: int) -> HttpResponse:
    organisation, membership = selectors.organisation_get_for_member(user=request.user, pk=pk)
    manage = permissions.can_manage_members(membership)
    return render(
        request,
        "organisations/members.html",
        {
            "organisation": organisation,
            "membership": membership,
            "members": selectors.members_of(organisation=organisation),
            "can_manage": manage,
            "invitations": selectors.open_invitations(organisation=organisation) if manage else [],
            "join_requests": selectors.pending_join_requests(organisation=organisation)
            if manage
            else [],
            "invite_form": InviteForm() if manage else None,
            "role_choices": RoleForm.base_fields["role"].choices,  # type: ignore[attr-defined]
        },
    )


@require_POST
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    organisation, _membership = selectors.organisation_get_for_member(user=request.user, pk=pk)
    form = InviteForm(request.POST)
    if not form.is_valid():
        form_error_messages(request, form)
        return redirect("organisations:members", pk=pk)
    try:
        services.invitation_create(
            organisation=organisation,
            actor=request_user(request),
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
        )
    except ValidationError as error:
        error_messages(request, error)
    else:
        messages.success(
            request,
            _("An invitation has been sent to %(email)s.") % {"email": form.cleaned_data["email"]},
        )
    return redirect("organisations:members", pk=pk)


@require_POST
def invitation_revoke(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    organisation, _membership = selectors.organisation_get_for_member(user=request.user, pk=pk)
    invitation = selectors.invitation_get(organisation=organisation, pk=invitation_pk)
    services.invitation_revoke(invitation=invitation, actor=request_user(request))
    messages.success(request, _("The invitation has been withdrawn."))
    return redirect("organisations:members", pk=pk)


@require_POST
def member_role(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    organisation, _membership = selectors.organisation_get_for_member(user=request.user, pk=pk)
    target = selectors.membership_get(organisation=organisation, pk=member_pk)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.membership_change_role(
                membership=target, actor=request_user(request), role=form.cleaned_data["role"]
            )
        except ValidationError as error:
            error_messages(request, error)
        else:
            messages.success(request, _("The role has been changed."))
    return redirect("organisations:members", pk=pk)


@require_POST
def member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    organisation, _membership = selectors.organisation_get_for_member(user=request.user, pk=pk)
    target = selectors.membership_get(organisation=organisation, pk=member_pk)
    user = request_user(request)
    leaving = target.user_id == user.pk
    try:
        services.membership_remove(membership=target, actor=user)
    except ValidationError as error:
        error_messages(request, error)
        return redirect("organisations:members", pk=pk)
    if leaving:
        messages.success(request, _("You have left %(name)s.") % {"name": organisation.name})
        return redirect("organisations:mine")
    messages.success(
        request, _("%(person)s has been removed.") % {"person": target.user.display_name}
    )
    return redirect("organisations:members", pk=pk)


@require_POST
def join_request_decide(request: HttpRequest, pk: int, request_pk: int) -> HttpResponse:
    organisation, _membership = selectors.organisation_get_for_member(user=request.user, pk=pk)
    return _decide_join_request(request, organisation, request_pk, "organisations:members")


def _decide_join_request(
    request: HttpRequest, organisation: Organisation, request_pk: int, back: str
) -> HttpResponse:
    join_request = selectors.join_request_get(organisation=organisation, pk=request_pk)
    form = JoinDecisionForm(request.POST)
    if form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            services.join_request_decide(
                join_request=join_request,
                actor=request_user(request),
                accept=accept,
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            error_messages(request, error)
        else:
            messages.success(
                request,
                _("The request has been accepted.")
                if accept
                else _("The request has been declined."),
            )
    else:
        form_error_messages(request, form)
    return redirect(back, pk=organisation.pk)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = selectors.invitation_get_by_token(token=token)
    if request.method == "POST":
        try:
            membership = services.invitation_accept(
                invitation=invitation, actor=request_user(request)
            )
        except ValidationError as error:
            error_messages(request, error)
        else:
            messages.success(
                request, _("Welcome to %(name)s.") % {"name": membership.organisation.name}
            )
            return redirect("organisations:detail", pk=membership.organisation_id)
    return render(request, "organisations/invitation.html", {"invitation": invitation})


@require_http_methods(["GET", "POST"])
def documents(request: HttpRequest, pk: int) -> HttpResponse:
    organisation, membership = selectors.organisation_get_for_member(user=request.user, pk=pk)
    can_upload = permissions.can_upload_documents(membership)
    years = [year for year, _label in year_choices()]
    try:
        year = int(request.GET.get("ar", timezone.localdate().year))
    except ValueError:
        year = timezone.localdate().year
    if year not in years:
        year = timezone.localdate().year
    form = DocumentUploadForm(initial={"year": year})
    if request.method == "POST":
        if not can_upload:
            raise PermissionDenied
        form = DocumentUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                version = services.document_upload(
                    organisation=organisation,
                    actor=request_user(request),
                    year=form.cleaned_data["year"],
                    kind=form.cleaned_data["kind"],
                    upload=form.cleaned_data["file"],
                )
            except ValidationError as error:
                form.add_error("file", error)
            else:
                messages.success(
                    request,
                    _("%(document)s has been uploaded.")
                    % {"document": version.document.get_kind_display()},
                )
                return redirect(f"{request.path}?ar={form.cleaned_data['year']}")
    return render(
        request,
        "organisations/documents.html",
        {
            "organisation": organisation,
            "membership": membership,
            "year": year,
            "years": years,
            "rows": selectors.documents_of_year(organisation=organisation, year=year),
            "form": form if can_upload else None,
        },
    )


@require_safe
def document_download(request: HttpRequest, pk: int, version_pk: int) -> FileResponse:
    version = selectors.document_version_get_for_user(
        user=request.user, organisation_pk=pk, pk=version_pk
    )
    return private_file_response(version)


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
    year = timezone.localdate().year
    can_review = permissions.can_review(user, organisation)
    members = list(selectors.members_of(organisation=organisation))
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
            "year": year,
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
            "history": selectors.history_of(organisation=organisation)[:50],
            "excluded": not can_review,
            "can_review": can_review,
            "can_verify_payment": permissions.can_verify_payment_details(user, organisation),
            "own_change": own_change,
            "can_declare_conflict": permissions.can_declare_conflict(user, organisation),
            "seen_version": selectors.payment_details_version(organisation),
            "transitions": moves,
            "transitions_to": [move.target for move in moves],
            "role_choices": RoleForm.base_fields["role"].choices,  # type: ignore[attr-defined]
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


@require_POST
def officer_transition(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get_for_officer(user=request.user, pk=pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        form_error_messages(request, form)
        return redirect("organisations:officer_detail", pk=pk)

    def act() -> str:
        services.organisation_transition(
            organisation=organisation,
            to=form.cleaned_data["to"],
            actor=request_user(request),
            comment=form.cleaned_data["comment"],
            seen_version=form.cleaned_data["seen_version"],
            seen_state=transitions.posted_state(request.POST),
        )
        return _("The status has been changed.")

    return _officer_act(request, pk, act)


@require_POST
def officer_verify_payment(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get_for_officer(user=request.user, pk=pk)
    form = PaymentVerificationForm(request.POST)
    seen = form.cleaned_data["seen_version"] if form.is_valid() else None

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
    form = ConflictForm(request.POST)
    if not form.is_valid():
        form_error_messages(request, form)
        return redirect(back)
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


# --- the public directory ------------------------------------------------------------------


@login_not_required
@require_safe
def directory(request: HttpRequest) -> HttpResponse:
    groups = list(selectors.target_groups())
    form = DirectorySearchForm(
        request.GET, districts=selectors.directory_districts(), target_groups=groups
    )
    filters = form.cleaned_data if form.is_valid() else {}
    organisations = selectors.directory(
        q=(filters.get("q") or "").strip(),
        district=filters.get("district") or "",
        target_group=filters.get("target_group"),
    )
    return render(
        request,
        "organisations/directory.html",
        {
            "form": form,
            "page": paginate(request, organisations),
            "query": query_without_page(request),
        },
    )


@login_not_required
@require_safe
def directory_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.directory_get(pk=pk)
    return render(request, "organisations/directory_detail.html", {"organisation": organisation})
