from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from organisations import demo, notifications, panels, selectors
        from organisations.models import (
            ConflictOfInterest,
            DocumentStatus,
            JoinRequest,
            Organisation,
            OrganisationMembership,
            OrganisationRole,
            OrganisationStatus,
            PastMembership,
            TargetGroup,
        )
        from portal import person_cache, public_cache, registry

        # What segregation of duties reads of a person, kept between requests
        # (organisations.segregation, portal.person_cache): their memberships now and past,
        # requests to join, conflicts declared, and the organisations they registered (who
        # registered one is written once, when it is created).
        for model in (OrganisationMembership, PastMembership, JoinRequest, ConflictOfInterest):
            person_cache.watch(model)
        person_cache.watch(Organisation, only=lambda created=False, **_kwargs: bool(created))
        # The frame of every page names a member's organisations (portal.templatetags.frame).
        person_cache.watch(Organisation, generation=person_cache.FRAME)
        # The officer's queue offers every district an organisation is in.
        person_cache.watch(Organisation, generation=selectors.DISTRICTS)
        # The public directory offers every target group.
        person_cache.watch(TargetGroup, generation=selectors.TARGET_GROUPS)
        # The public directory, kept for every visitor (portal.public_cache), with each
        # organisation's target groups; an organisation's name is also in the IOP register.
        for listed in (Organisation, TargetGroup, Organisation.target_groups.through):
            person_cache.watch(listed, generation=public_cache.LISTS)

        for kind in notifications.KINDS:
            registry.register_kind(kind)
        registry.register_reminder_source(
            "annual_documents", notifications.annual_documents_missing
        )
        registry.register_audit_labels(
            actions={
                "registered": _("Registered"),
                "details_updated": _("Details changed"),
                "payment_details_changed": _("Organisation number or account changed"),
                "payment_details_verified": _("Organisation number and account verified"),
                "status_changed": _("Status changed"),
                "member_invited": _("Person invited"),
                "invitation_revoked": _("Invitation withdrawn"),
                "member_joined": _("Person joined"),
                "member_role_changed": _("Role changed"),
                "member_removed": _("Person removed"),
                "member_left": _("Person left"),
                "member_erased": _("Person's account erased"),
                "contact_handed_over": _("Contact handed over to another representative"),
                "join_requested": _("Request to join"),
                "join_accepted": _("Request to join accepted"),
                "join_declined": _("Request to join declined"),
                "document_uploaded": _("Document uploaded"),
                "document_approved": _("Document approved"),
                "document_returned": _("Document sent back"),
                "identity_changed": _("Name, organisation number or legal form changed"),
                "conflict_declared": _("Conflict of interest declared"),
                "de_minimis_granted": _("De minimis aid entered in the ledger"),
                "aid_declared": _("De minimis aid from others declared"),
                "undertaking_linked": _("Linked as one undertaking"),
                "undertaking_unlinked": _("No longer one undertaking"),
            },
            states={
                "organisations.organisation": [
                    *OrganisationStatus.choices,
                    *OrganisationRole.choices,
                ],
                "organisations.annualdocument": DocumentStatus.choices,
            },
        )
        for panel in panels.PANELS:
            registry.register_panel(panel)
        for name, source in panels.TODOS:
            registry.register_todo_source(name, source)
        for item in panels.NAV:
            registry.register_nav_item(item)
        registry.register_seeder("organisations", demo.seed_organisations)
        from organisations.retention import KINDS as DISPOSAL_KINDS

        for disposal in DISPOSAL_KINDS:
            registry.register_disposal_kind(disposal)
        from organisations.personal_data import SOURCE

        registry.register_personal_data(SOURCE)
