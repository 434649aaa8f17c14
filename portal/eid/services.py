"""Writes of e-legitimation that are the person's own: removing a linked e-legitimation."""

from __future__ import annotations

from allauth.socialaccount.internal.flows.connect import disconnect, validate_disconnect
from allauth.socialaccount.models import SocialAccount
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest

from portal.models import User
from portal.services import audit_record


@transaction.atomic
def eid_unlink(request: HttpRequest, *, actor: User, account_pk: int) -> None:
    """The person removes one of their own linked e-legitimations: refused (ValidationError)
    when it is how they log in and they have no password; allauth asks for the password again
    unless it was typed recently (ReauthenticationRequired). Recorded on the person."""
    account = SocialAccount.objects.select_for_update().filter(pk=account_pk).first()
    if account is None or account.user_id != actor.pk:
        raise PermissionDenied
    validate_disconnect(request, account)
    provider = account.provider
    disconnect(request, account)
    audit_record(actor=actor, obj=actor, action="eid_unlinked", comment=provider)
