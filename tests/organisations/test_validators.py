from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from stdnum import luhn

from organisations.validators import (
    normalise_bankgiro,
    normalise_organisation_number,
    normalise_plusgiro,
)


def with_check_digit(nine: str) -> str:
    return nine + luhn.calc_check_digit(nine)


@pytest.mark.parametrize(
    "given",
    [
        with_check_digit("802479224")[:6] + "-" + with_check_digit("802479224")[6:],
        with_check_digit("802479224"),
        "16" + with_check_digit("802479224"),
        " " + with_check_digit("556036079")[:6] + " - " + with_check_digit("556036079")[6:] + " ",
    ],
)
def test_organisation_numbers_accepted_and_normalised(given: str) -> None:
    result = normalise_organisation_number(given)
    assert len(result) == 11 and result[6] == "-"
    assert result.replace("-", "") in given.replace("-", "").replace(" ", "")


def test_wrong_check_digit_is_refused() -> None:
    good = with_check_digit("802479224")
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    with pytest.raises(ValidationError) as error:
        normalise_organisation_number(bad)
    assert error.value.code == "checksum"


def test_month_digits_below_20_are_refused_even_with_a_valid_check_digit() -> None:
    # 19850101-style personal identity number: valid Luhn, but digits 3–4 are "01".
    number = with_check_digit("850101123")
    with pytest.raises(ValidationError) as error:
        normalise_organisation_number(number)
    assert error.value.code == "month"


def test_twelve_digits_need_the_16_prefix() -> None:
    number = with_check_digit("802479224")
    assert normalise_organisation_number("16" + number) == f"{number[:6]}-{number[6:]}"
    with pytest.raises(ValidationError) as error:
        normalise_organisation_number("19" + number)
    assert error.value.code == "century"


def test_digits_of_another_script_are_stored_as_0_to_9() -> None:
    """A number typed on a phone's fullwidth or Arabic-Indic keyboard is the same number: it is
    kept as 0–9, so the unique register cannot hold it twice in two scripts."""
    number = with_check_digit("802479224")
    fullwidth = "".join(chr(ord(ch) + 0xFEE0) for ch in number)
    arabic_indic = "".join(chr(0x0660 + int(ch)) for ch in number)
    expected = f"{number[:6]}-{number[6:]}"
    assert normalise_organisation_number(fullwidth) == expected
    assert normalise_organisation_number(arabic_indic[:6] + "\u2013" + arabic_indic[6:]) == expected
    plusgiro = with_check_digit("451004")
    assert normalise_bankgiro("５０５０－１０５５") == "5050-1055"
    assert normalise_plusgiro("".join(chr(0x0660 + int(ch)) for ch in plusgiro)) == (
        f"{plusgiro[:-1]}-{plusgiro[-1]}"
    )


@pytest.mark.parametrize("given", ["80247A-2248", "abcdefghij", "802479_2248x"])
def test_letters_are_refused(given: str) -> None:
    with pytest.raises(ValidationError) as error:
        normalise_organisation_number(given)
    assert error.value.code == "format"


@pytest.mark.parametrize("given", ["802479224", "80247922481", ""])
def test_wrong_length_is_refused(given: str) -> None:
    with pytest.raises(ValidationError):
        normalise_organisation_number(given)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            with_check_digit("5050005")[:4] + "-" + with_check_digit("5050005")[4:],
            with_check_digit("5050005")[:4] + "-" + with_check_digit("5050005")[4:],
        ),  # 8 digits
        (
            with_check_digit("5050005"),
            with_check_digit("5050005")[:4] + "-" + with_check_digit("5050005")[4:],
        ),
        (with_check_digit("123456"), f"123-{with_check_digit('123456')[3:]}"),  # 7 digits
    ],
)
def test_bankgiro_accepted(given: str, expected: str) -> None:
    assert luhn.is_valid(expected.replace("-", ""))
    assert normalise_bankgiro(given) == expected


@pytest.mark.parametrize(
    "given",
    [
        with_check_digit("5050005")[:-1] + str((int(with_check_digit("5050005")[-1]) + 1) % 10),
        "123456",
        "123456789",
        "12a4567",
    ],
)
def test_bankgiro_refused(given: str) -> None:
    with pytest.raises(ValidationError):
        normalise_bankgiro(given)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (with_check_digit("4"), f"4-{with_check_digit('4')[-1]}"),
        (with_check_digit("1234567"), f"1234567-{with_check_digit('1234567')[-1]}"),
        (
            "90 20 01-" + luhn.calc_check_digit("902001"),
            "902001-" + luhn.calc_check_digit("902001"),
        ),
    ],
)
def test_plusgiro_accepted(given: str, expected: str) -> None:
    assert normalise_plusgiro(given) == expected


@pytest.mark.parametrize(
    "given",
    ["1", "123456789", "4-" + str((int(luhn.calc_check_digit("4")) + 1) % 10), "x4-1"],
)
def test_plusgiro_refused(given: str) -> None:
    with pytest.raises(ValidationError):
        normalise_plusgiro(given)
