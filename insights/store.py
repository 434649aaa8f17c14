"""The statistics of who gets the support, built ahead of time and read as one row.

A build (`build`) reads every grant fact (portal.registry: each app's fact source), the register
of organisations, the public bodies and the population tables, computes every view
(insights.aggregates) and writes one `Summary` row per view and audience: the officers' with
every figure, the public's with small groups suppressed (insights.suppression). It runs in the
worker (`insights.tasks.build_insights`): a minute after a change to what it reads (`watch`,
debounced: many changes in that minute give one build), nightly (beat), and from
`manage.py build_insights`. A request reads one summary; it never adds up applications.

The rows of a build replace the previous build's in one transaction, so a reader sees one whole
build."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from insights import aggregates, suppression
from insights.aggregates import ALL, DIMENSIONS, TOTAL, OrgInfo, View
from insights.models import Audience, PopulationCell, PopulationTable, Summary
from organisations.models import District, Organisation, TargetGroup
from portal import person_cache, public_cache, registry
from portal.models import PublicBody
from portal.registry import PARTICIPANT_AGE_BANDS, PARTICIPANT_GENDERS
from portal.tasks import queue_once

SCHEDULED_KEY = "insights:scheduled"
DEBOUNCE_SECONDS = 60
Key = tuple[str, str]


# --- reading what a build needs ----------------------------------------------------------------


@dataclass
class Inputs:
    facts: list[registry.GrantFact]
    organisations: dict[int, OrgInfo]
    bodies: dict[int, tuple[str, int | None]]
    target_groups: dict[int, str]
    districts: list[str]
    population: dict[int, list[dict[str, Any]]]


def read_inputs() -> Inputs:
    """Everything a build reads, in a fixed number of queries."""
    facts = [fact for source in registry.fact_sources() for fact in source.read()]
    groups: dict[int, list[int]] = defaultdict(list)
    for organisation_id, group_id in Organisation.target_groups.through.objects.values_list(
        "organisation_id", "targetgroup_id"
    ):
        groups[organisation_id].append(group_id)
    organisations = {
        pk: OrgInfo(
            district=district or "",
            legal_form=legal_form,
            members_total=total,
            members_7_25=young,
            members_women=women,
            members_men=men,
            members_other=other,
            target_groups=tuple(sorted(groups.get(pk, ()))),
        )
        for pk, district, legal_form, total, young, women, men, other in (
            Organisation.objects.values_list(
                "pk",
                "district",
                "legal_form",
                "members_total",
                "members_7_25",
                "members_women",
                "members_men",
                "members_other_gender",
            ).iterator(chunk_size=5000)
        )
    }
    bodies: dict[int, tuple[str, int | None]] = {
        pk: (name, parent)
        for pk, name, parent in PublicBody.objects.values_list("pk", "name", "parent_id")
    }
    population: dict[int, list[dict[str, Any]]] = defaultdict(list)
    tables = {table.pk: table for table in PopulationTable.objects.order_by("year")}
    by_table: dict[int, dict[str, Any]] = {
        pk: {"year": table.year, "total": 0, "district": {}, "band": {}}
        for pk, table in tables.items()
    }
    for table_id, district, band, gender, count in PopulationCell.objects.values_list(
        "table_id", "district__name", "age_band", "gender", "count"
    ):
        entry = by_table[table_id]
        entry["total"] += count
        entry["district"][district] = entry["district"].get(district, 0) + count
        bands = entry["band"].setdefault(band, {"women": 0, "men": 0})
        bands[gender] += count
    for pk, table in tables.items():
        population[table.root_id].append(by_table[pk])
    return Inputs(
        facts=facts,
        organisations=organisations,
        bodies=bodies,
        target_groups=dict(TargetGroup.objects.values_list("pk", "name")),
        districts=list(District.objects.values_list("name", flat=True)),
        population=dict(population),
    )


def root_of(bodies: Mapping[int, tuple[str, int | None]]) -> dict[int, int]:
    """Each public body's municipality or region (the top of its tree)."""
    roots: dict[int, int] = {}
    for pk in bodies:
        top, seen = pk, {pk}
        while (parent := bodies[top][1]) is not None and parent not in seen:
            seen.add(parent)
            top = parent
        roots[pk] = top
    return roots


