"""A summary (insights.store) made into what the pages, the downloads and the yearly report show:
headline figures and one section per split, each a table with its chart, its note on what is
missing and its explanation. The page, the CSV/XLSX files and the PDF read the same sections,
so they cannot disagree."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from insights.charts import Chart, Unit, bar_chart
from organisations.models import LegalForm
from portal.registry import PARTICIPANT_AGE_BANDS

# What the public page shows for a figure it leaves out: the number of organisations of a group
# of fewer than five, and every other figure left out (of such a group, or of a group hidden so
# that another cannot be worked out from a sum).
FEWER = gettext_lazy("fewer than 5")
HIDDEN = gettext_lazy("not shown")
MARKERS = (FEWER, HIDDEN)


def is_marker(value: Any) -> bool:
    return any(value is marker for marker in MARKERS)


def _hidden_row(label: str, row: dict[str, Any], width: int) -> list[Any]:
    """A hidden group's line: "färre än 5" organisations when it is a small group itself."""
    return [label, FEWER if row.get("small") else HIDDEN, *([HIDDEN] * (width - 2))]


HUNDRED = Decimal(100)

# column kinds: how a value is shown (and written to a spreadsheet as a number)
TEXT, COUNT, SEK, PERCENT, RATE = "text", "count", "sek", "percent", "rate"


@dataclass(frozen=True)
class Column:
    label: str
    kind: str


@dataclass
class Section:
    """One table of the page: `slug` names its download and its explanation."""

    slug: str
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    chart: Chart | None = None
    notes: list[str] = field(default_factory=list)
    total: list[Any] | None = None


@dataclass
class Headline:
    label: str
    value: Any
    kind: str


def _dec(value: str | None) -> Decimal:
    return Decimal(value) if value not in (None, "") else Decimal(0)


