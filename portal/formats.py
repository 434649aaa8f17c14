"""Dates as the portal shows them, one style everywhere: "29 november 2026" in running text,
"29 november 2026 kl. 09.58" with a time, and ISO `2026-11-29` / `2026-11-29 09:58` in tables
and lists. Every value is shown in the portal's time zone (Europe/Stockholm); nothing else in
the portal formats a date. Money has its twin in `portal.money.format_sek`; a count of things
is grouped by thousands as the language writes it (`number`: "10 000", English "10,000")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import formats, timezone
from django.utils.dates import MONTHS
from django.utils.translation import get_language
from django.utils.translation import gettext as _

MISSING = "–"


# What a date and a time are written with, per language: the months' names as Django's "F"
# writes them, the style of a time of day and "… at …". Read once per process and language, not
# through Django's date formatting and the translation catalogue on every date (a list of 25
# agreements shows 50 dates; formatting them took a third of building the public IOP register).
@dataclass(frozen=True, slots=True)
class _Words:
    months: tuple[str, ...]  # "" first: months[1] is January
    clock: str  # Django's date format letters of a time of day, "H:i" (Swedish "H.i")
    at: str  # a date and a time in running text, "%(date)s at %(time)s"


_words: dict[str, _Words] = {}


def _language_words() -> _Words:
    language = get_language()  # None with translations off: Django's own words, not kept
    words = _words.get(language) if language else None
    if words is None:
        words = _Words(
            months=("", *(str(MONTHS[month]) for month in range(1, 13))),
            # Translators: how a time of day is written (Django's date format letters);
            # Swedish "H.i".
            clock=_("H:i"),
            # Translators: a date and a time in running text; Swedish writes "kl. 09.58".
            at=_("%(date)s at %(time)s"),
        )
        if language:
            _words[language] = words
    return words


def _long(value: date | datetime, words: _Words | None = None) -> str:
    """`j F Y` as Django formats it: the day without a leading zero, the month's name."""
    months = (words or _language_words()).months
    return f"{value.day} {months[value.month]} {value.year}"


def _clock(value: datetime, words: _Words | None = None) -> str:
    """The time as the language writes it (`H:i`, Swedish `H.i`), without Django's formatting
    of every time when the format is one of those."""
    style = (words or _language_words()).clock
    if len(style) == 3 and style[0] == "H" and style[2] == "i" and not style[1].isalnum():
        return f"{value.hour:02d}{style[1]}{value.minute:02d}"
    return formats.time_format(value, style)


def _local(value: date | datetime) -> date | datetime:
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _local_moment(value: datetime) -> datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def long_date(value: date | datetime | None) -> str:
    """`29 november 2026` (English: `29 November 2026`)."""
    if value is None or value == "":
        return MISSING
    return _long(_local(value))


def long_datetime(value: datetime | None) -> str:
    """`29 november 2026 kl. 09.58` (English: `29 November 2026 at 09:58`)."""
    if value is None or value == "":
        return MISSING
    local = _local_moment(value)
    words = _language_words()
    return words.at % {"date": _long(local, words), "time": _clock(local, words)}


def short_date(value: date | datetime | None) -> str:
    """`2026-11-29`, for tables and lists."""
    if value is None or value == "":
        return MISSING
    return _local(value).strftime("%Y-%m-%d")


def short_datetime(value: datetime | None) -> str:
    """`2026-11-29 09:58`, for tables and lists."""
    if value is None or value == "":
        return MISSING
    return _local(value).strftime("%Y-%m-%d %H:%M")


def iso_datetime(value: datetime | None) -> str:
    """`2026-11-29T09:58:00+01:00`, for a machine (a `datetime` attribute); "" for None."""
    if value is None:
        return ""
    return _local_moment(value).isoformat()


def time_of_day(value: datetime | None) -> str:
    """`09.58` (English `09:58`): a time on a date already named."""
    if value is None or value == "":
        return MISSING
    return _clock(_local_moment(value))


def number(value: int | None) -> str:
    """`10 000` (non-breaking space; English `10,000`): a count in running text or a table."""
    if value is None or value == "":
        return MISSING
    return formats.number_format(value, force_grouping=True)


def registry_number(prefix: str, year: int | str, number: int | str) -> str:
    """A diarienummer as the portal writes it: `KFN 2026/12` (the body's prefix, the year, the
    number in the year's series). Allocation and the inbox's lookup both write it here."""
    return f"{prefix} {year}/{number}"
