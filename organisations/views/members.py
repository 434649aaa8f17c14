"""The association's people: asking to join, the members' page, invitations, roles, leaving,
and answering requests to join (on the officer's page too)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from organisations import permissions, selectors, services
from organisations.forms import (
    InviteForm,
    JoinDecisionForm,
    JoinRequestForm,
    RoleForm,
)
from organisations.models import Organisation
from portal.http import error_messages, form_error_messages, request_user


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
