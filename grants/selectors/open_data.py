"""Granted money as open data: public, with no personal data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import ExtractYear

from grants.models import (
    Application,
    ApplicationStatus,
    Payment,
)

if TYPE_CHECKING:
    pass


# --- open data -------------------------------------------------------------------------------


def granted(*, now: object = None) -> QuerySet[Application]:
    """Every approved or partly approved grant, newest decision first, with what has been paid
    out by today (a payment dated ahead is registered with the bank, not yet disbursed: the
    nightly build counts it once its day has come); for open data (no personal data is read)."""
    paid = (
        Payment.objects.filter(application=OuterRef("pk"))
        .made()
        .order_by()
        .values("application")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        Application.objects.filter(
            status__in=[ApplicationStatus.APPROVED, ApplicationStatus.PARTLY_APPROVED]
        )
        .annotate(paid=Subquery(paid))
        .select_related("call__programme", "public_body__parent", "organisation")
        .only(
            "pk",
            "registry_number",
            "title",
            "amount_requested",
            "decided_amount",
            "decided_at",
            "planned_start",
            "planned_end",
            "updated_at",
            "call__title",
            "call__programme__name",
            "call__programme__kind",
            "call__programme_id",
            "public_body__name",
            "public_body__registry_prefix",
            "public_body__parent__name",
            "public_body__parent__registry_prefix",
            "organisation__name",
            "organisation__organisation_number",
            "organisation__city",
            # the recipient as fixed at the decision (what open data publishes)
            "recipient_org_number",
            "recipient_name",
            "recipient_city",
        )
        .order_by("-decided_at", "-id")
    )


def granted_by_programme_and_year() -> list[dict[str, Any]]:
    rows: Any = (
        Application.objects.filter(
            status__in=[ApplicationStatus.APPROVED, ApplicationStatus.PARTLY_APPROVED]
        )
        .annotate(year=ExtractYear("decided_at"))
        .values("call__programme__name", "public_body__name", "year")
        .annotate(grants=Count("pk"), amount=Sum("decided_amount"))
        .order_by("-year", "call__programme__name")
    )
    return list(rows)
