"""Every URL the portal serves, with sample arguments, for tests that must cover them all."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

SAMPLE_BY_CONVERTER = {
    "id": "1",
    "int": "1",
    "path": "x",
    "slug": "x",
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
