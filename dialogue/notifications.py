"""What the local compacts tell people by email: registered in DialogueConfig.ready(). Every link
leads to the compact's public page, which anyone may open."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dialogue.models import CompactVersion, FollowUp, SignOn
from portal.models import Notification
from portal.registry import Context, Kind


def _compact_url(pk: int, anchor: str = "") -> str:
    return reverse("dialogue:compact", args=[pk]) + (f"#{anchor}" if anchor else "")


def _version(version: CompactVersion, _row: Notification) -> Context:
    return {
        "compact": version.compact,
        "version": version,
        "url": _compact_url(version.compact_id, "kommentarer")
        if version.status == "consultation"
        else _compact_url(version.compact_id),
    }


def _sign_on(sign_on: SignOn, _row: Notification) -> Context:
    return {
        "compact": sign_on.compact,
        "sign_on": sign_on,
        "url": _compact_url(sign_on.compact_id, "anslutna"),
    }


def _follow_up(follow_up: FollowUp, _row: Notification) -> Context:
    return {
        "compact": follow_up.plan.compact,
        "follow_up": follow_up,
        "url": _compact_url(follow_up.plan.compact_id, "uppfoljning"),
    }


KINDS = [
    Kind(
        "compact_open_for_comments",
        _("Local compact open for comments"),
        "dialogue/email/open_for_comments",
        False,
        _version,
        ("compact",),
    ),
    Kind(
        "compact_confirm_version",
        _("Local compact: confirm the new version"),
        "dialogue/email/confirm_version",
        False,
        _version,
        ("compact",),
    ),
    Kind(
        "compact_signed_on",
        _("Signed on to a local compact"),
        "dialogue/email/signed_on",
        False,
        _sign_on,
        ("compact", "organisation"),
    ),
    Kind(
        "compact_follow_up_published",
        _("Local compact: the year's follow-up"),
        "dialogue/email/follow_up_published",
        False,
        _follow_up,
        ("plan__compact",),
    ),
]
