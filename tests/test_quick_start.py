"""The README's run command: migrate, seed the demo data and serve, with nothing but the
embedded defaults (SQLite, eager Celery). Runs the same steps as `make run` on a scratch
database and a free port, and asks the live server for / and /healthz."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.helpers.processes import ROOT, clean_env, manage


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_make_run_steps_serve_home_and_healthz(tmp_path: Path) -> None:
    makefile = (ROOT / "Makefile").read_text()
    run_target = re.search(r"^run:.*?\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert run_target
    steps = run_target.group(1)
    assert "manage.py migrate" in steps and "manage.py seed_demo" in steps
    assert "manage.py runserver" in steps

    env = clean_env(DEBUG="true", DATABASE_URL=f"sqlite:///{tmp_path / 'quick.sqlite3'}")
    for command in (["migrate", "--noinput"], ["seed_demo"]):
        result = manage(*command, **{key: env[key] for key in ("DEBUG", "DATABASE_URL")})
        assert result.returncode == 0, result.stdout + result.stderr
    port = free_port()
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
    finally:
        server.terminate()
        server.wait(timeout=20)
