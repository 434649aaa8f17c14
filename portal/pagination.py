"""One page of a list, the same way on every list page of the portal (`paginate`).

A list never counts all its rows: at 200 000 applications `SELECT COUNT(*)` over the filtered
list costs as much as the page itself, on every view. The count is bounded instead,
`SELECT COUNT(*) FROM (SELECT … LIMIT limit + 1)`, so it reads at most `PAGINATION_COUNT_LIMIT`
+ 1 rows (setting, default 10 000):

- up to the limit the count is exact, and the page says "Page 2 of 7 (152 in all)";
- above it the page says "Page 3 (more than 10 000 in all)" and claims no number of pages. The
  page reads one row more than it shows, so it knows whether there is a next page without
  counting; the last page knows the total from its rows, and says it.

The count is kept a short while (`PAGINATION_COUNT_CACHE_SECONDS`, default 30) in the shared
cache, per query, and each web worker keeps a copy for the rest of that while
(`portal.process_copies`): counting up to 10 001 rows costs a few milliseconds on the inbox and
about 100 ms on "payments of fully paid grants" (a join per row), on every view and every page of
the list. The rows are always read anew: only the number beside them may be that many seconds old,
and a kept count that the rows have outgrown (a next page beyond its last) is counted again.

A page number that is not a number, or below 1, gives the first page; one past the end gives
the last page, as before (above the limit that needs a full count, but only for that request).
Every page makes at most the same two queries, whatever the number of rows: the rows, and the
bounded count when more rows follow the page. A list that fits on one page, the last page of a
list, and a list whose view passes the count it already has, make the one query of the rows.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar, cast, overload

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import HttpRequest

from portal import person_cache
from portal.prepared import rows_and_sql
from portal.process_copies import ProcessCopies

PAGE_SIZE = 25
C = TypeVar("C", int, dict[str, int])
DEFAULT_COUNT_LIMIT = 10_000
# A page number above this is taken as this one: the offset of any page stays a number the
# database takes, and a page past the end still gives the last page.
MAX_PAGE_NUMBER = 1_000_000


# The LIMIT and OFFSET that make a list's SQL the SQL of one of its pages (PostgreSQL, SQLite).
PAGE_OF_SQL = re.compile(r"\s+LIMIT\s+\d+(?:\s+OFFSET\s+\d+)?\s*$")

# The counts this process read from the shared cache, each for what is left of its period: a
# list's next view needs no round trip for it.
_counts: ProcessCopies[Any] = ProcessCopies(4096)
COUNT_KEY = "pagination:count:v3:"


def _kept_count(key: str, seconds: int) -> Any:
    """The count (or counts) kept under `key`, counted less than `seconds` ago, or None."""
    local = _counts.get(key)
    if local is not None:
        return local
    shared = cache.get(key)
    if not (
        isinstance(shared, tuple)
        and len(shared) == 2
        and isinstance(shared[1], int | dict)
        and time.time() - shared[0] < seconds
    ):
        return None
    counted_at, count = shared
    _counts.put(key, count, read_at=counted_at, seconds=seconds)
    return count


def kept_count(key: str, count: Callable[[], C], *, fresh: bool = False) -> C:
    """`count()`, a number (or a dict of numbers), kept `PAGINATION_COUNT_CACHE_SECONDS` in the
    shared cache (and by each web worker for the rest of that while) under `key`, which names
    everything the number depends on: a list's query, its SQL and parameters, which name the
    person's bodies and exclusions (`query_key`); or the person whose waiting work it counts.
    No one is shown another scope's count. What a list shows beside its rows, and what the
    officer's overview says waits for them (`grants.selectors.waiting_for_officer`), may thus
    be that many seconds old; the rows a number leads to are always read anew. `fresh` counts
    anew."""
    seconds = getattr(settings, "PAGINATION_COUNT_CACHE_SECONDS", 0)
    # inside a transaction what is counted may yet be rolled back: counted, not kept
    if seconds <= 0 or person_cache.in_transaction():
        return count()
    key = COUNT_KEY + hashlib.sha256(key.encode()).hexdigest()
    kept = None if fresh else _kept_count(key, seconds)
    if kept is None:
        kept = count()
        now = time.time()
        cache.set(key, (now, kept), seconds)
        _counts.put(key, kept, read_at=now, seconds=seconds)
    return cast(C, dict(kept) if isinstance(kept, dict) else kept)  # the caller's own


def query_key(queryset: QuerySet[Any]) -> str:
    """What a count of `queryset` depends on: its database, SQL and parameters."""
    sql, params = queryset.query.sql_with_params()
    return f"{queryset.db}\n{sql}\n{params!r}"


def person_key(name: str, user: Any) -> str:
    """What a count of the person's waiting work depends on besides the rows: who they are, and
    their roles, connections and declarations of jäv (the person's generation,
    `portal.person_cache`), so that a role taken away or a conflict declared is counted anew
    at once, not after the while."""
    return f"{name}:{user.pk}:{person_cache.generation()}"


class Paginator:
    """The count of a list, bounded at `count_limit`, as `paginate` finds it. `count` and
    `num_pages` are None when the list has more rows than that (`exact` is False)."""

    def __init__(
        self,
        object_list: QuerySet[Any],
        per_page: int,
        *,
        count_limit: int,
        count: int | None = None,
        rows: Callable[[list[Any]], list[Any]] | None = None,
    ) -> None:
        self.object_list = object_list
        self.per_page = per_page
        self.count_limit = count_limit
        self.count: int | None = count
        self.rows = rows
        # what the list's count depends on, from the SQL its page was read with (`page`)
        self.count_key = ""
        # the list can have no rows whatever is in the database (`none()`, `one_of` no ids)
        self.nothing = False

    @property
    def exact(self) -> bool:
        return self.count is not None

    @property
    def num_pages(self) -> int | None:
        if self.count is None:
            return None
        return max(1, -(-self.count // self.per_page))

    def bounded_count(self, *, fresh: bool = False) -> int | None:
        """The number of rows if it is at most `count_limit`, else None (more than that). Kept
        `PAGINATION_COUNT_CACHE_SECONDS` in the shared cache under the query's own SQL and
        parameters (which name the person's bodies and exclusions: no one is shown another
        scope's count); `fresh` counts anew."""
        if self.nothing:  # no SQL to count with: none
            self.count = 0
            return 0
        bounded = self.object_list.order_by()[: self.count_limit + 1]
        if getattr(settings, "PAGINATION_COUNT_CACHE_SECONDS", 0) > 0:
            key = self.count_key or query_key(bounded.values("pk"))
            count = kept_count(key, bounded.count, fresh=fresh)
        else:
            count = bounded.count()
        self.count = count if count <= self.count_limit else None
        return self.count

    def count_all(self) -> int:
        """The full count: only for a page number past the end of a list above the limit."""
        self.count = self.object_list.order_by().count()
        return self.count

    def page(self, number: int) -> Page:
        offset = (number - 1) * self.per_page
        page = self.object_list[offset : offset + self.per_page + 1]
        # the page's SQL, compiled once, also names what the list's count depends on: its
        # database, and its SQL and parameters without the page's LIMIT and OFFSET, and the
        # limit it is counted up to (a count of limit + 1 means "more than the limit")
        rows, sql, params = rows_and_sql(page)
        self.nothing = not sql
        whole = PAGE_OF_SQL.sub("", sql)
        if sql and whole != sql:
            self.count_key = f"{page.db}\n{whole}\n{params!r}\n{self.count_limit}"
        shown = rows[: self.per_page]
        if self.rows is not None:
            shown = self.rows(shown)
        return Page(shown, number, self, has_next=len(rows) > self.per_page)


class Page(Sequence[Any]):
    """The rows of one page (`object_list`, iterable) and the way to its neighbours."""

    def __init__(
        self, object_list: list[Any], number: int, paginator: Paginator, *, has_next: bool
    ):
        self.object_list = object_list
        self.number = number
        self.paginator = paginator
        self._has_next = has_next

    def __repr__(self) -> str:
        return f"<Page {self.number}>"

    def __len__(self) -> int:
        return len(self.object_list)

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        return self.object_list[index]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_previous() or self.has_next()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def start_index(self) -> int:
        """The 1-based position of the first row on the page (0 on an empty list)."""
        if not self.object_list:
            return 0
        return (self.number - 1) * self.paginator.per_page + 1

    def end_index(self) -> int:
        return self.start_index() + len(self.object_list) - 1 if self.object_list else 0


def paginate(
    request: HttpRequest,
    items: QuerySet[Any],
    per_page: int = PAGE_SIZE,
    *,
    count: int | None = None,
    rows: Callable[[list[Any]], list[Any]] | None = None,
) -> Page:
    """One page of a list (`?sida=`); a page number out of range gives the nearest page, never
    an error. `count` is the number of rows when the view already knows it (from the counts per
    status it shows beside the list, which it may have kept a while): the list is then not
    counted again, unless its rows have outgrown that number or it has shrunk below the page.

    The rows are read first. Only a page with more rows after it counts the list: a list that
    fits on one page (a lookup by diarienummer, a narrow filter) and the last page of any list
    know the total from their own rows.

    `rows` makes the page's rows as read (a list read as values) into what the page shows, all
    at once, so that what they need besides is read once for the page: a selector's row type
    (`grants.selectors.call_rows`, `case_rows`)."""
    limit = getattr(settings, "PAGINATION_COUNT_LIMIT", DEFAULT_COUNT_LIMIT)
    paginator = Paginator(items, per_page, count_limit=limit, count=count, rows=rows)
    number = _page_number(request.GET.get("sida"))
    if paginator.count is not None and paginator.num_pages is not None:
        page = paginator.page(min(number, paginator.num_pages))
        seen = (page.number - 1) * per_page + len(page.object_list)
        if page.object_list and not page.has_next():
            paginator.count = seen  # the last page knows the total from its rows
            return page
        if page.object_list and seen < paginator.count and page.number < paginator.num_pages:
            return page
        if not page.object_list and page.number == 1:
            paginator.count = 0
            return page
        # a count the view kept a while (`kept_count`) that the rows have outgrown, or that
        # has shrunk below this page: counted as if none had been given (the rows already read
        # serve when they are the page asked for)
        paginator.count = None
        if page.number != number:
            page = paginator.page(number)
    else:
        page = paginator.page(number)
    if page.object_list and not page.has_next():
        paginator.count = (number - 1) * per_page + len(page.object_list)
        return page
    if page.object_list:
        count = paginator.bounded_count()
        if count is not None and count <= number * per_page:
            paginator.bounded_count(fresh=True)  # a kept count the rows have outgrown
        return page
    if number == 1:
        paginator.count = 0
        return page
    # Past the end (an old link, a list that shrank): the last page. Above the limit that
    # needs the full count, but only for this request.
    if paginator.bounded_count(fresh=True) is None:
        paginator.count_all()
    return paginator.page(min(number, paginator.num_pages or 1))


def _page_number(value: str | None) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE_NUMBER)


def query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("sida", None)
    return params.urlencode()
