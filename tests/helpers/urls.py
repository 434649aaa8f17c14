"""Every URL the portal serves, with sample arguments, for tests that must cover them all; an
app's URLs filled in with real objects; and what a URL answers someone who must be refused."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

SAMPLE_BY_CONVERTER = {
    "id": "1",
    "int": "1",
    "path": "x",
    "slug": "x",
    "spreadsheet": "csv",
    "str": "x",
    "uuid": "00000000-0000-0000-0000-000000000001",
}


@dataclass(frozen=True)
class Route:
    name: str
    path: str
    callback: Any

    @property
    def module(self) -> str:
        return getattr(self.callback, "__module__", "") or ""


def _sample(route: str, samples: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        converter = match.group(1) or "str"
        return samples.get(converter, "x")

    path = re.sub(r"<(?:(\w+):)?\w+>", replace, route)
    # Regex routes (the admin's): a sample for each group, then strip anchors.
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "x", path)
    return path.replace("^", "").replace("$", "").replace("\\", "")


def iter_routes(samples: dict[str, str] | None = None) -> Iterator[Route]:
    """Every route; `samples` overrides the sample value per converter."""
    chosen = {**SAMPLE_BY_CONVERTER, **(samples or {})}

    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[Route]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace
                if pattern.namespace:
                    ns = f"{namespace}{pattern.namespace}:"
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}{pattern.name}" if pattern.name else ""
                yield Route(
                    name=name,
                    path="/" + _sample(prefix + str(pattern.pattern), chosen),
                    callback=pattern.callback,
                )

    yield from walk(get_resolver().url_patterns, "", "")


def app_urls(
    namespace: str,
    urlpatterns: list[Any],
    values: dict[str, object],
    skip: Collection[str] = (),
) -> list[tuple[str, str]]:
    """(name, URL) of each of an app's named routes but those in `skip`, each filled in from
    `values` (the route's `<id:key>` and `<slug:key>` arguments)."""
    found = []
    for pattern in urlpatterns:
        if pattern.name is None or pattern.name in skip:
            continue
        route = str(pattern.pattern)
        kwargs = {
            key: value
            for key, value in values.items()
            if f"<id:{key}>" in route or f"<slug:{key}>" in route
        }
        found.append((pattern.name, reverse(f"{namespace}:{pattern.name}", kwargs=kwargs)))
    return found


def answer_status(client: Client, url: str, post_data: dict[str, str]) -> int:
    """What `url` answers the client: a GET, or a POST of `post_data` where only POST is
    allowed."""
    status = client.get(url).status_code
    if status == 405:
        status = client.post(url, post_data).status_code
    return status
