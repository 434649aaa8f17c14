"""Health checks of the services the portal depends on, for /healthz, /readyz and operators.

/healthz says the process is alive and reaches its database and broker (the benchmark's floor,
one query). /readyz says whether this node may take traffic: besides those, the shared cache
and the object storage every node must see alike (`readiness`)."""

from __future__ import annotations

import logging
import queue
import threading
import uuid
from collections.abc import Callable

import redis
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.files.storage import Storage, storages
from django.db import DatabaseError, connections

from portal.storage import ObjectStorage

logger = logging.getLogger(__name__)

# How long /readyz waits for the cache and the storage: the Redis cache client and boto3 have
# no short timeouts of their own (boto3 waits a minute and retries), and a probe that hangs
# must not tie up a web worker.
PROBE_TIMEOUT = 2.0
# The name the storage check looks for: never written, only asked about.
STORAGE_PROBE_NAME = "readyz-probe"


def check_database() -> str:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: database unreachable")
        return "error"
    return "ok"


def check_broker() -> str:
    """`ok` or `error` for the Redis broker; `eager` when tasks run in-process (no broker)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return "unknown"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
    except (redis.RedisError, OSError):
        logger.exception("Health check: broker unreachable")
        return "error"
    finally:
        if "client" in locals():
            client.close()
    return "ok"


class _Pending:
    """One probe under way, and its answer once there is one."""

    def __init__(self, probe: Callable[[], str]) -> None:
        self.probe = probe
        self.done = threading.Event()
        self.answer = "error"


class _Prober:
    """Runs one readiness check in a daemon thread of its own and waits PROBE_TIMEOUT seconds at
    most for its answer: "error" when it raised or has not answered by then. The thread is kept
    between requests, so what the check opens in it (boto3's client is one per thread) is
    opened once. Requests that ask while a probe is under way (a web process has several
    threads) wait for that probe's answer rather than start another, so a dependency that hangs
    ties up neither the web threads (each waits PROBE_TIMEOUT at most) nor more than one
    thread per check and process, and a busy check is never mistaken for a failed one."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._lock = threading.Lock()
        self._current: _Pending | None = None
        self._thread: threading.Thread | None = None
        self._requests: queue.SimpleQueue[_Pending] = queue.SimpleQueue()

    def __call__(self, probe: Callable[[], str]) -> str:
        with self._lock:
            pending = self._current
            if pending is None:
                pending = self._current = _Pending(probe)
                self._requests.put(pending)
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(
                        target=self._serve, name=f"readyz-{self.name}", daemon=True
                    )
                    self._thread.start()
        if pending.done.wait(PROBE_TIMEOUT):
            return pending.answer
        logger.error("Readiness check: %s did not answer within %g s", self.name, PROBE_TIMEOUT)
        return "error"

    def _serve(self) -> None:
        while True:
            pending = self._requests.get()
            try:
                pending.answer = pending.probe()
            except Exception:
                logger.exception("Readiness check: %s failed", self.name)
                pending.answer = "error"
            with self._lock:
                self._current = None
            pending.done.set()


_cache_prober = _Prober("cache")
_storage_prober = _Prober("storage")


def _cache_round_trip(cache: BaseCache) -> str:
    key = f"readyz:{uuid.uuid4().hex}"
    token = uuid.uuid4().hex
    try:
        cache.set(key, token, timeout=30)
        found = cache.get(key)
    finally:
        cache.delete(key)
    if found != token:
        logger.error("Readiness check: the cache did not give back what was just stored")
        return "error"
    # each process's own memory: fine in development, never shared between nodes
    return "local" if isinstance(cache, LocMemCache) else "ok"


def check_cache() -> str:
    """`ok` after a set, get and delete of a key of its own in the shared cache (Redis), `local`
    when the cache is this process's memory (development and tests), `error` otherwise."""
    cache = caches["default"]  # taken here: the cache objects are per thread
    return _cache_prober(lambda: _cache_round_trip(cache))


def _storage_lookup(storage: Storage) -> str:
    if isinstance(storage, ObjectStorage):
        # the bucket itself: asked for a name in a bucket that is gone, S3 answers "no such
        # object" as for any name, and the node would look ready while every document is lost
        storage.connection.meta.client.head_bucket(Bucket=storage.bucket_name)
        return "ok"
    storage.exists(STORAGE_PROBE_NAME)  # the answer does not matter, only that there is one
    # this machine's disk: fine on one machine, never shared between nodes (as "local" cache)
    return "local"


def check_storage() -> str:
    """`ok` when the bucket of the private files answers for itself, `local` when they are on
    this machine's disk and it answers whether a fixed name exists; nothing is written.
    `error` when it cannot."""
    try:
        storage = storages["private"]
    except Exception:
        logger.exception('Readiness check: the storage "private" is not configured')
        return "error"
    return _storage_prober(lambda: _storage_lookup(storage))


# Without these no page can be served (the session is read from them): a node that cannot reach
# them takes no traffic. The broker and the object storage are needed by some requests only
# (sending work to a worker, a document), and every node shares them: taking every node out
# when the bucket is down would turn "no downloads for a while" into "no portal at all" (seen
# in a trial). Their failure leaves the node ready, says "degraded", and is logged.
REQUIRED = ("database", "cache")


def readiness() -> dict[str, str]:
    """What /readyz answers: each dependency a node uses. A check that raises counts as
    "error"; see REQUIRED for which make the node unready."""
    checks: dict[str, Callable[[], str]] = {
        "database": check_database,
        "cache": check_cache,
        "broker": check_broker,
        "storage": check_storage,
    }
    results = {}
    for name, check in checks.items():
        try:
            results[name] = check()
        except Exception:
            logger.exception("Readiness check: %s failed", name)
            results[name] = "error"
    return results
