"""The public statistics never show a group of fewer than five organisations, and a hidden group
cannot be worked out from what is shown: the sums of a table, of the years, of the public bodies
or of a body's programmes, together with the other groups."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from grants.models import ApplicationStatus, ReportStatus
from insights import aggregates, store, suppression
from insights.models import Audience, Summary
from insights.suppression import THRESHOLD
from tests.grants.factories import (
    ApplicationFactory,
    CallFactory,
    FollowUpReportFactory,
    ProgrammeFactory,
)
from tests.organisations.factories import OrganisationFactory
from tests.portal.factories import CommitteeFactory, PublicBodyFactory

STOCKHOLM = ZoneInfo("Europe/Stockholm")
DISTRICTS = ["Centrum", "Norr", "Söder", "Väster", "Skogsbyn", ""]


@pytest.fixture
def municipality(db: None) -> Any:
    """Forty organisations of uneven districts at two committees with three programmes, over
    three years: many small groups, some just at the threshold."""
    rng = random.Random(15)  # noqa: S311 - test data, not security
    root = PublicBodyFactory(name="Provkommun")
    culture = CommitteeFactory(parent=root, name="Kulturnämnden")
    social = CommitteeFactory(parent=root, name="Socialnämnden")
    calls = [
        CallFactory(programme=ProgrammeFactory(public_body=culture, name="Stort program")),
        CallFactory(programme=ProgrammeFactory(public_body=culture, name="Litet program")),
        CallFactory(programme=ProgrammeFactory(public_body=social, name="Socialt program")),
    ]
    weights = [12, 8, 7, 6, 3, 4]
    organisations = [
        OrganisationFactory(district=district, members_total=rng.choice([None, 10, 50, 300]))
        for district, count in zip(DISTRICTS, weights, strict=True)
        for _n in range(count)
    ]
    for organisation in organisations:
        for year in (2024, 2025, 2026):
            for call, chance in zip(calls, (0.7, 0.08, 0.25), strict=True):
                if rng.random() > chance:
                    continue
                granted = rng.random() < 0.6
                application = ApplicationFactory(
                    call=call,
                    organisation=organisation,
                    status=ApplicationStatus.APPROVED if granted else ApplicationStatus.REJECTED,
                    submitted_at=datetime(year, 3, rng.randint(1, 28), tzinfo=STOCKHOLM),
                    amount_requested=Decimal(rng.randint(1, 50) * 1000),
                    decided_at=datetime(year, 5, 1, tzinfo=STOCKHOLM),
                )
                if granted:
                    application.decided_amount = application.amount_requested
                    application.save()
                    if rng.random() < 0.5:
                        FollowUpReportFactory(
                            application=application,
                            status=ReportStatus.APPROVED,
                            participants={
                                "7–12": {
                                    "women": rng.randint(0, 9),
                                    "men": rng.randint(0, 9),
                                    "other": rng.randint(0, 1),
                                },
                                "65+": {"women": rng.randint(0, 2), "men": 0, "other": 0},
                            },
                        )
    store.build()
    return root


def published(root: Any) -> dict[tuple[str, int | None], dict[str, Any]]:
    return {
        (row.scope, row.year): row.data
        for row in Summary.objects.filter(root=root, audience=Audience.PUBLIC)
    }


def counts(root: Any) -> dict[tuple[str, int | None, tuple[str, str]], int]:
    """The organisations behind every figure, as the build counts them (officers' side)."""
    inputs = store.read_inputs()
    views = aggregates.compute(
        inputs.facts, organisations=inputs.organisations, root_of=store.root_of(inputs.bodies)
    )
    found: dict[tuple[str, int | None, tuple[str, str]], int] = {}
    for (view_root, scope, year), view in views.items():
        if view_root == root.pk:
            for key, count in store.counts_of(view, inputs.organisations).items():
                found[(scope, year, key)] = count
    return found


def shown_figures(data: dict[str, Any]) -> Iterator[tuple[tuple[str, str], Any]]:
    """Every figure of a public summary with its key: (dimension, group) → granted money, and
    participants by age band and gender."""
    if not data["total"].get("suppressed"):
        yield aggregates.TOTAL, Decimal(data["total"]["granted"])
    for dimension in aggregates.DIMENSIONS:
        for row in data["rows"][dimension]:
            if not row.get("suppressed"):
                yield (dimension, row["key"]), Decimal(row["granted"])
            if dimension == "district" and "participants_total" in row:
                yield (store.PARTICIPANT_DISTRICT, row["key"]), row["participants_total"]
    participants = data["participants"]
    for band, genders in participants["cells"].items():
        for gender, value in genders.items():
            if value is not None:
                yield (store.PARTICIPANTS, f"{band}|{gender}"), value
    for band, value in participants["band"].items():
        if value is not None:
            yield (store.PARTICIPANTS, f"{band}|*"), value
    for gender, value in participants["gender"].items():
        if value is not None:
            yield (store.PARTICIPANTS, f"*|{gender}"), value
    if participants.get("total") is not None:
        yield (store.PARTICIPANTS, "*|*"), participants["total"]


def test_no_public_figure_rests_on_fewer_than_five_organisations(municipality: Any) -> None:
    behind = counts(municipality)
    small = [key for key, count in behind.items() if 0 < count < THRESHOLD]
    assert small, "the case must have small groups to hide"
    shown = 0
    for (scope, year), data in published(municipality).items():
        for key, _value in shown_figures(data):
            count = behind.get((scope, year, key), 0)
            assert count == 0 or count >= THRESHOLD, (scope, year, key, count)
            shown += 1
    assert shown > 100  # most of it is still there to read


def test_participants_of_fewer_than_five_reporting_organisations_are_left_out(
    municipality: Any,
) -> None:
    """Kronor per participant and the participants of a group rest on the organisations that
    reported them, however many applied."""
    left_out = 0
    for data in published(municipality).values():
        for dimension in ("year", "body", "programme", *aggregates.DIMENSIONS):
            for row in data["rows"].get(dimension, []):
                if row.get("suppressed"):
                    continue
                if row.get("participants_suppressed"):
                    assert not set(store.PARTICIPANT_FIELDS) & set(row)
                    left_out += 1
                else:
                    assert row["reporting_orgs"] == 0 or row["reporting_orgs"] >= THRESHOLD
    assert left_out


# The splits whose rows add up to the view's total (an organisation has one district, one legal
# form, one size; and is first-time or not): what an attacker may set up as equations.
ADDITIVE = ("district", "legal_form", "size", "first_time", "new_3y")


def recoverable(pages: dict[tuple[str, int | None], dict[str, Any]], measure: str) -> list[str]:
    """Work hidden figures out of the published ones as an attacker with every public page and
    download would: every sum the pages show is an equation (the rows of a split and the view's
    total; the years and every year; the public bodies and the whole; a body's programmes and
    the body), every shown figure a known value; solved exactly (fractions), a hidden figure
    with one possible value is found. Returns what was found."""
    known: dict[Any, Fraction] = {}
    unknown: set[Any] = set()

    def cell(key: Any, row: dict[str, Any]) -> Any:
        if row.get("suppressed"):
            unknown.add(key)
        else:
            known[key] = Fraction(str(row[measure]))
        return key

    equations: list[tuple[Any, list[Any]]] = []
    years = sorted({year for _scope, year in pages if year is not None})
    for (_scope, year), data in pages.items():
        total = cell(("total", year), data["total"])
        for dimension in ADDITIVE:
            parts = [cell((dimension, row["key"], year), row) for row in data["rows"][dimension]]
            equations.append((total, parts))
        bodies = [cell(("body", row["key"], year), row) for row in data["rows"].get("body", [])]
        equations.append((total, bodies))
        programmes_of = data["programmes_of"]
        for body in data["rows"].get("body", []):
            equations.append(
                (
                    ("body", body["key"], year),
                    [("programme", key, year) for key in programmes_of.get(body["key"], [])],
                )
            )
        for row in data["rows"].get("programme", []):
            cell(("programme", row["key"], year), row)
    every = {key[:-1] for key in [*known, *unknown] if key[-1] is None}
    for key in every:
        parts = [(*key, year) for year in years if (*key, year) in known or (*key, year) in unknown]
        equations.append(((*key, None), parts))
    # a figure never published (a group with nothing in a year) is nothing
    columns = sorted(unknown, key=str)
    index = {key: number for number, key in enumerate(columns)}
    rows: list[list[Fraction]] = []
    for total, parts in equations:
        coefficients = [Fraction(0)] * (len(columns) + 1)
        for key, sign in ((total, 1), *((part, -1) for part in parts)):
            if key in index:
                coefficients[index[key]] += sign
            else:
                coefficients[-1] -= sign * known.get(key, Fraction(0))
        if any(coefficients[:-1]):
            rows.append(coefficients)
    # reduced row echelon form
    pivots: list[int] = []
    rank = 0
    for column in range(len(columns)):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][column] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        lead = rows[rank][column]
        rows[rank] = [value / lead for value in rows[rank]]
        for r in range(len(rows)):
            if r != rank and rows[r][column] != 0:
                factor = rows[r][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[rank], strict=True)]
        pivots.append(column)
        rank += 1
    found = []
    for r, column in enumerate(pivots):
        others = [c for c in range(len(columns)) if c != column and rows[r][c] != 0]
        if not others:
            found.append(f"{columns[column]} = {rows[r][-1]}")
    return found


