from django.apps import AppConfig
from django.urls import register_converter
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from portal import notifications, registry
        from portal.converters import IdConverter

        # Every id in a URL is `<id:pk>`: registered before any URLconf is read.
        register_converter(IdConverter, "id")
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
