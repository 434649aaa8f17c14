"""A web worker's own copy of what it read from the shared cache (Redis), so that the next
request in the same process needs no round trip for it: `ProcessCopies`, a bounded map with the
least recently used entries going first.

A copy is only as good as the rule that says it is still valid, which each user passes to
`get`: the person's facts (`portal.person_cache`) are valid while the shared generation numbers
are the ones they were read under; a list's count (`portal.pagination`) while it is younger than
its period. Nothing here hears of a change in another process: that is what the rule is for.
Tests clear every copy between tests (`clear_all`), as they clear the shared cache."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

_all: list[ProcessCopies[object]] = []


class ProcessCopies(Generic[T]):
    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[str, T] = OrderedDict()
        self._lock = threading.Lock()
        _all.append(self)  # type: ignore[arg-type]

    def get(self, key: str, valid: Callable[[T], bool]) -> T | None:
        """The copy under `key` if `valid` says it still holds; an invalid one is dropped."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if not valid(found):
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return found

    def put(self, key: str, entry: T) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def clear_all() -> None:
    for copies in _all:
        copies.clear()
