"""Every read of the platform app that a view or middleware makes."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.contrib.auth.models import AnonymousUser

from portal.models import PublicBodyMembership, ReminderSettings, User


def user_memberships(*, user: User | AnonymousUser) -> list[PublicBodyMembership]:
    """The officer roles a person holds, with their public bodies. Read once per request and
    kept on the user object: the MFA check, the header and every permission use the same list."""
    if not user.is_authenticated:
        return []
    cached: list[PublicBodyMembership] | None = user.__dict__.get("_public_body_memberships")
    if cached is None:
        cached = list(
            PublicBodyMembership.objects.filter(user=user).select_related(
                "public_body", "public_body__parent"
            )
        )
        user.__dict__["_public_body_memberships"] = cached
    return cached


def user_is_officer(*, user: User | AnonymousUser) -> bool:
    return bool(user_memberships(user=user))


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


def reminder_settings() -> ReminderSettings:
    """When reminders and the daily digest go out (the admin's Reminder settings)."""
    return ReminderSettings.load()
