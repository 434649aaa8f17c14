"""A web worker loads what its first requests need before it answers one, then sets the
long-lived objects aside from the garbage collector (portal.runtime, called by portal.wsgi)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings

from portal import runtime

WORKER = textwrap.dedent(
    """
    import gc, json
    import portal.wsgi
    from django.template import engines
    loader = engines["django"].engine.template_loaders[0]
    rows = engines["jinja2"].env.cache
    print(json.dumps({
        "frozen": gc.get_freeze_count(),
        "templates": sorted({key.split("-")[0] for key in loader.get_template_cache}),
        "rows": sorted(name for _loader, name in rows.keys()),
    }))
    """
)


def test_a_worker_starts_with_its_templates_loaded_and_its_objects_frozen():
    """As gunicorn imports portal.wsgi: the portal's pages are compiled before the first
    request, and what was alive then is in the permanent generation (no full collection walks
    it during a request). Without the database: a worker starts while it is away."""
    away = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:9/nowhere"}
    done = subprocess.run(
        [sys.executable, "-c", WORKER],
        env=away,
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
        timeout=120,
    )
    worker = json.loads(done.stdout.strip().splitlines()[-1])
    assert worker["frozen"] > 50_000
    for name in ("base.html", "grants/inbox.html", "grants/officer_application.html"):
        assert name in worker["templates"]
    # the rows of the long lists, Jinja2 templates (portal.jinja)
    assert "grants/_inbox_rows.jinja" in worker["rows"]


def test_only_the_portals_own_templates_are_loaded():
    """The project's template directory and its apps' templates; not the libraries' own."""
    base = settings.BASE_DIR
    own = {
        path.relative_to(root).as_posix()
        for root in [base / "templates", *(base / app / "templates" for app in APPS)]
        if root.is_dir()
        for path in root.rglob("*")
        if path.suffix in {".html", ".txt", ".jinja"}
    }
    names = set(runtime.template_names())
    assert names == own
    assert "portal/notifications.html" in names
    assert "admin/change_list.html" not in names  # Django's admin, a library


APPS = ("portal", "organisations", "grants", "agreements")


def test_a_template_file_that_is_not_text_is_logged_and_the_worker_still_starts(
    tmp_path, settings, caplog: pytest.LogCaptureFixture
):
    (tmp_path / "trasig.html").write_bytes(b"\xff\xfe not UTF-8 \x80")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    with caplog.at_level(logging.WARNING, logger="portal.runtime"):
        runtime.load()
    assert "trasig.html" in caplog.text


def test_a_template_that_does_not_load_is_logged_and_the_worker_still_starts(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    monkeypatch.setattr(runtime, "template_names", lambda: ["no/such/page.html"])
    with caplog.at_level(logging.WARNING, logger="portal.runtime"):
        runtime.load()
    assert "no/such/page.html" in caplog.text
