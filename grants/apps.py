from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrantsConfig(AppConfig):
    name = "grants"
    verbose_name = _("Grants")

    def ready(self) -> None:
        from grants import demo, facts, notifications, panels
        from grants.views.applications import SEND_IN_WITH_EID, send_in_with_eid
        from portal.eid import signing as eid_signing

        # "Send in and confirm with e-legitimation": the identity provider's answer sends it in.
        eid_signing.register(SEND_IN_WITH_EID, send_in_with_eid)
        from grants.models import (
            ApplicationStatus,
            Call,
            Programme,
            Question,
            RecoveryStatus,
            ReportStatus,
        )
        from grants.selectors.applications import CHOICES
        from portal import person_cache, public_cache, registry
        from portal.models import PublicBodyMembership, User

        # The lists' filter choices, kept between requests (grants.selectors.inbox_calls and
        # inbox_officers): the calls of a body, and its case officers by name.
        # The questions of a call (grants.selectors.call_questions) and the case officers a case
        # may be assigned to (colleague_choices) likewise.
        for model in (Call, Programme, PublicBodyMembership, Question):
            person_cache.watch(model, generation=CHOICES)
        # The open calls, kept for every visitor (portal.public_cache).
        for model in (Call, Programme):
            person_cache.watch(model, generation=public_cache.LISTS)
        person_cache.watch(
            User,
            generation=CHOICES,
            # a login writes last_login only: no name changes, and nobody leaves or comes back
            only=lambda update_fields=None, **_kwargs: (
                update_fields is None or bool({"name", "email", "is_active"} & set(update_fields))
            ),
        )

        for kind in notifications.KINDS:
            registry.register_kind(kind)
        registry.register_reminder_source("grants", notifications.grant_reminders)
        for section in notifications.SECTIONS:
            registry.register_digest_section(section)
        registry.register_audit_labels(
            actions={
                "created": _("Application started"),
                "saved": _("Draft saved"),
                "attachment_added": _("Attachment added"),
                "attachment_removed": _("Attachment removed"),
                "draft_deleted": _("Draft deleted"),
                "assigned": _("Case officer assigned"),
                "scored": _("Criterion scored"),
                "score_removed": _("Score taken back"),
                "paid": _("Payment registered"),
                "recovery_opened": _("Recovery opened"),
                "recovery_paid": _("Recovery paid back"),
                "report_saved": _("Follow-up report saved"),
                "report_attachment_added": _("Attachment added to the follow-up report"),
                "report_status_changed": _("Status of the follow-up report changed"),
            },
            states={
                "grants.application": ApplicationStatus.choices,
                "grants.followupreport": ReportStatus.choices,
                "report_status_changed": ReportStatus.choices,  # recorded on the application
                "grants.recovery": RecoveryStatus.choices,
            },
        )
        for panel in panels.PANELS:
            registry.register_panel(panel)
        for name, source in panels.TODOS:
            registry.register_todo_source(name, source)
        for item in panels.NAV:
            registry.register_nav_item(item)
        registry.register_seeder("grants", demo.seed_grants)
        from grants.personal_data import SOURCE as PERSONAL_DATA

        registry.register_personal_data(PERSONAL_DATA)
        from grants.records import KIND

        registry.register_record_kind(KIND)
        from grants.retention import KINDS as DISPOSAL_KINDS

        for disposal in DISPOSAL_KINDS:
            registry.register_disposal_kind(disposal)
        # every application sent in, for the statistics of who gets the support (insights)
        registry.register_fact_source(facts.SOURCE)
        # closed grant cases, delivered to the e-archive (portal.earchive)
        from grants import archive

        registry.register_archive_source(archive.SOURCE)
