"""Links by row id, at the speed of a list: every row of an officer's list links to its case,
and Django's `reverse()` costs about 40 µs a link (it matches the pattern anew each time), a
third of the time a row takes to render.

`reverse_ids` reverses a URL name once per number of ids with placeholder ids, keeps the text
around them, and from then on puts the ids in between. It answers only where that gives exactly
what `reverse()` gives: ids that are non-negative whole numbers, and a URL whose ids appear in it
as written (checked once per URL name against `reverse()` itself); otherwise it returns None and
the caller asks `reverse()`. The template tag `{% url %}` of every template uses it
(`portal.templatetags.portal_url`)."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import (
    NoReverseMatch,
    Resolver404,
    get_script_prefix,
    get_urlconf,
    resolve,
    reverse,
)

# Placeholder ids: numbers no table of the portal reaches, each found once in the URL.
_PLACEHOLDER = 918_273_645_000


def reverse_ids(
    view_name: str, ids: Sequence[object], current_app: str | None = None
) -> str | None:
    """The URL of `view_name` with these ids, as `reverse(view_name, args=ids)` gives it, or None
    when only `reverse()` can tell."""
    if not all(type(pk) is int and pk >= 0 for pk in ids):
        return None
    parts = _parts(get_urlconf(), get_script_prefix(), current_app, view_name, len(ids))
    if parts is None:
        return None
    url = parts[0]
    for pk, after in zip(ids, parts[1:], strict=True):
        url += str(pk) + after
    return url


@functools.lru_cache(maxsize=1024)
def _parts(
    urlconf: str | None, prefix: str, current_app: str | None, view_name: str, count: int
) -> tuple[str, ...] | None:
    """The URL's text around its ids, or None where the ids do not appear in it as written (a
    converter that changes them, a name with no such URL). `urlconf` and `prefix` are part of the
    key only: a different URL configuration or script prefix keeps its own texts."""
    placeholders = [str(_PLACEHOLDER + n) for n in range(count)]
    try:
        url = reverse(view_name, args=placeholders, current_app=current_app)
    except NoReverseMatch:
        return None
    parts: list[str] = []
    rest = url
    for placeholder in placeholders:
        if url.count(placeholder) != 1:
            return None
        before, _found, rest = rest.partition(placeholder)
        parts.append(before)
    parts.append(rest)
    # Small ids as well: a converter that pads or rewrites numbers gives another text.
    for sample in ([n + 1 for n in range(count)], [10_000 + 7 * n for n in range(count)]):
        try:
            expected = reverse(view_name, args=sample, current_app=current_app)
        except NoReverseMatch:
            return None
        built = parts[0] + "".join(
            str(pk) + after for pk, after in zip(sample, parts[1:], strict=True)
        )
        if built != expected:
            return None
    return tuple(parts)


def linked_view(url: str) -> tuple[str, Mapping[str, Any]] | None:
    """The view name and keyword arguments of a link the portal wrote (a notification's), or
    None when no page answers it. Notiser asks this of every row: `resolve()` tries the URL
    patterns one by one (about 0.1 ms a link), so each link is resolved once per URL
    configuration (the key), not on every page."""
    return _resolved(get_urlconf() or settings.ROOT_URLCONF, urlsplit(url).path)


@functools.lru_cache(maxsize=4096)
def _resolved(urlconf: str, path: str) -> tuple[str, Mapping[str, Any]] | None:
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None
    return match.view_name, MappingProxyType(dict(match.kwargs))
