"""Production safety: a shared cache or no start, a TOTP code used once across processes, rate
limits that count the client behind the proxy, and the Content-Security-Policy and
Permissions-Policy headers on every page."""

from __future__ import annotations

import os
import uuid

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path, reverse
from django.utils import translation

from portal import urls as portal_urls
from tests.helpers.clients import logged_in
from tests.helpers.processes import ROOT, run_python

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-" + "x7Q9z" * 8,
    "ALLOWED_HOSTS": "samverkan.exempel.se",
    "DATABASE_URL": "postgres://portal@db.invalid/portal",
    "EMAIL_URL": "smtp://mail.invalid:587",
}


SETUP = "import django; django.setup(); from django.conf import settings as s; "


# --- a shared cache or no start ------------------------------------------------------------


def test_production_refuses_to_start_without_a_shared_cache() -> None:
    result = run_python(SETUP + "print(s.CACHES)", **PRODUCTION)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "REDIS_URL is not set" in result.stderr
    assert "two-factor codes" in result.stderr


@pytest.mark.parametrize("name", ["SECRET_KEY", "AWS_SECRET_ACCESS_KEY", "EID_HMAC_KEY"])
def test_production_refuses_to_start_with_a_placeholder_of_the_example(name: str) -> None:
    """.env.example's values are public: a copy left unchanged is no secret."""
    example = {
        line.split("=", 1)[0].lstrip("# "): line.split("=", 1)[1]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if "=change-me" in line
    }
    values = {**PRODUCTION, "REDIS_URL": "redis://redis.invalid:6379/0"}
    values[name] = example.get(name) or example["S3_SECRET_KEY"]  # compose passes S3_SECRET_KEY on
    result = run_python(SETUP + "print(s.SECRET_KEY)", **values)
    assert result.returncode != 0
    assert f"{name} still has the placeholder of .env.example" in result.stderr


