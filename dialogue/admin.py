"""Local compacts in the Django admin: read-only, with their versions, sign-ons and action plans
inline. They are written, adopted and signed through the portal's pages."""

from __future__ import annotations

from django.contrib import admin

from dialogue.models import ActionPlan, Compact, CompactVersion, SignOn
from portal.admin_audit import ReadOnlyAdmin, ReadOnlyInline


class VersionInline(ReadOnlyInline):
    model = CompactVersion
    fields = readonly_fields = (
        "number",
        "status",
        "comments_close",
        "adopted_on",
        "adopted_by",
        "adopted_paragraph",
    )


class SignOnInline(ReadOnlyInline):
    model = SignOn
    fields = readonly_fields = ("organisation", "version", "signed_by", "signed_at", "withdrawn_at")


class PlanInline(ReadOnlyInline):
    model = ActionPlan
    fields = readonly_fields = ("title", "starts_on", "ends_on")


@admin.register(Compact)
class CompactAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["registry_number", "title", "public_body"]
    list_filter = ["public_body"]
    search_fields = ["title", "registry_number"]
    list_select_related = ["public_body"]
    inlines = [VersionInline, SignOnInline, PlanInline]
