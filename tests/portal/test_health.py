"""/healthz (alive: database and broker, the benchmark's one-query floor) and /readyz (may this
node take traffic: database, shared cache, broker and object storage, each bounded in time)."""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.core.files.storage import storages
from django.db import OperationalError, connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import health
from tests.helpers.processes import run_python
from tests.portal.test_production_safety import PRODUCTION

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"] in {"ok", "eager"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_when_the_database_is_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: BaseDatabaseWrapper) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "error",
        "broker": response.json()["broker"],
    }


def test_healthz_is_503_when_the_configured_broker_is_unreachable(settings) -> None:  # type: ignore[no-untyped-def]
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "error"
    assert response.json()["database"] == "ok"


def test_healthz_stays_the_one_query_floor() -> None:
    """/healthz checks the database and the broker only; the cache and the storage are /readyz's."""
    with CaptureQueriesContext(connection) as queries:
        response = Client().get("/healthz")
    assert set(response.json()) == {"status", "database", "broker"}
    assert len(queries) == 1


# --- /readyz: may this node take traffic ------------------------------------------------------


def readyz() -> HttpResponse:
    return Client().get(reverse("readyz"))


def test_readyz_reports_every_dependency() -> None:
    response = readyz()
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        # each process's memory in the default test run; Redis when REDIS_URL is set
        "cache": "ok" if settings.REDIS_URL else "local",
        "broker": response.json()["broker"],
        # this machine's disk in the default test run; the bucket when STORAGE_URL is set
        "storage": "ok" if settings.STORAGE_URL else "local",
    }
    assert response.json()["broker"] in {"ok", "eager"}
    assert "no-store" in response["Cache-Control"]


def test_readyz_answers_anonymously_without_a_session() -> None:
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies


def test_readyz_is_503_when_the_database_is_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: BaseDatabaseWrapper) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)
    response = readyz()
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["database"] == "error"
    assert response.json()["storage"] == ("ok" if settings.STORAGE_URL else "local")


def test_readyz_is_503_when_the_cache_is_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    # a Redis cache where nothing listens (port 1), for the check only: the rest of the request
    # and the test's own clean-up keep the suite's cache
    unreachable = RedisCache("redis://127.0.0.1:1/0", {})
    monkeypatch.setattr(health, "caches", {"default": unreachable})
    response = readyz()
    assert response.status_code == 503
    assert response.json()["cache"] == "error"
    assert response.json()["database"] == "ok"


class ForgetfulCache(LocMemCache):
    def get(self, key: str, default: object = None, version: int | None = None) -> object:
        return default


def test_readyz_is_503_when_the_cache_loses_what_was_stored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    forgetful = ForgetfulCache("readyz-forgetful", {})
    monkeypatch.setattr(health, "caches", {"default": forgetful})
    response = readyz()
    assert response.status_code == 503
    assert response.json()["cache"] == "error"


def test_the_cache_check_leaves_no_key_behind() -> None:
    cache = caches["default"]
    if not isinstance(cache, LocMemCache):
        pytest.skip("counts the keys of the local cache")
    before = set(cache._cache)  # type: ignore[attr-defined]
    assert health.check_cache() == "local"
    assert set(cache._cache) == before  # type: ignore[attr-defined]


