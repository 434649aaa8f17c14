"""The deployment files describe the stack the README promises (no Docker engine runs in CI, so
these read the files rather than start them)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_the_whole_stack_with_health_checks() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "beat", "mailpit"}
    for name, service in services.items():
        assert "healthcheck" in service, name
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert "gunicorn" in services["web"]["command"]
    assert "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://")
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_compose_keeps_data_in_volumes() -> None:
    data = compose()
    assert {"pgdata", "media", "private"} <= set(data["volumes"])
    for name in ("web", "worker"):
        # the register's documents survive a new container, outside the public media
        assert "private:/app/var/private" in data["services"][name]["volumes"]
        assert data["services"][name]["environment"]["PRIVATE_MEDIA_ROOT"] == "/app/var/private"
    assert "pgdata:/var/lib/postgresql/data" in data["services"]["postgres"]["volumes"]


def test_image_has_weasyprint_libraries_and_runs_unprivileged() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0"):
        assert package in dockerfile
    assert "uv sync --frozen --no-dev" in dockerfile
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.MULTILINE)


def test_readme_documents_every_environment_variable() -> None:
    settings_source = (ROOT / "portal" / "settings.py").read_text()
    names = set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z_]+)\"", settings_source))
    assert {
        "DATABASE_URL",
        "REDIS_URL",
        "SECRET_KEY",
        "DEBUG",
        "ALLOWED_HOSTS",
        "EMAIL_URL",
    } <= names
    readme = (ROOT / "README.md").read_text()
    missing = sorted(name for name in names if f"`{name}`" not in readme)
    assert not missing


def test_readme_gives_the_two_commands_and_ci_calls_the_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
    assert re.search(r"DATABASE_URL=postgres://", ci)
    assert "REDIS_URL=redis://" in ci
    assert "REQUIRE_BROWSER=1" in ci
