"""Every read of the platform app that a view or middleware makes."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import CharField, Exists, Model, QuerySet
from django.http import HttpRequest

from portal import person_cache
from portal.models import (
    AuditEvent,
    PublicBodyMembership,
    PublicBodyRole,
    ReminderSettings,
    SiteSettings,
    User,
)
from portal.prepared import Prepared, slot

SITE_SETTINGS_CACHE_KEY = "portal:site_settings"
SITE_SETTINGS_CACHE_SECONDS = 300
# the generation of the kept reminder settings (raised by their save: portal.apps)
REMINDER_SETTINGS = "reminder-settings"


# The roles that make a person an officer: they handle and decide cases. A registrar
# (PublicBodyRole.REGISTRAR) reads the body's diarium (`portal.records`) and nothing else.
OFFICER_ROLES = frozenset({PublicBodyRole.CASE_OFFICER, PublicBodyRole.DECISION_MAKER})


def public_body_roles(*, user: User | AnonymousUser) -> list[PublicBodyMembership]:
    """Every role a person holds at a public body, registrars' included, with their public
    bodies. Read once per request and kept on the user object: the MFA check, the header and
    every permission use the same list; between requests in the shared cache until any of them
    changes (`portal.person_cache`). Each row also says whether the person has set up an
    authenticator app (`has_totp`), so that the MFA check of an officer's page costs no query
    of its own."""
    if not user.is_authenticated:
        return []
    cached: list[PublicBodyMembership] | None = user.__dict__.get("_public_body_memberships")
    if cached is None:

        def read() -> list[PublicBodyMembership]:
            return list(
                PublicBodyMembership.objects.filter(user=user)
                .select_related("public_body", "public_body__parent")
                .annotate(has_totp=Exists(_totp(user)))
            )

        cached = person_cache.remember(user.pk, "memberships", read)
        user.__dict__["_public_body_memberships"] = cached
    return cached


def user_memberships(*, user: User | AnonymousUser) -> list[PublicBodyMembership]:
    """The officer roles a person holds (case officer, decision maker), with their public
    bodies: what every permission to handle or decide a case reads (`public_body_roles`)."""
    return [m for m in public_body_roles(user=user) if m.role in OFFICER_ROLES]


def officer_body_ids(*, user: User | AnonymousUser, roles: list[str] | None = None) -> list[int]:
    """The public bodies where the person is an officer (in any officer role, or in one of
    `roles`), by id: what every app's officer lists are scoped to."""
    return sorted(
        {m.public_body_id for m in user_memberships(user=user) if roles is None or m.role in roles}
    )


def user_is_officer(*, user: User | AnonymousUser) -> bool:
    return bool(user_memberships(user=user))


def user_requires_mfa(*, user: User | AnonymousUser) -> bool:
    """Officers, decision makers, registrars and administrators must use a second factor."""
    if not user.is_authenticated:
        return False
    return bool(user.is_staff or user.is_superuser or public_body_roles(user=user))


def linked_eids(*, user: User) -> list[dict[str, Any]]:
    """The person's own linked e-legitimations: the provider, the name and level of assurance
    it last asserted, and when it was last used (never a number: there is none to show)."""
    from allauth.socialaccount.models import SocialAccount

    names = {app.provider_id or app.provider: app.name for app in _eid_apps()}
    return [
        {
            "id": account.pk,
            "provider_id": account.provider,
            "provider": names.get(account.provider, account.provider),
            "name": (account.extra_data or {}).get("name", ""),
            "loa": (account.extra_data or {}).get("loa", ""),
            "last_login": account.last_login,
        }
        for account in SocialAccount.objects.filter(user_id=user.pk).order_by("pk")
    ]


def _eid_apps() -> list[Any]:
    from allauth.socialaccount.adapter import get_adapter

    return list(get_adapter().list_apps(None))


def user_has_mfa(*, user: User | AnonymousUser) -> bool:
    if not user.is_authenticated:
        return False
    memberships = public_body_roles(user=user)
    if memberships:
        return bool(memberships[0].has_totp)  # type: ignore[attr-defined]
    return _totp(user).exists()


def _totp(user: User) -> QuerySet[Authenticator]:
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP)


def reminder_settings() -> ReminderSettings:
    """When reminders and the daily digest go out (the admin's Reminder settings): kept between
    requests until they change (`portal.person_cache`, generation REMINDER_SETTINGS)."""
    return person_cache.kept(
        "reminder-settings", ReminderSettings.load, generation=REMINDER_SETTINGS
    )


def site_settings(request: HttpRequest | None = None) -> SiteSettings:
    """Who runs the portal (name, logo, contact, personal-data text), as every page's header and
    footer show it: from the shared cache, read from the database only when the cache does not
    hold it (after a change in the admin); with `request`, read once per request."""
    cached: SiteSettings | None = getattr(request, "_site_settings", None)
    if cached is not None:
        return cached
    settings: SiteSettings | None = cache.get(SITE_SETTINGS_CACHE_KEY)
    if settings is None:
        settings = SiteSettings.load()
        # for a while only: a page that read the row just before a change was committed may
        # write the old values back after the change emptied the key
        if not person_cache.in_transaction():
            cache.set(SITE_SETTINGS_CACHE_KEY, settings, timeout=SITE_SETTINGS_CACHE_SECONDS)
    if request is not None:
        request._site_settings = settings  # type: ignore[attr-defined]
    return settings


def site_settings_forget() -> None:
    """After a change: the next page reads the settings anew. Every save of them calls it, at
    once and when the change is committed (`portal.apps`)."""
    cache.delete(SITE_SETTINGS_CACHE_KEY)


# the events a record's page shows, newest first (components/history.html)
HISTORY_SHOWN = 50

_HISTORY = Prepared(
    AuditEvent,
    lambda: AuditEvent.objects.filter(
        content_type_id=slot("type"), object_id=slot("object", CharField())
    ).order_by("-created_at", "-id")[:HISTORY_SHOWN],
)


def recent_history(record: Model) -> list[AuditEvent]:
    """The latest `HISTORY_SHOWN` events of `record` (an application, an organisation, an
    agreement), newest first: the query compiled once per worker (`portal.prepared`)."""
    return _HISTORY.all(type=ContentType.objects.get_for_model(record).pk, object=str(record.pk))
