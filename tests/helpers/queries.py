"""Counting the database queries a page makes: a list page keeps its count whatever the number
of rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext


@contextmanager
def count_queries() -> Iterator[CaptureQueriesContext]:
    """The queries made inside the block (`len()` of it counts them)."""
    with CaptureQueriesContext(connection) as queries:
        yield queries


def sql_of(queries: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in queries.captured_queries]


def assert_same_query_count(few: CaptureQueriesContext, many: CaptureQueriesContext) -> None:
    """The page made as many queries with many rows as with few (the SQL shown if not)."""
    assert len(many) == len(few), sql_of(many)
