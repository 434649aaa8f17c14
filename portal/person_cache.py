"""What every page reads about the logged-in person before its own work, kept between requests
in the shared cache: their officer roles and whether they have an authenticator app (portal),
the organisations they are connected to and the conflicts of interest they declared
(organisations, for segregation of duties). Read from the database these cost two queries and
their ORM on every officer page, about a tenth of the page; they change a few times a year.

The same keeping serves other small reads every officer page makes and that change rarely, each
under a generation of its own (`kept(..., generation=...)`): the lists' filter choices (the calls
and case officers of the person's public bodies, grants.selectors), and the frame every page
is drawn in, its header and footer (portal.templatetags.frame), kept under the person's
generation and the frame's own. And the logged-in person's own row (portal.auth_backends), in
each worker's memory only, under a generation of that one row (`changed`).

One generation number stands for all of a kind. A write to any table these facts come from (each
app names its models with `watch`) raises it, at once and again when the transaction commits,
and every kept entry is stale from then on. An entry carries the generation that was read
*before* its facts were read from the database, so facts read before a change are never taken
for facts read after it, whichever request finishes first. Inside a transaction nothing is
kept (it may yet be rolled back) and nothing kept is used: a service that checks, under its
locks, who may sign or decide reads the roles as they are now. Entries are kept at most
`PERSON_CACHE_SECONDS` (a window that only narrows with time, such as a former member's, is at
most that late in opening; it never closes late).

Only a cache shared by every process keeps them (Redis): a process's own memory would not hear
of a change made in another. Each process also keeps a copy of what it read from the shared
cache (`portal.process_copies`, at most `LOCAL_ENTRIES`, each for no longer than the shared entry
may live, on the process's own clock too), checked against the generations of the shared cache
like the shared entries: a request reads every generation number at once, the first time it
needs one, and then finds what it kept in the process's memory without another round trip to
Redis (an officer's page read nine values from Redis one by one; a quarter of a web worker's
time went to those round trips). The numbers a request read stand for the whole request, as if
it had read everything at its start; a change the request makes itself (a write that raises a
generation) makes it read them again. With a local cache, or `PERSON_CACHE_SECONDS = 0`, every
request reads the database as before. A change made outside Django (SQL by hand) is not heard:
it shows within `PERSON_CACHE_SECONDS`, or at once after `manage.py shell -c "from portal import
person_cache; person_cache.forget_all()"` (run it after changing `portal_user` by hand: a
deactivated person's kept row is otherwise used for up to that long). `User.objects.update()`
and `bulk_update()` raise the person generation themselves (`portal.models.UserQuerySet`)."""

from __future__ import annotations

import pickle
import time
from collections.abc import Callable, Iterable, Sequence
from contextvars import ContextVar
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import request_finished, request_started
from django.db import connection, models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from portal.process_copies import ProcessCopies

T = TypeVar("T")

GENERATION_KEY = "person:generation"
PERSON = "person"
# the frame every page is drawn in (portal.templatetags.frame): what it shows beyond the person
FRAME = "frame"
# every generation some app watches a table for (`watch`)
_generations: set[str] = {PERSON}


def enabled() -> bool:
    seconds = getattr(settings, "PERSON_CACHE_SECONDS", 0)
    local = isinstance(caches["default"], LocMemCache)
    shared = not local or getattr(settings, "PERSON_CACHE_LOCAL", False)
    return seconds > 0 and shared


def remember(user_pk: int, name: str, load: Callable[[], T]) -> T:
    """`load()`, or what it gave before if nothing it depends on has changed since."""
    return kept(f"{name}:{user_pk}", load)


