"""The demo municipality's population for the quick start: its districts (with fictional codes
at Statistics Sweden, 9999R001 …) and a population table for 2025 and 2026 imported from
`insights/demo/befolkning-exempelkommun.csv` through the same service as an administrator's
file. Idempotent."""

from __future__ import annotations

import logging
from pathlib import Path

from django.core.exceptions import ValidationError

from insights.models import PopulationTable
from insights.services import population_import
from organisations.demo import DISTRICTS
from organisations.models import District
from portal.models import PublicBody, User

DEMO_FILE = Path(__file__).resolve().parent / "demo" / "befolkning-exempelkommun.csv"
DEMO_YEARS = (2025, 2026)

logger = logging.getLogger(__name__)


def demo_district_code(position: int) -> str:
    """The fictional code of the demo's district at `position` (1, 2, …)."""
    return f"9999R{position:03d}"


def seed_population(*, root: PublicBody, actor: User) -> None:
    """The demo districts, where missing (a district kept without a code gets the demo's), and
    the demo population table of `root`, unless it already has a table of one of the demo's
    years (an administrator's own import is never replaced). Should the file not fit the
    districts kept (one added since), the table is left out and the reasons logged."""
    for position, name in enumerate(DISTRICTS, start=1):
        district, created = District.objects.get_or_create(
            name=name, defaults={"code": demo_district_code(position), "position": position}
        )
        code = demo_district_code(position)
        if not created and not district.code and not District.objects.filter(code=code).exists():
            district.code = code
            district.save(update_fields=["code"])
    if PopulationTable.objects.filter(root=root, year__in=DEMO_YEARS).exists():
        return
    try:
        population_import(
            actor=actor, root=root, file_name=DEMO_FILE.name, data=DEMO_FILE.read_bytes()
        )
    except ValidationError as error:
        logger.warning("The demo population table was not imported: %s", "; ".join(error.messages))
