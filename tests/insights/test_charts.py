"""The bar charts of the statistics pages (insights.charts, templates/insights/_chart.html): bars
in proportion to their figures, figures written the Swedish way, a picture that a screen reader
can name and describe, every text escaped and nothing the Content-Security-Policy would block."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from insights import charts
from insights.charts import PALETTE, Chart, bar_chart

NBSP = "\u00a0"


def _chart(**overrides: object) -> Chart:
    arguments: dict[str, object] = {
        "title": "Beviljade bidrag per år",
        "description": "Beviljade bidrag ökade från 100 000 kr 2024 till 400 000 kr 2026.",
        "categories": ["2024", "2025", "2026"],
        "series": [("Beviljat", [Decimal(100_000), Decimal(200_000), Decimal(400_000)])],
        "unit": "sek",
    }
    arguments.update(overrides)
    return bar_chart(**arguments)  # type: ignore[arg-type]


def _render(chart: Chart) -> str:
    return render_to_string("insights/_chart.html", {"chart": chart})


def _luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of `#rrggbb`."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    red, green, blue = (
        c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    )
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _contrast(one: str, other: str) -> float:
    lighter, darker = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# Geometry


def test_the_longest_bar_fills_the_width_and_the_others_are_in_proportion() -> None:
    chart = _chart()
    first, second, longest = chart.bars
    assert longest.x + longest.width + charts.VALUE_GAP + charts._text_width(
        longest.value_text
    ) == pytest.approx(chart.width, abs=0.01)
    assert second.width == pytest.approx(longest.width / 2, abs=0.01)
    assert first.width == pytest.approx(longest.width / 4, abs=0.01)
    assert {bar.x for bar in chart.bars} == {charts.AXIS_WIDTH}
    # every figure is written just after its bar, inside the drawing
    for bar in chart.bars:
        assert bar.text_x == pytest.approx(bar.x + bar.width + charts.VALUE_GAP, abs=0.01)
        assert bar.text_x + charts._text_width(bar.value_text) <= chart.width + 0.01
        assert bar.y + bar.height <= chart.height


def test_every_figure_is_written_inside_the_drawing() -> None:
    values: list[object] = [
        Decimal(987_654_321),
        Decimal(5),
        Decimal(999_999),
        None,
        "färre än 5",
        Decimal(-12_000),
        Decimal(0),
        Decimal(123_456_789),
    ]
    categories = [f"Grupp {n}" for n in range(len(values))]
    chart = _chart(categories=categories, series=[("Beviljat", values)], unit="sek")
    for bar in chart.bars:
        assert bar.text_x + charts._text_width(bar.value_text) <= chart.width + 0.01
    longest = max(chart.bars, key=lambda bar: bar.width)
    assert longest.value_text.replace(NBSP, " ") == "987 654 321 kr"
    assert longest.text_x + charts._text_width(longest.value_text) == pytest.approx(chart.width)
    negative = chart.bars[5]
    assert not negative.drawn and negative.value_text.replace(NBSP, " ") == "−12 000 kr"


def test_each_category_name_stands_above_its_bars_and_nothing_overlaps() -> None:
    chart = _chart(
        categories=["Centrum", "Norr"],
        series=[("Andel av bidragen", [40, 10]), ("Andel av befolkningen", [20, 30])],
        unit="percent",
    )
    assert len(chart.bars) == 4
    first_group, second_group = chart.bars[:2], chart.bars[2:]
    first_label, second_label = chart.labels
    assert first_label.lines[-1].y < first_group[0].y
    assert first_group[0].y + first_group[0].height < first_group[1].y
    assert first_group[1].y + first_group[1].height < second_label.lines[0].y - charts.FONT_SIZE
    assert second_label.lines[-1].y < second_group[0].y
    assert chart.height >= second_group[1].y + second_group[1].height


def test_percentages_are_drawn_against_a_hundred_unless_one_is_higher() -> None:
    chart = _chart(categories=["A", "B"], series=[("Andel", [50, 25])], unit="percent")
    hundred = chart.width - charts.AXIS_WIDTH - charts.VALUE_GAP  # where 100 % would end
    assert chart.bars[0].width == pytest.approx(hundred / 2, abs=0.01)
    assert chart.bars[1].width == pytest.approx(hundred / 4, abs=0.01)

    over = _chart(categories=["A", "B"], series=[("Andel", [150, 75])], unit="percent")
    assert over.bars[1].width == pytest.approx(over.bars[0].width / 2, abs=0.01)


def test_zero_and_missing_figures_have_no_bar() -> None:
    chart = _chart(
        categories=["A", "B", "C"], series=[("Beviljat", [Decimal(0), None, 10])], unit="sek"
    )
    zero, missing, ten = chart.bars
    assert not zero.drawn and zero.value_text == f"0{NBSP}kr"
    assert not missing.drawn and missing.value_text == "–"
    assert ten.drawn
    page = _render(chart)
    assert page.count("<rect") == 1
    assert ">–</text>" in page
    assert "<title>Beviljat" not in page  # one series: the title says what the bars are


def test_only_zeros_draw_no_bars() -> None:
    chart = _chart(categories=["A", "B"], series=[("Antal", [0, 0])], unit="count")
    assert [bar.width for bar in chart.bars] == [0, 0]
    assert "<rect" not in _render(chart)

    empty = _chart(categories=["A"], series=[("Andel", [None])], unit="percent")
    assert not empty.bars[0].drawn


def test_a_text_instead_of_a_figure_is_written_without_a_bar() -> None:
    chart = _chart(
        categories=["Centrum", "Skärgården"],
        series=[("Deltagare", [1234, "färre än 5"])],
        unit="count",
    )
    shown, suppressed = chart.bars
    assert shown.drawn
    assert not suppressed.drawn
    assert suppressed.value_text == "färre än 5"
    assert suppressed.text_x == pytest.approx(charts.AXIS_WIDTH + charts.VALUE_GAP)
    page = _render(chart)
    assert page.count("<rect") == 1
    assert ">färre än 5</text>" in page


def test_a_long_name_is_wrapped_and_a_very_long_one_cut() -> None:
    chart = _chart(
        categories=[
            "Personer med funktionsnedsättning",
            "Föreningar för personer med funktionsnedsättning och deras anhöriga i kommunens "
            "alla kommundelar, från skärgården i öster till skogsbygden i väster",
        ],
        series=[("Andel", [10, 20])],
        unit="percent",
    )
    short, long = chart.labels
    assert [line.text for line in short.lines] == ["Personer med funktionsnedsättning"]
    assert not short.truncated
    assert len(long.lines) == 2
    assert long.truncated and long.lines[-1].text.endswith("…")
    for label in chart.labels:
        for line in label.lines:
            assert charts._text_width(line.text) <= chart.width
    page = _render(chart)
    assert "<title>Föreningar för personer med funktionsnedsättning och deras anhöriga" in page


def test_a_figure_that_is_not_a_number_is_refused() -> None:
    with pytest.raises(ValueError, match="one value per category"):
        _chart(categories=["A", "B"], series=[("Andel", [1])], unit="percent")
    with pytest.raises(ValueError):
        _chart(categories=["A"], series=[("Andel", [float("nan")])], unit="percent")
    with pytest.raises(ValueError, match="unit"):
        _chart(unit="kronor")


# The figures, written the Swedish way


@pytest.mark.parametrize(
    ("unit", "value", "text"),
    [
        ("sek", Decimal(35_000), "35 000 kr"),
        ("sek", Decimal("1234567.49"), "1 234 567 kr"),
        ("sek", 12_500, "12 500 kr"),
        ("percent", 12.5, "12,5 %"),
        ("percent", Decimal("12.45"), "12,5 %"),
        ("percent", 7, "7,0 %"),
        ("count", 1234, "1 234"),
        ("count", 1_234_567, "1 234 567"),
        ("count", Decimal("12.5"), "13"),
        ("per100", 3.4, "3,4"),
        ("per100", Decimal("3.45"), "3,5"),
        ("per100", -1.5, "−1,5"),
        ("per100", Decimal("-0.04"), "0,0"),
        ("count", None, "–"),
        ("count", "färre än 5", "färre än 5"),
    ],
)
def test_figures_are_written_the_swedish_way(unit: str, value: object, text: str) -> None:
    written = charts.format_value(value, unit)  # type: ignore[arg-type]
    assert written.replace(NBSP, " ") == text
    assert " " not in written or text == "färre än 5"  # no line break inside a figure


def test_figures_follow_the_language_of_the_page() -> None:
    with translation.override("en"):
        assert charts.format_value(1234.5, "per100") == "1,234.5"
        assert charts.format_value(12.5, "percent") == f"12.5{NBSP}%"


# The legend and the colours


def test_the_legend_is_shown_only_with_more_than_one_series() -> None:
    one = _chart()
    assert one.legend == ()
    assert "chart-legend" not in _render(one)

    two = _chart(
        categories=["Centrum", "Norr"],
        series=[("Andel av bidragen", [40, 10]), ("Andel av befolkningen", [20, 30])],
        unit="percent",
    )
    assert [item.label for item in two.legend] == ["Andel av bidragen", "Andel av befolkningen"]
    page = _render(two)
    legend = page[page.index('<ul class="chart-legend">') :]
    assert legend.index("Andel av bidragen") < legend.index("Andel av befolkningen")
    assert f'fill="{PALETTE[0]}"' in legend and f'fill="{PALETTE[1]}"' in legend
    # the bars of one series have its legend colour, in the legend's order in every group,
    # and name their series when pointed at
    assert [bar.fill for bar in two.bars] == [PALETTE[0], PALETTE[1]] * 2
    assert f"<title>Andel av befolkningen: 30,0{NBSP}%</title></rect>" in page


def test_three_series_have_three_colours() -> None:
    chart = _chart(
        categories=["7–12 år", "13–20 år"],
        series=[("Kvinnor", [10, 20]), ("Män", [15, 25]), ("Annat", [1, 2])],
        unit="count",
    )
    assert len({item.colour for item in chart.legend}) == 3


def test_every_colour_a_bar_can_have_stands_out_against_the_white_page() -> None:
    """WCAG 2.1, 1.4.11: a graphical object needs 3:1 against what is beside it."""
    for colour in PALETTE:
        assert _contrast(colour, "#ffffff") >= 3, colour
    assert _contrast(charts.TEXT_COLOUR, "#ffffff") >= 4.5
    # the Okabe–Ito palette in its own order, without the colours too light for a white page
    assert PALETTE == ("#0072B2", "#009E73", "#CC79A7", "#D55E00", "#000000")
    assert _contrast("#E69F00", "#ffffff") < 3  # orange: why it is left out


def test_more_series_than_colours_are_refused() -> None:
    with pytest.raises(ValueError, match="series"):
        _chart(
            categories=["A"],
            series=[(str(n), [n]) for n in range(len(PALETTE) + 1)],
            unit="count",
        )


# What a screen reader hears, and what the page may contain


def test_two_charts_with_the_same_title_have_different_ids() -> None:
    first, second = _chart(), _chart()
    assert first.id != second.id
    assert first.title_id != second.title_id
    assert first.id.startswith("chart-beviljade-bidrag-per-ar-")


def test_the_picture_is_named_by_its_title_and_described() -> None:
    chart = _chart()
    page = _render(chart)
    svg = re.search(r"<svg class=\"chart-image\"[^>]*>", page)
    assert svg is not None
    tag = svg.group(0)
    assert 'role="img"' in tag
    assert 'focusable="false"' in tag
    assert f'aria-labelledby="{chart.title_id} {chart.desc_id}"' in tag
    assert f'viewBox="0 0 {chart.width} {chart.height}"' in tag
    assert f'<title id="{chart.title_id}">Beviljade bidrag per år</title>' in page
    assert f'<desc id="{chart.desc_id}">{chart.description}</desc>' in page
    assert '<figcaption class="chart-title">Beviljade bidrag per år</figcaption>' in page
    assert page.lstrip().startswith('<figure class="chart"')


def test_numbers_in_the_drawing_are_not_written_the_swedish_way() -> None:
    """ "12,5" would break an SVG attribute: the drawing's numbers are written with a point."""
    chart = _chart(categories=["A", "B", "C"], series=[("Andel", [33.3, 12.5, 7])])
    page = _render(chart)
    shapes = re.findall(r"<(?:rect|text|tspan|line)\b[^>]*>", page)
    numbers = [
        number
        for shape in shapes
        for number in re.findall(r'\s(?:x|y|width|height|x1|x2|y1|y2)="([^"]*)"', shape)
    ]
    assert len(numbers) > 10
    for number in [*numbers, *re.findall(r'viewBox="0 0 ([^"]*)"', page)[0].split()]:
        assert re.fullmatch(r"\d+(\.\d+)?", number), number
    assert any("." in number for number in numbers)


def test_what_people_typed_is_escaped() -> None:
    hostile = '<script>alert("x")</script>'
    chart = _chart(
        title=f"Bidrag {hostile}",
        description=f"Beskrivning {hostile}",
        categories=[f"Stadsdel {hostile}", "Norr"],
        series=[(f"Serie {hostile}", [1, 2]), ("Andra", [2, "<b>få</b>"])],
        unit="count",
    )
    page = _render(chart)
    assert "<script" not in page
    assert "<b>" not in page
    assert "Bidrag &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</title>" in page
    assert "Beskrivning &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</desc>" in page
    assert "&lt;b&gt;få&lt;/b&gt;</text>" in page
    assert "Stadsdel &lt;script&gt;" in page
    assert "Serie &lt;script&gt;" in page


def test_nothing_in_the_chart_needs_an_inline_style_or_script() -> None:
    chart = _chart(
        categories=["Centrum", "Norr"],
        series=[("Andel av bidragen", [40, 10]), ("Andel av befolkningen", [20, "färre än 5"])],
        unit="percent",
    )
    page = _render(chart)
    assert "style=" not in page
    assert "<style" not in page
    assert "<script" not in page
    assert not re.search(r"\son[a-z]+\s*=", page)
