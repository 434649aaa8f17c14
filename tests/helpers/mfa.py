"""Codes of a person's authenticator app, as the portal checks them."""

from __future__ import annotations


def totp_code(secret: str) -> str:
    """The authenticator app's current code for `secret`."""
    import time

    from allauth.mfa.totp.internal.auth import hotp_value

    return f"{hotp_value(secret, int(time.time()) // 30):06d}"
