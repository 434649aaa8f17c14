"""Every read of the platform app that a view or middleware makes."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from portal.models import PublicBodyMembership, User


def user_memberships(*, user: User | AnonymousUser) -> QuerySet[PublicBodyMembership]:
    """The officer roles a person holds, with their public bodies, for display."""
    if not user.is_authenticated:
        return PublicBodyMembership.objects.none()
    return PublicBodyMembership.objects.filter(user=user).select_related(
        "public_body", "public_body__parent"
    )


def user_is_officer(*, user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and PublicBodyMembership.objects.filter(user=user).exists())


def user_requires_mfa(*, user: User | AnonymousUser) -> bool:
    """Officers, decision makers and administrators must use a second factor."""
    if not user.is_authenticated:
        return False
    return bool(user.is_staff or user.is_superuser or user_is_officer(user=user))


def user_has_mfa(*, user: User | AnonymousUser) -> bool:
    return bool(
        user.is_authenticated
        and Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    )
