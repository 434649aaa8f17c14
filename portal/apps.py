from django.apps import AppConfig
from django.urls import register_converter
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from portal.converters import IdConverter

        # Every id in a URL is `<id:pk>`: registered before any URLconf is read.
        register_converter(IdConverter, "id")
