"""The de minimis rules, read from the ledger (`AidEntry`): one place for the rolling three
years, the two ceilings, the undertaking, and what a new aid may be.

- Aid counts from the day it is granted (the decision date, never the payment date), at its
  gross grant equivalent in euro, for three years: an aid decided on D counts for a new aid
  decided on N when D is on or after the same date three years before N (29 February: the 28th).
  The day three years back is counted, so the portal errs on the side of the lawful grant.
- The general ceiling (2023/2831: €300 000) holds the general de minimis aid (2023/2831 and the
  regulations before it, agriculture and fishery included); the SGEI ceiling (2023/2832:
  €750 000) holds all of it, SGEI aid and general aid together.
- An aid that would cross a ceiling is not covered at all: it is refused, never trimmed.
- A single undertaking may be more than one organisation (`Undertaking`); its aid is summed over
  every member, each entry once.
- Aid declared by the organisation counts from its newest declaration only; a newer declaration
  replaces the entries of the one before.

Nothing here writes: `organisations.services.state_aid` locks, checks with `standing` and
records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organisations.models import (
    SGEI_REGULATIONS,
    AidDeclaration,
    AidEntry,
    AidRegulation,
    Organisation,
    StateAidSettings,
    UndertakingMember,
)
from portal.formats import long_date
from portal.money import format_sek

CENT = Decimal("0.01")

# The regulations' full titles, as a decision names them (2023/2831 and 2023/2832, Art. 6(1)).
TITLES = {
    AidRegulation.DE_MINIMIS: gettext_lazy(
        "Commission Regulation (EU) 2023/2831 of 13 December 2023 on the application of "
        "Articles 107 and 108 of the Treaty on the Functioning of the European Union to de "
        "minimis aid"
    ),
    AidRegulation.SGEI: gettext_lazy(
        "Commission Regulation (EU) 2023/2832 of 13 December 2023 on the application of "
        "Articles 107 and 108 of the Treaty on the Functioning of the European Union to de "
        "minimis aid granted to undertakings providing services of general economic interest"
    ),
}


def regulation_title(regulation: str) -> str:
    """The regulation's full title; an older one (declared aid) by its label."""
    if regulation in TITLES:
        return str(TITLES[regulation])  # type: ignore[index]
    return (
        str(AidRegulation(regulation).label) if regulation in AidRegulation.values else regulation
    )


def years_back(day: dt.date, years: int) -> dt.date:
    """The same date `years` earlier; 29 February becomes the 28th in a year without one."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def window_start(at: dt.date) -> dt.date:
    """The first day of the three years that count for an aid decided on `at` (inclusive)."""
    return years_back(at, 3)


def frees_on(decided_on: dt.date) -> dt.date:
    """The first day on which an aid decided on `decided_on` no longer counts."""
    day = years_back(decided_on, -3)
    while window_start(day) <= decided_on:
        day += dt.timedelta(days=1)
    return day


def format_eur(amount: Decimal | int | None) -> str:
    """ "300 000 euro", "3 181,82 euro": as `format_sek` writes kronor."""
    return format_sek(amount).replace("kr", "euro")


@dataclass(frozen=True)
class Rate:
    """The exchange rate a new aid is converted at: the administrator's setting."""

    sek_per_eur: Decimal
    rate_date: dt.date | None
    source: str

    @classmethod
    def of(cls, entry: AidEntry) -> Rate:
        """The rate an entry was converted at, as it was then."""
        return cls(entry.sek_per_eur, entry.rate_date, entry.rate_source)

    def to_eur(self, sek: Decimal) -> Decimal:
        return (Decimal(sek) / self.sek_per_eur).quantize(CENT, rounding=ROUND_HALF_UP)

    def to_sek(self, eur: Decimal) -> Decimal:
        return (Decimal(eur) * self.sek_per_eur).quantize(CENT, rounding=ROUND_HALF_UP)

    def describe(self) -> str:
        """ "11,0000 kr per euro (Europeiska kommissionens månadskurs (InforEuro), 1 november
        2026)"."""
        rate = f"{self.sek_per_eur:.4f}".replace(".", ",")
        if self.rate_date:
            return _("%(rate)s SEK per euro (%(source)s, %(date)s)") % {
                "rate": rate,
                "source": self.source,
                "date": long_date(self.rate_date),
            }
        return _("%(rate)s SEK per euro (%(source)s)") % {"rate": rate, "source": self.source}


