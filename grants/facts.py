"""The grants' side of the statistics of who gets the support (insights): every application sent
in as a `GrantFact`, read in three queries whatever their number."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Sum

from grants.models import (
    Application,
    ApplicationStatus,
    FollowUpReport,
    Payment,
    ReportStatus,
)
from portal.registry import FactSource, GrantFact

GRANTED = frozenset({ApplicationStatus.APPROVED, ApplicationStatus.PARTLY_APPROVED})
OUTCOME: dict[str, str] = {
    ApplicationStatus.APPROVED: "granted",
    ApplicationStatus.PARTLY_APPROVED: "granted",
    ApplicationStatus.REJECTED: "rejected",
    ApplicationStatus.WITHDRAWN: "withdrawn",
}
ZERO = Decimal(0)


def read() -> Iterator[GrantFact]:
    """Every application sent in (never a draft), oldest first: payments made by today and the
    participants of approved follow-up reports beside it."""
    paid = dict(
        Payment.objects.made()
        .order_by()
        .values("application_id")
        .annotate(total=Sum("amount"))
        .values_list("application_id", "total")
    )
    participants = dict(
        FollowUpReport.objects.filter(status=ReportStatus.APPROVED).values_list(
            "application_id", "participants"
        )
    )
    rows = (
        Application.objects.exclude(status=ApplicationStatus.DRAFT)
        .filter(submitted_at__isnull=False)
        .order_by("submitted_at", "id")
        .values_list(
            "id",
            "organisation_id",
            "public_body_id",
            "call__programme_id",
            "call__programme__name",
            "submitted_at",
            "status",
            "amount_requested",
            "decided_amount",
            "decided_at",
        )
    )
    for (
        pk,
        organisation_id,
        body_id,
        programme_id,
        programme_name,
        submitted_at,
        status,
        applied,
        decided,
        decided_at,
    ) in rows.iterator(chunk_size=2000):
        granted = status in GRANTED
        yield GrantFact(
            application_id=pk,
            organisation_id=organisation_id,
            public_body_id=body_id,
            programme_id=programme_id,
            programme_name=programme_name,
            submitted_at=submitted_at,  # type: ignore[arg-type] # sent in: never None
            outcome=OUTCOME.get(status, "open"),
            applied=applied or ZERO,
            granted=(decided or ZERO) if granted else ZERO,
            paid=paid.get(pk) or ZERO,
            decided_at=decided_at if status in OUTCOME else None,
            participants=participants.get(pk) if granted else None,
        )


SOURCE = FactSource(name="grants", read=read, models=(Application, Payment, FollowUpReport))