def test_a_hidden_group_cannot_be_recovered_from_sums_and_other_filters(
    municipality: Any,
) -> None:
    pages = published(municipality)
    hidden = [
        (scope, year, row["key"])
        for (scope, year), data in pages.items()
        for row in data["rows"]["district"]
        if row.get("suppressed")
    ]
    assert hidden, "the case must hide some districts"
    for measure in ("applications", "granted", "applied"):
        assert recoverable(pages, measure) == [], measure


def test_without_secondary_suppression_the_same_attempt_succeeds(
    municipality: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attempt above is a real one: with only the small groups hidden, it finds them."""
    monkeypatch.setattr(
        suppression,
        "suppressed",
        lambda counts, lines: {key for key, count in counts.items() if 0 < count < THRESHOLD},
    )
    store.build()
    assert recoverable(published(municipality), "applications")


def test_the_rule_on_one_line() -> None:
    # one small part beside a total: the next smallest part is hidden too
    counts = {"total": 20, "a": 2, "b": 6, "c": 12}
    assert suppression.suppressed(counts, [("total", ["a", "b", "c"])]) == {"a", "b"}
    # two small parts that together are still fewer than five: a third one goes
    counts = {"total": 20, "a": 1, "b": 2, "c": 6, "d": 11}
    assert suppression.suppressed(counts, [("total", ["a", "b", "c", "d"])]) == {"a", "b", "c"}
    # the only part with organisations: the total goes with it
    counts = {"total": 3, "a": 3}
    assert suppression.suppressed(counts, [("total", ["a", "z"])]) == {"a", "total"}
    # nothing small: nothing hidden
    assert suppression.suppressed({"total": 9, "a": 5}, [("total", ["a"])]) == set()


def test_sums_taken_together_are_solved_too() -> None:
    """Each sum protected on its own is not enough. Here the municipality's total is shown with
    two hidden parts, a small group `p` and a body `q`, but `q` is also the sum of two shown
    programmes: the two sums together give `q` and then `p`. The system of all sums finds both,
    and one more figure is hidden until nothing has a single value."""
    counts = {"total": 52, "p": 2, "q": 20, "r": 10, "s": 10, "t": 30}
    table = [("total", ["p", "q", "t"]), ("q", ["r", "s"])]
    # the line rule alone: p hidden, then q (the part that leaves no other sum unsafe)
    assert suppression._line_rule(counts, table, {"p"}) == {"p", "q"}
    assert suppression.determined(counts, table, {"p", "q"}) == {"p", "q"}
    hidden = suppression.suppressed(counts, table)
    assert {"p", "q"} <= hidden
    assert suppression.determined(counts, table, hidden) == set()
