"""The README's run command: migrate, seed the demo data and serve, with nothing but the
embedded defaults (SQLite, eager Celery). Runs the same steps as `make run`, with the variables
the Makefile gives them, on a scratch database and a free port, and asks the live server for
/, /healthz and a page that does not exist."""

from __future__ import annotations

import json
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.helpers.processes import ROOT, clean_env, manage


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_run_steps(*args: str, **env: str) -> dict[str, dict[str, str]]:
    """What `make run ARGS` would run (make -n: nothing is run), by manage.py command: the
    variables set in front of each."""
    result = subprocess.run(
        ["make", "-n", "run", *args],
        cwd=ROOT,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    steps: dict[str, dict[str, str]] = {}
    for line in result.stdout.splitlines():
        if "manage.py" not in line:
            continue
        words = shlex.split(line)
        command = words[words.index("manage.py") + 1]
        steps[command] = dict(word.split("=", 1) for word in words if re.match(r"^[A-Z_]+=", word))
    return steps


def test_make_run_sends_email_links_to_the_address_it_serves() -> None:
    steps = make_run_steps("HOST=localhost", "PORT=8123")
    assert set(steps) == {"migrate", "seed_demo", "runserver"}
    for variables in steps.values():
        assert variables["SITE_URL"] == "http://localhost:8123"
    default = make_run_steps()["runserver"]
    assert default["SITE_URL"] == "http://127.0.0.1:8000"
    # An address set by the person (behind a tunnel, say) is kept.
    chosen = make_run_steps(SITE_URL="https://demo.exempel.se")["runserver"]
    assert chosen["SITE_URL"] == "https://demo.exempel.se"
    # The portal reads it: links in emails built by portal.emails start with it.
    script = "from portal.emails import site_url; print(site_url())"
    result = manage("shell", "--no-imports", "-c", script, **steps["runserver"])
    assert result.stdout.strip() == "http://localhost:8123", result.stdout + result.stderr


def test_make_run_runs_in_development_without_django_technical_pages() -> None:
    for variables in make_run_steps().values():
        assert variables.get("DEVELOPMENT") == "true"
        assert "DEBUG" not in variables


def test_make_run_steps_serve_home_healthz_and_the_portals_own_404(tmp_path: Path) -> None:
    port = free_port()
    steps = make_run_steps("HOST=127.0.0.1", f"PORT={port}")
    database = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'quick.sqlite3'}",
        "OPEN_DATA_ROOT": str(tmp_path / "open-data"),
    }
    for command, args in (("migrate", ["--noinput"]), ("seed_demo", [])):
        result = manage(command, *args, **steps[command], **database)
        assert result.returncode == 0, result.stdout + result.stderr
    env = clean_env(**steps["runserver"], **database)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    health = json.loads(r.read())
                    assert r.status == 200
                break
            except OSError:
                assert time.monotonic() < deadline, "the development server did not start"
                time.sleep(0.5)
        assert health == {"status": "ok", "database": "ok", "broker": "eager"}
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            assert response.status == 200
            page = response.read().decode()
        assert '<html lang="sv">' in page
        assert "Samverkansportalen" in page
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/finns-inte/", timeout=5)
        assert missing.value.code == 404
        not_found = missing.value.read().decode()
        # The portal's own page in Swedish, not Django's technical one listing every URL.
        assert '<html lang="sv">' in not_found
        assert "URLconf" not in not_found and "tried these URL patterns" not in not_found
        assert "Sidan finns inte" in not_found
        # Static files are served without DEBUG (WhiteNoise from static/).
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/static/css/portal.css", timeout=5
        ) as response:
            assert response.status == 200
        # seed_demo left the open-data files built: served at once, never built on a request
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/open-data/grants.json", timeout=5
        ) as response:
            assert response.status == 200 and response.headers["ETag"]
            assert json.loads(response.read())["grants"]
    finally:
        server.terminate()
        server.wait(timeout=20)
