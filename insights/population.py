"""Reading a population table the administrator has downloaded from Statistics Sweden's
Statistikdatabasen (PxWeb), e.g. "Folkmängd efter region, ålder och kön", exported as CSV:

    "region";"ålder";"kön";"2024";"2025"
    "1480R012 Centrum";"0 år";"män";123;130
    "1480R012 Centrum";"0 år";"kvinnor";118;121
    ...

A heading row with the columns `region`, `ålder` and `kön` (in any order, any case) and one
column per year, then one row per area, age and gender. The table's title above the heading,
as the export "med rubrik" writes it, is passed over. Comma, semicolon or tab separated; UTF-8
(with or without BOM) or Windows-1252, which Statistikdatabasen writes by default.

- An area is one of the portal's districts (`organisations.District`): by its code at
  Statistics Sweden first ("1480R012 Centrum", "1480R012"), then by its name ("Centrum"). A row
  for the whole municipality, county or country ("1480 Göteborg", "14 Västra Götalands län",
  "00 Riket") is passed over.
- Ages are single years ("7 år", "100+ år") or groups ("7-12 år", "65+ år", "80- år"), summed
  into the portal's age bands (`portal.registry.PARTICIPANT_AGE_BANDS`); a group that spans two
  bands cannot be divided and is refused. "totalt" rows are passed over.
- Genders are "kvinnor" and "män" (also "kvinna", "man", and Statistics Sweden's codes 2 and 1);
  "totalt" and "män och kvinnor" rows are passed over.
- A figure is a whole number, spaces allowed between thousands. Statistics Sweden writes ".."
  (or ".") where a figure is missing: it is counted as 0 and named among the warnings; "-"
  means that there is none (0).

`parse_population` reads the whole file and either returns every year's figures or refuses
the file with every problem it found, each naming the row and what to change (Swedish when
the portal speaks Swedish). It reads nothing from the database: the districts are given."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.text import capfirst, get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from insights.models import PopulationGender
from organisations.models import District
from portal.registry import PARTICIPANT_AGE_BANDS

MAX_BYTES = 5 * 1024 * 1024
# A refused file lists this many problems, then how many more there are.
MAX_PROBLEMS = 25
MAX_WARNINGS = 10
# The heading row is looked for among the first rows (the export's title comes before it).
HEADER_SEARCH_ROWS = 30
FIRST_YEAR, LAST_YEAR = 1900, 2100
# More than any district of any Swedish municipality: a figure above it is a mistake.
MAX_COUNT = 10_000_000

REGION, AGE, GENDER = "region", "ålder", "kön"
REQUIRED = (REGION, AGE, GENDER)
# Statistics Sweden's column of what the table holds ("Folkmängd") when it is in the rows.
IGNORED_COLUMNS = frozenset({"tabellinnehåll"})

WOMEN, MEN = PopulationGender.WOMEN.value, PopulationGender.MEN.value
GENDERS = {
    "kvinnor": WOMEN,
    "kvinna": WOMEN,
    "2": WOMEN,
    "män": MEN,
    "man": MEN,
    "1": MEN,
}
ALL_GENDERS = frozenset({"totalt", "män och kvinnor", "kvinnor och män", "båda könen", "alla"})
ALL_AGES = frozenset({"totalt", "totalt ålder", "total", "samtliga åldrar", "alla åldrar"})
MISSING_VALUES = frozenset({"..", ".", "", "…"})
NONE_VALUES = frozenset({"-", "–"})  # Statistics Sweden: "nothing to report", i.e. 0

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_DASH = "[-–—]"
_SINGLE = re.compile(r"(\d{1,3})")
_OPEN = re.compile(rf"(\d{{1,3}})\s*(?:\+|{_DASH})")
_RANGE = re.compile(rf"(\d{{1,3}})\s*{_DASH}\s*(\d{{1,3}})")
_UP_TO = re.compile(rf"{_DASH}\s*(\d{{1,3}})")
# "2025", or "Folkmängd 2025" where the export names what the table holds
_YEAR = re.compile(r"(?:.*\s)?(\d{4})")
# "1480R012 Centrum", "1480 Göteborg", "00 Riket": a code starts with two digits.
_CODED = re.compile(r"(\d{2}[0-9A-Za-z]*)(?:\s+(.*))?", re.DOTALL)
_WHOLE_AREA_CODE = re.compile(r"\d{2}|\d{4}")  # country or county, municipality

# What a label can stand for besides a district or ages.
SKIP = "skip"  # the whole municipality, all ages: passed over
STRADDLES = "straddles"  # ages that span two bands


def _band_limits(band: str) -> tuple[int, int | None]:
    """ "7–12" → (7, 12), "65+" → (65, None)."""
    if band.endswith("+"):
        return int(band[:-1]), None
    low, high = re.split(_DASH, band)
    return int(low), int(high)


BANDS: tuple[tuple[str, int, int | None], ...] = tuple(
    (band, *_band_limits(band)) for band in PARTICIPANT_AGE_BANDS
)

Key = tuple[int, str, str]  # district id, age band, gender


@dataclass(frozen=True)
class ParsedPopulation:
    """A file's figures: for each year, the inhabitants by (district id, age band, gender),
    every district, band and gender present (0 where there are none); the warnings to show
    the administrator (missing figures counted as 0); the areas passed over as the whole
    municipality, county or country."""

    counts: Mapping[int, Mapping[Key, int]]
    warnings: tuple[str, ...] = ()
    skipped_regions: tuple[str, ...] = ()

    @property
    def years(self) -> list[int]:
        return sorted(self.counts)

    def total(self, year: int) -> int:
        return sum(self.counts[year].values())


def too_large_message() -> str:
    return _(
        "The file is larger than %(limit)s MB. Choose fewer years or areas in "
        "Statistikdatabasen and export the table again."
    ) % {"limit": MAX_BYTES // (1024 * 1024)}


def _refuse(messages: Sequence[str]) -> ValidationError:
    shown = list(messages[:MAX_PROBLEMS])
    more = len(messages) - len(shown)
    if more:
        shown.append(
            ngettext(
                "… and %(count)s more problem.",
                "… and %(count)s more problems.",
                more,
            )
            % {"count": more}
        )
    return ValidationError(shown)


def _quoted(values: Sequence[str]) -> str:
    quoted = [pgettext("a quoted name", "“%(name)s”") % {"name": value} for value in values]
    return str(get_text_list(quoted, _("and")))


def _layout_hint() -> str:
    return _(
        "The file should have a heading row with the columns region, ålder and kön followed by "
        "one column per year, as Statistikdatabasen exports a table to CSV."
    )


def _districts_place() -> str:
    """Where the administrator keeps the districts, as the admin names it."""
    return str(capfirst(District._meta.verbose_name_plural))


def _gender_word(gender: str) -> str:
    if gender == WOMEN:
        return pgettext("population file", "women")
    return pgettext("population file", "men")


def _not_csv() -> ValidationError:
    return ValidationError(
        [
            _(
                "The file is not a CSV file. Export the table from Statistikdatabasen as CSV "
                "(comma or semicolon separated) and choose it again."
            )
        ]
    )


# --- the text and its rows -----------------------------------------------------------------


def _decode(data: bytes) -> str:
    if not data.strip():
        raise ValidationError([_("The file is empty.")])
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ValidationError(
            [
                _(
                    "The file is an Excel workbook, not a CSV file. Save it as CSV (comma or "
                    "semicolon separated) and choose it again."
                )
            ]
        )
    not_text = _not_csv()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise not_text from None
    elif b"\x00" in data:
        raise not_text
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            # Statistikdatabasen's default; bytes Windows-1252 leaves undefined as ISO-8859-1.
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                text = data.decode("latin-1")
    text = text.lstrip("\ufeff")
    if any(ord(char) < 32 and char not in "\t\r\n" for char in text):
        raise not_text
    if not text.strip():
        raise ValidationError([_("The file is empty.")])
    return text


def _name(cell: str) -> str:
    return " ".join(cell.strip().strip('"').split()).casefold()


def _header_score(cells: Sequence[str]) -> int:
    names = {_name(cell) for cell in cells}
    return sum(1 for column in REQUIRED if column in names)


def _read(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """The rows that are not blank, each with its line number in the file."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    for cells in reader:
        if any(cell.strip() for cell in cells):
            rows.append((reader.line_num, cells))
    return rows


