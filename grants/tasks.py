"""Emails about applications, sent by a worker after the change is committed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from celery import shared_task
from django.urls import reverse

from organisations.tasks import representative_emails
from portal.emails import send_templated_email
from portal.tasks import PortalTask

if TYPE_CHECKING:
    from grants.models import Application


def _application(pk: int) -> Application | None:
    from grants.models import Application

    return (
        Application.objects.select_related("call", "organisation", "call__programme__public_body")
        .filter(pk=pk)
        .first()
    )


@shared_task(name="grants.tasks.send_receipt_email", base=PortalTask)
def send_receipt_email(application_id: int, user_id: int) -> None:
    from portal.models import User

    application = _application(application_id)
    user = User.objects.filter(pk=user_id).first()
    if application is None or user is None:
        return
    send_templated_email(
        template="grants/email/receipt",
        to=sorted({user.email, *representative_emails(application.organisation_id)}),
        context={
            "application": application,
            "url": reverse("grants:application", args=[application.pk]),
        },
    )


@shared_task(name="grants.tasks.send_completion_request_email", base=PortalTask)
def send_completion_request_email(application_id: int) -> None:
    application = _application(application_id)
    if application is None:
        return
    send_templated_email(
        template="grants/email/completion",
        to=representative_emails(application.organisation_id, include_editors=True),
        context={
            "application": application,
            "url": reverse("grants:application", args=[application.pk]),
        },
    )


@shared_task(name="grants.tasks.send_decision_email", base=PortalTask)
def send_decision_email(application_id: int) -> None:
    application = _application(application_id)
    if application is None:
        return
    send_templated_email(
        template="grants/email/decision",
        to=representative_emails(application.organisation_id, include_editors=True),
        context={
            "application": application,
            "url": reverse("grants:application", args=[application.pk]),
        },
    )
