"""Work started at the same moment in several threads, each with its own database connection,
against the real PostgreSQL (row locks are what keep the portal right there; SQLite serialises
whole transactions and proves nothing)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from celery import _state as celery_state
from django.db import connection, connections

requires_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrency is tested against PostgreSQL (set DATABASE_URL; .ci/run does)",
)


def run_together(work: list[Callable[[], object]]) -> list[BaseException | None]:
    """Start every piece of work at the same moment, each in its own thread and so its own
    database connection, closed at the end."""
    barrier = threading.Barrier(len(work))
    errors: list[BaseException | None] = [None] * len(work)

    def run(index: int) -> None:
        try:
            barrier.wait()
            work[index]()
        except BaseException as error:
            errors[index] = error
        finally:
            connections.close_all()

    # Celery runs an eager task under a process-wide flag ("inside a task: never wait on a
    # result"), set before and reset after each one. Eager tasks in two threads at once can leave
    # it set, and a later test's result.get() would refuse to wait; put it back as it was.
    join_will_block = celery_state.task_join_will_block()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=90)
    finally:
        celery_state._set_task_join_will_block(join_will_block)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish"
    return errors
