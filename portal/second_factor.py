"""A fresh second factor at the moment someone signs: an IOP agreement, a local compact's
sign-on. The person types a current code from their authenticator app; it is accepted once
(allauth remembers used codes for their whole window). Wrong codes are counted per person,
whatever they were signing; after `ATTEMPTS` in `WINDOW` seconds the person waits.

One place for every signing path, so that a stronger factor (e-legitimation) replaces it for
all of them at once."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.models import User

ATTEMPTS = 5  # wrong codes per person …
WINDOW = 300  # … in this many seconds before signing waits


def _failed_codes_key(user: User) -> str:
    return f"portal.second_factor.failed_codes:{user.pk}"


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
