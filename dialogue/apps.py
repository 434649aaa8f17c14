from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DialogueConfig(AppConfig):
    name = "dialogue"
    verbose_name = _("Dialogue and compacts")

    def ready(self) -> None:
        from dialogue import demo, notifications, panels, services
        from dialogue.views.compacts import SIGN_ON_WITH_EID, sign_on_with_eid
        from portal.eid import signing as eid_signing

        # "Sign with e-legitimation": the identity provider's answer completes the sign-on.
        eid_signing.register(SIGN_ON_WITH_EID, sign_on_with_eid)
        from dialogue.models import (
            Compact,
            CompactVersion,
            Consultation,
            Forum,
            Meeting,
            VersionStatus,
        )
        from portal import person_cache, public_cache, registry

        # the public lists of compacts, forums and consultations are kept for every visitor
        # (portal.public_cache)
        for model in (Compact, CompactVersion, Forum, Meeting, Consultation):
            person_cache.watch(model, generation=public_cache.LISTS)

        for kind in notifications.KINDS:
            registry.register_kind(kind)
        registry.register_reminder_source("dialogue", notifications.meeting_notices)
        for section in notifications.SECTIONS:
            registry.register_digest_section(section)
        registry.register_reminder_source(
            "dialogue-consultations", notifications.consultation_reminders
        )
        for item in panels.NAV:
            registry.register_nav_item(item)
        for panel in panels.PANELS:
            registry.register_panel(panel)
        registry.register_todo_source("dialogue", panels.todos)
        registry.register_seeder("dialogue", demo.seed_dialogue)
        from dialogue.personal_data import SOURCE as PERSONAL_DATA

        registry.register_personal_data(PERSONAL_DATA)
        from dialogue.records import KINDS

        for record_kind in KINDS:
            registry.register_record_kind(record_kind)
        registry.register_audit_labels(
            actions=services.AUDIT_ACTIONS,
            states={"dialogue.compactversion": VersionStatus.choices},
        )
