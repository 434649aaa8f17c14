"""The register in the Django admin: administrators find any organisation by name or number and
see its members, documents and history. Changes go through the portal's own pages and services,
so the organisation itself is read-only here (its sector, NACE, too: the association gives it
with its details); target groups are reference data kept here (every change audited). Join
requests, former memberships and declared conflicts of interest feed the segregation-of-duties
rule, so they are read-only: deleting one would hide an affiliation. The de minimis ledger and
the declarations are written only by the services, so they are read-only too; the ceilings and
the exchange rate are one settings row."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from organisations.models import (
    AidDeclaration,
    AidEntry,
    AnnualDocument,
    ConflictOfInterest,
    District,
    Invitation,
    JoinRequest,
    Organisation,
    OrganisationMembership,
    OrganisationReminderSettings,
    PastMembership,
    StateAidSettings,
    TargetGroup,
)
from portal.admin_audit import (
    AuditedAdmin,
    ReadOnlyAdmin,
    ReadOnlyInline,
    SingletonSettingsAdmin,
)
from portal.models import AuditEvent


class MembershipInline(ReadOnlyInline):
    model = OrganisationMembership
    fields = readonly_fields = ("user", "role", "created_at")


class DocumentInline(ReadOnlyInline):
    model = AnnualDocument
    fields = readonly_fields = (
        "year",
        "kind",
        "status",
        "current_version",
        "reviewed_by",
        "reviewed_at",
    )


class InvitationInline(ReadOnlyInline):
    model = Invitation
    fields = (
        "email",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    )
    readonly_fields = fields


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = [
        "name",
        "organisation_number",
        "legal_form",
        "district",
        "status",
        "public_listing",
        "created_at",
    ]
    list_filter = ["status", "legal_form", "public_listing", "payment_details_verified"]
    search_fields = ["name", "organisation_number"]
    date_hierarchy = "created_at"
    inlines = [MembershipInline, DocumentInline, InvitationInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ["history"]

    @admin.display(description=_("History"))
    def history(self, obj: Organisation) -> SafeString:
        events = AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Organisation), object_id=str(obj.pk)
        ).order_by("-created_at", "-id")[:100]
        return SafeString(render_to_string("organisations/admin_history.html", {"events": events}))


@admin.register(JoinRequest)
class JoinRequestAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["user", "organisation", "status", "created_at", "decided_by"]
    list_filter = ["status"]
    search_fields = ["user__email", "organisation__name", "organisation__organisation_number"]
    list_select_related = ["user", "organisation", "decided_by"]


@admin.register(PastMembership)
class PastMembershipAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "started_at", "ended_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__name", "organisation__name"]
    list_select_related = ["user", "organisation"]


@admin.register(ConflictOfInterest)
class ConflictOfInterestAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["user", "object_repr", "content_type", "declared_at"]
    list_filter = ["content_type"]
    search_fields = ["user__email", "user__name", "object_repr", "reason"]
    list_select_related = ["user", "content_type"]


@admin.register(TargetGroup)
class TargetGroupAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "position"]
    list_editable = ["position"]
    search_fields = ["name"]


@admin.register(District)
class DistrictAdmin(AuditedAdmin, admin.ModelAdmin):
    """The parts of the municipality organisations choose among; the statistics of who gets the
    support compare each with its population (insights)."""

    list_display = ["name", "code", "position"]
    list_editable = ["position"]
    search_fields = ["name", "code"]


@admin.register(OrganisationReminderSettings)
class OrganisationReminderSettingsAdmin(SingletonSettingsAdmin):
    """When the year's annual documents are asked for."""

    fields = ["annual_meeting_month", "annual_meeting_day", "annual_documents_days"]


@admin.register(StateAidSettings)
class StateAidSettingsAdmin(SingletonSettingsAdmin):
    """The de minimis ceilings and the exchange rate new aid is converted at, with the rate's
    date and source (each ledger entry keeps the rate it was converted at)."""

    fields = ["sek_per_eur", "rate_date", "rate_source", "ceiling_eur", "sgei_ceiling_eur"]


@admin.register(AidEntry)
class AidEntryAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """The de minimis ledger, read only: written by the decisions' and the declarations'
    services, never here."""

    list_display = [
        "decided_on",
        "organisation",
        "origin",
        "regulation",
        "granting_body",
        "amount_sek",
        "amount_eur",
        "source_reference",
        "superseded_at",
    ]
    list_filter = ["origin", "regulation", "instrument"]
    search_fields = [
        "organisation__name",
        "organisation__organisation_number",
        "granting_body",
        "source_reference",
    ]
    date_hierarchy = "decided_on"
    list_select_related = ["organisation"]


class DeclaredAidInline(ReadOnlyInline):
    model = AidEntry
    fields = readonly_fields = (
        "granting_body",
        "decided_on",
        "regulation",
        "instrument",
        "amount_sek",
        "gross_grant_equivalent_sek",
        "amount_eur",
        "source_reference",
        "superseded_at",
    )


@admin.register(AidDeclaration)
class AidDeclarationAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """The organisations' declarations of de minimis aid from others, read only: signed by a
    representative in the portal, never changed."""

    list_display = ["organisation", "number", "declared_at", "declared_by_name", "none_received"]
    search_fields = ["organisation__name", "organisation__organisation_number"]
    list_select_related = ["organisation"]
    inlines = [DeclaredAidInline]
