"""A web worker's own copy of what it read from the shared cache (Redis), so that the next
request in the same process needs no round trip for it: `ProcessCopies`, a bounded map with the
least recently used entries going first.

A copy lives for what is left of its shared entry's time, on the shared clock (`time.time()`),
and never longer than that time on the process's own clock (`put`): another host's clock may
differ. Beyond that, each user passes the rule that says a copy still holds to `get`: the
person's facts (`portal.person_cache`) are valid while the shared generation numbers are the ones
they were read under. Nothing here hears of a change in another process: that is what the rule
is for. Tests clear every copy between tests (`clear_all`), as they clear the shared cache."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

_all: list[ProcessCopies[object]] = []


def _monotonic() -> float:
    """This process's own clock, which no other host's can move (a test may stop it)."""
    return time.monotonic()


class ProcessCopies(Generic[T]):
    def __init__(self, size: int) -> None:
        self.size = size
        # (until, on this process's clock; until, on the shared clock; the entry)
        self._entries: OrderedDict[str, tuple[float, float, T]] = OrderedDict()
        self._lock = threading.Lock()
        _all.append(self)  # type: ignore[arg-type]

    def get(self, key: str, valid: Callable[[T], bool] = lambda _entry: True) -> T | None:
        """The copy under `key` while its time lasts and `valid` says it still holds; one that
        does not is dropped."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            until, shared_until, entry = found
            if _monotonic() >= until or time.time() >= shared_until or not valid(entry):
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: T, *, read_at: float, seconds: float) -> None:
        """Keep `entry`, read at `read_at` (the shared clock, `time.time()`) and valid for
        `seconds` from then: for what is left of that, never more than `seconds` here."""
        left = min(seconds, max(0.0, seconds - (time.time() - read_at)))
        with self._lock:
            self._entries[key] = (_monotonic() + left, read_at + seconds, entry)
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
