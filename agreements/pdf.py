"""The agreement as PDF/A: a pure function from an agreement's text to bytes, rendered by the
portal's PDF helper (portal.pdf: escaped data, no URL fetched but the portal's fonts)."""

from __future__ import annotations

from typing import Any

from portal.pdf import render_pdf


def render_agreement_pdf(content: dict[str, Any], *, draft: bool) -> bytes:
    """The PDF/A-3u of an agreement's text (`content` as made by `agreement_snapshot`). A draft
    carries an UTKAST watermark."""
    return render_pdf("agreements/print.html", {"a": content, "draft": draft})