def _delimiter(text: str) -> str:
    """The separator under which a heading row has the most of the columns asked for (and then
    the most columns), among the file's first lines."""
    start = "\n".join(text.splitlines()[: HEADER_SEARCH_ROWS * 2])
    best, best_score = ";", (-1, -1)
    for delimiter in (";", "\t", ","):
        try:
            rows = _read(start, delimiter)[:HEADER_SEARCH_ROWS]
        except csv.Error:
            continue
        for _line, cells in rows:
            score = (_header_score(cells), len(cells))
            if score > best_score:
                best, best_score = delimiter, score
    return best


# --- the values of a row -------------------------------------------------------------------


@dataclass(frozen=True)
class _Age:
    low: int
    high: int | None  # None: and older
    band: str


def _age_interval(label: str) -> tuple[int, int | None] | None:
    text = _name(label)
    text = re.sub(r"\s*år$", "", text).strip()
    for pattern, shape in ((_SINGLE, "single"), (_OPEN, "open"), (_RANGE, "range")):
        match = pattern.fullmatch(text)
        if match is None:
            continue
        if shape == "single":
            return int(match[1]), int(match[1])
        if shape == "open":
            return int(match[1]), None
        low, high = int(match[1]), int(match[2])
        return (low, high) if low <= high else None
    match = _UP_TO.fullmatch(text)
    if match is not None:
        return 0, int(match[1])
    return None


