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


SETTINGS_OPTIONS = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DATABASES['default'].get('OPTIONS', {}))"
)


def test_postgresql_statements_are_prepared_unless_a_pooler_forbids_it() -> None:
    """Planning was most of a case page's time in PostgreSQL: the values travel apart from the
    SQL and a statement a connection runs again and again is prepared (psycopg); behind a
    pooler in transaction mode it is turned off."""
    url = "postgres://postgres@127.0.0.1:5432/samverkansportalen"
    on = run_python(SETTINGS_OPTIONS, DEVELOPMENT="true", DATABASE_URL=url)
    assert "'server_side_binding': True" in on.stdout and "'prepare_threshold': 5" in on.stdout
    off = run_python(
        SETTINGS_OPTIONS,
        DEVELOPMENT="true",
        DATABASE_URL=url,
        DATABASE_PREPARED_STATEMENTS="false",
    )
    assert off.returncode == 0 and "server_side_binding" not in off.stdout
    sqlite = run_python(SETTINGS_OPTIONS, DEVELOPMENT="true")
    assert sqlite.returncode == 0 and "server_side_binding" not in sqlite.stdout


@pytest.mark.django_db
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL only"
)
def test_a_statement_run_again_and_again_is_prepared_once() -> None:
    from django.db import connection

    from portal.models import User

    for pk in range(1, 8):  # the same statement with other values
        list(User.objects.filter(pk=pk))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements "
            "WHERE statement LIKE %s AND statement LIKE %s",
            ['%FROM "portal_user"%', '%"portal_user"."id" = $1%'],
        )
        (prepared,) = cursor.fetchone()
    assert prepared == 1