def share(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """A share in percent with one decimal; None when the whole is nothing."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def per(part: Decimal | int, whole: Decimal | int, places: str = "0.1") -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def success_rate(row: dict[str, Any]) -> Decimal | None:
    return share(row["granted_count"], row["decided"])


def group_label(dimension: str, row: dict[str, Any]) -> str:
    key = row["key"]
    if dimension == "legal_form":
        return str(LegalForm(key).label) if key in LegalForm.values else key or _("Not stated")
    if dimension == "first_time":
        return _("First-time applicants") if key == "first" else _("Granted before")
    if dimension == "new_3y":
        return (
            _("No grant in the last three years")
            if key == "new"
            else _("Granted in the last three years")
        )
    if dimension == "district" and not key:
        return _("No district stated")
    if dimension == "target_group" and not key:
        return _("No target group stated")
    if dimension == "size":
        return _("%(band)s members") % {"band": key} if key else _("Members not stated")
    return str(row.get("label") or key)


def _money_columns(first: str) -> list[Column]:
    return [
        Column(first, TEXT),
        Column(_("Organisations that applied"), COUNT),
        Column(_("Applications"), COUNT),
        Column(_("Granted applications"), COUNT),
        Column(_("Success rate"), PERCENT),
        Column(_("Applied for (SEK)"), SEK),
        Column(_("Granted (SEK)"), SEK),
        Column(_("Paid (SEK)"), SEK),
        Column(_("Share of the money"), PERCENT),
        Column(_("SEK per participant"), SEK),
    ]


def _money_row(label: str, row: dict[str, Any], granted_total: Decimal) -> list[Any]:
    if row.get("suppressed"):
        return _hidden_row(label, row, 10)
    granted = _dec(row["granted"])
    participants = row.get("participants_total")
    per_participant: Any = (
        HIDDEN
        if row.get("participants_suppressed")
        else per(_dec(row.get("granted_reported")), participants or 0, "1")
    )
    return [
        label,
        row["orgs"],
        row["applications"],
        row["granted_count"],
        success_rate(row),
        _dec(row["applied"]),
        granted,
        _dec(row["paid"]),
        share(granted, granted_total),
        per_participant,
    ]


def _value(value: Any) -> Any:
    """A figure as a chart draws it: one left out as its words, missing as nothing."""
    if is_marker(value):
        return str(value)
    return value


def headline(data: dict[str, Any]) -> list[Headline]:
    total = data["total"]
    if total.get("suppressed"):
        return [
            Headline(_("Organisations that applied"), FEWER if total.get("small") else HIDDEN, TEXT)
        ]
    firsts = {row["key"]: row for row in data["rows"].get("first_time", [])}
    first = firsts.get("first")
    granted = _dec(total["granted"])
    cards = [
        Headline(_("Granted"), granted, SEK),
        Headline(_("Paid"), _dec(total["paid"]), SEK),
        Headline(_("Granted applications"), total["granted_count"], COUNT),
        Headline(
            _("Organisations granted money"),
            FEWER if total["recipients"] is None else total["recipients"],
            COUNT,
        ),
        Headline(_("Success rate"), success_rate(total), PERCENT),
    ]
    if first is not None:
        cards.append(
            Headline(
                _("Share of the money to first-time applicants"),
                HIDDEN if first.get("suppressed") else share(_dec(first["granted"]), granted),
                TEXT if first.get("suppressed") else PERCENT,
            )
        )
    return cards


def _money_table(
    data: dict[str, Any], dimension: str
) -> tuple[list[dict[str, Any]], list[list[Any]], list[Any] | None] | None:
    """A split's rows as money lines (`_money_row`), and the view's total line (None when the
    total is not shown); None when the split has no rows."""
    rows = data["rows"].get(dimension, [])
    if not rows:
        return None
    total = data["total"]
    granted_total = Decimal(0) if total.get("suppressed") else _dec(total["granted"])
    table = [_money_row(group_label(dimension, row), row, granted_total) for row in rows]
    total_line = None if total.get("suppressed") else _money_row(_("Total"), total, granted_total)
    return rows, table, total_line


def _money_section(
    data: dict[str, Any],
    dimension: str,
    slug: str,
    title: str,
    first: str,
    chart_title: str,
    notes: Callable[[list[dict[str, Any]]], list[str]] | None = None,
) -> Section | None:
    found = _money_table(data, dimension)
    if found is None:
        return None
    rows, table, total_line = found
    shares = [line[8] for line in table]
    chart = bar_chart(
        title=chart_title,
        description=_("%(title)s. The same figures are in the table below the chart.")
        % {"title": chart_title},
        categories=[line[0] for line in table],
        series=[(_("Share of the money"), [_value(value) for value in shares])],
        unit="percent",
    )
    section = Section(slug, title, _money_columns(first), table, chart, total=total_line)
    section.notes = notes(rows) if notes else []
    return section


def _count_of(rows: list[dict[str, Any]], key: str, measure: str) -> int:
    for row in rows:
        if row["key"] == key and not row.get("suppressed"):
            return int(row.get(measure) or 0)
    return 0


def sections(data: dict[str, Any]) -> list[Section]:
    """Every section of a summary, in the page's order."""
    total = data["total"]
    found: list[Section | None] = []
    # over time
    years = data["rows"].get("year", [])
    if years:
        granted_total = Decimal(0) if total.get("suppressed") else _dec(total["granted"])
        # a year's share of the money is not asked for: the chart shows the years side by side
        table = [
            [*line[:8], line[9]]
            for line in (_money_row(row["label"], row, granted_total) for row in years)
        ]
        columns = _money_columns(_("Year"))
        found.append(
            Section(
                "ar",
                _("Year by year"),
                [*columns[:8], columns[9]],
                table,
                bar_chart(
                    title=_("Granted money year by year"),
                    description=_(
                        "Granted money by the year the applications were sent in. The same "
                        "figures are in the table below the chart."
                    ),
                    categories=[line[0] for line in table],
                    series=[(_("Granted (SEK)"), [_value(line[6]) for line in table])],
                    unit="sek",
                ),
            )
        )
    found.append(
        _money_section(
            data,
            "body",
            "namnd",
            _("By public body"),
            _("Public body"),
            _("Share of the money by public body"),
        )
    )
    found.append(
        _money_section(
            data,
            "programme",
            "bidragsform",
            _("By programme"),
            _("Programme"),
            _("Share of the money by programme"),
        )
    )
    found.append(_district_section(data))
    found.append(
        _money_section(
            data,
            "target_group",
            "malgrupp",
            _("By target group"),
            _("Target group"),
            _("Share of the money by target group"),
            lambda rows: [
                _(
                    "An organisation may work for several target groups, so the rows add up to "
                    "more than the total."
                )
            ],
        )
    )
    found.append(
        _money_section(
            data,
            "legal_form",
            "organisationsform",
            _("By legal form"),
            _("Legal form"),
            _("Share of the money by legal form"),
        )
    )
    found.append(
        _money_section(
            data,
            "size",
            "storlek",
            _("By size (members)"),
            _("Members"),
            _("Share of the money by the organisations' size"),
            lambda rows: _missing_note(
                _count_of(rows, "", "granted_count"),
                total,
                _(
                    "%(count)s of %(total)s granted applications were from organisations that "
                    "have not stated their members."
                ),
            ),
        )
    )
    found.append(_first_time_section(data, "first_time", "forstagang", _("First-time applicants")))
    found.append(_first_time_section(data, "new_3y", "tre-ar", _("New in the last three years")))
    found.append(_participants_section(data))
    found.append(_members_section(data))
    return [section for section in found if section is not None]


def _missing_note(count: int, total: dict[str, Any], text: str) -> list[str]:
    """`text` (translated, with %(count)s and %(total)s) when `count` grants lack the data."""
    if not count or total.get("suppressed"):
        return []
    return [text % {"count": count, "total": total["granted_count"]}]


def _district_section(data: dict[str, Any]) -> Section | None:
    rows = data["rows"].get("district", [])
    if not rows:
        return None
    total = data["total"]
    population = data.get("population")
    granted_total = Decimal(0) if total.get("suppressed") else _dec(total["granted"])
    inhabitants = population["total"] if population else 0
    # participants of several years against one year's inhabitants would say nothing
    one_year = data["year"] is not None
    columns = [
        Column(_("District"), TEXT),
        Column(_("Organisations that applied"), COUNT),
        Column(_("Applications"), COUNT),
        Column(_("Success rate"), PERCENT),
        Column(_("Granted (SEK)"), SEK),
        Column(_("Share of the money"), PERCENT),
        Column(_("Inhabitants"), COUNT),
        Column(_("Share of the inhabitants"), PERCENT),
        Column(_("Participants"), COUNT),
        Column(_("Participants per 100 inhabitants"), RATE),
    ]
    table: list[list[Any]] = []
    for row in rows:
        label = group_label("district", row)
        people = row.get("population")
        people_share = share(people, inhabitants) if people is not None else None
        if row.get("suppressed"):
            hidden = _hidden_row(label, row, 6)
            table.append([*hidden, people, people_share, HIDDEN, HIDDEN if one_year else None])
            continue
        granted = _dec(row["granted"])
        participants: Any = (
            HIDDEN if row.get("participants_suppressed") else row.get("participants_total", 0)
        )
        rate = (
            None
            if not one_year
            else HIDDEN
            if participants is HIDDEN
            else (share(participants, people) if people else None)
        )
        table.append(
            [
                label,
                row["orgs"],
                row["applications"],
                success_rate(row),
                granted,
                share(granted, granted_total),
                people,
                people_share,
                participants,
                rate,
            ]
        )
    series = [(_("Share of the money"), [_value(line[5]) for line in table])]
    if population:
        series.append(
            (
                _("Share of the inhabitants (%(year)s)") % {"year": population["year"]},
                [_value(line[7]) for line in table],
            )
        )
    chart = bar_chart(
        title=_("Share of the money and of the inhabitants by district"),
        description=_(
            "For each district, its share of the granted money beside its share of the "
            "municipality's inhabitants. The same figures are in the table below the chart."
        ),
        categories=[line[0] for line in table],
        series=series,
        unit="percent",
    )
    section = Section("kommundel", _("By district"), columns, table, chart)
    section.notes = _missing_note(
        _count_of(rows, "", "granted_count"),
        total,
        _(
            "%(count)s of %(total)s granted applications were from organisations with no "
            "district stated."
        ),
    )
    if population and not one_year:
        section.notes.append(
            _("Choose a year to see the participants per 100 inhabitants of that year.")
        )
    if not population:
        section.notes.append(
            _(
                "No population table has been imported, so the districts cannot be set against "
                "their inhabitants."
            )
        )
    return section


def _first_time_section(
    data: dict[str, Any], dimension: str, slug: str, title: str
) -> Section | None:
    found = _money_table(data, dimension)
    if found is None:
        return None
    _rows, table, total_line = found
    chart = bar_chart(
        title=_("%(title)s: success rate and share of the money") % {"title": title},
        description=_(
            "The share of decided applications that were granted, and the share of the money, "
            "for each group. The same figures are in the table below the chart."
        ),
        categories=[line[0] for line in table],
        series=[
            (_("Success rate"), [_value(line[4]) for line in table]),
            (_("Share of the money"), [_value(line[8]) for line in table]),
        ],
        unit="percent",
    )
    section = Section(slug, title, _money_columns(_("Group")), table, chart, total=total_line)
    section.notes = [
        _(
            "An organisation that applied more than once may be in both groups, so the "
            "organisations of the two add up to more than the total."
        )
    ]
    return section


GENDER_LABELS = {
    "women": gettext_lazy("Women and girls"),
    "men": gettext_lazy("Men and boys"),
    "other": gettext_lazy("Other or not stated"),
}


def _participants_section(data: dict[str, Any]) -> Section | None:
    participants = data.get("participants") or {}
    cells = participants.get("cells") or {}
    if not cells:
        return None
    # participants of several years against one year's inhabitants would say nothing
    population = data.get("population") if data["year"] is not None else None
    bands = (population or {}).get("band", {})
    columns = [
        Column(_("Age"), TEXT),
        *(Column(str(GENDER_LABELS[g]), COUNT) for g in ("women", "men", "other")),
        Column(_("All participants"), COUNT),
        Column(_("Women and girls per 100 inhabitants"), RATE),
        Column(_("Men and boys per 100 inhabitants"), RATE),
    ]
    table: list[list[Any]] = []
    for band in PARTICIPANT_AGE_BANDS:
        values = cells.get(band, {})
        people = bands.get(band, {})
        line: list[Any] = [_("%(band)s years") % {"band": band}]
        for gender in ("women", "men", "other"):
            value = values.get(gender)
            line.append(HIDDEN if value is None else value)
        band_total = participants["band"].get(band)
        line.append(HIDDEN if band_total is None else band_total)
        for index, gender in ((1, "women"), (2, "men")):
            value = line[index]
            line.append(
                HIDDEN
                if value is HIDDEN
                else (share(value, people.get(gender, 0)) if people.get(gender) else None)
            )
        table.append(line)
    total_line: list[Any] = [_("Total")]
    for gender in ("women", "men", "other"):
        value = participants["gender"].get(gender)
        total_line.append(HIDDEN if value is None else value)
    all_participants = participants.get("total")
    total_line.append(HIDDEN if all_participants is None else all_participants)
    total_line += [None, None]
    if population:
        series = [
            (str(GENDER_LABELS["women"]), [_value(line[5]) for line in table]),
            (str(GENDER_LABELS["men"]), [_value(line[6]) for line in table]),
        ]
        unit: Unit = "per100"
        title = _("Participants per 100 inhabitants by age and gender")
    else:
        series = [
            (str(GENDER_LABELS[g]), [_value(line[i]) for line in table])
            for i, g in ((1, "women"), (2, "men"), (3, "other"))
        ]
        unit = "count"
        title = _("Participants by age and gender")
    chart = bar_chart(
        title=title,
        description=_(
            "Participants in the activities that were granted money, as the organisations "
            "reported them in approved follow-up reports, by age and gender. The same figures "
            "are in the table below the chart."
        ),
        categories=[line[0] for line in table],
        series=series,
        unit=unit,
    )
    section = Section("deltagare", _("Participants by age and gender"), columns, table, chart)
    section.total = total_line
    total = data["total"]
    if not total.get("suppressed") and total.get("reports") is not None:
        missing = total["granted_count"] - total["reports"]
        if missing:
            section.notes.append(
                ngettext(
                    "%(count)s of %(total)s granted applications has no approved follow-up "
                    "report with participants.",
                    "%(count)s of %(total)s granted applications have no approved follow-up "
                    "report with participants.",
                    missing,
                )
                % {"count": missing, "total": total["granted_count"]}
            )
    return section


def _members_section(data: dict[str, Any]) -> Section | None:
    members = data.get("members")
    total = data["total"]
    if total.get("suppressed"):
        return None
    columns = [
        Column(_("Members"), TEXT),
        Column(_("Number of members"), COUNT),
        Column(_("Organisations that stated it"), COUNT),
    ]
    if members is None:
        rows: list[list[Any]] = [[_("Members in total"), HIDDEN, HIDDEN]]
        return Section("medlemmar", _("Members of the organisations granted money"), columns, rows)
    rows = [
        [_("Members in total"), members["total"], members["reported_total"]],
        [_("Members aged 7–25"), members["7_25"], members["reported_7_25"]],
        [str(GENDER_LABELS["women"]), members["women"], members["reported_women"]],
        [str(GENDER_LABELS["men"]), members["men"], members["reported_men"]],
        [str(GENDER_LABELS["other"]), members["other"], members["reported_other"]],
    ]
    chart = bar_chart(
        title=_("Members of the organisations granted money, by gender"),
        description=_(
            "The members the organisations granted money have stated in the register, by "
            "gender. The same figures are in the table below the chart."
        ),
        categories=[row[0] for row in rows[2:]],
        series=[(_("Members"), [row[1] for row in rows[2:]])],
        unit="count",
    )
    section = Section(
        "medlemmar", _("Members of the organisations granted money"), columns, rows, chart
    )
    unstated = (total["recipients"] or 0) - members["reported_total"]
    if total["recipients"] is not None and unstated > 0:
        section.notes.append(
            _("%(count)s of %(total)s organisations granted money have not stated their members.")
            % {"count": unstated, "total": total["recipients"]}
        )
    return section


def _cell(value: Any, kind: str) -> Any:
    if is_marker(value):
        return str(value)
    if kind == SEK and value is not None:
        return Decimal(value).quantize(Decimal("0.01"))
    return value


def export_rows(section: Section) -> tuple[list[str], list[list[Any]]]:
    """A section as a spreadsheet: the same figures (kronor with öre, shares in per cent), the
    ones left out as their words."""
    header = [
        f"{column.label} (%)" if column.kind == PERCENT else column.label
        for column in section.columns
    ]
    kinds = [column.kind for column in section.columns]
    lines = [*section.rows, *([section.total] if section.total is not None else [])]
    rows = [[_cell(value, kind) for value, kind in zip(line, kinds, strict=True)] for line in lines]
    return header, rows


def find(found: Sequence[Section], slug: str) -> Section | None:
    return next((section for section in found if section.slug == slug), None)
