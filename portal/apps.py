from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest
from django.urls import register_converter
from django.utils.translation import gettext_lazy as _


def _site_settings_saved(**_kwargs: object) -> None:
    from django.db import transaction

    from portal.selectors import site_settings_forget

    site_settings_forget()
    transaction.on_commit(site_settings_forget)


def _user_changed(instance: object, **_kwargs: object) -> None:
    """The person's own row changed (a password, deactivated, a name, a login): the copies of it
    the workers keep (`portal.auth_backends`) are stale."""
    from portal import person_cache
    from portal.auth_backends import user_generation

    person_cache.changed(user_generation(getattr(instance, "pk", None)))


def _records_panel(request: HttpRequest) -> dict[str, object]:
    from portal.http import request_user
    from portal.retention import may_hold

    return {"is_case_officer": may_hold(request_user(request))}


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from allauth.mfa.models import Authenticator

        from portal import notifications, person_cache, public_cache, registry, selectors
        from portal.converters import IdConverter, SpreadsheetConverter
        from portal.eid import adapter as eid_adapter  # noqa: F401  (its signal receivers)
        from portal.eid import keep_answers_out_of_the_database

        keep_answers_out_of_the_database()
        from portal.models import (
            PublicBody,
            PublicBodyMembership,
            PublicBodyRole,
            ReminderSettings,
            SiteSettings,
            User,
        )

        # The logged-in person's row, kept by the workers (portal.auth_backends).
        post_save.connect(_user_changed, sender=User, dispatch_uid="person-cache-user")
        post_delete.connect(_user_changed, sender=User, dispatch_uid="person-cache-user")
        # Every id in a URL is `<id:pk>`: registered before any URLconf is read.
        register_converter(IdConverter, "id")
        register_converter(SpreadsheetConverter, "spreadsheet")
        # A person's roles and second factor, kept between requests (portal.person_cache).
        for model in (PublicBodyMembership, PublicBody, Authenticator):
            person_cache.watch(model)
        # The public lists name each call's and agreement's public body (portal.public_cache).
        person_cache.watch(PublicBody, generation=public_cache.LISTS)
        # The frame of every page names who runs the portal (portal.templatetags.frame), and
        # every page reads them from the shared cache: any save empties it, at once and on commit.
        person_cache.watch(SiteSettings, generation=person_cache.FRAME)
        post_save.connect(_site_settings_saved, sender=SiteSettings, dispatch_uid="site-settings")
        # When the daily digest goes out, as Notiser offers it (portal.selectors).
        person_cache.watch(ReminderSettings, generation=selectors.REMINDER_SETTINGS)
        registry.register_kind(notifications.DIGEST)
        from portal.personal_data import platform_source

        registry.register_personal_data(platform_source())
        from portal.retention import platform_kinds

        for disposal in platform_kinds():
            registry.register_disposal_kind(disposal)
        # The registrar's diarium (portal.records) in the officers' menu for registrars, whose
        # menu has nothing else; officers, whose menu is full, find it and the legal holds
        # (portal.retention) on Case handling.
        registry.register_nav_item(
            registry.NavItem(
                "portal:diarium", _("Diarium"), registry.OFFICER, 90, (PublicBodyRole.REGISTRAR,)
            )
        )
        registry.register_panel(
            registry.Panel(
                "records", registry.OFFICER_HOME, _records_panel, "portal/panels/records.html", 90
            )
        )
        registry.register_audit_labels(
            actions={
                "admin_added": _("Added in the admin"),
                "admin_changed": _("Changed in the admin"),
                "admin_deleted": _("Deleted in the admin"),
                "role_granted": _("Officer role granted"),
                "role_revoked": _("Officer role revoked"),
                "notification_settings": _("Notification settings changed"),
                "eid_unlinked": _("E-legitimation removed"),
                "personal_data_exported": _("Copy of personal data downloaded"),
                "personal_data_erased": _("Account erased (personal data removed)"),
                "archive_batch_requested": _("Delivery to the e-archive started"),
                "legal_hold_set": _("Legal hold set"),
                "legal_hold_lifted": _("Legal hold lifted"),
            }
        )
