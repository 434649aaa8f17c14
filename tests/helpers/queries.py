"""Counting the database queries a page makes: a list page keeps its count whatever the number
of rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext


@contextmanager
def count_queries(*, person_kept: bool = False) -> Iterator[CaptureQueriesContext]:
    """The queries made inside the block (`len()` of it counts them). What is kept of the
    logged-in person between requests (`portal.person_cache`) is forgotten first, so that a
    page is counted with them read, whatever happened before; `person_kept` counts it as a
    person's next page finds it."""
    from portal import person_cache

    if not person_kept:
        person_cache.forget_all()
    with CaptureQueriesContext(connection) as queries:
        yield queries


def sql_of(queries: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in queries.captured_queries]


def _is_page_count(sql: str) -> bool:
    """The bounded count of `portal.pagination`, made only when more rows follow the page."""
    return sql.startswith("SELECT COUNT(*) FROM (SELECT") and " LIMIT " in sql


def assert_same_query_count(few: CaptureQueriesContext, many: CaptureQueriesContext) -> None:
    """The page made as many queries with many rows as with few (the SQL shown if not). A list
    that fits on one page knows its count from its rows; with more rows it also makes the one
    bounded count of `portal.pagination`, which is set aside here (and never more than one)."""
    few_sql = [sql for sql in sql_of(few) if not _is_page_count(sql)]
    many_sql = [sql for sql in sql_of(many) if not _is_page_count(sql)]
    assert len(many_sql) == len(few_sql), sql_of(many)
    assert len(many) - len(many_sql) <= 1, sql_of(many)
