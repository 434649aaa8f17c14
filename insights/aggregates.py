"""The figures of who gets the support, computed from the grant facts (portal.registry.GrantFact)
and the register of organisations: pure computation, no queries (insights.store reads and
writes).

Every application sent in counts once in each view it belongs to: its municipality or region
(the root of its public body) as a whole, its public body, its programme, each for its year and
for every year. Within a view the figures are split by each dimension (district, target group,
legal form, size, first-time or returning), and each split's cells hold the same measures
(`Cell`). How each measure is defined is written out for users on the pages ("Hur räknas
detta?", templates/insights/_explain_*.html); the rules below are the same:

- **year**: the year the application was sent in (Europe/Stockholm);
- **applications**: sent in and not withdrawn, and **organisations** those that sent them;
  **decided**: approved, partly approved or rejected; **granted**: approved in whole or in
  part; success rate = granted / decided;
- **first-time**: the organisation had no grant decided before this application was sent in;
  **new in three years**: none decided in the three years before it was sent in (from the same
  date three years earlier);
- **participants**: from approved follow-up reports of granted applications, by age band and
  gender ("other" is other or not stated); kronor per participant = granted money of the grants
  with such a report / their participants;
- **members**: as the register has them now, for the organisations granted money in the view.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from portal.registry import PARTICIPANT_AGE_BANDS, PARTICIPANT_GENDERS, GrantFact

ALL = "all"
TOTAL = ("total", "*")
# The splits of a view whose rows are organisations' attributes (the other splits, by year,
# public body and programme, are the views themselves: `insights.store`).
DIMENSIONS = ("district", "target_group", "legal_form", "size", "first_time", "new_3y")
# Organisation size by members in total; "" is "not stated".
SIZE_BANDS = ((1, 24, "1–24"), (25, 99, "25–99"), (100, 249, "100–249"), (250, None, "250+"))
ZERO = Decimal(0)


@dataclass(frozen=True)
class OrgInfo:
    """What the statistics read of an organisation in the register."""

    district: str = ""
    legal_form: str = ""
    members_total: int | None = None
    members_7_25: int | None = None
    members_women: int | None = None
    members_men: int | None = None
    members_other: int | None = None
    target_groups: tuple[int, ...] = ()


def size_band(members: int | None) -> str:
    if not members:
        return ""
    for low, high, label in SIZE_BANDS:
        if members >= low and (high is None or members <= high):
            return label
    return ""


def scope_body(body_id: int) -> str:
    return f"body:{body_id}"


def scope_programme(programme_id: int) -> str:
    return f"programme:{programme_id}"


@dataclass
class Cell:
    """The measures of one group in one view."""

    orgs: set[int] = field(default_factory=set)
    recipients: set[int] = field(default_factory=set)
    applications: int = 0
    decided: int = 0
    granted_count: int = 0
    applied: Decimal = ZERO
    granted: Decimal = ZERO
    paid: Decimal = ZERO
    reports: int = 0
    reporting_orgs: set[int] = field(default_factory=set)
    participants_total: int = 0
    granted_reported: Decimal = ZERO
    # by age band and gender, with the organisations behind each (kept for the total only)
    participants: dict[str, dict[str, int]] | None = None
    participant_orgs: dict[str, dict[str, set[int]]] | None = None

    def add(self, fact: GrantFact, participants: Mapping[str, Mapping[str, int]] | None) -> None:
        organisation = fact.organisation_id
        if fact.outcome == "withdrawn":
            return
        self.orgs.add(organisation)
        self.applications += 1
        self.applied += fact.applied
        if fact.outcome in ("granted", "rejected"):
            self.decided += 1
        if fact.outcome != "granted":
            return
        self.granted_count += 1
        self.recipients.add(organisation)
        self.granted += fact.granted
        self.paid += fact.paid
        if participants is None:
            return
        count = sum(sum(genders.values()) for genders in participants.values())
        if not count:
            return
        self.reports += 1
        self.reporting_orgs.add(organisation)
        self.participants_total += count
        self.granted_reported += fact.granted
        if self.participants is not None and self.participant_orgs is not None:
            for band, genders in participants.items():
                for gender, number in genders.items():
                    if number:
                        self.participants[band][gender] += number
                        self.participant_orgs[band][gender].add(organisation)

    def out(self) -> dict[str, Any]:
        """The cell as the summary keeps it (JSON)."""
        data: dict[str, Any] = {
            "orgs": len(self.orgs),
            "recipients": len(self.recipients),
            "applications": self.applications,
            "decided": self.decided,
            "granted_count": self.granted_count,
            "applied": str(self.applied),
            "granted": str(self.granted),
            "paid": str(self.paid),
            "reports": self.reports,
            "reporting_orgs": len(self.reporting_orgs),
            "participants_total": self.participants_total,
            "granted_reported": str(self.granted_reported),
        }
        if self.participants is not None and self.participant_orgs is not None:
            data["participants"] = self.participants
            data["participant_orgs"] = {
                band: {gender: len(orgs) for gender, orgs in genders.items()}
                for band, genders in self.participant_orgs.items()
            }
        return data


def _total_cell() -> Cell:
    return Cell(
        participants={
            band: dict.fromkeys(PARTICIPANT_GENDERS, 0) for band in PARTICIPANT_AGE_BANDS
        },
        participant_orgs={
            band: {gender: set() for gender in PARTICIPANT_GENDERS}
            for band in PARTICIPANT_AGE_BANDS
        },
    )


@dataclass
class View:
    """The cells of one view (a root, a scope and a year or every year)."""

    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)

    def cell(self, key: tuple[str, str]) -> Cell:
        found = self.cells.get(key)
        if found is None:
            found = self.cells[key] = _total_cell() if key == TOTAL else Cell()
        return found


def local_year(moment: datetime) -> int:
    return timezone.localtime(moment).year


def _three_years_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 3)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 3, day=28)


def earlier_grants(facts: Sequence[GrantFact]) -> dict[int, list[date]]:
    """The days (Europe/Stockholm) each organisation was granted money, in order."""
    days: dict[int, list[date]] = defaultdict(list)
    for fact in facts:
        if fact.outcome == "granted" and fact.decided_at is not None:
            days[fact.organisation_id].append(timezone.localtime(fact.decided_at).date())
    for values in days.values():
        values.sort()
    return days


def first_time(fact: GrantFact, granted_days: Mapping[int, list[date]]) -> tuple[bool, bool]:
    """(first-time ever, new in three years): no grant decided before the day the application
    was sent in; none decided from the same date three years earlier until then."""
    sent = timezone.localtime(fact.submitted_at).date()
    days = granted_days.get(fact.organisation_id, [])
    before = bisect_left(days, sent)  # grants decided on an earlier day
    if before == 0:
        return True, True
    return False, days[before - 1] < _three_years_before(sent)


def compute(
    facts: Iterable[GrantFact],
    *,
    organisations: Mapping[int, OrgInfo],
    root_of: Mapping[int, int],
) -> dict[tuple[int, str, int | None], View]:
    """Every view of every root: {(root id, scope, year or None): View}. `root_of` maps a public
    body to its municipality or region."""
    facts = list(facts)
    granted_days = earlier_grants(facts)
    views: dict[tuple[int, str, int | None], View] = {}
    missing = OrgInfo()
    for fact in facts:
        info = organisations.get(fact.organisation_id, missing)
        ever, three = first_time(fact, granted_days)
        keys = [
            TOTAL,
            ("district", info.district),
            ("legal_form", info.legal_form),
            ("size", size_band(info.members_total)),
            ("first_time", "first" if ever else "returning"),
            ("new_3y", "new" if three else "recent"),
        ]
        keys += [("target_group", str(group)) for group in info.target_groups] or [
            ("target_group", "")
        ]
        root = root_of.get(fact.public_body_id, fact.public_body_id)
        year = local_year(fact.submitted_at)
        participants = fact.participants if fact.outcome == "granted" else None
        for scope in (ALL, scope_body(fact.public_body_id), scope_programme(fact.programme_id)):
            for which in (year, None):
                view = views.get((root, scope, which))
                if view is None:
                    view = views[(root, scope, which)] = View()
                for key in keys:
                    view.cell(key).add(fact, participants)
    return views


def members_of(recipients: Iterable[int], organisations: Mapping[int, OrgInfo]) -> dict[str, int]:
    """The members of the organisations granted money, as the register has them: sums of what
    they reported, and how many reported each."""
    sums = dict.fromkeys(("total", "7_25", "women", "men", "other"), 0)
    reported = dict.fromkeys(sums, 0)
    for organisation in recipients:
        info = organisations.get(organisation)
        if info is None:
            continue
        for name, value in (
            ("total", info.members_total),
            ("7_25", info.members_7_25),
            ("women", info.members_women),
            ("men", info.members_men),
            ("other", info.members_other),
        ):
            if value is not None:
                sums[name] += value
                reported[name] += 1
    return {
        **sums,
        **{f"reported_{name}": value for name, value in reported.items()},
    }