def _band_of(low: int, high: int | None) -> str | None:
    for band, band_low, band_high in BANDS:
        if band_low <= low and (band_high is None or (high is not None and high <= band_high)):
            return band
    return None


class _BadFigure(Exception):
    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind  # "negative", "too_large" or "not_a_number"


def _count(raw: str) -> int | None:
    """The figure, or None where it is missing; _BadFigure when it is not a count."""
    text = raw.strip()
    if text in MISSING_VALUES:
        return None
    if text in NONE_VALUES:
        return 0
    digits = _SPACES.sub("", text)
    if re.fullmatch(r"[-−]\d+", digits):
        raise _BadFigure("negative")
    if not re.fullmatch(r"\d+", digits):
        raise _BadFigure("not_a_number")
    value = int(digits)
    if value > MAX_COUNT:
        raise _BadFigure("too_large")
    return value


def _ranges(ages: Sequence[int]) -> str:
    """[3, 4, 5, 9] → "3–5 and 9"."""
    parts: list[str] = []
    start = previous = ages[0]
    for age in [*ages[1:], None]:
        if age is not None and age == previous + 1:
            previous = age
            continue
        parts.append(str(start) if start == previous else f"{start}–{previous}")
        if age is not None:
            start = previous = age
    return str(get_text_list(parts, _("and")))


# --- the file ------------------------------------------------------------------------------


