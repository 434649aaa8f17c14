"""The one date style, word by word, in Swedish and English (`portal.formats` and its template
filters), through summer time and the day line, for aware, naive and missing values; and the
emails, which show every date and amount through the same helpers."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from portal import formats
from portal.money import format_sek

UTC = ZoneInfo("UTC")
STOCKHOLM = ZoneInfo("Europe/Stockholm")
NBSP = "\u00a0"
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
HELPERS = (
    formats.long_date,
    formats.long_datetime,
    formats.short_date,
    formats.short_datetime,
    formats.time_of_day,
)
MOMENT = datetime(2026, 11, 29, 8, 58, tzinfo=UTC)  # 09.58 in Stockholm (winter time, +1)


@pytest.mark.parametrize(
    ("language", "long_date", "long_datetime"),
    [
        ("sv", "29 november 2026", "29 november 2026 kl. 09.58"),
        ("en", "29 November 2026", "29 November 2026 at 09:58"),
    ],
)
def test_the_long_style_in_each_language(language: str, long_date: str, long_datetime: str) -> None:
    with translation.override(language):
        assert formats.long_date(MOMENT) == long_date
        assert formats.long_datetime(MOMENT) == long_datetime
        # the table style is the same in every language
        assert formats.short_date(MOMENT) == "2026-11-29"
        assert formats.short_datetime(MOMENT) == "2026-11-29 09:58"


@pytest.mark.parametrize("language", ["sv", "en"])
def test_every_month_day_and_time_reads_as_djangos_own_format(language: str) -> None:
    """The long style names the months from a table kept per language, not through Django's
    formatting on every date: it must say what Django says, in each language, also after a
    switch of language in the same process."""
    from django.utils.formats import date_format, time_format

    for other in ("en", None, "sv", language):  # None: translations off (Django's own names)
        with translation.override(other):
            formats.long_date(date(2026, 1, 1))
    with translation.override(language):
        for month in range(1, 13):
            for day in (1, 9, 28):
                value = date(2026, month, day)
                assert formats.long_date(value) == date_format(value, "j F Y")
        for hour, minute in ((0, 0), (7, 5), (9, 58), (23, 59)):
            moment = datetime(2026, 11, 29, hour, minute)
            assert formats.time_of_day(moment) == time_format(moment, translation.gettext("H:i"))


def test_a_date_and_time_ask_the_catalogue_once_per_language(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A list shows a moment on every row: its words ("kl.", the month, the style of a time)
    are read from the translation catalogue once per language, not for each moment."""
    asked = mock.Mock(wraps=formats._)
    monkeypatch.setattr(formats, "_", asked)
    monkeypatch.setattr(formats, "_words", {}, raising=False)
    with translation.override("sv"):
        assert formats.long_datetime(MOMENT) == "29 november 2026 kl. 09.58"
        first = asked.call_count
        for _ in range(25):
            formats.long_datetime(MOMENT)
            formats.time_of_day(MOMENT)
        assert asked.call_count == first
    with translation.override("en"):
        assert formats.long_datetime(MOMENT) == "29 November 2026 at 09:58"
    assert asked.call_count == 2 * first


@pytest.mark.parametrize(
    ("moment", "text", "table"),
    [
        # spring: at 02.00 the clocks go to 03.00
        (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "29 mars 2026 kl. 01.59", "2026-03-29 01:59"),
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "29 mars 2026 kl. 03.00", "2026-03-29 03:00"),
        # autumn: 02.30 comes twice, summer time and then winter time
        (
            datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
            "25 oktober 2026 kl. 02.30",
            "2026-10-25 02:30",
        ),
        (
            datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
            "25 oktober 2026 kl. 02.30",
            "2026-10-25 02:30",
        ),
        # late evening in UTC is already the next day, month and year in Stockholm
        (
            datetime(2026, 12, 31, 23, 30, tzinfo=UTC),
            "1 januari 2027 kl. 00.30",
            "2027-01-01 00:30",
        ),
        (datetime(2026, 6, 30, 22, 0, tzinfo=UTC), "1 juli 2026 kl. 00.00", "2026-07-01 00:00"),
    ],
)
def test_moments_are_shown_in_stockholm_time_across_summer_time(
    moment: datetime, text: str, table: str
) -> None:
    with translation.override("sv"):
        assert formats.long_datetime(moment) == text
        assert formats.long_date(moment) == text.split(" kl.")[0]
    assert formats.short_datetime(moment) == table
    assert formats.short_date(moment) == table.split(" ")[0]


def test_the_same_moment_in_another_zone_reads_the_same() -> None:
    stockholm = MOMENT.astimezone(STOCKHOLM)
    new_york = MOMENT.astimezone(ZoneInfo("America/New_York"))  # 03.58 there, the same moment
    for helper in HELPERS:
        assert helper(stockholm) == helper(MOMENT) == helper(new_york)


