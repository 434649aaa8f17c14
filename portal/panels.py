"""The apps' panels on the portal's own pages, drawn in the registry's order."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from portal import registry


def render_panels(request: HttpRequest, page: str) -> list[SafeString]:
    """Each registered panel of `page` drawn with its own context (a template renders safely:
    what it prints is escaped there)."""
    return [
        mark_safe(  # noqa: S308 - the output of a template, escaped by it
            render_to_string(panel.template, panel.context(request), request=request)
        )
        for panel in registry.panels(page)
    ]
