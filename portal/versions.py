"""An approving action carries the version of what the person saw.

Verify, approve, propose, decide, pay and sign forms carry a short fingerprint of the facts the
page showed (`seen_version`, a hidden field). The service recomputes the fingerprint from the row
it has locked and refuses the action when the two differ: something changed between the page and
the click (an association changed its bankgiro, uploaded a new version, a colleague proposed
again). Nothing changes then, and the person is asked to reload. The audit entry names the
fingerprint, so the trail says exactly which version was approved.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

FIELD = "seen_version"

STALE_MESSAGE = _(
    "What you acted on has changed since you opened the page. Nothing was saved. Check what "
    "the page shows now and try again."
)


def fingerprint(*parts: object) -> str:
    """A stable short hash of the facts an approving person sees. `parts` are plain values
    (strings, numbers, decimals, dates, None) or iterables of them, in a fixed order."""
    digest = hashlib.sha256()
    for part in parts:
        values: Iterable[object] = (
            part if isinstance(part, (list, tuple)) else (part,)  # nested sequences flatten once
        )
        for value in values:
            digest.update(repr(value).encode())
            digest.update(b"\x1f")
        digest.update(b"\x1e")
    return digest.hexdigest()[:16]


def check_seen(*, seen: str | None, current: str) -> None:
    """Refuse, with a message to reload, unless what was seen is what is there now. A missing
    version is refused too: every approving form sends one. What a form sent is compared as
    bytes: any text a person can post (letters outside ASCII too) is refused, never a crash."""
    if not seen or not hmac.compare_digest(str(seen).encode(), current.encode()):
        raise ValidationError({FIELD: STALE_MESSAGE}, code="stale")


def audit_note(comment: str, version: str) -> str:
    """The audit comment of an approving action, naming the version approved."""
    note = f"[version {version}]"
    return f"{comment} {note}".strip() if comment else note


class SeenVersionField(forms.CharField):
    """The hidden field that carries the version into the POST."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("required", False)  # the service refuses a missing one with a clear text
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)  # type: ignore[arg-type]