def kept(
    key: str,
    load: Callable[[], T],
    *,
    generation: str | tuple[str, ...] = PERSON,
    shared: bool = True,
) -> T:
    """`load()` kept under `key` until the tables of `generation` change (`watch`); with
    several generations, until the tables of any of them change. Inside a transaction it is
    always `load()`: a service checks who may act under its locks on what the database holds
    now (a role taken away a moment ago), never on what a request read before. Not `shared`:
    kept in this process's memory only, never written to the shared cache (what must not leave
    the process, such as a password's hash), under the same generations."""
    if not enabled() or in_transaction():
        return load()
    names = (generation,) if isinstance(generation, str) else generation
    numbers = _numbers(names)
    if None in numbers:  # the shared cache holds no number (full, or failing): keep nothing
        return load()
    # (v2: entries carry when they were read; a worker still on the old code reads none of them)
    entry_key = f"person:v2:{'+'.join(names)}:{key}"
    local = _local_get(entry_key, numbers)
    if local is not None:
        value: T = pickle.loads(local)  # noqa: S301 (pickled by this process, from its own reads)
        return value
    if shared:
        entry = cache.get(entry_key)
        if _valid(entry, numbers):
            _local_put(entry_key, entry)
            found: T = entry[2]
            return found
    read_at = time.time()
    value = load()
    if shared:
        cache.set(entry_key, (numbers, read_at, value), settings.PERSON_CACHE_SECONDS)
    _local_put(entry_key, (numbers, read_at, value))
    return value


def generation(name: str = PERSON) -> int:
    """The current number of the generation `name` (read once per request, as `kept` reads
    it): a key that holds it is stale from the moment the tables of that generation change."""
    return _numbers([name])[0]


# --- the generation numbers a request read -----------------------------------------------------

# None outside a request (a Celery task, a command): every `kept` reads the numbers anew.
_request_numbers: ContextVar[dict[str, int] | None] = ContextVar(
    "person_cache_numbers", default=None
)


def _numbers(names: Sequence[str]) -> list[int]:
    """The current number of each generation in `names`: read once per request, every
    generation at once (one round trip), so the request's other reads need none."""
    read = _request_numbers.get()
    if read is not None and all(name in read for name in names):
        return [read[name] for name in names]
    wanted = sorted(_generations.union(names))
    keys = [_generation_key(name) for name in wanted]
    found: dict[str, Any] = cache.get_many(keys)
    numbers: dict[str, int] = {}
    for name, generation_key in zip(wanted, keys, strict=True):
        number = found.get(generation_key)
        if number is None:
            # first use, or the cache lost it: a number no kept entry can carry
            cache.add(generation_key, time.time_ns(), timeout=_lifetime(name))
            number = cache.get(generation_key)
        numbers[name] = number
    if read is not None:
        read.update(numbers)
    return [numbers[name] for name in names]


def _request_started(**_kwargs: Any) -> None:
    _request_numbers.set({})


def _request_finished(**_kwargs: Any) -> None:
    _request_numbers.set(None)


request_started.connect(_request_started, dispatch_uid="person-cache-request-started")
request_finished.connect(_request_finished, dispatch_uid="person-cache-request-finished")


# --- the process's own copy ---------------------------------------------------------------------

# How many entries a process keeps a copy of (the least recently used go first): an officer's
# pages read about five (roles, connections, the filters' choices, the frame in two languages).
LOCAL_ENTRIES = 4096
# the generation numbers it was read under, and the value pickled
_local: ProcessCopies[tuple[list[int], bytes]] = ProcessCopies(LOCAL_ENTRIES)


def _valid(entry: Any, numbers: list[int]) -> bool:
    """A shared entry (numbers, read at, value) of the current generations, read from the
    database at most PERSON_CACHE_SECONDS ago."""
    return (
        isinstance(entry, tuple)
        and len(entry) == 3
        and entry[0] == numbers
        and time.time() - entry[1] < settings.PERSON_CACHE_SECONDS
    )


def _local_get(key: str, numbers: list[int]) -> bytes | None:
    """The value this process kept under `key`, pickled (each caller gets a copy of its own, as
    from the shared cache), if it is still of the current generations."""
    found = _local.get(key, lambda entry: entry[0] == numbers)
    return None if found is None else found[1]


