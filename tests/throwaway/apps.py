from django.apps import AppConfig


class ThrowawayConfig(AppConfig):
    name = "tests.throwaway"
    label = "throwaway"
    verbose_name = "Errands (test app)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from portal import registry
        from tests.throwaway import plug

        registry.register_kind(plug.ERRAND_DUE)
        registry.register_reminder_source("errands", plug.errands_due)
        registry.register_digest_section(plug.WAITING_ERRANDS)
        registry.register_todo_source("errands", plug.errands_to_do)
        registry.register_personal_data(plug.PERSONAL_DATA)
