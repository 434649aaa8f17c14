"""The association's own pages: its organisations, registering one, its page, editing its
details and sending it back for review."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from organisations import permissions, selectors, services
from organisations.forms import (
    JoinRequestForm,
    OrganisationForm,
)
from organisations.models import Organisation, OrganisationStatus
from portal import transitions
from portal.http import error_messages, request_user

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
            "target_groups": selectors.target_group_names(organisation=organisation),
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
