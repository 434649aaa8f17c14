"""People, not numbers: the portal never keeps a personnummer. It recognises the same person
again by an HMAC-SHA256 of the number under `EID_HMAC_KEY`, a secret of its own (a leaked
database does not give the numbers back: without the key nobody can try the few billion
possible numbers against the hashes). A provider that gives no number but a pairwise subject
(an OpenID Connect `sub` that differs per service) is recognised by a hash of that subject.

The number itself lives only in the request that carries the identity provider's answer."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from stdnum.exceptions import ValidationError as NumberError
from stdnum.se import personalid


class NotAPersonnummer(ValueError):
    pass


def normalise(number: str) -> str:
    """The 12 digits of a personnummer or samordningsnummer (YYYYMMDDNNNC), checked: a number
    with a wrong check digit or date is refused, whatever the provider said."""
    digits = "".join(ch for ch in str(number) if ch.isdigit())
    if len(digits) != 12:
        raise NotAPersonnummer("a personnummer has 12 digits here")
    try:
        personalid.validate(digits)
    except NumberError as error:
        raise NotAPersonnummer(str(error)) from error
    return digits


def _keyed(kind: str, value: str) -> str:
    key = settings.EID_HMAC_KEY.encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def person_key(number: str) -> str:
    """What the portal keeps of a personnummer (the uid of the person's e-legitimation)."""
    return "pnr-" + _keyed("personnummer", normalise(number))


def subject_key(issuer: str, subject: str) -> str:
    """What the portal keeps of a provider's pairwise subject, for a provider without numbers."""
    return "sub-" + _keyed(f"subject:{issuer}", subject)


def opaque(value: str) -> str:
    """A plain hash for a provider's one-time identifiers (an assertion's ID), kept only to
    refuse the same one twice."""
    return hashlib.sha256(value.encode()).hexdigest()
