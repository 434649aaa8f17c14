"""Celery: eager in-process without a broker, and a real round trip through Redis and a worker
that the test starts itself when REDIS_URL is set."""

from __future__ import annotations

import io
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from portal.celery import app
from portal.queues import QUEUE_NAMES
from portal.tasks import clear_expired_sessions, ping
from tests.helpers.processes import celery_conf, celery_worker

ROOT = Path(__file__).resolve().parents[2]


def test_celery_configuration_is_safe() -> None:
    conf = app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.timezone == "Europe/Stockholm"
    for task in (ping, clear_expired_sessions):
        assert task.acks_late is True
        assert task.reject_on_worker_lost is True
        assert ConnectionError in task.autoretry_for
        assert task.retry_backoff
    assert "portal.tasks.clear_expired_sessions" in {
        entry["task"] for entry in conf.beat_schedule.values()
    }


def test_tasks_run_eagerly_without_a_broker() -> None:
    with celery_conf(task_always_eager=True):
        result = ping.delay()
        assert result.get(timeout=1)["pong"]


@pytest.mark.skipif(bool(os.environ.get("REDIS_URL")), reason="checks the embedded default")
def test_without_redis_url_tasks_are_eager() -> None:
    assert settings.CELERY_TASK_ALWAYS_EAGER is True
    assert settings.REDIS_URL == ""


@pytest.mark.django_db
def test_clear_expired_sessions_task_removes_only_expired_sessions() -> None:
    from datetime import timedelta

    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    fresh = SessionStore()
    fresh["x"] = 1
    fresh.create()
    old = SessionStore()
    old.create()
    Session.objects.filter(session_key=old.session_key).update(
        expire_date=timezone.now() - timedelta(days=1)
    )
    clear_expired_sessions.apply()
    assert list(Session.objects.values_list("session_key", flat=True)) == [fresh.session_key]


@pytest.fixture
def worker_queue() -> Iterator[str]:
    """A real Celery worker on its own queue, started and stopped by the test."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    with celery_worker(queue):
        yield queue


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (run by .ci/run)")
def test_round_trip_through_redis_and_a_real_worker(worker_queue: str) -> None:
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    started = time.monotonic()
    with celery_conf(task_always_eager=False):
        result = ping.apply_async(queue=worker_queue)
        answer = result.get(timeout=60)
    assert answer["pong"]
    assert time.monotonic() - started < 60


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (run by .ci/run)")
def test_check_worker_command_answers_through_the_broker(
    worker_queue: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with celery_conf(task_always_eager=False):
        call_command("check_worker", "--queue", worker_queue, "--timeout", "60")
    out = capsys.readouterr().out
    assert f"{worker_queue}: a worker answered" in out and "Every queue asked" in out


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (run by .ci/run)")
def test_check_worker_names_the_queue_no_worker_consumes(worker_queue: str) -> None:
    """A worker for one queue says nothing of the others: each is asked on its own.

    The worker is first seen to answer once (a worker that is still starting on two busy cores
    is not the one this test is about), and the silent queue is waited for first, so the live
    one has had the whole wait to answer before it is asked."""
    nobody = f"test-{uuid.uuid4().hex[:8]}"
    with celery_conf(task_always_eager=False):
        assert ping.apply_async(queue=worker_queue).get(timeout=60)["pong"]
        with pytest.raises(CommandError) as refused:
            call_command(
                "check_worker", "--queue", nobody, "--queue", worker_queue, "--timeout", "10"
            )
    assert f"on: {nobody}." in str(refused.value)
    assert worker_queue not in str(refused.value)


def test_check_worker_asks_every_queue_of_the_portal(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    expires: list[object] = []
    real = ping.apply_async

    def record(*args: object, queue: str, **kwargs: object) -> object:
        asked.append(queue)
        expires.append(kwargs.get("expires"))
        return real(*args, **kwargs)  # eager in the default run

    monkeypatch.setattr(ping, "apply_async", record)
    call_command("check_worker", "--timeout", "5", stdout=io.StringIO())
    assert asked == list(QUEUE_NAMES)
    # a ping nobody answered in time is thrown away, not answered when a worker comes back
    assert expires == [5.0] * len(QUEUE_NAMES)
