"""The figures of a summary as HTML, drawn once per build, language and audience.

A summary does not change until the next build replaces it (under a new id), and its figures,
charts and tables are the same for every person who may see it. Drawing a dozen tables and
charts takes tens of milliseconds; the drawn HTML is kept in the cache under the summary's id,
build time and language, so a person's next view costs a cache read. Nothing personal is in
it: no form, no token, no name but the municipality's; the page around it is the person's own."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from insights import presenting
from insights.models import Summary

KEEP_SECONDS = 60 * 60 * 24  # a build replaces the summary (and so the key) long before


def view_query(summary: Summary) -> str:
    """The download links' query: the view's own choices, whatever order the address had."""
    choices: dict[str, Any] = {"kommun": summary.root_id, "del": summary.scope}
    if summary.year is not None:
        choices["ar"] = summary.year
    return urlencode(choices)


def figures(
    summary: Summary, *, public: bool, root_name: str, scope_label: str
) -> dict[str, SafeString]:
    """The headline with the contents ("head") and the sections ("sections") of a summary."""
    key = (
        f"insights:figures:{summary.pk}:{summary.built_at.timestamp()}:{get_language()}:"
        f"{'public' if public else 'officer'}"
    )
    kept = cache.get(key)
    if kept is None:
        data = summary.data
        context = {
            "public": public,
            "summary": summary,
            "data": data,
            "root_name": root_name,
            "scope_label": scope_label,
            "headline": presenting.headline(data),
            "sections": presenting.sections(data),
            "query": view_query(summary),
        }
        kept = {
            "head": render_to_string("insights/_figures_head.html", context),
            "sections": render_to_string("insights/_figures.html", context),
        }
        cache.set(key, kept, KEEP_SECONDS)
    # drawn by the portal's own templates, which escaped every text in them
    return {name: mark_safe(html) for name, html in kept.items()}  # noqa: S308
