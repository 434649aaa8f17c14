"""PDF/A from a print template: the one way the portal's apps render a PDF (an agreement, the
yearly report of who gets the support).

WeasyPrint renders a print template. Everything users typed reaches the template as data and is
escaped by it; the URL fetcher serves only the portal's own fonts (`portal-static:fonts/…` in
the static files) and refuses every other URL, so nothing in a document can make the server
fetch one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

STATIC_SCHEME = "portal-static:"
FONT_DIRECTORY = "fonts"
FONT_TYPES = {".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2"}


def static_font(url: str) -> Path:
    """The file that `portal-static:fonts/<file>` names among the portal's static files. Any
    other URL (another scheme, another static folder, a path out of it, a file that is not a
    font) raises ValueError, which WeasyPrint logs and renders without."""
    if not url.startswith(STATIC_SCHEME):
        raise ValueError(f"A PDF of the portal fetches nothing from outside it: {url[:80]}")
    relative = url[len(STATIC_SCHEME) :]
    parts = Path(relative).parts
    if (
        len(parts) != 2
        or parts[0] != FONT_DIRECTORY
        or Path(relative).suffix not in FONT_TYPES
        or any(character in relative for character in "\\?#%")
    ):
        raise ValueError(f"Only the portal's fonts are fetched: {url[:80]}")
    found = finders.find(relative)
    if not found or isinstance(found, list):
        raise ValueError(f"No such static file: {relative}")
    return Path(found)


_url_fetcher: Any = None


def url_fetcher() -> Any:
    """The WeasyPrint URL fetcher of the portal's PDFs, one per process. WeasyPrint 68 replaced
    fetcher functions returning dicts by `URLFetcher` subclasses returning a
    `URLFetcherResponse`, and 70 dropped the functions: a function's dict is refused, so its
    @font-face fell back to a system font. This subclass never opens a connection: `fetch`
    reads the static font file or raises."""
    global _url_fetcher
    if _url_fetcher is None:
        from weasyprint.urls import URLFetcher, URLFetcherResponse

        class StaticFontFetcher(URLFetcher):
            def fetch(self, url: str, headers: Any = None) -> Any:
                path = static_font(url)
                return URLFetcherResponse(
                    url, path.read_bytes(), {"Content-Type": FONT_TYPES[path.suffix]}
                )

        # Should `fetch` ever reach URLFetcher's own (urllib), no protocol and no redirect.
        _url_fetcher = StaticFontFetcher(
            allowed_protocols=(), allow_redirects=False, fail_on_errors=False
        )
    return _url_fetcher


_font_config: Any = None


def _fonts() -> Any:
    """One font configuration per process: a new one for every document keeps memory growing.
    It also keeps the fonts of the @font-face rules, so each is fetched once per process."""
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
    return _font_config


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """The PDF/A-3u of a print template, in the portal's language; the template gets `static`,
    the base of the portal's fonts."""
    from weasyprint import HTML

    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(template, {**context, "static": STATIC_SCHEME})
    document = HTML(string=html, base_url=STATIC_SCHEME, url_fetcher=url_fetcher())
    pdf: bytes = document.write_pdf(pdf_variant="pdf/a-3u", font_config=_fonts())
    return pdf
