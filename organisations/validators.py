"""Swedish numbers of the register: organisationsnummer, bankgiro and plusgiro.

Check digits come from python-stdnum; the portal adds the rules stdnum leaves open (the
organisationsnummer's third and fourth digits are at least 20, which also keeps personal
identity numbers out, and the lengths of bankgiro and plusgiro)."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import luhn
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.se import orgnr

# between the digits: spaces (a no-break space too) and dashes (an en dash, as a number pasted
# from a document has it; a minus sign; a phone's fullwidth hyphen)
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212\uff0d]")


def _digits(value: str | None) -> str:
    """What was typed without its separators, and with the digits of any script (a phone's
    fullwidth or Arabic-Indic keyboard) written 0–9: the register keeps one spelling of each
    number, so the same number cannot be registered twice in two scripts."""
    return "".join(
        str(unicodedata.decimal(ch)) if ch.isdecimal() else ch
        for ch in _SEPARATORS.sub("", value or "")
    )


def normalise_organisation_number(value: str) -> str:
    """Validate and return the organisationsnummer as NNNNNN-NNNN.

    Accepts NNNNNN-NNNN, NNNNNNNNNN and the 12-digit form with the century prefix 16."""
    digits = _digits(value)
    if not digits.isdigit():
        raise ValidationError(
            _("An organisation number has only digits, written as NNNNNN-NNNN."), code="format"
        )
    if len(digits) == 12:
        if not digits.startswith("16"):
            raise ValidationError(
                _("A 12-digit organisation number starts with 16."), code="century"
            )
        digits = digits[2:]
    if len(digits) != 10:
        raise ValidationError(
            _("An organisation number has 10 digits, written as NNNNNN-NNNN."), code="length"
        )
    if int(digits[2:4]) < 20:
        raise ValidationError(
            _(
                "This is not an organisation number: its third and fourth digits must be at "
                "least 20 (a personal identity number cannot be used)."
            ),
            code="month",
        )
    try:
        orgnr.validate(digits)
    except StdnumError as exc:
        raise ValidationError(
            _("The organisation number is not valid: check the last digit."), code="checksum"
        ) from exc
    return f"{digits[:6]}-{digits[6:]}"


def normalise_bankgiro(value: str) -> str:
    """Validate and return a bankgiro number as NNN-NNNN or NNNN-NNNN."""
    digits = _digits(value)
    if not digits.isdigit() or len(digits) not in (7, 8):
        raise ValidationError(
            _("A bankgiro number has 7 or 8 digits, for example 123-4567."), code="format"
        )
    if not luhn.is_valid(digits):
        raise ValidationError(
            _("The bankgiro number is not valid: check the digits."), code="checksum"
        )
    return f"{digits[:-4]}-{digits[-4:]}"


def normalise_plusgiro(value: str) -> str:
    """Validate and return a plusgiro number as N…N-N."""
    digits = _digits(value)
    if not digits.isdigit() or not 2 <= len(digits) <= 8:
        raise ValidationError(
            _("A plusgiro number has 2 to 8 digits, for example 12 34 56-7."), code="format"
        )
    if not luhn.is_valid(digits):
        raise ValidationError(
            _("The plusgiro number is not valid: check the digits."), code="checksum"
        )
    return f"{digits[:-1]}-{digits[-1]}"
