"""`manage.py bench_http` (the HTTP benchmark of `make bench`) in the pieces that run without a
server: the officer's session it writes opens the officer's pages and only under the server's
key, the link it follows from the inbox, the HTTP responses it reads, the figures and the table
it prints, and the production environment it gives gunicorn. Nothing here measures time."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from grants.models import ApplicationStatus
from portal.adapters import logged_in_by_password_recently
from portal.management.commands import bench_http
from portal.management.commands.bench_http import (
    OFFICER,
    PUBLIC,
    Measurement,
    Sample,
    first_link,
    percentile,
    pick_member,
    pick_officer,
    read_response,
    rows,
    server_environment,
    signed_in_session,
    table,
)
from portal.models import User
from tests.grants.factories import ApplicationFactory, CallFactory, ProgrammeFactory

SERVER_KEY = "the-benchmark-servers-own-key-" + "k3y" * 10


def with_cookie(session_key: str) -> Client:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return client


# --- the officer's and the member's sessions ---------------------------------------------------


@pytest.mark.django_db
def test_the_members_session_shows_the_open_calls_in_their_own_header(member: User) -> None:
    from organisations.models import OrganisationRole
    from tests.organisations.factories import OrganisationMembershipFactory

    OrganisationMembershipFactory(user=member, role=OrganisationRole.REPRESENTATIVE)
    chosen = pick_member()
    session = signed_in_session(chosen, None, secret_key=SERVER_KEY)
    with override_settings(SECRET_KEY=SERVER_KEY):
        response = with_cookie(str(session.session_key)).get(reverse("grants:calls"))
        records = response.wsgi_request.session["account_authentication_methods"]
    assert chosen == member and response.wsgi_request.user == member
    assert member.display_name in response.content.decode()
    assert [record["method"] for record in records] == ["password"]


@pytest.mark.django_db
def test_the_session_opens_the_officers_inbox_under_the_servers_key(officer: User) -> None:
    user, authenticator = pick_officer(officer.email)
    session = signed_in_session(user, authenticator, secret_key=SERVER_KEY)
    with override_settings(SECRET_KEY=SERVER_KEY):
        response = with_cookie(str(session.session_key)).get(reverse("grants:inbox"))
    assert response.status_code == 200
    assert response.wsgi_request.user == officer


@pytest.mark.django_db
def test_the_session_counts_as_password_and_authenticator_app(officer: User) -> None:
    """allauth's record of the sign-in: a password, then the TOTP authenticator, as a person who
    typed both leaves it."""
    user, authenticator = pick_officer(officer.email)
    session = signed_in_session(user, authenticator, secret_key=SERVER_KEY)
    with override_settings(SECRET_KEY=SERVER_KEY):
        response = with_cookie(str(session.session_key)).get(reverse("grants:inbox"))
        records = response.wsgi_request.session["account_authentication_methods"]
        assert logged_in_by_password_recently(response.wsgi_request)
    assert [record["method"] for record in records] == ["password", "mfa"]
    assert records[1]["id"] == authenticator.pk and records[1]["type"] == "totp"


@pytest.mark.django_db
def test_under_another_key_the_session_is_nobodys(officer: User) -> None:
    """The session is signed for the server's generated SECRET_KEY, not this process's."""
    user, authenticator = pick_officer(officer.email)
    session = signed_in_session(user, authenticator, secret_key=SERVER_KEY)
    response = with_cookie(str(session.session_key)).get(reverse("grants:inbox"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_writing_the_session_writes_nothing_else(officer: User) -> None:
    last_login = officer.last_login
    user, authenticator = pick_officer(officer.email)
    session = signed_in_session(user, authenticator, secret_key=SERVER_KEY)
    officer.refresh_from_db()
    authenticator.refresh_from_db()
    assert officer.last_login == last_login
    assert authenticator.last_used_at is None
    assert Session.objects.count() == 1
    session.delete()
    assert not Session.objects.exists()


@pytest.mark.django_db
def test_an_officer_without_an_authenticator_app_gets_one_as_bench_does(
    officer_without_mfa: User,
) -> None:
    user, authenticator = pick_officer()
    assert user == officer_without_mfa
    assert authenticator.type == "totp" and authenticator.user == officer_without_mfa
    session = signed_in_session(user, authenticator)
    response = with_cookie(str(session.session_key)).get(reverse("grants:inbox"))
    assert response.status_code == 200


@pytest.mark.django_db
def test_the_application_page_is_the_first_one_linked_from_the_inbox(officer: User) -> None:
    body = officer.public_body_memberships.get().public_body
    call = CallFactory(programme=ProgrammeFactory(public_body=body))
    application = ApplicationFactory(
        call=call,
        status=ApplicationStatus.SUBMITTED,
        submitted_at=timezone.now() - timedelta(days=1),
        registry_number="KFN 2026/1",
    )
    client = Client()
    client.force_login(officer)
    inbox = client.get(reverse("grants:inbox")).content.decode()
    link = first_link(inbox, "grants:officer_application")
    assert link == reverse("grants:officer_application", args=[application.pk])
    assert client.get(link).status_code == 200
    assert first_link(inbox, "grants:open_data_json") == ""


# --- reading responses -----------------------------------------------------------------------


def read(raw: bytes) -> bench_http.Response:
    async def parse() -> bench_http.Response:
        reader = asyncio.StreamReader()
        reader.feed_data(raw)
        reader.feed_eof()
        return await read_response(reader)

    # in a thread of its own: the browser tests' Playwright may have left an event loop running
    # in this one when the whole suite runs
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, parse()).result()


def test_a_response_with_content_length() -> None:
    response = read(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n"
        b"Set-Cookie: csrftoken=abc; Path=/\r\n\r\nhelloEXTRA"
    )
    assert response.status == 200 and response.body == b"hello"
    assert ("set-cookie", "csrftoken=abc; Path=/") in response.headers


def test_a_chunked_response() -> None:
    response = read(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"4\r\nWiki\r\n6;x=y\r\npedia \r\n0\r\n\r\n"
    )
    assert response.body == b"Wikipedia "


def test_a_response_up_to_the_end_of_the_connection() -> None:
    response = read(b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\ndown")
    assert response.status == 503 and response.body == b"down"


def test_the_client_sends_its_cookies_and_the_proxys_https() -> None:
    client = bench_http.Client("127.0.0.1", 8001, {"sessionid": "s1", "csrftoken": "c1"})
    request = client.request_bytes("/handlaggning/ansokningar/").decode()
    assert request.startswith("GET /handlaggning/ansokningar/ HTTP/1.1\r\n")
    assert "\r\nHost: 127.0.0.1:8001\r\n" in request
    assert "\r\nCookie: sessionid=s1; csrftoken=c1\r\n" in request
    assert "\r\nX-Forwarded-Proto: https\r\n" in request
    assert request.endswith("\r\n\r\n")


# --- figures and the table -------------------------------------------------------------------


def window(
    name: str, role: str, count: int, elapsed: float, statuses: list[int] | None = None
) -> Measurement:
    statuses = statuses or [200] * count
    samples = [Sample(status, 0.010 * (i + 1), f"/{name}/") for i, status in enumerate(statuses)]
    return Measurement(name, f"/{name}/", role, samples, elapsed)


def test_percentiles() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 95) == pytest.approx(95.05)
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) == 0.0


def test_the_clients_share_of_a_core() -> None:
    windows = [window("healthz", PUBLIC, 1, 2.0), window("healthz", PUBLIC, 1, 2.0)]
    windows[0].client_cpu, windows[1].client_cpu = 1.0, 0.2
    assert bench_http.cpu_share(windows) == pytest.approx(0.3)
    assert bench_http.cpu_share([]) == 0.0


def test_rate_latency_and_errors_of_a_window() -> None:
    measurement = window("calls", PUBLIC, 4, 2.0, [200, 200, 302, 500])
    assert measurement.rate == 2.0
    assert measurement.p50_ms == pytest.approx(25.0)
    assert [sample.status for sample in measurement.errors] == [302, 500]
    assert not Sample(None, 1.0, "/", "TimeoutError").ok


def test_each_page_is_compared_with_the_floor_before_and_after_it() -> None:
    floors = [window("healthz", PUBLIC, n, 1.0) for n in (100, 300, 200)]
    pages = [window("calls", PUBLIC, 130, 1.0), window("inbox", OFFICER, 70, 1.0)]
    first, second = rows(pages, floors)
    assert first.floor == 200 and first.ratio == pytest.approx(0.65) and first.passed
    assert second.floor == 250 and second.ratio == pytest.approx(0.28) and not second.passed
    with pytest.raises(ValueError):
        rows(pages, floors[:2])


def test_a_page_with_errors_fails_whatever_its_rate() -> None:
    floors = [window("healthz", PUBLIC, 10, 1.0), window("healthz", PUBLIC, 10, 1.0)]
    (row,) = rows([window("inbox", OFFICER, 10, 1.0, [200] * 9 + [302])], floors)
    assert row.ratio == 1.0 and not row.passed


def test_the_table() -> None:
    floors = [window("healthz", PUBLIC, n, 1.0) for n in (100, 300, 200)]
    pages = [
        window("calls", PUBLIC, 130, 1.0),
        window("inbox", OFFICER, 5, 1.0, [200, 200, 403, 200, 200]),
    ]
    lines = table(rows(pages, floors), floors)
    assert lines[0].split() == [
        "page",
        "req/s",
        "p50",
        "ms",
        "p95",
        "ms",
        "errors",
        "÷",
        "floor",
        "target",
        "result",
    ]
    assert lines[2].startswith("/healthz (floor)") and "200.0" in lines[2]
    assert "windows 100.0–300.0 req/s" in lines[2]
    assert lines[3].split()[-3:] == ["0.65", "0.6", "pass"]
    assert lines[4].split()[-4:] == ["1", "0.02", "0.3", "FAIL"]
    assert lines[5].startswith("the clients' own CPU: ")
    assert lines[6] == "first error of inbox: HTTP 403 /inbox/"


# --- the server's environment ----------------------------------------------------------------


def test_gunicorn_gets_production_settings_on_the_loopback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DEBUG", "true")
    monkeypatch.setenv("ALLOW_LOCAL_CACHE", "true")
    monkeypatch.setenv("STATIC_MANIFEST", "false")
    environment = server_environment(
        secret_key="generated",
        redis_url="redis://127.0.0.1:6379/9",
        cache_prefix="bench-http-1",
        static_root=tmp_path / "static",
        database_url="postgres://postgres@127.0.0.1:5432/samverkansportalen_bench",
    )
    assert environment["DEBUG"] == "false" and environment["SECRET_KEY"] == "generated"
    assert "DEVELOPMENT" not in environment and "ALLOW_LOCAL_CACHE" not in environment
    assert "STATIC_MANIFEST" not in environment  # WhiteNoise's manifest, as in production
    assert environment["ALLOWED_HOSTS"] == "127.0.0.1,localhost"
    assert environment["REDIS_URL"].endswith("/9")
    assert environment["DATABASE_URL"].endswith("/samverkansportalen_bench")
    assert environment["DJANGO_SETTINGS_MODULE"] == "portal.settings"


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)")
def test_the_run_deletes_its_kept_public_pages_too() -> None:
    """What the server kept under the run's prefix is deleted afterwards: the default cache's
    keys and the public pages' own cache (`prefix-public`), and nothing of anyone else's."""
    import redis

    from portal.management.commands.bench_http import delete_cache_keys

    url = os.environ["REDIS_URL"]
    client = redis.Redis.from_url(url)
    prefix = f"bench-http-test-{os.getpid()}"
    client.set(f"{prefix}:1:person", b"1")
    client.set(f"{prefix}-public:1:public-page", b"1")
    client.set(f"{prefix}x:1:other", b"1")
    try:
        delete_cache_keys(url, prefix)
        assert not client.exists(f"{prefix}:1:person", f"{prefix}-public:1:public-page")
        assert client.exists(f"{prefix}x:1:other")
    finally:
        client.delete(f"{prefix}x:1:other")
        client.close()
