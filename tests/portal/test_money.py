from decimal import Decimal

import pytest

from portal.money import format_sek


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("12500"), "12\u00a0500\u00a0kr"),
        (Decimal("1250.5"), "1\u00a0250,50\u00a0kr"),
        (Decimal("0"), "0\u00a0kr"),
        (Decimal("1000000"), "1\u00a0000\u00a0000\u00a0kr"),
        (Decimal("999.999"), "1\u00a0000\u00a0kr"),
        (None, "–"),
    ],
)
def test_swedish_money_format(amount: Decimal | None, text: str) -> None:
    assert format_sek(amount) == text