def test_a_naive_moment_is_taken_as_written_and_a_date_has_no_time() -> None:
    naive = datetime(2026, 11, 29, 9, 58)
    with translation.override("sv"):
        assert formats.long_datetime(naive) == "29 november 2026 kl. 09.58"
        assert formats.long_date(date(2026, 11, 29)) == "29 november 2026"
        assert formats.long_date(date(2026, 5, 1)) == "1 maj 2026"  # no leading zero
    assert formats.short_datetime(naive) == "2026-11-29 09:58"
    assert formats.short_date(date(2026, 1, 5)) == "2026-01-05"


@pytest.mark.parametrize("helper", HELPERS)
@pytest.mark.parametrize("missing", [None, ""])
def test_a_missing_date_is_a_dash(helper: object, missing: object) -> None:
    for language in ("sv", "en"):
        with translation.override(language):
            assert helper(missing) == "–"  # type: ignore[operator]


@pytest.mark.parametrize("language", ["sv", "en"])
def test_template_filters_say_what_the_helpers_say(language: str) -> None:
    template = Template(
        "{% load portal_tags %}{{ m|long_date }}|{{ m|long_datetime }}|{{ m|short_date }}|"
        "{{ m|short_datetime }}|{{ m|time_of_day }}|{{ none|long_date }}|{{ amount|sek }}"
    )
    with translation.override(language):
        rendered = template.render(Context({"m": MOMENT, "none": None, "amount": 35000}))
        expected = [helper(MOMENT) for helper in HELPERS] + ["–", f"35{NBSP}000{NBSP}kr"]
    assert rendered.split("|") == expected


def test_money_reads_35_000_kr() -> None:
    assert format_sek(Decimal("35000.00")) == f"35{NBSP}000{NBSP}kr"
    assert format_sek(Decimal("1250.5")) == f"1{NBSP}250,50{NBSP}kr"
    assert format_sek(None) == "–"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("sv", f"10{NBSP}000|1{NBSP}234{NBSP}567|999|–"), ("en", "10,000|1,234,567|999|–")],
)
def test_a_count_is_grouped_by_thousands_as_the_language_writes_it(
    language: str, expected: str
) -> None:
    template = Template(
        "{% load portal_tags %}{{ a|number }}|{{ b|number }}|{{ c|number }}|{{ d|number }}"
    )
    with translation.override(language):
        rendered = template.render(Context({"a": 10_000, "b": 1_234_567, "c": 999, "d": None}))
    assert rendered == expected


# -- emails ---------------------------------------------------------------------------------

EMAIL_TEMPLATES = sorted(
    path
    for path in TEMPLATES.rglob("*")
    if path.is_file() and "email" in path.relative_to(TEMPLATES).parts[:-1]
)
# A value named like a date or an amount; shown through a helper, never as Python prints it.
DATE_OR_MONEY = re.compile(
    r"(?:^|[._])(?:\w*_at|\w*_on|\w*date|due|due_\w+|closes\w*|opens\w*|expires\w*|deadline"
    r"|\w*amount\w*|budget\w*|day)$"
)
ALLOWED_FILTERS = {
    "long_date",
    "long_datetime",
    "short_date",
    "short_datetime",
    "time_of_day",
    "sek",
}
BLOCKTRANSLATE = re.compile(
    r"{%\s*blocktrans(?:late)?\b(?P<args>.*?)%}(?P<body>.*?){%\s*endblocktrans(?:late)?\s*%}",
    re.DOTALL,
)
VARIABLE = re.compile(r"{{\s*(?P<expr>[^}]+?)\s*}}")
WITH_PAIR = re.compile(r"(\w+)=(\S+)")


def _unformatted(expression: str) -> bool:
    """Whether `expression` (`obj.due_date|default:x`) shows a date or amount raw."""
    variable, *filters = expression.split("|")
    if not DATE_OR_MONEY.search(variable.strip()):
        return False
    return not any(f.split(":")[0].strip() in ALLOWED_FILTERS for f in filters)


def test_the_email_templates_are_found() -> None:
    names = {path.name for path in EMAIL_TEMPLATES}
    assert {"digest_subject.txt", "invitation.txt", "decision.txt", "report_due.txt"} <= names


@pytest.mark.parametrize(
    "path", EMAIL_TEMPLATES, ids=[str(p.relative_to(TEMPLATES)) for p in EMAIL_TEMPLATES]
)
def test_every_email_shows_dates_and_amounts_through_the_helpers(path: Path) -> None:
    source = path.read_text()
    assert "|date" not in source and "strftime" not in source
    raw = []
    for block in BLOCKTRANSLATE.finditer(source):
        # inside a blocktranslate the names are the aliases given in its `with`
        raw += [expr for _, expr in WITH_PAIR.findall(block["args"]) if _unformatted(expr)]
    outside = BLOCKTRANSLATE.sub("", source)
    raw += [m["expr"] for m in VARIABLE.finditer(outside) if _unformatted(m["expr"])]
    assert not raw, f"{path.relative_to(TEMPLATES)} shows {raw} without portal.formats or sek"


def test_the_check_above_catches_a_raw_date_and_amount() -> None:
    assert _unformatted("application.completion_due")
    assert _unformatted("invitation.expires_at")
    assert _unformatted("application.decided_amount")
    assert not _unformatted("application.decided_amount|sek")
    assert not _unformatted("due|long_date")
    assert not _unformatted("application.registry_number")