def _heading(rows: Sequence[tuple[int, list[str]]]) -> tuple[int, list[str], dict[str, int]]:
    """The heading row (the first with the most of the columns asked for): its index among
    the rows, its cells, and the position of region, ålder and kön."""
    at, best = 0, -1
    for index, (_line, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score = _header_score(cells)
        if score > best:
            at, best = index, score
    cells = rows[at][1]
    names = [_name(cell) for cell in cells]
    missing = [column for column in REQUIRED if column not in names]
    if missing:
        raise ValidationError(
            [
                ngettext(
                    "The heading row lacks the column %(columns)s.",
                    "The heading row lacks the columns %(columns)s.",
                    len(missing),
                )
                % {"columns": _quoted(missing)}
                + " "
                + _layout_hint()
            ]
        )
    return at, cells, {column: names.index(column) for column in REQUIRED}


def _year_columns(cells: Sequence[str], line: int) -> dict[int, int]:
    """The year of each column after region, ålder and kön, by its position."""
    problems: list[str] = []
    years: dict[int, int] = {}
    for index, cell in enumerate(cells):
        name = _name(cell)
        if name in REQUIRED or name in IGNORED_COLUMNS or name == "":
            continue
        match = _YEAR.fullmatch(name)
        year = int(match[1]) if match else None
        if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
            problems.append(
                _(
                    "Column “%(column)s” of the heading row (row %(row)s) is not a year. Keep "
                    "only region, ålder, kön and one column per year (e.g. “2025”) in the table."
                )
                % {"column": cell.strip(), "row": line}
            )
        elif year in years.values():
            problems.append(
                _("The year %(year)s has two columns in the heading row (row %(row)s).")
                % {"year": year, "row": line}
            )
        else:
            years[index] = year
    if not years and not problems:
        problems.append(
            _(
                "The heading row (row %(row)s) has no year column. After region, ålder and "
                "kön there should be one column per year, e.g. “2025”."
            )
            % {"row": line}
        )
    if problems:
        raise _refuse(problems)
    return years


@dataclass
class _Interval:
    """The ages of one row, for one district and gender."""

    low: int
    high: int | None
    line: int
    label: str

    @property
    def top(self) -> int:
        return self.high if self.high is not None else 10_000

    def overlaps(self, other: _Interval) -> bool:
        return self.low <= other.top and other.low <= self.top


class _Reading:
    """One pass over the rows of figures: the sums by district, band and gender, and every
    problem found on the way. A label (area, age) is looked up once, and a label that cannot
    be read is named once, at its first row."""

    def __init__(
        self,
        districts: Sequence[District],
        position: Mapping[str, int],
        years: Mapping[int, int],
        width: int,
    ) -> None:
        self.districts = districts
        self.position = position
        self.years = years
        self.width = width
        self.by_code = {d.code.strip().casefold(): d for d in districts if d.code.strip()}
        self.by_name = {d.name.strip().casefold(): d for d in districts}
        self.counts: dict[int, dict[Key, int]] = {
            year: {
                (district.pk, band, gender): 0
                for district in districts
                for band, _low, _high in BANDS
                for gender in (WOMEN, MEN)
            }
            for year in sorted(years.values())
        }
        self.problems: list[str] = []
        self.missing: list[tuple[int, int, str]] = []  # row, year, what the file says
        self.skipped: dict[str, None] = {}  # the whole municipality's areas, in file order
        self.covered: dict[tuple[int, str], list[_Interval]] = {}
        self._regions: dict[str, District | str | None] = {}
        self._ages: dict[str, _Age | str | None] = {}
        self._named: set[tuple[str, str]] = set()

    def _once(self, kind: str, label: str, message: str) -> None:
        if (kind, label) not in self._named:
            self._named.add((kind, label))
            self.problems.append(message)

    # labels

    def region(self, label: str) -> District | str | None:
        """The district, SKIP for the whole municipality (county, country), None: unknown."""
        if label not in self._regions:
            text = " ".join(label.split())
            match = _CODED.fullmatch(text)
            code, name = (match[1], match[2] or "") if match else ("", text)
            found: District | str | None = self.by_code.get(code.casefold()) if code else None
            if found is None:
                found = self.by_name.get(name.casefold()) or self.by_name.get(text.casefold())
            if found is None and code and _WHOLE_AREA_CODE.fullmatch(code):
                found = SKIP
                self.skipped[label] = None
            self._regions[label] = found
        return self._regions[label]

    def age(self, label: str) -> _Age | str | None:
        """The ages and their band, SKIP for all ages, STRADDLES, None: not understood."""
        if label not in self._ages:
            name = _name(label)
            found: _Age | str | None = None
            if name in ALL_AGES or name.startswith("totalt"):
                found = SKIP
            else:
                interval = _age_interval(label)
                if interval is not None:
                    band = _band_of(*interval)
                    found = _Age(*interval, band) if band else STRADDLES
            self._ages[label] = found
        return self._ages[label]

    # rows

    def row(self, line: int, cells: list[str]) -> None:
        if len(cells) > self.width and not any(cell.strip() for cell in cells[self.width :]):
            cells = cells[: self.width]
        if len(cells) != self.width:
            self.problems.append(
                _(
                    "Row %(row)s has %(found)s columns but the heading row has %(expected)s. "
                    "Each row should have a region, an age, a gender and one figure per year."
                )
                % {"row": line, "found": len(cells), "expected": self.width}
            )
            return
        region_label = cells[self.position[REGION]].strip()
        age_label = cells[self.position[AGE]].strip()
        gender_label = cells[self.position[GENDER]].strip()
        district, age = self.region(region_label), self.age(age_label)
        gender_name = _name(gender_label)
        if SKIP in (district, age) or gender_name in ALL_GENDERS:
            return  # the whole municipality, all ages or both genders together
        gender = GENDERS.get(gender_name)

        if not isinstance(district, District):
            self._once(
                "region",
                region_label,
                _(
                    "Row %(row)s: the area “%(region)s” is not one of the portal's "
                    "districts. Add it under %(place)s in the admin first, with its code "
                    "at Statistics Sweden, or remove its rows from the file."
                )
                % {"row": line, "region": region_label, "place": _districts_place()},
            )
        if age is None:
            self._once(
                "age",
                age_label,
                _(
                    "Row %(row)s: the age “%(age)s” cannot be read. Write single years "
                    "(“7 år”), groups (“7-12 år”) or an open top group (“65+ år”)."
                )
                % {"row": line, "age": age_label},
            )
        elif age == STRADDLES:
            self._once(
                "age",
                age_label,
                _(
                    "Row %(row)s: the ages “%(age)s” span more than one of the portal's "
                    "age bands (%(bands)s), so they cannot be divided between them. "
                    "Choose single years in Statistikdatabasen, or groups that fit "
                    "within one band."
                )
                % {"row": line, "age": age_label, "bands": ", ".join(PARTICIPANT_AGE_BANDS)},
            )
        if gender is None:
            self._once(
                "gender",
                gender_label,
                _(
                    "Row %(row)s: the gender “%(gender)s” cannot be read. Write “kvinnor” "
                    "or “män” (or Statistics Sweden's codes 2 and 1)."
                )
                % {"row": line, "gender": gender_label},
            )
        values = self.figures(line, cells)
        if (
            values is None
            or not isinstance(district, District)
            or not isinstance(age, _Age)
            or gender is None
        ):
            return

        # the same ages of the same district and gender twice would be counted twice
        interval = _Interval(age.low, age.high, line, age_label)
        intervals = self.covered.setdefault((district.pk, gender), [])
        clash = next((other for other in intervals if other.overlaps(interval)), None)
        if clash is not None and (clash.low, clash.high) == (age.low, age.high):
            self.problems.append(
                _(
                    "Row %(row)s repeats row %(first)s (%(region)s, %(age)s, %(gender)s). "
                    "Remove one of them."
                )
                % {
                    "row": line,
                    "first": clash.line,
                    "region": region_label,
                    "age": age_label,
                    "gender": gender_label,
                }
            )
            return
        if clash is not None:
            self.problems.append(
                _(
                    "Row %(row)s: the ages “%(age)s” overlap “%(other)s” on row %(first)s "
                    "for the same area and gender, so they would be counted twice. Remove "
                    "one of them."
                )
                % {"row": line, "age": age_label, "other": clash.label, "first": clash.line}
            )
            return
        intervals.append(interval)
        for year, value in values.items():
            self.counts[year][(district.pk, age.band, gender)] += value

    def figures(self, line: int, cells: Sequence[str]) -> dict[int, int] | None:
        """The row's figure of each year (a missing one as 0), None if one cannot be read."""
        values: dict[int, int] = {}
        readable = True
        for index, year in self.years.items():
            raw = cells[index].strip()
            try:
                value = _count(raw)
            except _BadFigure as error:
                readable = False
                if error.kind == "negative":
                    message = _(
                        "Row %(row)s, %(year)s: the figure “%(value)s” is negative. Write the "
                        "number of inhabitants, 0 or more."
                    )
                elif error.kind == "too_large":
                    message = _(
                        "Row %(row)s, %(year)s: the figure “%(value)s” is larger than any "
                        "district's population. Check the figure."
                    )
                else:
                    message = _(
                        "Row %(row)s, %(year)s: “%(value)s” is not a whole number. Write the "
                        "number of inhabitants without decimals, or “..” where it is missing."
                    )
                self.problems.append(message % {"row": line, "year": year, "value": raw})
                continue
            if value is None:
                self.missing.append((line, year, raw))
                value = 0
            values[year] = value
        return values if readable else None

    # the whole

    def coverage_problems(self) -> list[str]:
        """Every district, band and gender has rows, and no age is left out within a band."""
        problems: list[str] = []
        for district in self.districts:
            if not any((district.pk, gender) in self.covered for gender in (WOMEN, MEN)):
                problems.append(
                    _(
                        "The file has no rows for the district %(district)s. Include it when "
                        "you choose the areas in Statistikdatabasen."
                    )
                    % {"district": district.name}
                )
                continue
            for gender in (WOMEN, MEN):
                intervals = self.covered.get((district.pk, gender), [])
                named = {"district": district.name, "gender": _gender_word(gender)}
                if not intervals:
                    problems.append(_("The file has no rows for %(district)s, %(gender)s.") % named)
                    continue
                for band, low, high in BANDS:
                    inside = [
                        i for i in intervals if low <= i.low and (high is None or i.low <= high)
                    ]
                    if not inside:
                        problems.append(
                            _("The file has no rows for %(district)s, %(gender)s, ages %(band)s.")
                            % {**named, "band": band}
                        )
                        continue
                    # an open band ("65+") up to the oldest age the file gives
                    last = high if high is not None else max(i.high or i.low for i in inside)
                    present: set[int] = set()
                    for i in inside:
                        present.update(range(i.low, (i.high if i.high is not None else last) + 1))
                    gaps = [age for age in range(low, last + 1) if age not in present]
                    if gaps:
                        problems.append(
                            ngettext(
                                "The file lacks the age %(ages)s for %(district)s, %(gender)s.",
                                "The file lacks the ages %(ages)s for %(district)s, %(gender)s.",
                                len(gaps),
                            )
                            % {**named, "ages": _ranges(gaps)}
                        )
        return problems

    def warnings(self) -> tuple[str, ...]:
        warnings = [
            _("Row %(row)s, %(year)s: the figure is missing (“%(value)s”) and is counted as 0.")
            % {"row": line, "year": year, "value": raw}
            for line, year, raw in self.missing[:MAX_WARNINGS]
        ]
        more = len(self.missing) - MAX_WARNINGS
        if more > 0:
            warnings.append(
                ngettext(
                    "… and %(count)s more missing figure, also counted as 0.",
                    "… and %(count)s more missing figures, also counted as 0.",
                    more,
                )
                % {"count": more}
            )
        return tuple(warnings)


def parse_population(data: bytes, *, districts: Sequence[District]) -> ParsedPopulation:
    """Every year's inhabitants of `districts` in the file, by age band and gender. Raises
    ValidationError with one message per problem (row number and what to change) when the
    file cannot be read whole."""
    if len(data) > MAX_BYTES:
        raise ValidationError([too_large_message()])
    if not districts:
        raise ValidationError(
            [
                _(
                    "The portal has no districts yet. Add them under %(place)s in the admin "
                    "first, each with its code at Statistics Sweden."
                )
                % {"place": _districts_place()}
            ]
        )
    text = _decode(data)
    try:
        rows = _read(text, _delimiter(text))
    except csv.Error:
        raise _not_csv() from None
    at, heading, position = _heading(rows)
    years = _year_columns(heading, rows[at][0])
    reading = _Reading(districts, position, years, len(heading))
    for line, cells in rows[at + 1 :]:
        reading.row(line, cells)
    problems = reading.problems
    if not problems and not reading.covered:
        problems.append(_("The file has a heading row but no rows of figures."))
    if reading.covered:
        problems.extend(reading.coverage_problems())
    if problems:
        raise _refuse(problems)
    return ParsedPopulation(
        counts=reading.counts,
        warnings=reading.warnings(),
        skipped_regions=tuple(reading.skipped),
    )
