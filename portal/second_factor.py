"""A fresh second factor at the moment someone signs: an IOP agreement, a local compact's
sign-on. Either the person types a current code from their authenticator app, accepted once
(allauth remembers used codes for their whole window; wrong codes are counted per person,
whatever they were signing, and after `ATTEMPTS` in `WINDOW` seconds the person waits), or
they have just authenticated again with their e-legitimation (`portal.eid.signing.Proof`).

One place for every signing path: `confirm` is what a signing service calls, and the
`Confirmation` it returns is stored with the signature (`portal.models.SigningEvidence`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.models import SigningEvidence, User

if TYPE_CHECKING:
    from portal.eid.signing import Proof

ATTEMPTS = 5  # wrong codes per person …
WINDOW = 300  # … in this many seconds before signing waits


def _failed_codes_key(user: User) -> str:
    return f"portal.second_factor.failed_codes:{user.pk}"


@dataclass(frozen=True)
class Confirmation:
    """How the person confirmed, to be stored with what they signed."""

    method: str
    provider: str = ""
    loa: str = ""
    asserted_at: dt.datetime | None = None
    name: str = ""

    def describe(self) -> str:
        """How it was confirmed, for the audit trail: "e-legitimation (Anna Andersson, LoA 3)"
        or "code from the authenticator app"."""
        return describe(self.method, name=self.name, loa=self.loa)

    def evidence(self) -> dict[str, Any]:
        """The fields of `SigningEvidence`."""
        return {
            "confirmed_with": self.method,
            "eid_provider": self.provider,
            "eid_loa": self.loa,
            "eid_asserted_at": self.asserted_at,
            "eid_name": self.name,
        }


LOA_LABELS = {
    "loa2": "LoA 2",
    "loa3": "LoA 3",
    "loa4": "LoA 4",
    "eidas-sub": "eIDAS substantial",
    "eidas-high": "eIDAS high",
}


def describe(method: str, *, name: str = "", loa: str = "") -> str:
    """A signature's confirmation in words, from its `SigningEvidence` fields."""
    if method != SigningEvidence.Method.EID:
        return str(SigningEvidence.Method.TOTP.label)
    level = LOA_LABELS.get(loa.rstrip("/").rsplit("/", 1)[-1], loa)
    details = ", ".join(part for part in (name, level) if part)
    return (
        f"{SigningEvidence.Method.EID.label} ({details})"
        if details
        else str(SigningEvidence.Method.EID.label)
    )


def confirm(*, actor: User, code: str = "", proof: Proof | None = None) -> Confirmation:
    """Refuse (a ValidationError) unless the person confirms now: with a fresh e-legitimation
    (`proof`, checked by `portal.eid.signing.accept`) or a code from their authenticator app."""
    if proof is not None:
        from portal.eid.signing import accept

        return accept(actor=actor, proof=proof)
    verify_fresh_code(actor=actor, code=code)
    return Confirmation(method=SigningEvidence.Method.TOTP)


def verify_fresh_code(*, actor: User, code: str) -> None:
    """Refuse (a ValidationError on the field `code`) unless `code` is a current, unused code
    of the person's authenticator app. Nothing else is checked here: the caller has decided
    that the person may sign what they sign."""
    authenticator = Authenticator.objects.filter(user=actor, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        raise ValidationError(
            {
                "code": _(
                    "Signing needs two-factor authentication. Set up an authenticator app "
                    "under your account, then sign."
                )
            },
            code="no_totp",
        )
    key = _failed_codes_key(actor)
    if (cache.get(key) or 0) >= ATTEMPTS:
        raise ValidationError(
            {"code": _("Too many wrong codes. Wait a few minutes, then try again.")},
            code="throttled",
        )
    normalised = "".join((code or "").split())
    if not (normalised.isdigit() and TOTP(authenticator).validate_code(normalised)):
        cache.add(key, 0, timeout=WINDOW)
        try:
            cache.incr(key)
        except ValueError:  # expired in between
            cache.set(key, 1, timeout=WINDOW)
        raise ValidationError(
            {
                "code": _(
                    "The code from your authenticator app is wrong or has already been used. "
                    "Nothing was signed. Wait for the next code in the app and try again."
                )
            },
            code="bad_code",
        )
    cache.delete(key)
    authenticator.record_usage()
