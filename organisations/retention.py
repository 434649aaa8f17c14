"""What of the register the retention schedule (`portal.retention`) may dispose of: the de
minimis ledger and the declarations of aid, never before ten years (2023/2831 Art. 6(4):
records are kept for ten years from the day the aid was granted). Kept until an
administrator sets a period of at least that."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from organisations.models import AidDeclaration, AidEntry
from portal.registry import DisposalKind

TEN_YEARS = 3653  # days, leap days included

BASIS = gettext_lazy(
    "Commission Regulation (EU) 2023/2831 Art. 6(4) and 2023/2832 Art. 6(4): records of de "
    "minimis aid are kept for ten years."
)


def _cutoff_date(cutoff: datetime) -> Any:
    return timezone.localdate(cutoff)


def entries_due(cutoff: datetime) -> QuerySet[Any]:
    """Aid decided here before the cutoff. Declared aid goes with its declaration."""
    return AidEntry.objects.filter(origin="decided", decided_on__lt=_cutoff_date(cutoff))


def _dispose_entries(rows: QuerySet[Any]) -> int:
    return rows.delete()[0]


def declarations_due(cutoff: datetime) -> QuerySet[Any]:
    """Declarations signed before the cutoff whose aid was all decided before it too."""
    day = _cutoff_date(cutoff)
    return (
        AidDeclaration.objects.filter(declared_at__lt=cutoff)
        .annotate(newest=Max("entries__decided_on"))
        .filter(Q(newest__isnull=True) | Q(newest__lt=day))
    )


def _dispose_declarations(rows: QuerySet[Any]) -> int:
    ids = list(rows.values_list("pk", flat=True))
    AidEntry.objects.filter(declaration_id__in=ids).delete()
    return AidDeclaration.objects.filter(pk__in=ids).delete()[0]


KINDS = (
    DisposalKind(
        name="organisations.de_minimis_ledger",
        label=gettext_lazy("De minimis aid decided in the portal (from the decision date)"),
        due=entries_due,
        dispose=_dispose_entries,
        default_basis=BASIS,
        minimum_days=TEN_YEARS,
        order=80,
    ),
    DisposalKind(
        name="organisations.aid_declarations",
        label=gettext_lazy("Declarations of de minimis aid (from the signing)"),
        due=declarations_due,
        dispose=_dispose_declarations,
        default_basis=BASIS,
        minimum_days=TEN_YEARS,
        order=81,
    ),
)
