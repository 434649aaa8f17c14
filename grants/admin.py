"""Administrators set up programmes (with criteria) and calls (with questions and attachment
types) here; applications are read-only: they change through the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from grants.models import Application, AttachmentType, Call, Criterion, Programme, Question
from organisations.models import DocumentKind, LegalForm


class ProgrammeAdminForm(forms.ModelForm):
    eligible_legal_forms = forms.MultipleChoiceField(
        choices=LegalForm.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    required_document_kinds = forms.MultipleChoiceField(
        choices=DocumentKind.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Programme
        fields = [
            "public_body",
            "name",
            "kind",
            "rules",
            "eligible_legal_forms",
            "minimum_members",
            "requires_verified",
            "required_document_kinds",
            "is_active",
            "closing_reminder_days",
            "report_reminder_days",
        ]


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 1


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    form = ProgrammeAdminForm
    list_display = ["name", "kind", "public_body", "is_active"]
    list_filter = ["kind", "public_body", "is_active"]
    search_fields = ["name"]
    inlines = [CriterionInline]


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 1


class AttachmentTypeInline(admin.TabularInline):
    model = AttachmentType
    extra = 1


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["title", "programme", "opens_at", "closes_at", "budget"]
    list_filter = ["programme__public_body", "programme__kind"]
    search_fields = ["title"]
    list_select_related = ["programme"]
    inlines = [QuestionInline, AttachmentTypeInline]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = [
        "registry_number",
        "organisation",
        "call",
        "status",
        "amount_requested",
        "decided_amount",
    ]
    list_filter = ["status", "call__programme__public_body"]
    search_fields = ["registry_number", "organisation__name", "organisation__organisation_number"]
    list_select_related = ["organisation", "call"]
    raw_id_fields = [
        "organisation",
        "call",
        "created_by",
        "assigned_to",
        "proposed_by",
        "decided_by",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
