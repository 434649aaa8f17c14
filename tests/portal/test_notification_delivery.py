"""The notification outbox under real conditions: scans and senders running at the same time on
PostgreSQL, and reminders sent by a real Celery worker through Redis to an SMTP server in the
test process, including a worker killed in the middle of a send.

What the portal promises: each outbox row is sent once however many scans and senders run at
once (the unique constraint, then the claim with SELECT … FOR UPDATE SKIP LOCKED); a worker that
dies mid-send leaves its row "sending", and once NOTIFICATION_CLAIM_TIMEOUT has passed the next
scan queues it again, so it is sent after all, once."""

from __future__ import annotations

import asyncio
import email
import os
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.utils import timezone, translation
from django.utils.formats import date_format

from portal import notifications
from portal.models import Notification, User
from portal.tasks import scan_reminders, send_notification
from tests.helpers.concurrency import run_together
from tests.helpers.processes import celery_conf, celery_worker
from tests.portal.factories import UserFactory
from tests.throwaway.models import Errand

POSTGRESQL = connection.vendor == "postgresql"
REDIS = bool(os.environ.get("REDIS_URL"))

pytestmark = pytest.mark.django_db(transaction=True)
needs_postgresql = pytest.mark.skipif(
    not POSTGRESQL, reason="concurrency is tested against PostgreSQL (set DATABASE_URL)"
)
needs_a_worker = pytest.mark.skipif(
    not (POSTGRESQL and REDIS),
    reason="a real worker needs REDIS_URL, and PostgreSQL for it to read the test database",
)
WAIT = 90  # seconds: generous, a worker's start-up alone takes a few


# --- helpers ---------------------------------------------------------------------------------


@dataclass
class Errands:
    """People with an errand each, "Sommarlovsaktiviteter", due in some days: the throwaway app
    of the test settings (tests/throwaway) reminds of it, so these tests of the machinery depend
    on no domain app."""

    people: list[User]
    errands: list[Errand]

    @property
    def emails(self) -> list[str]:
        return sorted(person.email for person in self.people)


def errands_due_in(days: int, people: int = 2) -> Errands:
    due = timezone.localdate() + timedelta(days=days)
    persons = [UserFactory.create() for _ in range(people)]
    return Errands(
        persons,
        [Errand.objects.create(title="Sommarlovsaktiviteter", due=due, person=p) for p in persons],
    )


def slow_mail_server(monkeypatch: pytest.MonkeyPatch, seconds: float = 0.3) -> None:
    """Make each send take a while, as a slow mail server does: a row stays "sending" long
    enough for a second scan or sender to reach it."""
    send = notifications.send_templated_email

    def slow(**kwargs: Any) -> None:
        time.sleep(seconds)
        send(**kwargs)

    monkeypatch.setattr(notifications, "send_templated_email", slow)


def wait_until(condition: Callable[[], bool], what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}{worker_output(log)}")
        time.sleep(0.1)


def worker_output(log: Path | None) -> str:
    if log is None or not log.exists():
        return ""
    return "\n--- worker output ---\n" + log.read_text(errors="replace")[-5000:]


