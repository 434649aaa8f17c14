"""Bar charts for the statistics pages: who gets the money, drawn as an SVG that the server
writes (templates/insights/_chart.html), beside the table that holds the same figures.

`bar_chart` works out every position, colour and text here, in Python, so that the template
only places what it is given: no script, no inline style (the portal's Content-Security-Policy
allows neither), and every text escaped by the template like any other that people typed.

The chart is laid out for a phone first: each category's name stands on its own line(s) above
its bars, and the bars use the full width beneath it. The drawing is 560 units wide and scales
with the page; at its narrowest (a 320 px screen, 288 px of content) the text is still about
11 px high, and the stylesheet keeps the figure at most 30rem wide on a desktop.

Texts are formatted in the language that is active when the chart is built ("12,5 %" and
"1 234" in Swedish, "12.5 %" and "1,234" in English; kronor always as `format_sek` writes them).
"""

from __future__ import annotations

import itertools
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from django.utils import formats
from django.utils.functional import Promise
from django.utils.text import slugify

from portal.money import NBSP, format_sek

Unit = Literal["percent", "sek", "count", "per100"]
UNITS: tuple[str, ...] = ("percent", "sek", "count", "per100")

# A figure, a text shown in its place without a bar ("färre än 5" where the public page
# suppresses a small group), or None for no figure at all (shown as "–").
Value = float | int | Decimal | str | None

MISSING = "–"

# The Okabe–Ito palette, which people with every common kind of colour blindness can tell
# apart, in its own order. A bar on the white page needs a contrast of at least 3:1 to be seen
# (WCAG 2.1, 1.4.11): orange (#E69F00, 2.2:1), sky blue (#56B4E9, 2.3:1) and yellow (#F0E442,
# 1.2:1) do not reach it and are left out.
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)
TOO_LIGHT_ON_WHITE = frozenset({"#E69F00", "#56B4E9", "#F0E442"})
PALETTE: tuple[str, ...] = tuple(c for c in OKABE_ITO if c not in TOO_LIGHT_ON_WHITE)
TEXT_COLOUR = "#1a1a1a"

# The drawing, in the units of its viewBox.
WIDTH = 560
FONT_SIZE = 22  # 22 × 288 / 560 ≈ 11.3 px on a 320 px phone
CHAR_WIDTH = 0.6 * FONT_SIZE  # a generous average, so that an estimated text is never too short
LINE_HEIGHT = 28  # a line of a category's name
LABEL_GAP = 4  # between a category's name and its first bar
BAR_HEIGHT = 26
BAR_GAP = 4  # between the bars of one category
GROUP_GAP = 20  # between one category's last bar and the next category's name
AXIS_WIDTH = 2  # the line the bars of a category start from
VALUE_GAP = 6  # between a bar's end and its figure
MIN_BAR = 1.0  # a figure above zero is never drawn as nothing
MAX_LABEL_LINES = 2

_ids = itertools.count(1)


@dataclass(frozen=True)
class Series:
    """One series of figures: its name in the legend and the colour of its bars."""

    label: str
    colour: str


@dataclass(frozen=True)
class Bar:
    """One figure: its bar (none when `width` is 0) and its text just after the bar's end."""

    x: float
    y: float
    width: float
    height: float
    fill: str
    series: str
    value_text: str
    text_x: float
    text_y: float

    @property
    def drawn(self) -> bool:
        return self.width > 0


@dataclass(frozen=True)
class LabelLine:
    text: str
    x: float
    y: float


@dataclass(frozen=True)
class CategoryLabel:
    """A category's name above its bars, on one or two lines; `truncated` when the name was too
    long to show whole (the template then gives the whole name as a tooltip)."""

    text: str
    lines: tuple[LabelLine, ...]
    truncated: bool


@dataclass(frozen=True)
class Axis:
    """The line at the left that a category's bars start from."""

    x: float
    y1: float
    y2: float


@dataclass(frozen=True)
class Chart:
    """Everything templates/insights/_chart.html draws, worked out ahead."""

    id: str
    title: str
    description: str
    unit: Unit
    width: int
    height: float
    font_size: int
    text_colour: str
    series: tuple[Series, ...]
    legend: tuple[Series, ...]  # empty with one series: the title says what it is
    labels: tuple[CategoryLabel, ...]
    bars: tuple[Bar, ...]
    axes: tuple[Axis, ...]

    @property
    def title_id(self) -> str:
        return f"{self.id}-title"

    @property
    def desc_id(self) -> str:
        return f"{self.id}-desc"


