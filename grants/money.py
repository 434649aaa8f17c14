"""Money in Swedish format: `12 500 kr`, `1 250,50 kr`. Always Decimal, never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

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
