"""Run the portal in a child process with a clean environment: none of the test suite's own
settings (pytest-env defaults, DATABASE_URL, REDIS_URL…) leak into it unless given. And Celery
as a test switches it: a real worker, tasks through the broker, the test database for it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.helpers import object_storage

ROOT = Path(__file__).resolve().parents[2]
PORTAL_VARIABLES = {
    "SECRET_KEY",
    "DEBUG",
    "DEVELOPMENT",
    "SITE_URL",
    "DATABASE_URL",
    "REDIS_URL",
    "ALLOWED_HOSTS",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}
PORTAL_PREFIXES = ("SECURE_", "SESSION_", "CSRF_", "STATIC_")


def clean_env(**overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in PORTAL_VARIABLES and not key.startswith(PORTAL_PREFIXES)
    }
    env.update(overrides)
    return env


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python manage.py ARGS` with only the portal variables given in `env`."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def run_python(script: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -c script ARGS` with the portal's settings module and only the portal variables
    given in `env` (not even the test suite's ALLOW_LOCAL_CACHE unless given)."""
    environment = clean_env(DJANGO_SETTINGS_MODULE="portal.settings", **env)
    if "ALLOW_LOCAL_CACHE" not in env:
        environment.pop("ALLOW_LOCAL_CACHE", None)
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@contextmanager
def celery_conf(**values: object) -> Iterator[None]:
    """Celery's configuration changed for the block (e.g. `task_always_eager=False`: tasks go
    through the broker), and put back afterwards."""
    from portal.celery import app

    old = {key: app.conf[key] for key in values}
    app.conf.update(values)
    try:
        yield
    finally:
        app.conf.update(old)


def worker_database_url() -> str:
    """The test database, for a worker process (which would otherwise open the real one)."""
    from urllib.parse import quote

    from django.db import connection

    database = connection.settings_dict
    password = f":{quote(database['PASSWORD'], safe='')}" if database["PASSWORD"] else ""
    return (
        f"postgres://{quote(database['USER'], safe='')}{password}"
        f"@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    )


@contextmanager
def celery_worker(
    queue: str, *, log: Path | None = None, **env: str
) -> Iterator[subprocess.Popen[bytes]]:
    """A real Celery worker consuming `queue`, started and stopped around the block. The block
    gets the process, to kill it the hard way; with `log`, the worker's output is appended there
    (to show in a failing test's message) instead of being dropped."""
    with open(log or os.devnull, "ab") as output:  # the child keeps its own copy of the file
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "-Q",
                queue,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=WARNING",
            ],
            cwd=ROOT,
            # the test's own files: its directory, or its prefix of the bucket
            env={**os.environ, "PYTHONUNBUFFERED": "1", **object_storage.process_env(), **env},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process
    finally:
        process.terminate()  # does nothing when the test has killed it already
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
