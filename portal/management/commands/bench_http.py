"""Requests per second over HTTP: the portal under gunicorn with production settings, driven by
concurrent clients, page by page, beside the floor of `/healthz` measured in the same run.

What it does, bounded in time and on the loopback interface only:

1. collects the static files into a temporary STATIC_ROOT (production renders `{% static %}`
   through WhiteNoise's manifest) and starts gunicorn as production runs it (the Dockerfile and
   docker-compose.yml: `portal.wsgi:application`, 3 sync workers, the access log on) bound to
   127.0.0.1 on a free port, with DEBUG off, a freshly generated SECRET_KEY, ALLOWED_HOSTS
   127.0.0.1/localhost, the configured DATABASE_URL and a Redis database of its own
   (`--redis-url`, db 9 by default; the test suite uses 5) under a cache prefix of this run.
   The clients send `X-Forwarded-Proto: https` as the municipality's TLS proxy does
   (USE_X_FORWARDED_PROTO=true), so the production defaults (HTTPS redirect, secure cookies,
   HSTS) stay on. It waits for `/healthz` and always stops gunicorn again (also on Ctrl-C or
   SIGTERM), then deletes what it wrote: the session, the cache keys, the temporary files.
2. signs a case officer and an association's member in by writing their sessions straight into
   the session store, as Django's test client's `force_login` does, but without `login()`
   (which would also write the user's last_login): see `signed_in_session`. Public pages are
   asked for anonymously, and one of them also as the member (the kept list in a header of
   their own, `portal.public_cache`).
3. drives `--clients` concurrent clients for `--seconds` per page, one page at a time, with a
   window of `/healthz` before the first page, between every two pages and after the last, so
   each page is compared with the mean of the floor just before and just after it: a machine
   that is busy with something else for a while does not fool the ratio.
4. prints req/s, p50 and p95 (as the client sees them: queueing for a worker included), the
   errors (any answer but 2xx, or no answer; the first is shown), the ratio to the floor and the
   target of the page's role (officer pages 0.3 of the floor, public pages 0.6).

The load tool is a small asyncio client on the standard library (streams, HTTP/1.1), not Locust
or httpx: neither is a dependency today (uv.lock), the client needs only GET, a cookie jar and a
response reader (~100 lines here), and in one process on a shared 2-core machine it costs the
server less CPU than Locust's workers would. gunicorn's sync workers close the connection after
every response (as they do behind the proxy in production), so every request includes its TCP
connect, for the pages and for the floor alike.

`PAGES` lists what is measured: (name, path, role[, found_on]); a path is a URL name or an
absolute path; with `found_on` the path is the URL name of a link and the page measured is the
first such link on the page `found_on` (an officer's first application in their inbox), which is
a URL name, a path or the name of a page listed before it (that application's organisation). Or
name pages on the command line: `--page officer:/handlaggning/ansokningar/?status=submitted`.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from html import unescape
from importlib import import_module
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import HttpRequest
from django.test.utils import override_settings
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from portal.models import PublicBodyMembership, PublicBodyRole, User

OFFICER = "officer"
PUBLIC = "public"
MEMBER = "member"  # a public page as an association's member, logged in, gets it
# The share of the floor's req/s a page of each role must reach.
TARGETS = {OFFICER: 0.3, PUBLIC: 0.6, MEMBER: 0.6}
FLOOR = "healthz"


class Page(NamedTuple):
    name: str
    path: str  # a URL name ("grants:inbox") or an absolute path ("/katalog/?q=idrott")
    role: str  # OFFICER, PUBLIC or MEMBER
    found_on: str = ""  # with it: the first link to the URL name `path` on this page


PAGES: list[Page] = [
    Page("open calls", "grants:calls", PUBLIC),
    Page("directory", "organisations:directory", PUBLIC),
    Page("IOP register", "agreements:register", PUBLIC),
    Page("open-data page", "grants:open_data", PUBLIC),
    Page("statistics", "insights:public", PUBLIC),
    Page("statistics, a year", "/statistik/?ar=2026", PUBLIC),
    Page("open calls, logged in", "grants:calls", MEMBER),
    Page("officer overview", "portal:officer_home", OFFICER),
    Page("officer inbox", "grants:inbox", OFFICER),
    Page("statistics (officer)", "insights:dashboard", OFFICER),
    Page("inbox, name search", "/handlaggning/ansokningar/?q=Solstr%C3%A5len", OFFICER),
    Page("application (officer)", "grants:officer_application", OFFICER, "grants:inbox"),
    # the application's organisation, with its cases: where its organisation number leads
    Page(
        "organisation (officer)",
        "organisations:officer_detail",
        OFFICER,
        "application (officer)",
    ),
    Page("reports list", "grants:reports", OFFICER),
    Page("payments list", "grants:payments", OFFICER),
    Page("recoveries list", "grants:recoveries", OFFICER),
    Page("organisation queue", "organisations:officer_queue", OFFICER),
    Page("IOP list", "agreements:officer_list", OFFICER),
    Page("Notiser", "portal:notifications", OFFICER),
]


# --- statistics and the table ---------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    status: int | None  # None: no answer (refused, reset, timed out)
    seconds: float
    url: str
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass
class Measurement:
    """One window of one page: every request completed in it and how long the window lasted
    (from the start to the last answer, so requests still running at the deadline count)."""

    name: str
    url: str
    role: str
    samples: list[Sample]
    elapsed: float
    client_cpu: float = 0.0  # CPU seconds the clients (this process) used in the window

    @property
    def rate(self) -> float:
        return len(self.samples) / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def errors(self) -> list[Sample]:
        return [sample for sample in self.samples if not sample.ok]

    @property
    def p50_ms(self) -> float:
        return percentile([s.seconds for s in self.samples], 50) * 1000

    @property
    def p95_ms(self) -> float:
        return percentile([s.seconds for s in self.samples], 95) * 1000


def percentile(values: Sequence[float], q: int) -> float:
    """The q-th percentile (1–99) with the inclusive method (the median for 50); 0 when empty."""
    if not values:
        return 0.0
    if len(values) == 1:
        return float(values[0])
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


@dataclass
class Row:
    measurement: Measurement
    floor: float  # req/s of /healthz around this page (mean of the windows before and after)

    @property
    def ratio(self) -> float:
        return self.measurement.rate / self.floor if self.floor > 0 else 0.0

    @property
    def target(self) -> float:
        return TARGETS[self.measurement.role]

    @property
    def passed(self) -> bool:
        return not self.measurement.errors and self.ratio >= self.target


def rows(pages: Sequence[Measurement], floors: Sequence[Measurement]) -> list[Row]:
    """Each page against the floor measured just before and just after it (floors[i] and
    floors[i + 1]; the floor windows interleave the pages)."""
    if len(floors) != len(pages) + 1:
        raise ValueError("one floor window before each page and one after the last")
    return [Row(page, (floors[i].rate + floors[i + 1].rate) / 2) for i, page in enumerate(pages)]


def table(result: list[Row], floors: Sequence[Measurement]) -> list[str]:
    """The lines to print: a header, the floor over all its windows, a row per page, then the
    first error of each page that had any."""
    header = (
        f"{'page':<26} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7} "
        f"{'÷ floor':>8} {'target':>7}  result"
    )
    lines = [header, "-" * len(header)]
    floor_samples = [sample for window in floors for sample in window.samples]
    floor_time = sum(window.elapsed for window in floors)
    floor = Measurement("/healthz (floor)", "/healthz", PUBLIC, floor_samples, floor_time)
    rates = [window.rate for window in floors]
    lines.append(
        f"{floor.name:<26} {floor.rate:>8.1f} {floor.p50_ms:>8.1f} {floor.p95_ms:>8.1f} "
        f"{len(floor.errors):>7} {1:>8.2f} {'':>7}  "
        + (f"windows {min(rates):.1f}–{max(rates):.1f} req/s" if rates else "")
    )
    for row in result:
        m = row.measurement
        lines.append(
            f"{m.name[:26]:<26} {m.rate:>8.1f} {m.p50_ms:>8.1f} {m.p95_ms:>8.1f} "
            f"{len(m.errors):>7} {row.ratio:>8.2f} {row.target:>7.1f}  "
            + ("pass" if row.passed else "FAIL")
        )
    pages = [row.measurement for row in result]
    lines.append(
        f"the clients' own CPU: {cpu_share(floors):.0%} of a core at /healthz, "
        f"{cpu_share(pages):.0%} on the pages"
    )
    for m in [floor, *pages]:
        if m.errors:
            first = m.errors[0]
            lines.append(
                f"first error of {m.name}: "
                + (f"HTTP {first.status}" if first.status is not None else first.error)
                + f" {first.url}"
            )
    return lines


def cpu_share(windows: Sequence[Measurement]) -> float:
    """The share of one core the clients used over these windows: near 1, the load generator
    itself limits the rate, and the ratio to the floor says less."""
    elapsed = sum(window.elapsed for window in windows)
    return sum(window.client_cpu for window in windows) / elapsed if elapsed > 0 else 0.0


# --- the officer's session ------------------------------------------------------------------


def pick_officer(email: str = "") -> tuple[User, Authenticator]:
    """The first case officer (by membership, as `manage.py bench` picks, which runs before this
    in `make bench`), or the one with this email. An officer who has not set up an authenticator
    app gets one activated, as `manage.py bench` does: officers need two-factor authentication
    to open any of their pages."""
    officers = PublicBodyMembership.objects.filter(role=PublicBodyRole.CASE_OFFICER)
    if email:
        officers = officers.filter(user__email__iexact=email)
    membership = officers.select_related("user").order_by("pk").first()
    if membership is None:
        raise CommandError(
            f"No case officer {email}".rstrip() + ": run seed_demo (and seed_scale) first."
        )
    user = membership.user
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

        authenticator = TOTP.activate(user, generate_totp_secret()).instance
    return user, authenticator


def pick_member() -> User:
    """The first person who is a member of an organisation and holds no role at a public body
    (`forening@exempel.se` in the demo data)."""
    member = (
        User.objects.filter(organisation_memberships__isnull=False)
        .exclude(public_body_memberships__isnull=False)
        .order_by("pk")
        .first()
    )
    if member is None:
        raise CommandError("No association member: run seed_demo first.")
    return member


def signed_in_session(
    user: User, authenticator: Authenticator | None, *, secret_key: str | None = None
) -> SessionBase:
    """A saved session of `user` signed in with password and authenticator app (with no
    `authenticator`: with password, as a member without two-factor signs in), as the server
    with `secret_key` (default: this process's) reads it; its `session_key` is the cookie value.

    What a real sign-in leaves in the session, written directly:
    - Django's three keys, as `django.contrib.auth.login` (and the test client's `force_login`)
      write them: the user's id, the backend (the first in AUTHENTICATION_BACKENDS, as
      force_login takes) and the hash of the password, which AuthenticationMiddleware checks
      against the user on every request with the server's SECRET_KEY;
    - allauth's record of how the person authenticated (`record_authentication`, the function
      allauth's own password and MFA stages call): a password, then the TOTP authenticator.
      allauth asks for the second factor only during the login itself (its AuthenticateStage
      runs before `login()`), so a session with the auth keys is already past it; the portal's
      RequireMFAMiddleware only checks that an officer has a TOTP authenticator. The records
      make the session the one a person who typed both has: allauth's reauthentication and
      `portal.adapters.logged_in_by_password_recently` read them.
    Nothing else is written (no last_login, no audit row, no authenticator usage).
    """
    engine = import_module(settings.SESSION_ENGINE)
    with override_settings(SECRET_KEY=secret_key or settings.SECRET_KEY):
        request = HttpRequest()
        request.session = engine.SessionStore()
        request.session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        request.session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        request.session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        request.user = user
        record_authentication(request, user, "password", email=user.email)
        if authenticator is not None:
            record_authentication(
                request, user, "mfa", id=authenticator.pk, type=str(authenticator.type)
            )
        request.session.save()
    return request.session


# --- the HTTP client ------------------------------------------------------------------------


class Response(NamedTuple):
    status: int
    headers: list[tuple[str, str]]  # names in lower case
    body: bytes


async def read_response(reader: asyncio.StreamReader) -> Response:
    """One HTTP/1.1 response: status line, headers, then the body by Content-Length, chunked,
    or up to the end of the connection."""
    status_line = await reader.readuntil(b"\r\n")
    parts = status_line.decode("latin-1").split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/"):
        raise ValueError(f"not an HTTP response: {status_line!r}")
    status = int(parts[1])
    headers: list[tuple[str, str]] = []
    while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
        name, _, value = line.decode("latin-1").partition(":")
        headers.append((name.strip().lower(), value.strip()))
    values = dict(headers)
    if status in (204, 304) or 100 <= status < 200:
        body = b""
    elif "chunked" in values.get("transfer-encoding", "").lower():
        chunks = []
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
        while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers
            pass
        body = b"".join(chunks)
    elif "content-length" in values:
        body = await reader.readexactly(int(values["content-length"]))
    else:
        body = await reader.read()
    return Response(status, headers, body)


@dataclass
class Client:
    """One simulated person: a connection (kept while the server keeps it), a cookie jar, and
    the headers a browser behind the municipality's TLS proxy sends."""

    host: str
    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 30.0
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None

    def request_bytes(self, path: str) -> bytes:
        lines = [
            f"GET {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "User-Agent: portal-bench-http",
            "Accept: text/html,application/json;q=0.9,*/*;q=0.8",
            "Accept-Language: sv",
            "X-Forwarded-Proto: https",
            "Connection: keep-alive",
        ]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def get(self, path: str) -> Response:
        return await asyncio.wait_for(self._get(path), self.timeout)

    async def _get(self, path: str) -> Response:
        if self.reader is None or self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.reader, self.writer
        try:
            writer.write(self.request_bytes(path))
            await writer.drain()
            response = await read_response(reader)
        except BaseException:
            await self.close()
            raise
        for name, value in response.headers:
            if name == "set-cookie":
                cookie, _, _attributes = value.partition(";")
                key, _, cookie_value = cookie.partition("=")
                self.cookies[key.strip()] = cookie_value.strip()
        if any(n == "connection" and v.lower() == "close" for n, v in response.headers):
            await self.close()
        return response

    async def close(self) -> None:
        writer, self.reader, self.writer = self.writer, None, None
        if writer is not None:
            writer.close()
            with suppress(OSError):
                await writer.wait_closed()


