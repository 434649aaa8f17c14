"""Money in Swedish format: `12 500 kr`, `1 250,50 kr`. Always Decimal, never float. Shown by
`format_sek`, typed into a form through `SekField`; every app that handles kronor uses these."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import forms

NBSP = "\u00a0"


def format_sek(amount: Decimal | int | None) -> str:
    if amount is None:
        return "–"
    value = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "−" if value < 0 else ""
    whole, cents = f"{abs(value):.2f}".split(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = NBSP.join(groups)
    if cents != "00":
        text += f",{cents}"
    return f"{sign}{text}{NBSP}kr"


class SekField(forms.DecimalField):
    """An amount in kronor as people write it: `12 500`, `12 500,50`, `12500 kr`. A field of
    another currency names its `units`."""

    units: tuple[str, ...] = ("kr",)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal(0))
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            for unit in ("\u00a0", " ", *self.units):
                value = value.replace(unit, "")
            value = value.replace(",", ".")
        return super().to_python(value)
