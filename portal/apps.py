from django.apps import AppConfig
from django.urls import register_converter
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from allauth.mfa.models import Authenticator

        from portal import notifications, person_cache, registry, selectors
        from portal.converters import IdConverter
        from portal.models import (
            PublicBody,
            PublicBodyMembership,
            ReminderSettings,
            SiteSettings,
        )

        # Every id in a URL is `<id:pk>`: registered before any URLconf is read.
        register_converter(IdConverter, "id")
        # A person's roles and second factor, kept between requests (portal.person_cache).
        for model in (PublicBodyMembership, PublicBody, Authenticator):
            person_cache.watch(model)
        # The frame of every page names who runs the portal (portal.templatetags.frame).
        person_cache.watch(SiteSettings, generation=person_cache.FRAME)
        # When the daily digest goes out, as Notiser offers it (portal.selectors).
        person_cache.watch(ReminderSettings, generation=selectors.REMINDER_SETTINGS)
        registry.register_kind(notifications.DIGEST)
        registry.register_audit_labels(
            actions={
                "admin_added": _("Added in the admin"),
                "admin_changed": _("Changed in the admin"),
                "admin_deleted": _("Deleted in the admin"),
                "role_granted": _("Officer role granted"),
                "role_revoked": _("Officer role revoked"),
                "notification_settings": _("Notification settings changed"),
            }
        )