def population_for(tables: list[dict[str, Any]], year: int | None) -> dict[str, Any] | None:
    """The population table a view is set against: of the view's year, else the latest before
    it, else the earliest there is; for every year, the latest."""
    if not tables:
        return None
    if year is None:
        return tables[-1]
    earlier = [table for table in tables if table["year"] <= year]
    return earlier[-1] if earlier else tables[0]


# --- building ----------------------------------------------------------------------------------


PARTICIPANTS = "participants"
PARTICIPANT_DISTRICT = "participants_district"
MEMBERS = ("members", "*")


def _participant_key(band: str, gender: str) -> Key:
    return (PARTICIPANTS, f"{band}|{gender}")


def counts_of(view: View, organisations: Mapping[int, OrgInfo]) -> dict[Key, int]:
    """The organisations behind each figure of a view that the public page may show: a group's
    applicants; participants by age band and gender, by band, by gender and in a district (the
    reporting organisations); the members of the organisations granted money (those that
    reported them)."""
    counts: dict[Key, int] = {key: len(cell.orgs) for key, cell in view.cells.items()}
    total = view.cells.get(TOTAL)
    if total is None or total.participant_orgs is None:
        return counts
    by_band: dict[str, set[int]] = defaultdict(set)
    by_gender: dict[str, set[int]] = defaultdict(set)
    for band, genders in total.participant_orgs.items():
        for gender, orgs in genders.items():
            counts[_participant_key(band, gender)] = len(orgs)
            by_band[band] |= orgs
            by_gender[gender] |= orgs
    for band, orgs in by_band.items():
        counts[_participant_key(band, "*")] = len(orgs)
    for gender, orgs in by_gender.items():
        counts[_participant_key("*", gender)] = len(orgs)
    counts[_participant_key("*", "*")] = len(total.reporting_orgs)
    for (dimension, group), cell in view.cells.items():
        if dimension == "district":
            counts[(PARTICIPANT_DISTRICT, group)] = len(cell.reporting_orgs)
    members = aggregates.members_of(total.recipients, organisations)
    counts[MEMBERS] = members["reported_total"]
    return counts


def row_lines(keys: Iterable[Key]) -> list[tuple[Key, list[Key]]]:
    """The sums within one view: each split's rows and the total; participants by band and
    gender with their margins; participants by district and all participants."""
    by_dimension: dict[str, list[Key]] = defaultdict(list)
    for key in keys:
        by_dimension[key[0]].append(key)
    lines = [(TOTAL, by_dimension[dimension]) for dimension in DIMENSIONS]
    lines.append((_participant_key("*", "*"), by_dimension[PARTICIPANT_DISTRICT]))
    for gender in PARTICIPANT_GENDERS:
        parts = [_participant_key(band, gender) for band in PARTICIPANT_AGE_BANDS]
        lines.append((_participant_key("*", gender), parts))
    for band in PARTICIPANT_AGE_BANDS:
        parts = [_participant_key(band, gender) for gender in PARTICIPANT_GENDERS]
        lines.append((_participant_key(band, "*"), parts))
    lines.append(
        (_participant_key("*", "*"), [_participant_key(b, "*") for b in PARTICIPANT_AGE_BANDS])
    )
    lines.append(
        (_participant_key("*", "*"), [_participant_key("*", g) for g in PARTICIPANT_GENDERS])
    )
    return lines