async def drive(
    name: str, url: str, role: str, clients: Sequence[Client], seconds: float
) -> Measurement:
    """Every client asks for `url` again as soon as it has its answer, until `seconds` have
    passed; one request per client first, to warm up, not counted."""
    samples: list[Sample] = []

    async def one(client: Client, record: bool) -> None:
        started = time.perf_counter()
        try:
            response = await client.get(url)
            sample = Sample(response.status, time.perf_counter() - started, url)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            sample = Sample(None, time.perf_counter() - started, url, type(exc).__name__)
        if record:
            samples.append(sample)

    async def loop(client: Client, deadline: float) -> None:
        while time.perf_counter() < deadline:
            await one(client, True)

    await asyncio.gather(*(one(client, False) for client in clients))
    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(loop(client, started + seconds) for client in clients))
    return Measurement(
        name, url, role, samples, time.perf_counter() - started, time.process_time() - cpu
    )


async def run_pages(
    host: str,
    port: int,
    pages: Sequence[tuple[str, str, str]],
    jars: dict[str, dict[str, str]],
    *,
    clients: int,
    seconds: float,
    timeout: float,
    progress: Any = None,
) -> tuple[list[Measurement], list[Measurement]]:
    """Floor, page, floor, page … floor: `clients` fresh clients per window."""

    def fresh(role: str) -> list[Client]:
        return [Client(host, port, dict(jars[role]), timeout) for _ in range(clients)]

    async def window(name: str, url: str, role: str) -> Measurement:
        team = fresh(role)
        try:
            measurement = await drive(name, url, role, team, seconds)
        finally:
            for client in team:
                await client.close()
        if progress:
            progress(measurement)
        return measurement

    floor_url = reverse(FLOOR)
    floors = [await window("/healthz", floor_url, PUBLIC)]
    measured = []
    for name, url, role in pages:
        measured.append(await window(name, url, role))
        floors.append(await window("/healthz", floor_url, PUBLIC))
    return measured, floors


