"""The apps' panels on the portal's own pages, drawn in the registry's order."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from portal import registry


def render_panels(request: HttpRequest, page: str, **about: object) -> list[SafeString]:
    """Each registered panel of `page` drawn with its own context (a template renders safely:
    what it prints is escaped there). `about` is what a page about one object passes to the
    panels' `context` (an organisation)."""
    return [
        mark_safe(  # noqa: S308 - the output of a template, escaped by it
            render_to_string(panel.template, panel.context(request, **about), request=request)
        )
        for panel in registry.panels(page)
    ]
