"""The population tables in the Django admin: looked at here, never edited. A table comes in
whole through "Import population table" (a CSV file from Statistics Sweden), which replaces the
year it holds; superusers and staff with the permission to add population tables may import."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.safestring import SafeString
from django.utils.text import capfirst, get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from insights import permissions, services
from insights.models import PopulationCell, PopulationGender, PopulationTable
from insights.population import MAX_BYTES, too_large_message
from organisations.models import District
from portal.admin_audit import ReadOnlyAdmin
from portal.formats import number
from portal.models import PublicBody, User
from portal.registry import PARTICIPANT_AGE_BANDS


def top_level_bodies() -> QuerySet[PublicBody]:
    """The municipalities and regions a population table can belong to."""
    return PublicBody.objects.filter(
        parent__isnull=True, kind__in=PublicBody.TOP_LEVEL_KINDS, is_active=True
    ).order_by("name")


class PopulationImportForm(forms.Form):
    root = forms.ModelChoiceField(
        label=gettext_lazy("Municipality or region"),
        queryset=PublicBody.objects.none(),
        empty_label=gettext_lazy("Choose a municipality or region"),
    )
    file = forms.FileField(
        label=gettext_lazy("File from Statistics Sweden (CSV)"),
        help_text=gettext_lazy(
            "The population by region, age and gender (e.g. the table “Folkmängd efter region, "
            "ålder och kön” in Statistikdatabasen), exported as CSV, with the districts as "
            "regions. Each year in the file replaces that year's table; other years are kept."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roots = top_level_bodies()
        field = cast(forms.ModelChoiceField, self.fields["root"])
        field.queryset = roots
        only = list(roots[:2])
        if len(only) == 1:
            field.initial = only[0].pk
            field.empty_label = None

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise ValidationError(too_large_message())
        return upload


@admin.register(PopulationTable)
class PopulationTableAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["root", "year", "inhabitants", "file_name", "imported_by", "imported_at"]
    list_filter = ["root", "year"]
    list_select_related = ["root", "imported_by"]
    fields = readonly_fields = (
        "root",
        "year",
        "inhabitants",
        "file_name",
        "imported_by",
        "imported_at",
        "by_district",
    )

    @admin.display(
        description=PopulationTable._meta.get_field("total").verbose_name, ordering="total"
    )
    def inhabitants(self, obj: PopulationTable) -> str:
        return number(obj.total)

    @admin.display(description=gettext_lazy("Inhabitants by district, age band and gender"))
    def by_district(self, obj: PopulationTable) -> SafeString:
        counts = {
            (cell.district_id, cell.age_band, cell.gender): cell.count
            for cell in PopulationCell.objects.filter(table=obj)
        }
        districts = District.objects.filter(
            pk__in={district_id for district_id, _band, _gender in counts}
        ).order_by("position", "name")
        genders = list(PopulationGender)
        rows = []
        for district in districts:
            for index, gender in enumerate(genders):
                values = [
                    counts.get((district.pk, band, gender), 0) for band in PARTICIPANT_AGE_BANDS
                ]
                rows.append(
                    {
                        "district": district,
                        "first": index == 0,
                        "span": len(genders),
                        "gender": gender.label,
                        "values": [number(value) for value in values],
                        "total": number(sum(values)),
                    }
                )
        return SafeString(
            render_to_string(
                "admin/insights/populationtable/by_district.html",
                {
                    "bands": PARTICIPANT_AGE_BANDS,
                    "gender_heading": capfirst(
                        PopulationCell._meta.get_field("gender").verbose_name
                    ),
                    "rows": rows,
                },
            )
        )

    # --- the import -------------------------------------------------------------------------

    def has_import_permission(self, request: HttpRequest) -> bool:
        return permissions.can_import_population(cast(User, request.user))

    def get_urls(self) -> list[URLPattern]:
        opts = self.model._meta
        own = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name=f"{opts.app_label}_{opts.model_name}_import",
            )
        ]
        return own + super().get_urls()

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = {
            **(extra_context or {}),
            "has_import_permission": self.has_import_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_import_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        errors: list[str] = []
        if request.method == "POST":
            form = PopulationImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                try:
                    tables = services.population_import(
                        actor=cast(User, request.user),
                        root=form.cleaned_data["root"],
                        file_name=upload.name or "",
                        data=upload.read(),
                    )
                except ValidationError as error:
                    errors = [str(message) for message in error.messages]
                else:
                    summary = get_text_list(
                        [
                            _("%(inhabitants)s inhabitants in %(year)s")
                            % {"inhabitants": number(table.total), "year": table.year}
                            for table in tables
                        ],
                        _("and"),
                    )
                    self.message_user(
                        request,
                        _("The population table of %(root)s is imported: %(summary)s.")
                        % {"root": form.cleaned_data["root"].name, "summary": summary},
                        messages.SUCCESS,
                    )
                    for warning in tables.warnings:
                        self.message_user(request, warning, messages.WARNING)
                    return HttpResponseRedirect(
                        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
                    )
        else:
            form = PopulationImportForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": _("Import population table"),
            "form": form,
            "import_errors": errors,
            "has_errors": bool(errors or form.errors),
            "districts_url": reverse("admin:organisations_district_changelist"),
        }
        return TemplateResponse(
            request,
            "admin/insights/populationtable/import.html",
            context,
            status=400 if context["has_errors"] else 200,
        )
