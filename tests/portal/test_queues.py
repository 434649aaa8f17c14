"""Celery queues: each kind of work has a queue of its own (portal.queues), so that a burst of
PDF rendering does not hold up the notification emails; whatever is not named lands in the
default queue `celery`, and a worker started without -Q (and `make worker`) consumes them all."""

from __future__ import annotations

import re
from pathlib import Path
from unittest.mock import MagicMock

import pytest

from portal import queues
from portal.celery import app
from tests.helpers.processes import celery_conf

ROOT = Path(__file__).resolve().parents[2]

# Where each task must go; written out here, not read from portal.queues, so that a route that
# goes missing (and sends its task to the default queue) fails a test.
EXPECTED_QUEUE = {
    "agreements.tasks.render_version_pdf": "pdf",
    "insights.tasks.build_yearly_report": "pdf",
    "portal.tasks.send_notification": "notifications",
    "portal.tasks.scan_reminders": "notifications",
    "organisations.tasks.send_invitation_email": "notifications",
    "grants.tasks.build_open_data": "open_data",
    "insights.tasks.build_insights": "open_data",
    "portal.earchive.tasks.export_batch": "archive",
    "portal.tasks.ping": "celery",
    "portal.tasks.clear_expired_sessions": "celery",
    "portal.tasks.dispose_due": "celery",
}
KNOWN_QUEUES = {"celery", "pdf", "notifications", "open_data", "archive"}


def portal_task_names() -> set[str]:
    """Every task the portal registers (its apps' tasks modules loaded), without Celery's own."""
    app.loader.import_default_modules()
    return {name for name in app.tasks if not name.startswith("celery.")}


def routed_queue(name: str, **options: object) -> str:
    return str(app.amqp.router.route(dict(options), name)["queue"].name)


def test_the_queues_are_the_known_ones_with_celery_as_default() -> None:
    assert set(queues.QUEUE_NAMES) == KNOWN_QUEUES
    assert app.conf.task_default_queue == "celery"
    # what a worker started without -Q consumes (app.amqp.queues also gains the tests' own
    # queues, created when a test sends to one)
    assert {queue.name for queue in app.amqp.Queues(app.conf.task_queues).values()} == (
        KNOWN_QUEUES
    )


def test_each_queue_has_an_exchange_and_routing_key_of_its_own() -> None:
    """A queue bound with another's routing key would receive that queue's messages as well."""
    for queue in app.conf.task_queues:
        assert (queue.exchange.name, queue.routing_key) == (queue.name, queue.name)


def test_every_portal_task_is_routed_on_purpose_to_a_known_queue() -> None:
    names = portal_task_names()
    assert names >= set(EXPECTED_QUEUE)  # the registry really holds the portal's tasks
    unrouted = names - set(queues.QUEUE_BY_TASK)
    assert not unrouted, f"put these tasks in a queue in portal/queues.py: {sorted(unrouted)}"
    for name in names:
        assert routed_queue(name) in KNOWN_QUEUES, name


@pytest.mark.parametrize(("name", "queue"), sorted(EXPECTED_QUEUE.items()))
def test_the_router_sends_each_task_to_its_queue(name: str, queue: str) -> None:
    assert routed_queue(name) == queue


def test_a_task_not_listed_lands_in_the_default_queue() -> None:
    assert routed_queue("portal.tasks.some_new_task") == "celery"
    assert routed_queue("tests.throwaway.tasks.anything") == "celery"


def test_a_queue_given_when_sending_wins_over_the_route() -> None:
    """What the tests' own workers rely on (tests.helpers.processes.celery_worker)."""
    assert routed_queue("agreements.tasks.render_version_pdf", queue="test-1234") == "test-1234"


def test_beats_entries_are_routed_like_the_tasks_they_send() -> None:
    for entry in app.conf.beat_schedule.values():
        assert routed_queue(entry["task"]) == EXPECTED_QUEUE[entry["task"]], entry


def test_dispose_due_has_the_name_beat_sends() -> None:
    from portal.tasks import dispose_due

    assert dispose_due.name == "portal.tasks.dispose_due"
    assert "portal.tasks.dispose_due" in {e["task"] for e in app.conf.beat_schedule.values()}


@pytest.mark.parametrize(
    ("name", "args", "queue"),
    [
        ("agreements.tasks.render_version_pdf", [0], "pdf"),
        ("portal.tasks.send_notification", [0], "notifications"),
        ("grants.tasks.build_open_data", [], "open_data"),
        ("portal.earchive.tasks.export_batch", [0], "archive"),
        ("portal.tasks.ping", [], "celery"),
    ],
)
def test_a_task_sent_through_the_broker_is_published_to_its_queue(
    name: str, args: list[int], queue: str
) -> None:
    """.apply_async() as the web and beat processes call it, with a stand-in for the broker."""
    portal_task_names()
    producer = MagicMock()
    with celery_conf(task_always_eager=False):
        app.tasks[name].apply_async(args=args, producer=producer, ignore_result=True)
    publish = producer.publish.call_args.kwargs
    assert publish["routing_key"] == queue
    assert [declared.name for declared in publish["declare"]] == [queue]


def test_make_worker_consumes_every_queue() -> None:
    """`make run` users start one worker: it must take every kind of task."""
    makefile = (ROOT / "Makefile").read_text()
    target = re.search(r"^worker:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert target is not None
    command = target.group(1)
    assert "celery -A portal worker" in command
    match = re.search(r"(?:-Q|--queues)[ =](\S+)", command)
    assert match is not None, command
    assert set(match.group(1).split(",")) == KNOWN_QUEUES
