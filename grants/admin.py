"""Administrators set up programmes (with criteria) and calls (with questions and attachment
types) here; every change is audited. Applications are read-only: they change through the
services. What applicants answered and officers scored stays as it was: a call's questions and
attachment types are locked once an application to it has been submitted, a programme's criteria
once one of them has been scored, and a call with applications cannot be deleted."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _

from grants.models import (
    Application,
    ApplicationStatus,
    AttachmentType,
    Call,
    Criterion,
    GrantReminderSettings,
    Programme,
    Question,
    Review,
)
from grants.services import call_budget_left
from organisations.models import DocumentKind, LegalForm
from portal.admin_audit import (
    AuditedAdmin,
    LockedWithParentInline,
    ReadOnlyAdmin,
    SingletonSettingsAdmin,
)
from portal.earchive.admin import ArchiveExportAdmin
from portal.money import format_sek


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
            "appeal_text",
            "eligible_legal_forms",
            "minimum_members",
            "requires_verified",
            "send_in_with_eid",
            "required_document_kinds",
            "state_aid_class",
            "state_aid_reasons",
            "is_active",
            "closing_reminder_days",
            "report_reminder_days",
        ]


def programme_scored(programme: Programme) -> bool:
    """Some application has been scored against the programme's criteria."""
    return Review.objects.filter(criterion__programme=programme).exists()


def call_answered(call: Call) -> bool:
    """Some application to the call has been submitted (its answers refer to the questions)."""
    return (
        call.applications.filter(
            Q(submitted_at__isnull=False)
            | ~Q(status__in=[ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN])
        ).exists()
        if call.pk
        else False
    )


class CriterionInline(LockedWithParentInline, admin.TabularInline):
    """Criteria are published with the calls and scored by officers: once one is scored, they
    stay as they are (a new programme gets new criteria)."""

    model = Criterion
    extra = 1

    def rows_locked(self, parent: Programme) -> bool:
        return programme_scored(parent)


@admin.register(Programme)
class ProgrammeAdmin(AuditedAdmin, admin.ModelAdmin):
    form = ProgrammeAdminForm
    list_display = ["name", "kind", "public_body", "state_aid_class", "is_active"]
    list_filter = ["kind", "public_body", "state_aid_class", "is_active"]
    search_fields = ["name"]
    inlines = [CriterionInline]


class QuestionInline(LockedWithParentInline, admin.StackedInline):
    model = Question
    extra = 1

    def rows_locked(self, parent: Call) -> bool:
        return call_answered(parent)


class AttachmentTypeInline(LockedWithParentInline, admin.TabularInline):
    model = AttachmentType
    extra = 1

    def rows_locked(self, parent: Call) -> bool:
        return call_answered(parent)


class CallAdminForm(forms.ModelForm):
    """A call's budget never goes below what has already been granted from it."""

    class Meta:
        model = Call
        fields = "__all__"  # noqa: DJ007 - the admin's own form of every field of the call

    def clean_budget(self) -> Any:
        budget = self.cleaned_data.get("budget")
        if budget is not None and self.instance.pk:
            granted = self.instance.budget - call_budget_left(self.instance)
            if budget < granted:
                raise forms.ValidationError(
                    _(
                        "%(granted)s has already been granted from this call: the budget cannot be less."
                    )
                    % {"granted": format_sek(granted)}
                )
        return budget


@admin.register(Call)
class CallAdmin(AuditedAdmin, admin.ModelAdmin):
    form = CallAdminForm
    list_display = ["title", "programme", "opens_at", "closes_at", "budget"]
    list_filter = ["programme__public_body", "programme__kind"]
    search_fields = ["title"]
    list_select_related = ["programme"]
    inlines = [QuestionInline, AttachmentTypeInline]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Applications (drafts included) refer to the call: it stays.
        if obj is not None and obj.applications.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Application)
class ApplicationAdmin(ArchiveExportAdmin, ReadOnlyAdmin, admin.ModelAdmin):
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


@admin.register(GrantReminderSettings)
class GrantReminderSettingsAdmin(SingletonSettingsAdmin):
    """When grant reminders go out. Programmes and calls may override the call and report
    reminders on their own pages."""

    fields = ["call_closing_days", "completion_days", "report_days"]
