"""The agreement as PDF/A: a pure function from an agreement's text to bytes.

WeasyPrint renders a print template of its own. Everything the parties typed reaches the template
as data and is escaped by it; the `url_fetcher` serves only the portal's own static files (the
embedded fonts), so nothing in an agreement can make the server fetch a URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

STATIC_SCHEME = "portal-static:"


def url_fetcher(url: str, timeout: int = 10, ssl_context: Any = None) -> dict[str, Any]:
    """Only `portal-static:<path>` under the portal's static files; everything else is refused."""
    if not url.startswith(STATIC_SCHEME):
        raise ValueError(f"The agreement PDF fetches nothing from outside the portal: {url[:80]}")
    relative = url[len(STATIC_SCHEME) :].lstrip("/")
    if ".." in Path(relative).parts:
        raise ValueError("Refused path")
    found = finders.find(relative)
    if not found or isinstance(found, list):
        raise ValueError(f"No such static file: {relative}")
    path = Path(found)
    mime = "font/ttf" if path.suffix == ".ttf" else "application/octet-stream"
    return {"string": path.read_bytes(), "mime_type": mime, "filename": path.name}


_font_config: Any = None


def _fonts() -> Any:
    """One font configuration per process: a new one for every document keeps memory growing."""
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
    return _font_config


def render_agreement_pdf(content: dict[str, Any], *, draft: bool) -> bytes:
    """The PDF/A-3u of an agreement's text (`content` as made by `agreement_snapshot`). A draft
    carries an UTKAST watermark."""
    from weasyprint import HTML

    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(
            "agreements/print.html", {"a": content, "draft": draft, "static": STATIC_SCHEME}
        )
    document = HTML(string=html, base_url=STATIC_SCHEME, url_fetcher=url_fetcher)
    pdf: bytes = document.write_pdf(pdf_variant="pdf/a-3u", font_config=_fonts())
    return pdf
