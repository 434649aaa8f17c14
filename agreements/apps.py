from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = _("IOP agreements")

    def ready(self) -> None:
        from agreements import demo, notifications, panels
        from agreements.models import (
            Agreement,
            AgreementStatus,
            AgreementVersion,
            Contribution,
            Party,
        )

        # "Sign with e-legitimation": the identity provider's answer completes the signature.
        from agreements.views.signing import SIGN_WITH_EID, sign_with_eid
        from portal import person_cache, public_cache, registry
        from portal.eid import signing as eid_signing

        eid_signing.register(SIGN_WITH_EID, sign_with_eid)

        # The public register, kept for every visitor (portal.public_cache): the agreements,
        # their parties, the public side's contributions and the signed versions.
        for model in (Agreement, Party, Contribution, AgreementVersion):
            person_cache.watch(model, generation=public_cache.LISTS)

        for kind in notifications.KINDS:
            registry.register_kind(kind)
        registry.register_reminder_source("agreements", notifications.agreement_reminders)
        registry.register_audit_labels(
            actions={
                "initiated": _("Initiative filed"),
                "section_saved": _("Section saved"),
                "commented": _("Comment"),
                "contribution_added": _("Contribution added"),
                "signatory_set": _("Signatory chosen"),
                "signed": _("Signed"),
                "signing_restarted": _("Signing started again"),
                "signing_withdrawn": _("Signing stopped"),
                "signatory_replaced": _("Signatory replaced"),
                "party_added": _("Party added"),
                "pdf_public": _("PDF made public"),
                "follow_up_planned": _("Follow-up planned"),
                "follow_up_recorded": _("Follow-up recorded"),
                "follow_up_reviewed": _("Follow-up reviewed"),
            },
            states={"agreements.agreement": AgreementStatus.choices},
        )
        for panel in panels.PANELS:
            registry.register_panel(panel)
        for name, source in panels.TODOS:
            registry.register_todo_source(name, source)
        for item in panels.NAV:
            registry.register_nav_item(item)
        registry.register_seeder("agreements", demo.seed_agreements)
        # signed agreements, delivered to the e-archive (portal.earchive)
        from agreements import archive

        registry.register_archive_source(archive.SOURCE)
        from agreements.personal_data import SOURCE as PERSONAL_DATA

        registry.register_personal_data(PERSONAL_DATA)
        from agreements.records import KIND

        registry.register_record_kind(KIND)