# --- pages -----------------------------------------------------------------------------------

HREF = re.compile(r"""href\s*=\s*["']([^"'#]+)""")


def first_link(html: str, url_name: str) -> str:
    """The first link in `html` that leads to the view named `url_name`; "" for none."""
    for href in HREF.findall(html):
        path = urlsplit(unescape(href)).path
        try:
            if resolve(path).view_name == url_name:
                return unescape(href)
        except Resolver404:
            continue
    return ""


def page_path(spec: str) -> str:
    """A URL name reversed (no arguments), or an absolute path as it is."""
    if spec.startswith("/"):
        return spec
    try:
        return reverse(spec)
    except NoReverseMatch as exc:
        raise CommandError(f"No page named {spec!r}: {exc}") from exc


def parse_page(value: str) -> Page:
    role, _, path = value.partition(":")
    if role not in TARGETS or not path:
        raise ValueError(f"expected ROLE:PATH with ROLE one of {', '.join(TARGETS)}: {value!r}")
    return Page(path, path, role)


# --- gunicorn --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_environment(
    *,
    secret_key: str,
    redis_url: str,
    cache_prefix: str,
    static_root: Path,
    database_url: str | None,
) -> dict[str, str]:
    """The environment of a production process (see docker-compose.yml and README) on the
    loopback interface: this process's environment with DEBUG and development off."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"DEVELOPMENT", "ALLOW_LOCAL_CACHE", "STATIC_MANIFEST", "DJANGO_SETTINGS_MODULE"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DEBUG="false",
        SECRET_KEY=secret_key,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        REDIS_URL=redis_url,
        CACHE_KEY_PREFIX=cache_prefix,
        STATIC_ROOT=str(static_root),
        # behind the municipality's TLS proxy: the clients say https, the redirect stays on
        USE_X_FORWARDED_PROTO="true",
        PYTHONUNBUFFERED="1",
    )
    if database_url:
        environment["DATABASE_URL"] = database_url
    return environment


@contextmanager
def gunicorn(
    environment: dict[str, str],
    *,
    workers: int,
    log: Path,
    startup_timeout: float,
    stdout: Any,
) -> Iterator[int]:
    """gunicorn on 127.0.0.1 on a free port, started, waited for (/healthz answers 200) and
    always stopped: SIGTERM to its master, SIGKILL to its process group after 10 s."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "portal.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "5",
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter, our own arguments)
            command,
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches us; we stop it
        )
        try:
            wait_until_healthy(process, port, startup_timeout, log)
            stdout.write(f"gunicorn ({workers} workers) answers on 127.0.0.1:{port}\n")
            yield port
        finally:
            stop(process)