def hidden_cells(
    views: Mapping[tuple[str, int | None], View],
    organisations: Mapping[int, OrgInfo],
    programmes_of: Mapping[int, set[int]],
) -> set[tuple[str, int | None, Key]]:
    """What the public page must not show of one root's figures (insights.suppression).

    The public page shows the whole municipality, each year and every year, with its public
    bodies and programmes as rows of their tables (their own totals); it offers no view of one
    body or programme, whose figures crossed with the years would be so many more sums to work a
    hidden group out of. Its figures are tied by the rows of each table and their total, the
    years and every year, the bodies and the whole, and a body's programmes and the body."""
    counts: dict[Hashable, int] = {}
    keys: set[Key] = set()
    for (scope, year), view in views.items():
        if scope == ALL:
            for key, count in counts_of(view, organisations).items():
                counts[(scope, year, key)] = count
                keys.add(key)
        else:  # a body's or programme's own total: a row of the whole's tables
            total = view.cells.get(TOTAL)
            counts[(scope, year, TOTAL)] = len(total.orgs) if total is not None else 0
    for key in (TOTAL, MEMBERS, _participant_key("*", "*")):
        keys.add(key)
    for band in PARTICIPANT_AGE_BANDS:
        for gender in (*PARTICIPANT_GENDERS, "*"):
            keys.add(_participant_key(band, gender))
    for gender in PARTICIPANT_GENDERS:
        keys.add(_participant_key("*", gender))
    years = sorted({year for _scope, year in views if year is not None})
    bodies = sorted(programmes_of)
    lines: list[suppression.Line] = []
    within = row_lines(keys)
    for year in (*years, None):
        lines += [
            ((ALL, year, total), [(ALL, year, part) for part in parts]) for total, parts in within
        ]
        lines.append(
            ((ALL, year, TOTAL), [(aggregates.scope_body(body), year, TOTAL) for body in bodies])
        )
        for body in bodies:
            lines.append(
                (
                    (aggregates.scope_body(body), year, TOTAL),
                    [
                        (aggregates.scope_programme(programme), year, TOTAL)
                        for programme in sorted(programmes_of[body])
                    ],
                )
            )
    for key in keys:
        lines.append(((ALL, None, key), [(ALL, year, key) for year in years]))
    for body in bodies:
        scopes = [aggregates.scope_body(body)] + [
            aggregates.scope_programme(programme) for programme in sorted(programmes_of[body])
        ]
        for scope in scopes:
            lines.append(((scope, None, TOTAL), [(scope, year, TOTAL) for year in years]))
    return suppression.suppressed(counts, lines)  # type: ignore[return-value]


PARTICIPANT_FIELDS = ("participants_total", "reports", "reporting_orgs", "granted_reported")


def _without_participants(data: dict[str, Any]) -> None:
    if data.get("suppressed"):
        return
    for name in PARTICIPANT_FIELDS:
        data.pop(name, None)
    data["participants_suppressed"] = True


def _row(key: str, label: str, cell: aggregates.Cell | None) -> dict[str, Any]:
    return {"key": key, "label": label, **(cell or aggregates.Cell()).out()}