def database_url_for_the_worker() -> str:
    """The test database, for the worker (which would otherwise open the real one)."""
    database = connection.settings_dict
    password = f":{quote(database['PASSWORD'], safe='')}" if database["PASSWORD"] else ""
    return (
        f"postgres://{quote(database['USER'], safe='')}{password}"
        f"@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    )


@contextmanager
def through_the_broker(queue: str) -> Iterator[None]:
    """Tasks asked for in this process go through Redis to `queue`, as they go from the beat and
    web processes in production (the suite otherwise runs them eagerly). Every task is routed
    there for the block, whatever its own queue (portal.queues), so the test's worker gets it."""
    with celery_conf(task_always_eager=False, task_routes={"*": {"queue": queue}}):
        yield


@dataclass
class Received:
    recipients: list[str]
    message: EmailMessage


@dataclass
class MailServer:
    """The handler of an SMTP server in the test process: keeps each message it accepts. With
    `hang_first`, the first message is held unanswered (to kill the worker that sends it) until
    the test releases it, then refused with a temporary error and not kept."""

    hang_first: bool = False
    received: list[Received] = field(default_factory=list)
    hanging: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    data_commands: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_commands += 1
        if self.hang_first and self.data_commands == 1:
            self.hanging.set()
            while not self.release.is_set():  # awaits, so the server still serves others
                await asyncio.sleep(0.05)
            return "451 4.3.0 try again later"
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode()
        message = email.message_from_bytes(content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(Received(list(envelope.rcpt_tos), message))
        return "250 OK"


@contextmanager
def smtp_server(handler: MailServer) -> Iterator[int]:
    """An SMTP server on 127.0.0.1 and a free port, stopped at the end; yields the port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        handler.release.set()
        controller.stop()


@dataclass
class Worker:
    """What a test's own Celery worker needs: a queue of its own, the test database, the
    broker, the test's SMTP server, and a file for its output."""

    queue: str
    log: Path
    env: dict[str, str]

    @contextmanager
    def running(self) -> Iterator[subprocess.Popen[bytes]]:
        with celery_worker(self.queue, log=self.log, **self.env) as process:
            yield process


def worker_for(port: int, tmp_path: Path, **env: str) -> Worker:
    # The worker inherits this process's environment, pytest-env's SECRET_KEY and DEBUG=false
    # included; without DEBUG the email backend is SMTP, here pointed at the test's server.
    return Worker(
        queue=f"test-{uuid.uuid4().hex[:8]}",
        log=tmp_path / "worker.log",
        env={
            "DATABASE_URL": database_url_for_the_worker(),
            "REDIS_URL": os.environ["REDIS_URL"],
            "EMAIL_URL": f"smtp://127.0.0.1:{port}",
            **env,
        },
    )


def parts_of(message: EmailMessage) -> list[str]:
    return [part.get_content_type() for part in message.walk() if not part.is_multipart()]


# --- many at once, in one process ------------------------------------------------------------


@needs_postgresql
def test_two_scans_at_once_on_postgresql_send_each_email_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    due = errands_due_in(7)
    # Tasks are eager in tests, so each scan sends what it queued at once, in its own thread.
    # With a slow mail server each scan reaches rows the other is sending or has sent.
    slow_mail_server(monkeypatch)

    assert run_together([notifications.scan, notifications.scan]) == [None, None]

    rows = list(Notification.objects.all())
    assert len(rows) == 2
    assert {row.kind for row in rows} == {"errand_due_7d"}
    assert {row.recipient_id for row in rows} == {person.pk for person in due.people}
    assert [(row.status, row.attempts) for row in rows] == [("sent", 1), ("sent", 1)]
    assert sorted(to for message in mail.outbox for to in message.to) == due.emails
    assert all("Sommarlovsaktiviteter" in message.subject for message in mail.outbox)


@needs_postgresql
def test_two_senders_of_the_same_row_at_once_send_one_email(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    errand = errands_due_in(30, people=1).errands[0]
    row = Notification.objects.create(
        kind="errand_due_7d",
        content_type=ContentType.objects.get_for_model(Errand),
        object_id=str(errand.pk),
        due_date=errand.due,
        recipient=errand.person,
    )
    slow_mail_server(monkeypatch)  # the first sender is still sending when the second claims
    outcomes: list[str] = []

    def send() -> None:
        outcomes.append(send_notification.run(row.pk))

    assert run_together([send, send]) == [None, None]

    assert sorted(outcomes) == ["sent", "skipped"]
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1)
    assert [message.to for message in mail.outbox] == [[errand.person.email]]


# --- a real worker, Redis and SMTP -----------------------------------------------------------


@needs_a_worker
def test_a_real_worker_sends_a_reminder_through_redis(tmp_path: Path) -> None:
    due = errands_due_in(7)
    server = MailServer()
    with smtp_server(server) as port:
        worker = worker_for(port, tmp_path)
        with worker.running():
            # What beat does every hour: the scan runs, writes the rows and queues them.
            with through_the_broker(worker.queue):
                assert scan_reminders() == 2
            wait_until(
                lambda: (
                    len(server.received) == 2
                    and Notification.objects.filter(status="sent").count() == 2
                ),
                "two reminders sent through the worker",
                worker.log,
            )

    assert sorted(to for received in server.received for to in received.recipients) == due.emails
    with translation.override("sv"):  # the worker writes dates in Swedish
        swedish_date = date_format(due.errands[0].due, "j F Y")
    for received in server.received:
        message = received.message
        assert message["To"] == received.recipients[0]
        assert "Sommarlovsaktiviteter" in message["Subject"]
        assert message.get_content_type() == "multipart/alternative"
        assert parts_of(message) == ["text/plain", "text/html"]
        text = message.get_body(preferencelist=("plain",))
        assert text is not None and "Sommarlovsaktiviteter" in text.get_content()
        assert swedish_date in text.get_content()
    rows = Notification.objects.all()
    assert [(row.kind, row.status, row.attempts) for row in rows] == [
        ("errand_due_7d", "sent", 1)
    ] * 2
    # The subject is folded onto a second line by the email package; unfolded, it keeps a space.
    assert {row.subject for row in rows} == {server.received[0].message["Subject"].strip()}


@needs_a_worker
def test_a_worker_killed_mid_send_leaves_the_row_to_be_sent_once_after_restart(
    tmp_path: Path, settings: Any
) -> None:
    settings.NOTIFICATION_CLAIM_TIMEOUT = 2  # this process's scan; the workers get it below
    errand = errands_due_in(30, people=1).errands[0]  # not due: only the row below is sent
    server = MailServer(hang_first=True)
    with smtp_server(server) as port:
        worker = worker_for(port, tmp_path, NOTIFICATION_CLAIM_TIMEOUT="2")
        with worker.running() as first:
            with through_the_broker(worker.queue):
                # Outside a transaction the row is written and queued at once.
                notifications.notify(
                    kind="errand_due_1d",
                    obj=errand,
                    recipients=[errand.person],
                    due_date=errand.due,
                )
            if not server.hanging.wait(timeout=WAIT):
                raise AssertionError(
                    f"the worker never sent the message{worker_output(worker.log)}"
                )
            # The mail server has the whole message and has not answered: kill the worker.
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=WAIT)

        row = Notification.objects.get()
        assert (row.status, row.attempts) == ("sending", 1)
        assert row.claimed_at is not None
        assert server.received == []
        server.release.set()

        with worker.running():
            claimed_at = row.claimed_at
            wait_until(
                lambda: timezone.now() > claimed_at + notifications.claim_timeout(),
                "the claim to go stale",
            )
            with through_the_broker(worker.queue):
                assert scan_reminders() == 1  # the stale row, queued again
            wait_until(
                lambda: Notification.objects.filter(pk=row.pk, status="sent").exists(),
                "the row to be sent by the new worker",
                worker.log,
            )
            with through_the_broker(worker.queue):
                assert scan_reminders() == 0  # a sent row is never queued again

    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")
    assert [received.recipients for received in server.received] == [[errand.person.email]]
    assert "Sommarlovsaktiviteter" in server.received[0].message["Subject"]
    assert server.data_commands == 2  # the killed send and the one that went through