def _local_put(key: str, entry: tuple[list[int], float, Any]) -> None:
    """A copy of a valid shared entry, for what is left of its time."""
    numbers, read_at, value = entry
    blob = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    _local.put(key, (numbers, blob), read_at=read_at, seconds=settings.PERSON_CACHE_SECONDS)


def in_transaction() -> bool:
    """Inside a transaction what is read may yet be rolled back (a role granted, then the
    request fails), and what is decided must rest on what is there now: nothing is kept or
    taken from what is kept. (A test's own transaction does not count.)"""
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _generation_key(generation: str) -> str:
    return GENERATION_KEY if generation == PERSON else f"{GENERATION_KEY}:{generation}"


def forget_all(generation: str | None = None) -> None:
    """Every entry kept of `generation` (of every generation: None) is stale from now on."""
    if _request_numbers.get() is not None:
        _request_numbers.set({})  # this request reads the numbers again
    for name in [generation] if generation else sorted(_generations):
        key = _generation_key(name)
        try:
            cache.incr(key)
        except ValueError:  # not there: the next read starts a new one
            cache.set(key, time.time_ns(), timeout=_lifetime(name))


# How long the generation of one row (`changed`) lives in the shared cache from when it was
# started (its first read, or a change that found none): one per person who logged in, so they
# do not pile up for ever. One that is gone starts again at a number no kept entry carries,
# which is safe at any time.
ROW_GENERATION_SECONDS = 7 * 24 * 3600


def _lifetime(generation: str) -> int | None:
    """The generations of whole tables (`watch`) live for ever; a row's a week."""
    return None if generation in _generations else ROW_GENERATION_SECONDS


def changed(generation: str) -> None:
    """Every entry kept of `generation` is stale from now on, and again when the transaction
    commits: for a generation of one row, raised by the app that owns it (`portal.apps`)."""
    _changed(generation)


def written_in_bulk(model: type[models.Model], fields: Iterable[str]) -> None:
    """`QuerySet.update()` or `bulk_update()` of `fields` of `model`'s rows: what `watch`
    keeps of `model` is stale, as after a save of those fields."""
    update_fields = frozenset(fields)
    for generation, only in _watchers.get(model, []):
        if only is None or only(update_fields=update_fields):
            _changed(generation)


def _changed(generation: str) -> None:
    forget_all(generation)
    # and again once the change is visible to others: a request that read the new generation
    # before the commit may have kept what it read from the database before the commit
    transaction.on_commit(lambda: forget_all(generation))


# the generations each model is watched for, and which of its saves matter (`watch`)
_watchers: dict[type[models.Model], list[tuple[str, Callable[..., bool] | None]]] = {}


def watch(
    model: type[models.Model],
    *,
    only: Callable[..., bool] | None = None,
    generation: str = PERSON,
) -> None:
    """Any save or delete of `model` makes every entry kept of `generation` stale (`only`: the
    saves that matter, given the signal's arguments); for the table of a many-to-many field
    (`Model.field.through`), any row added or removed. A queryset's write to many rows at once
    sends no signal: its model's queryset calls `written_in_bulk` instead."""
    _generations.add(generation)
    if (generation, only) not in _watchers.setdefault(model, []):
        _watchers[model].append((generation, only))

    def on_save(**kwargs: Any) -> None:
        if only is None or only(**kwargs):
            _changed(generation)

    def on_delete(**_kwargs: Any) -> None:
        _changed(generation)

    def on_many_changed(action: str = "", **_kwargs: Any) -> None:
        if action in {"post_add", "post_remove", "post_clear"}:
            _changed(generation)

    uid = f"person-cache-{generation}-{model._meta.label}"
    if model._meta.auto_created:
        # the table of a many-to-many field: `add()`, `set()`, `remove()` and `clear()` write
        # its rows without saving them, and send m2m_changed instead
        m2m_changed.connect(on_many_changed, sender=model, weak=False, dispatch_uid=uid)
    post_save.connect(on_save, sender=model, weak=False, dispatch_uid=uid)
    post_delete.connect(on_delete, sender=model, weak=False, dispatch_uid=uid)
