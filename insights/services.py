"""Writes of the statistics of who gets the support: the population tables an administrator
imports (insights.population reads the file)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from insights import permissions
from insights.models import (
    Audience,
    PopulationCell,
    PopulationTable,
    ReportStatus,
    Summary,
    YearlyReport,
)
from insights.population import parse_population
from insights.tasks import build_yearly_report
from organisations.models import District
from portal.models import PublicBody, User
from portal.services import audit_record
from portal.tasks import enqueue_on_commit

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

POPULATION_IMPORTED = "population_imported"
# How the history reads the audit actions of this module (registered by the app).
AUDIT_ACTIONS: dict[str, StrOrPromise] = {
    POPULATION_IMPORTED: gettext_lazy("Population table imported"),
}


class PopulationImport(list[PopulationTable]):
    """The tables an import wrote, one per year of the file, and the warnings to show the
    administrator (figures missing in the file, counted as 0)."""

    def __init__(self, tables: list[PopulationTable], warnings: tuple[str, ...] = ()) -> None:
        super().__init__(tables)
        self.warnings = warnings


@transaction.atomic
def population_import(
    *, actor: User, root: PublicBody, file_name: str, data: bytes
) -> PopulationImport:
    """Import a population table in Statistics Sweden's layout for a municipality or region:
    each year in the file replaces that year's table of `root` whole (other years are kept).
    A file with any problem is refused whole (ValidationError with every problem found) and
    nothing is changed."""
    if not permissions.can_import_population(actor):
        raise PermissionDenied
    # One import of a municipality's tables at a time.
    root = PublicBody.objects.select_for_update().get(pk=root.pk)
    if root.parent_id is not None or root.kind not in PublicBody.TOP_LEVEL_KINDS:
        raise ValidationError(
            _("A population table belongs to a municipality or region, not to %(name)s.")
            % {"name": root.name}
        )
    parsed = parse_population(data, districts=list(District.objects.order_by("position", "pk")))
    file_name = file_name.strip()[: PopulationTable._meta.get_field("file_name").max_length or 255]
    now = timezone.now()
    existing = {
        table.year: table
        for table in PopulationTable.objects.select_for_update().filter(
            root=root, year__in=parsed.years
        )
    }
    tables: list[PopulationTable] = []
    for year in parsed.years:
        total = parsed.total(year)
        table = existing.get(year)
        if table is None:
            table = PopulationTable.objects.create(
                root=root, year=year, file_name=file_name, total=total, imported_by=actor
            )
            comment = f"year: {year}; file_name: {file_name}; total: {total}"
        else:
            comment = (
                f"year: {year}; file_name: {table.file_name} → {file_name}; "
                f"total: {table.total} → {total}"
            )
            table.cells.all().delete()
            table.file_name = file_name
            table.total = total
            table.imported_by = actor
            table.imported_at = now
            table.save(update_fields=["file_name", "total", "imported_by", "imported_at"])
        PopulationCell.objects.bulk_create(
            PopulationCell(
                table=table, district_id=district_id, age_band=band, gender=gender, count=count
            )
            for (district_id, band, gender), count in sorted(parsed.counts[year].items())
        )
        audit_record(actor=actor, obj=table, action=POPULATION_IMPORTED, comment=comment)
        tables.append(table)
    return PopulationImport(tables, parsed.warnings)


REPORT_REQUESTED = "yearly_report_requested"
AUDIT_ACTIONS[REPORT_REQUESTED] = gettext_lazy("Yearly report requested")


@transaction.atomic
def yearly_report_request(*, actor: User, root_id: int, year: int) -> YearlyReport:
    """Ask the worker for the yearly report "Fördelning av föreningsstöd <år>" of a municipality
    or region whose figures the person may see (its case officers and decision makers)."""
    if not permissions.can_view_dashboard(actor, root_id):
        raise PermissionDenied
    # one report at a time of a year, and none again until its figures have changed: a second
    # click, or a colleague asking for the same, gets the one there is
    latest = (
        YearlyReport.objects.select_for_update()
        .filter(root_id=root_id, year=year)
        .order_by("-requested_at", "-id")
        .first()
    )
    built = (
        Summary.objects.filter(root_id=root_id, scope="all", year=year, audience=Audience.OFFICER)
        .values_list("built_at", flat=True)
        .first()
    )
    if latest is not None and (
        latest.status == ReportStatus.QUEUED
        or (latest.built_at is not None and built is not None and latest.built_at >= built)
    ):
        return latest
    report = YearlyReport.objects.create(root_id=root_id, year=year, requested_by=actor)
    audit_record(actor=actor, obj=report, action=REPORT_REQUESTED, comment=f"year: {year}")
    enqueue_on_commit(build_yearly_report, report.pk)
    return report