def summary_data(
    *,
    root: int,
    scope: str,
    year: int | None,
    views: Mapping[tuple[str, int | None], View],
    inputs: Inputs,
    labels: Mapping[str, Mapping[str, str]],
    programmes_of: Mapping[int, set[int]],
    hidden: set[tuple[str, int | None, Key]] | None,
) -> dict[str, Any]:
    """The summary of one view as the pages read it; with `hidden`, the public's: every hidden
    figure left out and the row marked "suppressed"."""
    view = views[(scope, year)]
    years = sorted({y for _s, y in views if y is not None})

    def hide(which_scope: str, which_year: int | None, key: Key) -> bool:
        return hidden is not None and (which_scope, which_year, key) in hidden

    def row(
        key: str, label: str, cell: aggregates.Cell | None, at: tuple[str, int | None, Key]
    ) -> dict[str, Any]:
        if hide(*at):
            # "small": fewer than five organisations itself, not hidden to protect another
            small = cell is not None and 0 < len(cell.orgs) < suppression.THRESHOLD
            return {"key": key, "label": label, "suppressed": True, "small": small}
        data = _row(key, label, cell)
        if hidden is not None and 0 < data["recipients"] < suppression.THRESHOLD:
            data["recipients"] = None  # the organisations granted money: fewer than five
        data.pop("participants", None)
        data.pop("participant_orgs", None)
        # what a row says of its participants (and kronor per participant) rests on the
        # organisations that reported them: fewer than five, and the public page leaves it out
        if hidden is not None and 0 < data["reporting_orgs"] < suppression.THRESHOLD:
            _without_participants(data)
        return data

    total_cell = view.cells.get(TOTAL)
    total = row("*", "", total_cell, (scope, year, TOTAL))
    rows: dict[str, list[dict[str, Any]]] = {}
    # over time: the scope's own figures each year
    rows["year"] = [
        row(str(y), str(y), views[(scope, y)].cells.get(TOTAL), (scope, y, TOTAL))
        for y in years
        if (scope, y) in views
    ]
    if scope == ALL:
        rows["body"] = [
            row(
                str(body),
                labels["body"].get(str(body), ""),
                views[(aggregates.scope_body(body), year)].cells.get(TOTAL),
                (aggregates.scope_body(body), year, TOTAL),
            )
            for body in sorted(programmes_of, key=lambda b: labels["body"].get(str(b), ""))
            if (aggregates.scope_body(body), year) in views
        ]
    programmes: list[int] = []
    if scope == ALL:
        programmes = [p for body in programmes_of for p in programmes_of[body]]
    elif scope.startswith("body:"):
        programmes = list(programmes_of.get(int(scope.split(":")[1]), ()))
    rows["programme"] = [
        row(
            str(programme),
            labels["programme"].get(str(programme), ""),
            views[(aggregates.scope_programme(programme), year)].cells.get(TOTAL),
            (aggregates.scope_programme(programme), year, TOTAL),
        )
        for programme in sorted(programmes, key=lambda p: labels["programme"].get(str(p), ""))
        if (aggregates.scope_programme(programme), year) in views
    ]
    table = population_for(inputs.population.get(root, []), year)
    for dimension in DIMENSIONS:
        groups = {group for (d, group) in view.cells if d == dimension}
        if dimension == "district":
            groups |= set(inputs.districts) | set((table or {}).get("district", {}))
        ordered = sorted(groups, key=lambda g: (g == "", _order(dimension, g, inputs, labels)))
        rows[dimension] = []
        for group in ordered:
            key = (dimension, group)
            data = row(
                group,
                labels.get(dimension, {}).get(group, group),
                view.cells.get(key),
                (scope, year, key),
            )
            if dimension == "district":
                if table is not None:
                    data["population"] = table["district"].get(group)
                if hide(scope, year, (PARTICIPANT_DISTRICT, group)):
                    _without_participants(data)
            rows[dimension].append(data)
    participants: dict[str, Any] = {"cells": {}, "band": {}, "gender": {}}
    if total_cell is not None and total_cell.participants is not None:
        for band in PARTICIPANT_AGE_BANDS:
            participants["cells"][band] = {
                gender: (
                    None
                    if hide(scope, year, _participant_key(band, gender))
                    else total_cell.participants[band][gender]
                )
                for gender in PARTICIPANT_GENDERS
            }
            participants["band"][band] = (
                None
                if hide(scope, year, _participant_key(band, "*"))
                else sum(total_cell.participants[band].values())
            )
        for gender in PARTICIPANT_GENDERS:
            participants["gender"][gender] = (
                None
                if hide(scope, year, _participant_key("*", gender))
                else sum(total_cell.participants[band][gender] for band in PARTICIPANT_AGE_BANDS)
            )
        participants["total"] = (
            None if hide(scope, year, _participant_key("*", "*")) else total_cell.participants_total
        )
    members = (
        None
        if total_cell is None or hide(scope, year, MEMBERS)
        else aggregates.members_of(total_cell.recipients, inputs.organisations)
    )
    return {
        "root": root,
        "scope": scope,
        "programmes_of": {
            str(body): sorted(
                (str(p) for p in programmes),
                key=lambda p: labels["programme"].get(p, ""),
            )
            for body, programmes in programmes_of.items()
        },
        "year": year,
        "years": years,
        "total": total,
        "rows": rows,
        "participants": participants,
        "members": members,
        "population": table,
    }


def _order(
    dimension: str, group: str, inputs: Inputs, labels: Mapping[str, Mapping[str, str]]
) -> Any:
    if dimension == "size":
        return [label for _low, _high, label in aggregates.SIZE_BANDS].index(group) if group else 99
    if dimension == "district" and group in inputs.districts:
        return (0, inputs.districts.index(group), group)
    if dimension in ("first_time", "new_3y"):
        return group not in ("first", "new")
    return (1, 0, labels.get(dimension, {}).get(group, group).casefold())


