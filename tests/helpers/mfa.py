"""Codes of a person's authenticator app, as the portal checks them."""

from __future__ import annotations

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.core.cache import cache

from portal.models import User


def totp_code(secret: str) -> str:
    """The authenticator app's current code for `secret`."""
    return f"{hotp_value(secret, int(time.time()) // 30):06d}"


def signing_code(user: User) -> str:
    """A code of the person's authenticator app that the portal accepts now and has not seen
    yet: the next time step's code first (accepted within the tolerance of one step), then the
    current one. Deterministic within a test: no waiting for the clock."""
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        return ""  # no app: the portal tells the person to set one up
    secret = decrypt(authenticator.data["secret"])
    step = int(time.time()) // 30
    for counter in (step + 1, step):
        code = format_hotp_value(hotp_value(secret, counter))
        if cache.get(TOTP(authenticator)._get_used_cache_key(code)) is None:
            return code
    raise AssertionError("both codes of this window are used; the test signs too often")