def test_readyz_stays_ready_but_degraded_when_the_broker_is_unreachable(settings) -> None:  # type: ignore[no-untyped-def]
    """Every node shares the broker: taking them all out would stop the whole portal."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = readyz()
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["broker"] == "error"
    assert response.json()["database"] == "ok"


def private_storage_in(settings, path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(path)},
        },
    }


def test_the_storage_check_asks_and_writes_nothing(
    settings,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    private_storage_in(settings, tmp_path)
    asked = []
    storage = storages["private"]
    original = storage.exists

    def exists(name: str) -> bool:
        asked.append(name)
        return original(name)

    monkeypatch.setattr(storage, "exists", exists)
    assert health.check_storage() == "local"
    assert asked == [health.STORAGE_PROBE_NAME]
    assert list(tmp_path.iterdir()) == []


def test_readyz_stays_ready_but_degraded_when_the_storage_fails(
    settings,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    private_storage_in(settings, tmp_path)

    def unreachable(name: str) -> bool:
        raise OSError("the bucket cannot be reached")

    monkeypatch.setattr(storages["private"], "exists", unreachable)
    with caplog.at_level(logging.ERROR, logger="portal.health"):
        response = readyz()
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["storage"] == "error"
    assert response.json()["database"] == "ok"
    assert "the bucket cannot be reached" in caplog.text  # logged with its traceback


def test_readyz_says_degraded_without_a_private_storage(settings) -> None:  # type: ignore[no-untyped-def]
    settings.STORAGES = {k: v for k, v in settings.STORAGES.items() if k != "private"}
    response = readyz()
    assert response.json()["status"] == "degraded"
    assert response.json()["storage"] == "error"


def test_a_storage_that_hangs_is_an_error_within_the_time_limit(
    settings,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    private_storage_in(settings, tmp_path)
    monkeypatch.setattr(health, "PROBE_TIMEOUT", 0.2)
    release = threading.Event()
    calls = []

    def hang(name: str) -> bool:
        calls.append(name)
        release.wait(30)
        return False

    storage = storages["private"]
    monkeypatch.setattr(storage, "exists", hang)
    try:
        started = time.monotonic()
        response = readyz()
        assert response.status_code == 200
        assert response.json()["storage"] == "error"
        # the probe still hangs: the next request answers at once, without a second probe
        assert health.check_storage() == "error"
        assert time.monotonic() - started < 2
        assert len(calls) == 1
    finally:
        release.set()
    monkeypatch.setattr(storage, "exists", lambda name: False)
    deadline = time.monotonic() + 5
    while health.check_storage() != "local":  # the thread is free again once the probe returns
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_a_check_that_raises_is_an_error_not_a_500(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> str:
        raise RuntimeError("a bug in a check")

    monkeypatch.setattr(health, "check_cache", broken)
    response = readyz()
    assert response.status_code == 503
    assert response.json()["cache"] == "error"
    assert response.json()["storage"] == ("ok" if settings.STORAGE_URL else "local")


@pytest.mark.parametrize("url", ["/healthz", "/readyz"])
def test_health_and_readiness_are_not_redirected_to_https_in_production(url: str, settings) -> None:  # type: ignore[no-untyped-def]
    """A load balancer probes the node over plain HTTP; production's SECURE_REDIRECT_EXEMPT (read
    from the production settings themselves) keeps both checks out of the redirect."""
    result = run_python(
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SECURE_SSL_REDIRECT, s.SECURE_REDIRECT_EXEMPT]))",
        REDIS_URL="redis://redis.invalid:6379/0",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    redirect, exempt = json.loads(result.stdout)
    assert redirect is True
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = exempt
    assert Client().get("/").status_code == 301  # the redirect is on
    assert Client().get(url).status_code == 200


def test_requests_that_ask_at_once_share_one_probe_and_its_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A web process answers several requests at once (threads): a check under way is not a
    failed check (it was, and the proxy took healthy nodes out under load)."""
    monkeypatch.setattr(health, "PROBE_TIMEOUT", 10.0)
    prober = health._Prober("test")
    release = threading.Event()
    probes: list[int] = []

    def probe() -> str:
        probes.append(1)
        release.wait(10)
        return "ok"

    answers: list[str] = []
    entered: list[int] = []

    def ask() -> None:
        entered.append(1)
        answers.append(prober(probe))

    callers = [threading.Thread(target=ask) for _ in range(8)]
    for caller in callers:
        caller.start()
    deadline = time.monotonic() + 10
    while not probes or len(entered) < 8:  # the probe is under way and every caller asking
        assert time.monotonic() < deadline
        time.sleep(0.01)
    time.sleep(0.2)  # let the last callers reach the prober (its answer does not depend on it)
    release.set()
    for caller in callers:
        caller.join(10)
    assert answers.count("ok") + answers.count("error") == 8
    # every caller that asked while the probe ran had its answer; none was told "error"
    assert answers == ["ok"] * 8
