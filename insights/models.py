"""Who gets the support: the figures built ahead of time, and the population they are set
against."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.models import District
from portal.models import PublicBody
from portal.registry import PARTICIPANT_AGE_BANDS
from portal.storage import private_storage


class Audience(models.TextChoices):
    OFFICER = "officer", _("Officers and decision makers")
    PUBLIC = "public", _("The public (small groups suppressed)")


class Summary(models.Model):
    """The figures of one view of the statistics, built by the worker (insights.store): a
    municipality or region (`root`), a scope within it ("all", "body:<id>", "programme:<id>"), a
    year (None: every year) and an audience (the public's with small groups suppressed). A
    request reads one row; it never adds up applications."""

    root = models.ForeignKey(PublicBody, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    audience = models.CharField(max_length=10, choices=Audience.choices)
    data = models.JSONField()
    built_at = models.DateTimeField()

    class Meta:
        verbose_name = _("statistics summary")
        verbose_name_plural = _("statistics summaries")
        constraints = [
            models.UniqueConstraint(
                fields=["root", "scope", "year", "audience"], name="insights_summary_unique"
            ),
            # every year: one row too (a NULL year is never equal to another)
            models.UniqueConstraint(
                fields=["root", "scope", "audience"],
                condition=models.Q(year__isnull=True),
                name="insights_summary_every_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.root} {self.scope} {self.year or '*'} {self.audience}"


class PopulationTable(models.Model):
    """The population of a municipality or region in one year, by district, age band and gender,
    imported by an administrator from a table in Statistics Sweden's layout
    (insights.population). A new import of the same year replaces it whole."""

    root = models.ForeignKey(
        PublicBody,
        verbose_name=_("municipality or region"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    file_name = models.CharField(_("file"), max_length=255)
    total = models.PositiveIntegerField(_("inhabitants"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        verbose_name = _("population table")
        verbose_name_plural = _("population tables")
        ordering = ["root", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["root", "year"], name="insights_population_year")
        ]

    def __str__(self) -> str:
        return f"{self.root} {self.year}"


class PopulationGender(models.TextChoices):
    WOMEN = "women", _("Women and girls")
    MEN = "men", _("Men and boys")


class PopulationCell(models.Model):
    """Inhabitants of one district, age band and gender (Statistics Sweden counts two)."""

    table = models.ForeignKey(PopulationTable, on_delete=models.CASCADE, related_name="cells")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    age_band = models.CharField(
        _("age band"), max_length=10, choices=[(band, band) for band in PARTICIPANT_AGE_BANDS]
    )
    gender = models.CharField(_("gender"), max_length=10, choices=PopulationGender.choices)
    count = models.PositiveIntegerField(_("inhabitants"))

    class Meta:
        verbose_name = _("population cell")
        verbose_name_plural = _("population cells")
        constraints = [
            models.UniqueConstraint(
                fields=["table", "district", "age_band", "gender"],
                name="insights_population_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.age_band} {self.gender}: {self.count}"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Being prepared")
    READY = "ready", _("Ready")


def report_upload_to(instance: YearlyReport, filename: str) -> str:
    return f"insights/reports/{instance.root_id}/{filename}"


class YearlyReport(models.Model):
    """The yearly report for the committee, "Fördelning av föreningsstöd <år>": the dashboard's
    figures of a municipality or region and a year as PDF/A, built by the worker
    (insights.tasks.build_yearly_report). Kept as it was built: a new request makes a new
    report; the figures it was built from are kept beside it."""

    root = models.ForeignKey(PublicBody, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    file = models.FileField(
        storage=private_storage, upload_to=report_upload_to, max_length=255, blank=True
    )
    sha256 = models.CharField(max_length=64, blank=True)
    figures = models.JSONField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    built_at = models.DateTimeField(_("built"), null=True, blank=True)

    class Meta:
        verbose_name = _("yearly report")
        verbose_name_plural = _("yearly reports")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.root} {self.year}"