def test_production_starts_with_redis_and_uses_it_as_cache() -> None:
    result = run_python(
        SETUP + "print(s.CACHES['default']['BACKEND'])",
        REDIS_URL="redis://redis.invalid:6379/0",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.core.cache.backends.redis.RedisCache"


def test_local_cache_only_by_explicit_choice_or_in_development() -> None:
    explicit = run_python(
        SETUP + "print(s.CACHES['default']['BACKEND'])", ALLOW_LOCAL_CACHE="true", **PRODUCTION
    )
    assert explicit.returncode == 0, explicit.stderr
    assert explicit.stdout.strip().endswith("LocMemCache")
    development = run_python(
        SETUP + "print(s.CACHES['default']['BACKEND'])", DEBUG="true", SECRET_KEY="x"
    )
    assert development.returncode == 0, development.stderr


# --- one TOTP code, two processes ------------------------------------------------------------

REDIS_REQUIRED = bool(os.environ.get("REDIS_URL"))
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/5"

VALIDATE = (
    SETUP
    + """
import sys
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import encrypt
user_id, secret, code = sys.argv[1:4]
authenticator = Authenticator(user_id=int(user_id), type="totp", data={"secret": encrypt(secret)})
print("accepted" if TOTP(authenticator).validate_code(code) else "refused")
"""
)


def redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.exceptions.RedisError:
        return False


def test_a_totp_code_used_in_one_process_is_refused_in_another() -> None:
    """Two web workers (two processes) share the record of used codes: a code an attacker saw
    being typed cannot be replayed against another worker."""
    if not redis_reachable(REDIS_URL):
        if REDIS_REQUIRED:
            pytest.fail(f"REDIS_URL is set but {REDIS_URL} does not answer")
        pytest.skip("runs when Redis answers (CI sets REDIS_URL)")
    from allauth.mfa.totp.internal.auth import generate_totp_secret

    from tests.helpers.mfa import totp_code

    secret = generate_totp_secret()
    code = totp_code(secret)  # the same code for both, whenever the second one runs
    env = {
        **PRODUCTION,
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": f"totp-test-{uuid.uuid4().hex}",
    }
    args = ["4242", secret, code]

    def validate() -> str:
        result = run_python(VALIDATE, *args, **env)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert validate() == "accepted"
    assert validate() == "refused"


# --- rate limits behind the TLS proxy -------------------------------------------------------

PROXY = "10.0.0.5"


def failed_login(client: Client, number: int) -> str:
    """Try a wrong password: "refused" when the rate limit stops the attempt, else "wrong"."""
    with translation.override("en"):
        response = client.post(
            reverse("account_login"),
            {"login": f"nobody{number}@exempel.se", "password": "wrong-password-1"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    if response.status_code == 429 or "Too many failed login attempts" in response.content.decode():
        return "refused"
    assert response.status_code == 200
    return "wrong"


def clients_behind_the_proxy() -> tuple[Client, Client]:
    attacker = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9")
    neighbour = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    return attacker, neighbour


@pytest.mark.django_db
@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_login_limits_count_each_client_behind_the_proxy() -> None:
    cache.clear()
    attacker, neighbour = clients_behind_the_proxy()
    statuses = [failed_login(attacker, number) for number in range(12)]
    assert statuses[0] == "wrong" and statuses[-1] == "refused"  # the attacker is slowed down
    assert failed_login(neighbour, 99) == "wrong"  # the colleague behind the same proxy is not


@pytest.mark.django_db
def test_without_a_trusted_proxy_forwarded_for_is_ignored() -> None:
    """By default (no proxy of ours) X-Forwarded-For can be forged: it is not trusted, so a
    changing header does not escape the limit."""
    cache.clear()
    attacker, neighbour = clients_behind_the_proxy()
    statuses = [failed_login(attacker, number) for number in range(12)]
    assert statuses[-1] == "refused"
    assert failed_login(neighbour, 99) == "refused"


def test_trusted_proxy_count_comes_from_the_environment() -> None:
    result = run_python(
        SETUP + "print(s.ALLAUTH_TRUSTED_PROXY_COUNT, s.ALLAUTH_TRUSTED_CLIENT_IP_HEADER)",
        TRUSTED_PROXY_COUNT="1",
        REDIS_URL="redis://redis.invalid:6379/0",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1", "None"]


# --- Content-Security-Policy and Permissions-Policy -----------------------------------------


@login_not_required
def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom), *portal_urls.urlpatterns]
handler500 = getattr(portal_urls, "handler500", "django.views.defaults.server_error")


def assert_policies(response: HttpResponse) -> None:
    policy = response.headers.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["script-src"] == ["'self'"], policy
    assert directives["default-src"] == ["'self'"], policy
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    permissions = response.headers.get("Permissions-Policy", "")
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in permissions, permissions


def assert_no_inline_code(html: str) -> None:
    """What the policy would block: inline scripts, handlers, javascript: and style attributes."""
    import re

    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or "application/json" in tag, tag
    assert not re.search(r"\son[a-z]+\s*=|javascript:|\sstyle\s*=", html, re.IGNORECASE)


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_every_kind_of_page_carries_the_policies(officer, staff) -> None:  # type: ignore[no-untyped-def]
    anonymous = Client(raise_request_exception=False)
    responses = {
        "public": anonymous.get(reverse("portal:home")),
        "login": anonymous.get(reverse("account_login")),
        "not found": anonymous.get("/no-such-page/"),
        "server error": anonymous.get("/boom/"),
        "static file": anonymous.get("/static/css/portal.css"),
        "logged in": logged_in(officer).get(reverse("portal:dashboard")),
        "admin": logged_in(staff).get(reverse("admin:index")),
        "healthz": anonymous.get("/healthz"),
    }
    assert responses["not found"].status_code == 404
    assert responses["server error"].status_code == 500
    assert responses["logged in"].status_code == 200
    assert responses["admin"].status_code == 200
    for name, response in responses.items():
        if name == "static file" and response.status_code == 404:
            continue  # static files are served by WhiteNoise only after collectstatic
        try:
            assert_policies(response)
            if response["Content-Type"].startswith("text/html"):
                assert_no_inline_code(response.content.decode())
        except AssertionError as error:
            raise AssertionError(f"{name}: {error}") from error


def test_templates_hold_no_inline_script() -> None:
    """No inline script, event handler attribute or javascript: address in the portal's own
    templates, the Django ones and the rows in Jinja2 (JSON data blocks are not scripts and are
    allowed)."""
    import re

    offenders = []
    templates = [*(ROOT / "templates").rglob("*.html"), *(ROOT / "templates").rglob("*.jinja")]
    for template in templates:
        text = template.read_text()
        for match in re.finditer(r"<script\b[^>]*>", text):
            tag = match.group(0)
            if "src=" not in tag and 'type="application/json"' not in tag:
                offenders.append(f"{template}: {tag}")
        for match in re.finditer(r"\son[a-z]+\s*=|javascript:|\shx-on", text, re.IGNORECASE):
            offenders.append(f"{template}: {match.group(0)}")
    assert not offenders, offenders


def test_htmx_is_told_not_to_inject_styles_or_eval() -> None:
    base = (ROOT / "templates" / "base.html").read_text()
    assert '<meta name="htmx-config"' in base
    assert '"includeIndicatorStyles":false' in base
    assert '"allowEval":false' in base
