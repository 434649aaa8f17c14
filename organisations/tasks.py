"""The invitation email: sent by a worker after the invitation is committed. It goes to an
address that may have no account yet, so it is the one email outside the notification outbox
(portal.notifications), which writes to people."""

from __future__ import annotations

from celery import shared_task
from django.urls import reverse

from portal.emails import send_templated_email
from portal.tasks import PortalTask


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
