"""What every page reads about the logged-in person before its own work, kept between requests
in the shared cache: their officer roles and whether they have an authenticator app (portal),
the organisations they are connected to and the conflicts of interest they declared
(organisations, for segregation of duties). Read from the database these cost two queries and
their ORM on every officer page, about a tenth of the page; they change a few times a year.

One generation number stands for all of it. A write to any table these facts come from (each
app names its models with `watch`) raises it, at once and again when the transaction commits,
and every kept entry is stale from then on. An entry carries the generation that was read
*before* its facts were read from the database, so facts read before a change are never taken
for facts read after it, whichever request finishes first; and nothing read inside a
transaction is kept, since the transaction may yet be rolled back. Entries are kept at most
`PERSON_CACHE_SECONDS` (a window that only narrows with time, such as a former member's, is at
most that late in opening; it never closes late).

Only a cache shared by every process keeps them (Redis): a process's own memory would not hear
of a change made in another. With a local cache, or `PERSON_CACHE_SECONDS = 0`, every request
reads the database as before. A change made outside Django (SQL by hand) is not heard: it shows
within `PERSON_CACHE_SECONDS`, or at once after `manage.py shell -c "from portal import
person_cache; person_cache.forget_all()"`."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection, models, transaction
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")

GENERATION_KEY = "person:generation"


def enabled() -> bool:
    seconds = getattr(settings, "PERSON_CACHE_SECONDS", 0)
    local = isinstance(caches["default"], LocMemCache)
    shared = not local or getattr(settings, "PERSON_CACHE_LOCAL", False)
    return seconds > 0 and shared


def remember(user_pk: int, name: str, load: Callable[[], T]) -> T:
    """`load()`, or what it gave before if nothing it depends on has changed since."""
    if not enabled():
        return load()
    key = f"person:{name}:{user_pk}"
    found: dict[str, Any] = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY)
    if generation is None:
        # first use, or the cache lost it: a number no kept entry can carry
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        generation = cache.get(GENERATION_KEY)
    entry = found.get(key)
    if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == generation:
        value: T = entry[1]
        return value
    value = load()
    if not _in_transaction():
        cache.set(key, (generation, value), settings.PERSON_CACHE_SECONDS)
    return value


def _in_transaction() -> bool:
    """Inside a transaction what is read may yet be rolled back (a role granted, then the
    request fails): it is used, never kept. (A test's own transaction does not count.)"""
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def forget_all() -> None:
    """Every kept entry is stale from now on."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not there: the next read starts a new one
        cache.set(GENERATION_KEY, time.time_ns(), timeout=None)


def _changed(**_kwargs: Any) -> None:
    forget_all()
    # and again once the change is visible to others: a request that read the new generation
    # before the commit may have kept what it read from the database before the commit
    transaction.on_commit(forget_all)


def watch(model: type[models.Model], *, only: Callable[..., bool] | None = None) -> None:
    """Any save or delete of `model` makes every kept entry stale (`only`: the saves that
    matter, given the signal's arguments)."""

    def on_save(**kwargs: Any) -> None:
        if only is None or only(**kwargs):
            _changed()

    post_save.connect(
        on_save, sender=model, weak=False, dispatch_uid=f"person-cache-{model._meta.label}"
    )
    post_delete.connect(
        _changed, sender=model, weak=False, dispatch_uid=f"person-cache-d-{model._meta.label}"
    )
