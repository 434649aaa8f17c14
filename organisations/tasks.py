"""Emails of the register, sent by a worker after the change that caused them is committed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from celery import shared_task
from django.urls import reverse

from portal.emails import send_templated_email
from portal.tasks import PortalTask

if TYPE_CHECKING:
    from organisations.models import JoinRequest


def representative_emails(organisation_id: int, *, include_editors: bool = False) -> list[str]:
    from organisations.models import OrganisationMembership, OrganisationRole

    roles = [OrganisationRole.REPRESENTATIVE]
    if include_editors:
        roles.append(OrganisationRole.EDITOR)
    return list(
        OrganisationMembership.objects.filter(
            organisation_id=organisation_id, role__in=roles
        ).values_list("user__email", flat=True)
    )


def _join_request(pk: int) -> JoinRequest | None:
    from organisations.models import JoinRequest

    return JoinRequest.objects.select_related("organisation", "user").filter(pk=pk).first()


@shared_task(name="organisations.tasks.send_invitation_email", base=PortalTask)
def send_invitation_email(invitation_id: int) -> None:
    from organisations.models import Invitation

    invitation = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not invitation.is_open:
        return
    send_templated_email(
        template="organisations/email/invitation",
        to=[invitation.email],
        context={
            "invitation": invitation,
            "url": reverse("organisations:invitation_accept", args=[invitation.token]),
        },
    )


@shared_task(name="organisations.tasks.send_join_request_email", base=PortalTask)
def send_join_request_email(join_request_id: int) -> None:
    join_request = _join_request(join_request_id)
    if join_request is None:
        return
    send_templated_email(
        template="organisations/email/join_request",
        to=representative_emails(join_request.organisation_id),
        context={
            "join_request": join_request,
            "url": reverse("organisations:members", args=[join_request.organisation_id]),
        },
    )


@shared_task(name="organisations.tasks.send_join_decision_email", base=PortalTask)
def send_join_decision_email(join_request_id: int) -> None:
    join_request = _join_request(join_request_id)
    if join_request is None:
        return
    send_templated_email(
        template="organisations/email/join_decision",
        to=[join_request.user.email],
        context={"join_request": join_request, "url": reverse("organisations:mine")},
    )


@shared_task(name="organisations.tasks.send_organisation_status_email", base=PortalTask)
def send_organisation_status_email(organisation_id: int) -> None:
    from organisations.models import Organisation

    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return
    send_templated_email(
        template="organisations/email/status",
        to=representative_emails(organisation.pk),
        context={
            "organisation": organisation,
            "url": reverse("organisations:detail", args=[organisation.pk]),
        },
    )
