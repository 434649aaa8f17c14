from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = _("Who gets the support")

    def ready(self) -> None:
        from insights import demo, panels, selectors, services, store
        from insights.models import YearlyReport
        from portal import person_cache, registry
        from portal.models import User

        # after the apps whose facts it reads (they stand before it in INSTALLED_APPS)
        store.watch()
        # the dashboard's list of yearly reports names who asked for each
        for model in (YearlyReport, User):
            person_cache.watch(model, generation=selectors.REPORTS)
        for item in panels.NAV:
            registry.register_nav_item(item)
        for panel in panels.PANELS:
            registry.register_panel(panel)
        registry.register_seeder("insights", demo.seed_insights)
        from insights.personal_data import SOURCE as PERSONAL_DATA

        registry.register_personal_data(PERSONAL_DATA)
        registry.register_audit_labels(actions=services.AUDIT_ACTIONS)