def bar_chart(
    *,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Value]]],
    unit: Unit,
) -> Chart:
    """A horizontal grouped bar chart: one group per category, one bar per series in it, in the
    order of the legend.

    `series` is a list of (name, figures), one figure per category: a number, None (no figure:
    "–") or a text shown instead of a bar. `unit` says how a figure is written: "percent"
    (0–100: "12,5 %"), "sek" (whole kronor: "35 000 kr"), "count" ("1 234") or "per100" (per
    100 inhabitants: "3,4"). The longest bar is as long as the width allows with the figures
    still written after the bars; percentages are drawn against 100 % unless a figure is
    higher. A negative figure is written but has no bar.

    `description` is what a screen reader hears instead of the picture: say in words what the
    chart shows (the table beside it holds the figures)."""
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}; one of {', '.join(UNITS)}")
    if not series:
        raise ValueError("a chart needs at least one series")
    if len(series) > len(PALETTE):
        raise ValueError(f"at most {len(PALETTE)} series can be told apart by colour")
    for label, values in series:
        if isinstance(values, str) or len(values) != len(categories):
            raise ValueError(f"series {label!r} needs one value per category")

    figures = [[_figure(value) for value in values] for _label, values in series]
    numbers = [number for row in figures for number in row if number is not None]
    top = max(numbers, default=0.0)
    if unit == "percent" and numbers:
        top = max(top, 100.0)

    # The room for the longest bar: as wide as it can be with every bar's figure still written
    # after its end inside the drawing (never less than half the width).
    value_texts = [[_value_text(value, unit) for value in values] for _label, values in series]
    left = AXIS_WIDTH
    room = float(WIDTH - left - VALUE_GAP)
    for row, texts in zip(figures, value_texts, strict=True):
        for number, text in zip(row, texts, strict=True):
            if number is not None and number > 0 and top > 0:
                room = min(room, (WIDTH - left - VALUE_GAP - _text_width(text)) * top / number)
    room = max(room, WIDTH / 2)

    legend_series = tuple(
        Series(label=str(label), colour=colour)
        for (label, _values), colour in zip(series, PALETTE, strict=False)
    )

    labels: list[CategoryLabel] = []
    bars: list[Bar] = []
    axes: list[Axis] = []
    y = 0.0
    for index, category in enumerate(map(str, categories)):
        lines, truncated = _wrap(category)
        labels.append(
            CategoryLabel(
                text=category,
                lines=tuple(
                    LabelLine(text=line, x=0, y=_r(y + (number + 1) * LINE_HEIGHT - 7))
                    for number, line in enumerate(lines)
                ),
                truncated=truncated,
            )
        )
        y += len(lines) * LINE_HEIGHT + LABEL_GAP
        group_top = y
        for position, one in enumerate(legend_series):
            figure = figures[position][index]
            width = 0.0
            if figure is not None and figure > 0 and top > 0:
                width = max(figure / top * room, MIN_BAR)
            bars.append(
                Bar(
                    x=left,
                    y=_r(y),
                    width=_r(width),
                    height=BAR_HEIGHT,
                    fill=one.colour,
                    series=one.label,
                    value_text=value_texts[position][index],
                    text_x=_r(left + width + VALUE_GAP),
                    text_y=_r(y + BAR_HEIGHT / 2 + FONT_SIZE * 0.35),
                )
            )
            y += BAR_HEIGHT + BAR_GAP
        y -= BAR_GAP
        axes.append(Axis(x=AXIS_WIDTH / 2, y1=_r(group_top), y2=_r(y)))
        y += GROUP_GAP
    height = y - GROUP_GAP + 4 if categories else 0

    return Chart(
        id=_chart_id(str(title)),
        title=str(title),
        description=str(description),
        unit=unit,
        width=WIDTH,
        height=_r(max(height, 0)),
        font_size=FONT_SIZE,
        text_colour=TEXT_COLOUR,
        series=legend_series,
        legend=legend_series if len(legend_series) > 1 else (),
        labels=tuple(labels),
        bars=tuple(bars),
        axes=tuple(axes),
    )


def format_value(value: Value, unit: Unit) -> str:
    """A figure as the chart writes it at the end of its bar."""
    return _value_text(value, unit)


def _figure(value: Value) -> float | None:
    """The number a bar is drawn for; None for a text (a lazily translated one too) or no
    figure."""
    if value is None or isinstance(value, str | Promise):
        return None
    return _number(value)


def _number(value: float | int | Decimal) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"a chart cannot draw {value!r}")
    return number


def _decimal(value: float | int | Decimal, places: int) -> Decimal:
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return abs(rounded) if rounded == 0 else rounded  # never "−0"


def _value_text(value: Value, unit: Unit) -> str:
    if value is None:
        return MISSING
    if isinstance(value, str | Promise):
        return str(value)
    _number(value)  # refuses NaN and infinity
    if unit == "sek":
        return format_sek(_decimal(value, 0))
    if unit == "count":
        text = formats.number_format(_decimal(value, 0), force_grouping=True)
    else:
        text = formats.number_format(_decimal(value, 1), decimal_pos=1, force_grouping=True)
    # Django's Swedish format groups thousands with a non-breaking space already; a space in a
    # figure is never a place to break the line. A minus is written as the minus sign, as
    # format_sek writes it.
    text = text.replace(" ", NBSP)
    if text.startswith("-"):
        text = "−" + text[1:]
    return f"{text}{NBSP}%" if unit == "percent" else text


def _text_width(text: str) -> float:
    return len(text) * CHAR_WIDTH


def _wrap(text: str) -> tuple[list[str], bool]:
    """A category's name on at most two lines of the drawing's width, cut with "…" when it is
    longer still."""
    width = max(int(WIDTH // CHAR_WIDTH), 1)
    clean = " ".join(text.split())
    if not clean:
        return [""], False
    whole = textwrap.wrap(clean, width=width, break_long_words=True, break_on_hyphens=True)
    if len(whole) <= MAX_LABEL_LINES:
        return whole, False
    cut = textwrap.wrap(
        clean,
        width=width,
        max_lines=MAX_LABEL_LINES,
        placeholder="…",
        break_long_words=True,
        break_on_hyphens=True,
    )
    return cut, True


def _chart_id(title: str) -> str:
    """An id for the chart's title and description, unique on the page even when two charts
    have the same title."""
    slug = slugify(title)[:40].strip("-") or "chart"
    return f"chart-{slug}-{next(_ids)}"


def _r(number: float) -> float:
    return round(number, 2)
