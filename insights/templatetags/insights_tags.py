"""How a figure of the statistics is shown: by its column's kind (insights.presenting)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format

from insights import presenting
from portal.money import format_sek

register = template.Library()


@register.filter
def figure(value: Any, kind: str) -> str:
    """ "35 000 kr", "12,5 %", "1 234", "3,4"; "–" for no figure; a suppressed one as its
    words ("färre än 5")."""
    if value is None:
        return "–"
    if presenting.is_marker(value) or isinstance(value, str):
        return str(value)
    if kind == presenting.SEK:
        return format_sek(Decimal(value).quantize(Decimal(1)))
    if kind == presenting.PERCENT:
        return f"{number_format(value, decimal_pos=1, use_l10n=True)}\u00a0%"
    if kind == presenting.RATE:
        return number_format(value, decimal_pos=1, use_l10n=True)
    if kind == presenting.COUNT:
        return number_format(value, force_grouping=True, use_l10n=True).replace(" ", "\u00a0")
    return str(value)


@register.filter
def numeric(kind: str) -> bool:
    return kind != presenting.TEXT
