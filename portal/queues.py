"""The portal's Celery queues and which task goes to which, so that a burst of one kind of work
(a call's decisions rendering a hundred agreement PDFs, say) does not hold up the others (the
notification emails). Settings hand these to Celery (CELERY_TASK_QUEUES, CELERY_TASK_ROUTES);
beat's entries are routed the same way, since routes apply to a task's name, whoever sends it.

A worker started without `-Q` consumes every queue below (development, a single machine); in
production each queue can have workers of its own: `celery -A portal worker -Q pdf`.

Every task of the portal is named here on purpose (tests/portal/test_queues.py checks it), so
that a new task is put in a queue by choice; a name not listed lands in the default queue.

No Django imports: settings import this module."""

from __future__ import annotations

from kombu import Exchange, Queue

#: Everything small and quick: the worker check's ping, the nightly housekeeping.
DEFAULT = "celery"
#: PDF rendering with WeasyPrint (agreement versions, the yearly report): CPU bound.
PDF = "pdf"
#: Email out: the notification outbox and invitations; I/O bound, waits on SMTP.
NOTIFICATIONS = "notifications"
#: The rebuilds of the open-data files and the statistics: heavy, one at a time is enough.
OPEN_DATA = "open_data"
#: Delivery of batches to the e-archive: large files, one at a time.
ARCHIVE = "archive"

QUEUE_NAMES: tuple[str, ...] = (DEFAULT, PDF, NOTIFICATIONS, OPEN_DATA, ARCHIVE)

# Each queue on a direct exchange of its own name with its name as routing key: what Celery
# itself declares for a queue it creates on demand, and for the default queue. (A queue without
# a routing key would be bound with the default one and receive the default queue's messages.)
TASK_QUEUES: tuple[Queue, ...] = tuple(
    Queue(name, Exchange(name, type="direct"), routing_key=name) for name in QUEUE_NAMES
)

#: Task name → queue, for every task of the portal.
QUEUE_BY_TASK: dict[str, str] = {
    # pdf
    "agreements.tasks.render_version_pdf": PDF,
    "insights.tasks.build_yearly_report": PDF,  # renders the report with WeasyPrint
    # notifications
    "portal.tasks.send_notification": NOTIFICATIONS,
    "portal.tasks.scan_reminders": NOTIFICATIONS,
    "organisations.tasks.send_invitation_email": NOTIFICATIONS,
    # open_data
    "grants.tasks.build_open_data": OPEN_DATA,
    "insights.tasks.build_insights": OPEN_DATA,
    # archive
    "portal.earchive.tasks.export_batch": ARCHIVE,
    # the default queue, named all the same so that the choice is visible
    "portal.tasks.ping": DEFAULT,
    "portal.tasks.clear_expired_sessions": DEFAULT,
    "portal.tasks.dispose_due": DEFAULT,
}

TASK_ROUTES: dict[str, dict[str, str]] = {
    task: {"queue": queue} for task, queue in QUEUE_BY_TASK.items()
}
