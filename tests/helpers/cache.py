"""The shared cache as a module sees it, counting the calls the module makes to it (each a round
trip to Redis in a running portal)."""

from __future__ import annotations


class CountingCache:
    """Stands in for `inner` (monkeypatch it over a module's `cache`); `calls` names each method
    asked for, in order."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> object:
        self.calls.append(name)
        return getattr(self.inner, name)