@dataclass(frozen=True)
class Ceilings:
    general_eur: Decimal
    sgei_eur: Decimal


def current_settings() -> tuple[Rate, Ceilings]:
    saved = StateAidSettings.load()
    return (
        Rate(saved.sek_per_eur, saved.rate_date, saved.rate_source),
        Ceilings(Decimal(saved.ceiling_eur), Decimal(saved.sgei_ceiling_eur)),
    )


def undertaking_ids(organisation_id: int) -> list[int]:
    """The organisations of the organisation's single undertaking (itself alone when it is
    linked to none), by id, in one query."""
    ids = list(
        UndertakingMember.objects.filter(
            undertaking__members__organisation_id=organisation_id
        ).values_list("organisation_id", flat=True)
    )
    return sorted(set(ids) | {organisation_id})


def counted_entries(organisation_ids: list[int]) -> QuerySet[AidEntry]:
    """Every entry that counts for these organisations, at any date: decided here, or declared
    in a declaration not replaced since."""
    return AidEntry.objects.filter(organisation_id__in=organisation_ids).filter(
        Q(origin="decided") | Q(superseded_at__isnull=True)
    )


@dataclass(frozen=True)
class Release:
    """On `day`, aid of `amount_eur` stops counting."""

    day: dt.date
    amount_eur: Decimal


@dataclass(frozen=True)
class Standing:
    """An undertaking's de minimis aid in the three years up to `at`, and its room left."""

    at: dt.date
    organisation_ids: list[int]
    entries: list[AidEntry]
    rate: Rate
    ceilings: Ceilings
    releases: list[Release] = field(default_factory=list)

    @property
    def start(self) -> dt.date:
        return window_start(self.at)

    @property
    def general_eur(self) -> Decimal:
        return sum((e.amount_eur for e in self.entries if not e.is_sgei), Decimal(0))

    @property
    def total_eur(self) -> Decimal:
        return sum((e.amount_eur for e in self.entries), Decimal(0))

    @property
    def is_linked(self) -> bool:
        return len(self.organisation_ids) > 1

    def ceiling_for(self, regulation: str) -> Decimal:
        return (
            self.ceilings.sgei_eur if regulation in SGEI_REGULATIONS else self.ceilings.general_eur
        )

    def counted_for(self, regulation: str) -> Decimal:
        """What already counts against the ceiling that binds an aid under `regulation`."""
        return self.total_eur if regulation in SGEI_REGULATIONS else self.general_eur

    def headroom_eur(self, regulation: str = AidRegulation.DE_MINIMIS) -> Decimal:
        """The most a new aid under `regulation` may be: under the general ceiling (general aid)
        and under the SGEI ceiling (all aid) both."""
        room = self.ceilings.sgei_eur - self.total_eur
        if regulation not in SGEI_REGULATIONS:
            room = min(room, self.ceilings.general_eur - self.general_eur)
        return max(room, Decimal(0))

    def headroom_sek(self, regulation: str = AidRegulation.DE_MINIMIS) -> Decimal:
        """The headroom in kronor at today's rate, rounded down to whole kronor."""
        sek = self.headroom_eur(regulation) * self.rate.sek_per_eur
        return sek.quantize(Decimal(1), rounding="ROUND_FLOOR")

    def refusal(self, *, amount_eur: Decimal, regulation: str) -> str:
        """Why an aid of `amount_eur` may not be granted, or "" when it may."""
        if amount_eur <= self.headroom_eur(regulation):
            return ""
        sgei = regulation in SGEI_REGULATIONS
        binding = (
            self.ceilings.sgei_eur
            if sgei or self.total_eur + amount_eur > self.ceilings.sgei_eur
            else self.ceilings.general_eur
        )
        counted = self.total_eur if binding == self.ceilings.sgei_eur else self.general_eur
        text = _(
            "The aid cannot be granted as de minimis aid: with %(amount)s the undertaking's de "
            "minimis aid over three years would be %(total)s, above the ceiling of "
            "%(ceiling)s. Aid that would cross the ceiling is not covered at all, not even in "
            "part. The room left is %(room)s (%(room_sek)s)."
        ) % {
            "amount": format_eur(amount_eur),
            "total": format_eur(counted + amount_eur),
            "ceiling": format_eur(binding),
            "room": format_eur(self.headroom_eur(regulation)),
            "room_sek": format_sek(self.headroom_sek(regulation)),
        }
        if self.releases:
            first = self.releases[0]
            text += " " + _("On %(date)s, %(amount)s stops counting.") % {
                "date": long_date(first.day),
                "amount": format_eur(first.amount_eur),
            }
        return text


