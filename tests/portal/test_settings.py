"""Settings come from the environment; production settings pass `check --deploy`."""

from __future__ import annotations

import os

import pytest
from django.conf import settings

from tests.helpers.processes import ROOT, manage, run_python


def test_language_and_time_zone() -> None:
    assert settings.LANGUAGE_CODE == "sv"
    assert [code for code, _ in settings.LANGUAGES] == ["sv", "en"]
    assert settings.TIME_ZONE == "Europe/Stockholm"
    assert settings.USE_TZ is True


def test_secret_key_is_required_outside_development() -> None:
    result = manage("check", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_development_defaults_need_no_services() -> None:
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], "
        "s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND)"
    )
    result = run_python(script, DEBUG="true")
    assert result.returncode == 0, result.stderr
    engine, name, eager, email = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert name == str(ROOT / "var" / "portal.sqlite3")
    assert eager == "True"
    assert email == "django.core.mail.backends.console.EmailBackend"


def test_production_settings_pass_the_deploy_check() -> None:
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="a-long-random-production-secret-" + "x7Q9z" * 8,
        ALLOWED_HOSTS="samverkan.exempel.se",
        DATABASE_URL="postgres://portal@db.invalid/portal",
        REDIS_URL="redis://redis.invalid:6379/0",
        EMAIL_URL="smtp://mail.invalid:587",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="runs when DATABASE_URL is set")
def test_database_url_is_used() -> None:
    assert settings.DATABASES["default"]["ENGINE"].endswith(
        "postgresql" if os.environ["DATABASE_URL"].startswith("postgres") else "sqlite3"
    )
