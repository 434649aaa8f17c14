"""Background work of the platform itself."""

from __future__ import annotations

import logging
import socket
from functools import partial
from typing import Any

from celery import Task, shared_task
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction

logger = logging.getLogger(__name__)


class PortalTask(Task):
    """The base of every task in the portal: acknowledged after it ran, handed back to the
    queue if the worker dies, retried with backoff when a service is briefly unreachable."""

    acks_late = True
    reject_on_worker_lost = True
    autoretry_for: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError)
    retry_backoff = True
    retry_backoff_max = 600
    max_retries = 5


def queue_once(task: Task, *, key: str, countdown: int, failure: str) -> None:
    """Queue `task` in `countdown` seconds unless it is queued already: a flag `key` in the
    shared cache, which the task clears as it starts (so a change during a run queues the next),
    gives one run for many changes in that while. A broker that cannot be reached must not fail
    the change that was just committed: `failure` is logged, and the nightly run catches up."""
    if not cache.add(key, True, timeout=countdown * 10):
        return
    try:
        task.apply_async(countdown=countdown)
    except Exception:
        cache.delete(key)
        logger.exception(failure)


def enqueue_on_commit(task: Task, *args: Any) -> None:
    """Queue a task once the current transaction has committed (never for a rolled-back change)."""
    transaction.on_commit(partial(task.delay, *args))


@shared_task(name="portal.tasks.ping", base=PortalTask)
def ping() -> dict[str, str]:
    """Proves the round trip web → broker → worker → result. `manage.py check_worker` sends it."""
    return {"pong": socket.gethostname()}


@shared_task(name="portal.tasks.clear_expired_sessions", base=PortalTask)
def clear_expired_sessions() -> None:
    """Nightly (beat): drop sessions that have expired, so the table does not grow forever."""
    call_command("clearsessions")


@shared_task(bind=True, name="portal.tasks.send_notification", base=PortalTask, max_retries=None)
def send_notification(self: Task, notification_id: int) -> str:
    """Claim one outbox row, send it, and retry with backoff and jitter on SMTP errors."""
    from portal import notifications

    row = notifications.claim(notification_id)
    if row is None:
        return "skipped"
    if notifications.deliver(row):
        return row.status
    if self.request.is_eager:  # no broker to wait on: try again at once
        return str(send_notification.run(notification_id))
    raise self.retry(countdown=notifications.backoff(row.attempts))


@shared_task(name="portal.tasks.scan_reminders", base=PortalTask)
def scan_reminders() -> int:
    """Hourly (beat): write the reminders due now into the outbox and queue them."""
    from portal import notifications

    return notifications.scan()


@shared_task(name="portal.tasks.dispose_due", base=PortalTask)
def dispose_due() -> dict[str, int]:
    """Nightly (beat): dispose of what the retention schedule says is due, except what is under
    legal hold, and log it (`portal.retention`). Safe to run twice or at the same time."""
    from portal import retention

    return retention.dispose_due()


# The e-archive's delivery task (`portal.earchive.tasks`), registered wherever the portal's
# tasks are: it builds on PortalTask above, so it is imported after it.
from portal.earchive import tasks as _earchive_tasks  # noqa: E402, F401
