"""IOP agreements in the Django admin: found by title or registration number, read-only with
parties, contributions, versions and follow-ups inline. Changes go through the portal's pages."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from agreements.models import Agreement, AgreementVersion, Contribution, FollowUp, Party


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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
class AgreementAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin):
    list_display = ["party", "year", "kind", "value"]
    list_select_related = ["party__public_body", "party__organisation"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
