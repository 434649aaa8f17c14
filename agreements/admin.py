"""IOP agreements in the Django admin: found by title or registration number, read-only with
parties, versions and follow-ups inline. Changes go through the portal's pages. A contribution
may be corrected or removed here (audited) only while the agreement is still being prepared;
from legal review onwards the text and its contributions are what is reviewed, decided and
signed, and they are changed only by an amendment signed by the parties."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from agreements.models import (
    Agreement,
    AgreementReminderSettings,
    AgreementStatus,
    AgreementVersion,
    Contribution,
    FollowUp,
    Party,
)
from portal.admin_audit import (
    AuditedAdmin,
    ReadOnlyAdmin,
    ReadOnlyAdminMixin,
    ReadOnlyInline,
    SingletonSettingsAdmin,
)
from portal.earchive.admin import ArchiveExportAdmin

# The stages in which the admin may still correct a contribution: before legal review.
ADMIN_CORRECTABLE = {
    AgreementStatus.INITIATIVE,
    AgreementStatus.SCREENING,
    AgreementStatus.CO_CREATION,
}


def agreement_open_for_correction(agreement: Agreement) -> bool:
    return agreement.status in ADMIN_CORRECTABLE


class PartyInline(ReadOnlyInline):
    model = Party
    fields = readonly_fields = ("public_body", "organisation", "signatory")


class VersionInline(ReadOnlyInline):
    model = AgreementVersion
    fields = readonly_fields = ("number", "sha256", "pdf_created_at", "created_at")


class FollowUpInline(ReadOnlyInline):
    model = FollowUp
    fields = readonly_fields = ("due_date", "plan", "recorded_by", "reviewed_by", "reviewed_at")


@admin.register(Agreement)
class AgreementAdmin(ArchiveExportAdmin, ReadOnlyAdmin, admin.ModelAdmin):
    list_display = [
        "registry_number",
        "title",
        "public_body",
        "initiating_organisation",
        "status",
        "decision_date",
    ]
    list_filter = ["status", "public_body", "state_aid_route"]
    search_fields = ["title", "registry_number", "initiating_organisation__name"]
    list_select_related = ["public_body", "initiating_organisation"]
    inlines = [PartyInline, VersionInline, FollowUpInline]


@admin.register(Contribution)
class ContributionAdmin(ReadOnlyAdminMixin, AuditedAdmin, admin.ModelAdmin):
    """Corrected or removed here while the agreement is being prepared; never added here."""

    list_display = ["party", "agreement_status", "year", "kind", "value"]
    list_select_related = [
        "party__public_body",
        "party__organisation",
        "party__agreement",
    ]
    readonly_fields = ["party"]
    refused_writes = frozenset({"add"})

    @admin.display(description=_("agreement"))
    def agreement_status(self, obj: Contribution) -> str:
        agreement = obj.party.agreement
        return f"{agreement} ({agreement.get_status_display()})"

    def audit_target(self, obj: models.Model) -> models.Model:
        # Recorded in the agreement's history, where the parties see it.
        return cast(Contribution, obj).party.agreement

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and not agreement_open_for_correction(obj.party.agreement):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and not agreement_open_for_correction(obj.party.agreement):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(AgreementReminderSettings)
class AgreementReminderSettingsAdmin(SingletonSettingsAdmin):
    """When IOP follow-up points and agreement ends are reminded of."""

    fields = ["iop_follow_up_days", "agreement_end_days"]