def wait_until_healthy(
    process: subprocess.Popen[bytes], port: int, timeout: float, log: Path
) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CommandError(f"gunicorn stopped (exit {process.returncode}):\n{tail(log)}")
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/healthz", headers={"X-Forwarded-Proto": "https"}
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}: {exc.read()[:300].decode(errors='replace')}"
        except OSError as exc:
            last = str(exc)
        time.sleep(0.2)
    raise CommandError(f"/healthz did not answer 200 within {timeout:g} s ({last}):\n{tail(log)}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        with suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def collectstatic(environment: dict[str, str], timeout: float) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise CommandError(f"collectstatic failed:\n{result.stderr[-3000:]}")


def delete_cache_keys(redis_url: str, prefix: str) -> None:
    import redis

    with suppress(redis.RedisError, OSError):
        client = redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=5)
        try:
            # the default cache's keys and the public pages' (settings.CACHES, `prefix-public`)
            keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
            keys += client.scan_iter(match=f"{prefix}-public:*", count=1000)
            if keys:
                client.delete(*keys)
        finally:
            client.close()


class Terminated(Exception):
    pass


def _terminated(signum: int, frame: Any) -> None:
    raise Terminated


# --- the command -----------------------------------------------------------------------------


class Command(BaseCommand):
    help = (
        "Requests per second, p50 and p95 of the busiest pages under gunicorn with production "
        "settings and concurrent clients, beside /healthz measured in the same run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clients", type=int, default=8, help="concurrent clients (8)")
        parser.add_argument("--seconds", type=float, default=10.0, help="per window (10)")
        parser.add_argument(
            "--workers", type=int, default=3, help="gunicorn workers (3, as in production)"
        )
        parser.add_argument(
            "--redis-url",
            default="redis://127.0.0.1:6379/9",
            help="the server's cache and broker (default db 9: not the test suite's)",
        )
        parser.add_argument(
            "--page",
            action="append",
            type=parse_page,
            default=[],
            metavar="ROLE:PATH",
            help="measure this page instead of the list in PAGES (repeatable), e.g. "
            "officer:/handlaggning/ansokningar/?status=submitted",
        )
        parser.add_argument(
            "--officer",
            default="",
            metavar="EMAIL",
            help="the case officer whose session the officer pages use (default: the first)",
        )
        parser.add_argument("--timeout", type=float, default=30.0, help="per request (30 s)")
        parser.add_argument("--startup-timeout", type=float, default=60.0)
        parser.add_argument(
            "--strict", action="store_true", help="exit non-zero when a page misses its target"
        )

    def handle(
        self,
        *args: Any,
        clients: int,
        seconds: float,
        workers: int,
        redis_url: str,
        page: list[Page],
        officer: str,
        timeout: float,
        startup_timeout: float,
        strict: bool,
        **options: Any,
    ) -> None:
        if clients < 1 or seconds <= 0 or workers < 1:
            raise CommandError("--clients and --workers at least 1, --seconds above 0")
        pages = page or PAGES
        previous = signal.signal(signal.SIGTERM, _terminated)
        secret_key = secrets.token_urlsafe(50)
        prefix = f"bench-http-{uuid.uuid4().hex[:12]}"
        workdir = Path(tempfile.mkdtemp(prefix="bench-http-"))
        sessions: list[SessionBase] = []
        try:
            user, authenticator = pick_officer(officer)
            sessions.append(signed_in_session(user, authenticator, secret_key=secret_key))
            sessions.append(signed_in_session(pick_member(), None, secret_key=secret_key))
            cookie = settings.SESSION_COOKIE_NAME
            jars = {
                PUBLIC: {},
                OFFICER: {cookie: str(sessions[0].session_key)},
                MEMBER: {cookie: str(sessions[1].session_key)},
            }
            environment = server_environment(
                secret_key=secret_key,
                redis_url=redis_url,
                cache_prefix=prefix,
                static_root=workdir / "static",
                database_url=os.environ.get("DATABASE_URL"),
            )
            started = time.monotonic()
            collectstatic(environment, timeout=max(startup_timeout, 60.0))
            with gunicorn(
                environment,
                workers=workers,
                log=workdir / "gunicorn.log",
                startup_timeout=startup_timeout,
                stdout=self.stdout,
            ) as port:
                urls = self.resolve(pages, port, jars, timeout)
                windows = 2 * len(urls) + 1
                self.stdout.write(
                    f"{len(urls)} pages, {clients} clients, {seconds:g} s per window, "
                    f"{windows} windows with /healthz; officer {user.email}; "
                    f"{connection_vendor()}\n"
                )
                measured, floors = asyncio.run(
                    run_pages(
                        "127.0.0.1",
                        port,
                        urls,
                        jars,
                        clients=clients,
                        seconds=seconds,
                        timeout=timeout,
                        progress=self.progress if options.get("verbosity", 1) > 1 else None,
                    )
                )
            result = rows(measured, floors)
            self.stdout.write("\n".join(table(result, floors)))
            self.stdout.write(f"\n({time.monotonic() - started:.0f} s in all)")
            if strict and not all(row.passed for row in result):
                raise CommandError("a page missed its target")
        except (KeyboardInterrupt, Terminated) as exc:
            raise CommandError("interrupted; gunicorn stopped") from exc
        finally:
            signal.signal(signal.SIGTERM, previous)
            for session in sessions:
                session.delete()
            delete_cache_keys(redis_url, prefix)
            shutil.rmtree(workdir, ignore_errors=True)

    def resolve(
        self, pages: Sequence[Page], port: int, jars: dict[str, dict[str, str]], timeout: float
    ) -> list[tuple[str, str, str]]:
        """Each page's URL; a `found_on` page is asked for (through the server, as its role)
        and its first link to the page's URL name taken."""
        urls: list[tuple[str, str, str]] = []
        for page in pages:
            if page.role not in TARGETS:
                raise CommandError(f"{page.name}: role {page.role!r}, not one of {list(TARGETS)}")
            if page.found_on:
                # a page measured before it, by name, or a URL name or path
                found = {name: url for name, url, _role in urls}
                where = found.get(page.found_on) or page_path(page.found_on)
                response = asyncio.run(fetch("127.0.0.1", port, where, jars[page.role], timeout))
                if response.status != 200:
                    raise CommandError(f"{page.name}: {where} answered HTTP {response.status}")
                url = first_link(response.body.decode(errors="replace"), page.path)
                if not url:
                    raise CommandError(f"{page.name}: no link to {page.path} on {where}")
            else:
                url = page_path(page.path)
            urls.append((page.name, url, page.role))
        return urls

    def progress(self, measurement: Measurement) -> None:
        self.stdout.write(
            f"  {measurement.name:<26} {measurement.rate:>8.1f} req/s "
            f"{len(measurement.errors)} errors"
        )


async def fetch(
    host: str, port: int, path: str, cookies: dict[str, str], timeout: float
) -> Response:
    client = Client(host, port, dict(cookies), timeout)
    try:
        return await client.get(path)
    finally:
        await client.close()


def connection_vendor() -> str:
    from django.db import connection

    return f"{connection.vendor} {connection.settings_dict.get('NAME', '')}"