def build() -> int:
    """Compute every view and replace the summaries; returns how many were written."""
    inputs = read_inputs()
    roots = root_of(inputs.bodies)
    views = aggregates.compute(inputs.facts, organisations=inputs.organisations, root_of=roots)
    programmes_of: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    labels: dict[int, dict[str, dict[str, str]]] = defaultdict(
        lambda: {"body": {}, "programme": {}}
    )
    for fact in inputs.facts:
        root = roots.get(fact.public_body_id, fact.public_body_id)
        programmes_of[root][fact.public_body_id].add(fact.programme_id)
        labels[root]["programme"][str(fact.programme_id)] = fact.programme_name
        labels[root]["body"][str(fact.public_body_id)] = inputs.bodies[fact.public_body_id][0]
    by_root: dict[int, dict[tuple[str, int | None], View]] = defaultdict(dict)
    for (root, scope, year), view in views.items():
        by_root[root][(scope, year)] = view
    now = timezone.now()
    rows: list[Summary] = []
    for root, root_views in by_root.items():
        root_labels = {
            **labels[root],
            "target_group": {str(pk): name for pk, name in inputs.target_groups.items()},
        }
        hidden = hidden_cells(root_views, inputs.organisations, programmes_of[root])
        for scope, year in root_views:
            audiences: list[tuple[str, set[tuple[str, int | None, Key]] | None]] = [
                (Audience.OFFICER, None)
            ]
            if scope == ALL:  # the public page: the whole municipality (hidden_cells)
                audiences.append((Audience.PUBLIC, hidden))
            for audience, hide in audiences:
                data = summary_data(
                    root=root,
                    scope=scope,
                    year=year,
                    views=root_views,
                    inputs=inputs,
                    labels=root_labels,
                    programmes_of=programmes_of[root],
                    hidden=hide,
                )
                rows.append(
                    Summary(
                        root_id=root,
                        scope=scope,
                        year=year,
                        audience=audience,
                        data=data,
                        built_at=now,
                    )
                )
    with transaction.atomic():
        Summary.objects.all().delete()
        Summary.objects.bulk_create(rows, batch_size=200)
        # the public page is kept for every visitor (portal.public_cache), and the pages keep
        # which views there are (insights.selectors): follow the build, now and on commit
        person_cache.changed(public_cache.LISTS)
    return len(rows)


# --- scheduling ----------------------------------------------------------------------------------


def _after_commit() -> None:
    """One build in a minute, unless one is queued already (portal.tasks.queue_once)."""
    from insights.tasks import build_insights

    queue_once(
        build_insights,
        key=SCHEDULED_KEY,
        countdown=DEBOUNCE_SECONDS,
        failure="The statistics could not be rebuilt after a change.",
    )


def rebuild_soon() -> None:
    """After a change to what the statistics read: a build once the transaction commits, asked
    for once however many changes the transaction holds (the demo's seeding is one transaction
    of hundreds of saves). A rolled-back transaction drops its request with it."""
    connection = transaction.get_connection()
    if any(func is _after_commit for _ids, func, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_after_commit)


WATCHED: tuple[type[Model], ...] = (
    Organisation,
    District,
    TargetGroup,
    PublicBody,
    PopulationTable,
)


def _changed(**_kwargs: Any) -> None:
    rebuild_soon()


def watch() -> None:
    """Rebuild after a save or delete of anything the statistics read: the facts' models (as
    their sources name them, so this runs after the apps that register them) and the
    register's. Bulk updates send no signal; the nightly build takes them in."""
    for model in (*WATCHED, *registry.fact_models()):
        post_save.connect(_changed, sender=model, dispatch_uid=f"insights-save-{model._meta.label}")
        post_delete.connect(
            _changed, sender=model, dispatch_uid=f"insights-delete-{model._meta.label}"
        )
    m2m_changed.connect(
        _changed, sender=Organisation.target_groups.through, dispatch_uid="insights-m2m"
    )


def read(*, root: int, scope: str, year: int | None, audience: str) -> Summary | None:
    """One view's summary (one query), or None when nothing has been built for it. Its figures
    (`data`) are read when first asked for: a page whose figures are drawn already
    (insights.fragments) does without them."""
    return (
        Summary.objects.filter(root_id=root, scope=scope, year=year, audience=audience)
        .defer("data")
        .first()
    )