def standing(
    *, organisation_id: int, at: dt.date, excluding: tuple[str, int] | None = None
) -> Standing:
    """The undertaking's aid counted for a new aid decided on `at`, in two queries.
    `excluding` (source kind, id) leaves out the case being decided, should it be entered.

    Aid decided after `at`, up to today, counts too: an aid entered with an earlier decision
    date (an IOP agreement's committee met last week) falls in the three years of every aid
    decided since, so it must fit with them as well. For a date that is today, that is the
    three years up to it."""
    ids = undertaking_ids(organisation_id)
    rate, ceilings = current_settings()
    until = max(at, timezone.localdate())
    rows = counted_entries(ids).filter(decided_on__gte=window_start(at), decided_on__lte=until)
    if excluding is not None:
        rows = rows.exclude(origin="decided", source_kind=excluding[0], source_id=excluding[1])
    entries = list(rows.order_by("decided_on", "id"))
    by_day: dict[dt.date, Decimal] = {}
    for entry in entries:
        day = frees_on(entry.decided_on)
        by_day[day] = by_day.get(day, Decimal(0)) + entry.amount_eur
    releases = [Release(day, amount) for day, amount in sorted(by_day.items())]
    return Standing(
        at=at,
        organisation_ids=ids,
        entries=entries,
        rate=rate,
        ceilings=ceilings,
        releases=releases,
    )


def latest_declaration(organisation_id: int) -> AidDeclaration | None:
    return (
        AidDeclaration.objects.filter(organisation_id=organisation_id).order_by("-number").first()
    )


def declaration_missing(
    declaration: AidDeclaration | None, *, since: dt.datetime, since_label: str
) -> str:
    """Why a de minimis aid may not be decided for want of a declaration, or "". `since` is
    when the case began (a call's opening); `since_label` says what that was."""
    if declaration is not None and declaration.declared_at >= since:
        return ""
    return _(
        "The organisation has not declared its de minimis aid from others since %(date)s, when "
        "%(what)s. Ask a representative of the organisation to sign a declaration on the "
        "organisation's page “De minimis aid” before the decision."
    ) % {"date": long_date(since), "what": since_label}


def date_refusal(at: dt.date, *, since: dt.datetime) -> str:
    """Why aid may not be entered as decided on `at`, or "": a decision is taken on a day
    between the start of its case and today. An earlier date would put the aid outside the
    three years that later decisions count; a later one is no decision yet."""
    began, today = timezone.localdate(since), timezone.localdate()
    if began <= at <= today:
        return ""
    return _(
        "The decision date must be between %(began)s, when the case began, and today, %(today)s."
    ) % {"began": long_date(began), "today": long_date(today)}


def check(
    *,
    organisation: Organisation,
    at: dt.date,
    amount_sek: Decimal,
    regulation: str,
    since: dt.datetime,
    since_label: str,
    excluding: tuple[str, int] | None = None,
) -> tuple[Standing, Decimal]:
    """Every check of a new de minimis aid: a decision date within its case, a recent
    declaration, and room under both ceilings for the whole amount. Returns the standing and the aid in euro; raises a ValidationError
    with every reason otherwise."""
    current = standing(organisation_id=organisation.pk, at=at, excluding=excluding)
    amount_eur = current.rate.to_eur(amount_sek)
    reasons = [
        reason
        for reason in (
            date_refusal(at, since=since),
            declaration_missing(
                latest_declaration(organisation.pk), since=since, since_label=since_label
            ),
            current.refusal(amount_eur=amount_eur, regulation=regulation),
        )
        if reason
    ]
    if reasons:
        raise ValidationError(reasons, code="de_minimis")
    return current, amount_eur
