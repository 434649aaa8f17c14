"""What the statistics hold about a person (GDPR): only who imported a population table or
asked for a yearly report (`portal.personal_data`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from insights.models import PopulationTable, YearlyReport
from portal.registry import Held, PersonalData

SOURCE = PersonalData(
    name="statistik",
    label=gettext_lazy("Statistics"),
    held=(
        Held(PopulationTable, ("imported_by",)),
        Held(YearlyReport, ("requested_by",)),
    ),
)
