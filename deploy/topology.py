"""The portal's production topology on one machine, as plain processes: start it, run a command
against it, stop it again (also when the command fails, the set-up fails or on Ctrl-C).

    .venv/bin/python deploy/topology.py -- .venv/bin/pytest tests/multiprocess
    .venv/bin/python deploy/topology.py          # no command: serves until Ctrl-C

What runs, all on 127.0.0.1, in the shape of a deployment on several machines:

    proxy      Caddy with deploy/Caddyfile: TLS on :8443 (certificate from Caddy's own local
               CA), spreading requests over both web nodes
    web1/web2  gunicorn with production settings, two workers each, on :8101 and :8102
    worker-*   one Celery worker per queue of portal.queues (celery, pdf, notifications,
               open_data, archive), named <queue>@topology
    beat       Celery beat, exactly one
    s3         moto's S3 server on :8190, the object storage (bucket portal-topology, the
               portal's files under the prefix topology/)
    and the PostgreSQL database samverkansportalen_topology (dropped and created anew) and
    Redis db 5 (emptied first) of the servers already running on 127.0.0.1:5432 and :6379.

Every portal process has directories of its own for PRIVATE_MEDIA_ROOT, OPEN_DATA_ROOT and
MEDIA_ROOT (var/topology/<name>/): a file stored by one process reaches another only through the
object storage, as between two machines, never through a disk they happen to share. The
database gets the demo data (`seed_demo`), and handlaggare@exempel.se the TOTP secret below.
Logs: var/topology/<name>.log (var/ is not in git), set-up commands in var/topology/setup.log.

The command runs with the caller's environment plus TOPOLOGY_* variables: the addresses
(TOPOLOGY_WEB1, TOPOLOGY_WEB2, TOPOLOGY_PROXY and TOPOLOGY_PROXY_CA, Caddy's root certificate),
the process ids (TOPOLOGY_WEB1_PID, ...), and the services behind them (TOPOLOGY_DATABASE_URL,
TOPOLOGY_REDIS_URL, TOPOLOGY_S3_*). They are prefixed on purpose: a DATABASE_URL or REDIS_URL in
the command's environment would point Django code the command runs (the ordinary test suite,
whose fixtures empty the cache) at the topology's database and Redis.

tests/multiprocess has a pytest.ini of its own, which `pytest tests/multiprocess` picks up: no
pytest-django, no tests/conftest.py (those tests talk HTTP to these processes and need neither
Django's test database nor its settings). Without the TOPOLOGY_* variables they skip; with
REQUIRE_TOPOLOGY=1 (as in .ci/run) they fail instead.

Without a command it serves until Ctrl-C, for running tests or a browser against it by hand.
Tests run twice against one topology meet what the first run left: the login rate limits and
used TOTP codes (for up to five minutes), and web1 stopped by the last test. The script with a
command starts everything anew each time.

Ports are fixed; one in use stops the script before anything starts. The portal processes get
a minimal environment (PATH, HOME, locale) plus their settings, so a developer's shell does not
leak into them; a `.env` beside manage.py is still read by the settings, for whatever is not set
here. Caddy runs with deploy/Caddyfile as adapted to JSON, with four changes for a machine that
is not a server: no admin port (a socket under var/topology), no root certificate added to the
system's trust store, no HTTP→HTTPS redirect listener on port 80, and listening on 127.0.0.1
only.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

ROOT = Path(__file__).resolve().parent.parent


def _portal_queues() -> tuple[str, ...]:
    """The queues of portal/queues.py, read as a file: importing the `portal` package would
    create its Celery app, which sets DJANGO_SETTINGS_MODULE in this process's environment and
    so in the command's."""
    spec = importlib.util.spec_from_file_location("portal_queues", ROOT / "portal" / "queues.py")
    if spec is None or spec.loader is None:
        raise ImportError(ROOT / "portal" / "queues.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return tuple(module.QUEUE_NAMES)


QUEUE_NAMES = _portal_queues()  # celery, pdf, notifications, open_data, archive: a worker each

# The programs of the virtual environment this script runs in, and Caddy from the system.
BIN = Path(sys.executable).parent
WEB_TIMEOUT = 3
STATE = ROOT / "var" / "topology"
CADDYFILE = ROOT / "deploy" / "Caddyfile"  # --caddyfile for another

HOST = "127.0.0.1"
WEB_PORTS = {"web1": 8101, "web2": 8102}
PROXY_PORT = 8443
S3_PORT = 8190
PROXY_URL = f"https://{HOST}:{PROXY_PORT}"
S3_URL = f"http://{HOST}:{S3_PORT}"

DATABASE = "samverkansportalen_topology"
REDIS_DB = 5
BUCKET = "portal-topology"
STORAGE_PREFIX = "topology"
S3_REGION = "eu-north-1"
# moto accepts any key pair; the portal signs its requests with this one.
S3_ACCESS_KEY = "topology"
S3_SECRET_KEY = "topology-secret-key"  # noqa: S105 - moto's S3 server on 127.0.0.1, thrown away
# A known second factor for one demo officer, so that a test can compute the current code.
TOTP_ACCOUNT = "handlaggare@exempel.se"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 - the topology's own database

READY_TIMEOUT = 180.0  # seconds; two shared cores start a dozen Django processes
STOP_TIMEOUT = 20.0
LOG_TAIL = 25


class TopologyError(Exception):
    """The topology could not be set up or a process of it stopped: says which, and why."""


def say(message: str) -> None:
    print(f"topology: {message}", flush=True)


def tail(path: Path, lines: int = LOG_TAIL) -> str:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:]) or "(empty)"


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def exit_code(self) -> int | None:
        """None while it runs. Its exit is seen without reaping it, so that its process group
        (gunicorn's and Celery's own children) cannot be taken by another process until `stop`
        has made sure the whole group is gone."""
        if self.popen.returncode is not None:
            return self.popen.returncode
        info = os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        if info is None or info.si_pid == 0:
            return None
        return info.si_status if info.si_code == os.CLD_EXITED else -info.si_status


class Topology:
    """The processes started, in order; `stop` ends them in the reverse order."""

    def __init__(self) -> None:
        self.processes: dict[str, Process] = {}
        self.logs_are_this_runs = False  # var/topology emptied for this run

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> Process:
        log = STATE / f"{name}.log"
        with log.open("ab") as handle:
            # A session of its own: Ctrl-C in the terminal reaches the command and this script,
            # which then stops these in order, and `stop` can end a process with its children.
            popen = subprocess.Popen(  # noqa: S603 - our own argv
                argv,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process = Process(name, popen, log)
        self.processes[name] = process
        return process

    def stopped(self) -> dict[str, int]:
        """The processes that are no longer running, with their exit codes."""
        codes = {name: process.exit_code() for name, process in self.processes.items()}
        return {name: code for name, code in codes.items() if code is not None}

    def check_running(self) -> None:
        for name, code in self.stopped().items():
            raise TopologyError(f"{name} stopped (exit code {code})")

    def stop(self) -> None:
        # A second Ctrl-C does not leave half of them running: this takes STOP_TIMEOUT at most.
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        running = [p for p in reversed(self.processes.values()) if p.exit_code() is None]
        for process in running:
            # gunicorn and Celery finish what they are doing on SIGTERM, Caddy and moto stop
            with _gone():
                process.popen.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        while time.monotonic() < deadline and any(p.exit_code() is None for p in running):
            time.sleep(0.2)
        for process in self.processes.values():
            # whatever is left of the group (a worker process that outlived its master)
            with _gone():
                os.killpg(process.pid, signal.SIGKILL)
            process.popen.wait()
        self.processes.clear()

    def report(self) -> None:
        """The last lines of every log, for the person reading a failed run."""
        if not self.logs_are_this_runs:
            return
        for path in [STATE / "setup.log", *(p.log for p in self.processes.values())]:
            if path.exists():
                print(f"\n----- {path.relative_to(ROOT)} (last {LOG_TAIL} lines) -----")
                print(tail(path))
        print()


class _gone:
    """Ignore a process (group) that has already exited."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> bool:
        return kind is not None and issubclass(kind, ProcessLookupError)


# Set-up


def check_ports() -> None:
    wanted = {
        **{port: name for name, port in WEB_PORTS.items()},
        PROXY_PORT: "proxy",
        S3_PORT: "s3",
    }
    busy = []
    for port, name in wanted.items():
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            # as the servers themselves do, so that a port a previous run just closed counts
            # as free; only a port something listens on fails
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((HOST, port))
            except OSError:
                busy.append(f"{HOST}:{port} ({name})")
    if busy:
        raise TopologyError(
            "in use: "
            + ", ".join(busy)
            + ". Is another topology still running? `ss -ltnp` shows what listens there."
        )


def check_programs(caddyfile: Path) -> None:
    missing = [
        str(BIN / p) for p in ("gunicorn", "celery", "moto_server") if not (BIN / p).exists()
    ]
    if shutil.which("caddy") is None:
        missing.append("caddy (apt-get install caddy)")
    if not caddyfile.exists():
        missing.append(str(caddyfile))
    if missing:
        raise TopologyError("missing: " + ", ".join(missing))


def fresh_database(admin_url: str) -> None:
    import psycopg

    with psycopg.connect(f"{admin_url}/postgres", autocommit=True) as connection:
        # FORCE: connections a previous, killed run left behind do not hold it
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')


def fresh_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


def base_env() -> dict[str, str]:
    """What every portal process inherits of this one's environment: no more than a program
    needs to run, so that nothing of a developer's shell (a DEVELOPMENT=true, a DATABASE_URL, a
    proxy) changes what the topology is."""
    keep = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR")
    return {key: os.environ[key] for key in keep if key in os.environ}


def portal_env(*, database_url: str, redis_url: str) -> dict[str, str]:
    """The settings of every portal process: production (README, "Configuration"), behind one
    TLS proxy, with the object storage and the shared Redis."""
    return {
        **base_env(),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PYTHONUNBUFFERED": "1",
        "DEBUG": "false",
        "DEVELOPMENT": "false",
        "ALLOW_LOCAL_CACHE": "false",
        # A key of this run's own: sessions and signed values are shared by the nodes, as they
        # must be, and by nothing else.
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "CSRF_TRUSTED_ORIGINS": PROXY_URL,
        "SITE_URL": PROXY_URL,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "STORAGE_URL": f"s3://{BUCKET}/{STORAGE_PREFIX}",
        "AWS_S3_ENDPOINT_URL": S3_URL,
        "AWS_ACCESS_KEY_ID": S3_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": S3_SECRET_KEY,
        "AWS_S3_REGION_NAME": S3_REGION,
        "AWS_S3_ADDRESSING_STYLE": "path",
        # HTTPS ends at the proxy, which says so in X-Forwarded-Proto and gives the client's
        # address as the last entry of X-Forwarded-For (the login rate limits count it).
        "SECURE_SSL_REDIRECT": "true",
        "SESSION_COOKIE_SECURE": "true",
        "CSRF_COOKIE_SECURE": "true",
        "USE_X_FORWARDED_PROTO": "true",
        "TRUSTED_PROXY_COUNT": "1",
        "STATIC_MANIFEST": "true",
        "STATIC_ROOT": str(STATE / "static"),
        # Email is written to the worker's log, never sent.
        "EMAIL_URL": "consolemail://",
        "LOG_LEVEL": "INFO",
    }


def own_directories(env: dict[str, str], name: str) -> dict[str, str]:
    """The process's own disk: nothing here is seen by any other process."""
    home = STATE / name
    roots = {"PRIVATE_MEDIA_ROOT": "private", "OPEN_DATA_ROOT": "open-data", "MEDIA_ROOT": "media"}
    for directory in roots.values():
        (home / directory).mkdir(parents=True, exist_ok=True)
    return {**env, **{key: str(home / directory) for key, directory in roots.items()}}


def manage(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """A management command of the set-up; its output goes to setup.log."""
    log = STATE / "setup.log"
    started = time.monotonic()
    with log.open("a") as handle:
        handle.write(f"\n$ manage.py {' '.join(args)}\n")
        handle.flush()
        result = subprocess.run(  # noqa: S603 - our own argv
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        handle.write(result.stdout + result.stderr)
        handle.write(f"({time.monotonic() - started:.1f} s, exit code {result.returncode})\n")
    if check and result.returncode != 0:
        raise TopologyError(f"manage.py {' '.join(args)} failed (exit code {result.returncode})")
    return result


def wait_for_s3() -> None:
    deadline = time.monotonic() + 30
    while http_status(f"{S3_URL}/") is None:
        if time.monotonic() > deadline:
            raise TopologyError(f"the S3 server did not answer on {S3_URL} within 30 s")
        time.sleep(0.2)


# Everything in one `manage.py shell`: the officer's known second factor.
GIVE_TOTP = f"""
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from portal.models import User

user = User.objects.get(email={TOTP_ACCOUNT!r})
Authenticator.objects.filter(user=user).delete()
TOTP.activate(user, {TOTP_SECRET!r})
print("TOTP set for", user.email)
"""


def caddy_config(caddyfile: Path, env: dict[str, str]) -> Path:
    """deploy/Caddyfile as JSON, with the changes the module's text lists."""
    result = subprocess.run(  # noqa: S603
        ["caddy", "adapt", "--config", str(caddyfile), "--adapter", "caddyfile"],  # noqa: S607
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise TopologyError(f"caddy adapt failed:\n{result.stderr}")
    config: dict[str, Any] = json.loads(result.stdout)
    config["admin"] = {
        "listen": f"unix/{STATE / 'caddy-admin.sock'}",
        "config": {"persist": False},
    }
    apps = config.setdefault("apps", {})
    authorities = apps.setdefault("pki", {}).setdefault("certificate_authorities", {})
    authorities.setdefault("local", {})["install_trust"] = False
    for server in apps.get("http", {}).get("servers", {}).values():
        server.setdefault("automatic_https", {})["disable_redirects"] = True
        server["listen"] = [
            f"{HOST}{address}" if address.startswith(":") else address
            for address in server.get("listen", [])
        ]
    path = STATE / "caddy.json"
    path.write_text(json.dumps(config, indent=2))
    return path


# Readiness


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def http_status(
    url: str, *, headers: dict[str, str] | None = None, context: ssl.SSLContext | None = None
) -> int | None:
    """The status of a GET (redirects not followed, no proxy), None if nothing answers."""
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}),
        urllib.request.HTTPSHandler(context=context),
        _NoRedirect,
    )
    try:
        # our own http(s) addresses, never a scheme from outside
        request = urllib.request.Request(url, headers=headers or {})  # noqa: S310
        with opener.open(request, timeout=5) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError):
        return None


def proxy_ca() -> Path:
    return STATE / "caddy" / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"


def upstreams_down() -> set[str]:
    """The web nodes whose last active health check by the proxy failed, read from its log:
    Caddy 2.6 has no API that says so. A node is up until a check fails, and up again when the
    checker logs "host is up"."""
    up: dict[str, bool] = {}
    for line in tail(STATE / "proxy.log", 10_000).splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if str(entry.get("logger", "")).startswith("http.handlers.reverse_proxy.health_checker"):
            up[str(entry.get("host"))] = entry.get("msg") == "host is up"
    return {host for host, is_up in up.items() if not is_up}


class Readiness:
    """What must answer before the command runs: each web node's and the proxy's /readyz, each
    worker's ping, beat's start."""

    def __init__(self, topology: Topology, redis_url: str) -> None:
        from celery import Celery

        self.topology = topology
        self.control = Celery("topology", broker=redis_url).control
        self.pending = {
            *WEB_PORTS,
            "proxy",
            *(f"{queue}@topology" for queue in QUEUE_NAMES),
            "beat",
        }

    def web(self, base: str, context: ssl.SSLContext | None = None) -> bool:
        # as the proxy sends it: HTTPS ended in front of the node
        status = http_status(
            f"{base}/readyz", headers={"X-Forwarded-Proto": "https"}, context=context
        )
        return status == 200

    def proxy(self) -> bool:
        """The proxy answers over TLS, and its health checks (deploy/Caddyfile) have found both
        nodes up: until then it sends every request to the one it last saw up."""
        if not proxy_ca().exists():
            return False
        if not self.web(PROXY_URL, ssl.create_default_context(cafile=str(proxy_ca()))):
            return False
        return not upstreams_down()

    def workers(self) -> set[str]:
        names = [name for name in self.pending if name.endswith("@topology")]
        if not names:
            return set()
        replies = self.control.ping(destination=names, timeout=1.0) or []
        return {name for reply in replies for name in reply}

    def beat(self) -> bool:
        return "beat: Starting" in tail(STATE / "beat.log", 200)

    def wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.pending:
            self.topology.check_running()
            for name, port in WEB_PORTS.items():
                if name in self.pending and self.web(f"http://{HOST}:{port}"):
                    self.pending.discard(name)
            if "proxy" in self.pending and self.proxy():
                self.pending.discard("proxy")
            self.pending -= self.workers()
            if "beat" in self.pending and self.beat():
                self.pending.discard("beat")
            if not self.pending:
                return
            if time.monotonic() > deadline:
                raise TopologyError(
                    f"not ready within {timeout:g} s: {', '.join(sorted(self.pending))}"
                )
            time.sleep(0.5)


# The whole


def start(
    topology: Topology, *, postgres_url: str, redis_url: str, caddyfile: Path, timeout: float
) -> dict[str, str]:
    """Set up and start everything; the TOPOLOGY_* variables for the command."""
    started = time.monotonic()
    check_programs(caddyfile)
    check_ports()
    shutil.rmtree(STATE, ignore_errors=True)
    STATE.mkdir(parents=True)
    topology.logs_are_this_runs = True

    database_url = f"{postgres_url}/{DATABASE}"
    fresh_database(postgres_url)
    fresh_redis(redis_url)
    say(f"database {DATABASE} created, Redis {redis_url} emptied")

    topology.start("s3", [str(BIN / "moto_server"), "-H", HOST, "-p", str(S3_PORT)], base_env())
    wait_for_s3()

    env = portal_env(database_url=database_url, redis_url=redis_url)
    setup = own_directories(env, "setup")
    manage(setup, "migrate", "--noinput")
    # the bucket, made private, and a round trip through it
    manage(setup, "prepare_storage", "--create-bucket", "--test-server")
    # seed_demo refuses to run outside development (it sets known passwords): this one command
    # runs as development, against the same database, cache and storage.
    manage({**setup, "DEVELOPMENT": "true"}, "seed_demo")
    manage(setup, "shell", "-c", GIVE_TOTP)
    manage(setup, "collectstatic", "--noinput", "-v0")
    say(
        f"migrated, storage prepared, demo data seeded, static files collected "
        f"({time.monotonic() - started:.1f} s)"
    )

    # The commands of docker-compose.yml, smaller (two gunicorn workers, one Celery process
    # per queue), each process with a disk of its own.
    for name, port in WEB_PORTS.items():
        gunicorn = (
            f"-c {ROOT / 'deploy' / 'gunicorn.conf.py'} portal.wsgi:application "
            f"--bind {HOST}:{port} --workers 2 --name {name}"
            # gunicorn's timeout short, so that tests/multiprocess shows in seconds that a slow
            # download outlives it (30 s in production)
            f" --timeout {WEB_TIMEOUT}"
        )
        topology.start(name, [str(BIN / "gunicorn"), *gunicorn.split()], own_directories(env, name))
    for queue in QUEUE_NAMES:
        worker = (
            f"-A portal worker -Q {queue} -n {queue}@topology --concurrency=1 "
            "--prefetch-multiplier=1 --loglevel=INFO"
        )
        topology.start(
            f"worker-{queue}",
            [str(BIN / "celery"), *worker.split()],
            own_directories(env, f"worker-{queue}"),
        )
    beat = [str(BIN / "celery"), "-A", "portal", "beat", "--loglevel=INFO"]
    schedule = ["--schedule", str(STATE / "beat-schedule")]
    topology.start("beat", [*beat, *schedule], own_directories(env, "beat"))
    caddy_env = {
        **base_env(),
        "SITE_ADDRESS": PROXY_URL,
        "WEB_UPSTREAMS": " ".join(f"{HOST}:{port}" for port in WEB_PORTS.values()),
        # Caddy's certificates and local CA under var/topology, not the home directory
        "XDG_DATA_HOME": str(STATE / "caddy" / "data"),
        "XDG_CONFIG_HOME": str(STATE / "caddy" / "config"),
    }
    topology.start(
        "proxy", ["caddy", "run", "--config", str(caddy_config(caddyfile, caddy_env))], caddy_env
    )

    Readiness(topology, redis_url).wait(timeout)
    say(f"ready in {time.monotonic() - started:.1f} s")

    processes = topology.processes
    return {
        "TOPOLOGY_WEB1": f"http://{HOST}:{WEB_PORTS['web1']}",
        "TOPOLOGY_WEB_TIMEOUT": str(WEB_TIMEOUT),
        "TOPOLOGY_WEB2": f"http://{HOST}:{WEB_PORTS['web2']}",
        "TOPOLOGY_PROXY": PROXY_URL,
        "TOPOLOGY_PROXY_CA": str(proxy_ca()),
        "TOPOLOGY_WEB1_PID": str(processes["web1"].pid),
        "TOPOLOGY_WEB2_PID": str(processes["web2"].pid),
        "TOPOLOGY_BEAT_PID": str(processes["beat"].pid),
        "TOPOLOGY_STATE_DIR": str(STATE),
        "TOPOLOGY_DATABASE_URL": database_url,
        "TOPOLOGY_REDIS_URL": redis_url,
        "TOPOLOGY_S3_ENDPOINT_URL": S3_URL,
        "TOPOLOGY_S3_BUCKET": BUCKET,
        "TOPOLOGY_S3_PREFIX": STORAGE_PREFIX,
        "TOPOLOGY_S3_REGION": S3_REGION,
        "TOPOLOGY_S3_ACCESS_KEY_ID": S3_ACCESS_KEY,
        "TOPOLOGY_S3_SECRET_ACCESS_KEY": S3_SECRET_KEY,
        "TOPOLOGY_TOTP_ACCOUNT": TOTP_ACCOUNT,
        "TOPOLOGY_TOTP_SECRET": TOTP_SECRET,
    }


def run_command(command: list[str], exports: dict[str, str]) -> int:
    """The command's exit code, as a shell gives it (128 + the signal that ended it)."""
    process = subprocess.Popen(command, env={**os.environ, **exports})  # noqa: S603
    try:
        code = process.wait()
    except KeyboardInterrupt:
        # Ctrl-C reached the command too: let it finish its report
        say("interrupted")
        code = _end(process)
    except SystemExit:
        # SIGTERM or SIGHUP reached this script alone: pass it on
        process.terminate()
        _end(process)
        raise
    return 128 - code if code < 0 else code


def _end(process: subprocess.Popen[bytes]) -> int:
    try:
        return process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


def serve(topology: Topology, exports: dict[str, str]) -> int:
    for key, value in exports.items():
        print(f"  {key}={value}")
    say("serving until Ctrl-C (logs in var/topology/)")
    reported: set[str] = set()
    while True:
        # A process that stops is reported once and the rest keeps running (the last of the
        # multi-process tests stops web1 on purpose, to see the proxy turn to web2).
        for name, code in topology.stopped().items():
            if name not in reported:
                reported.add(name)
                say(f"{name} stopped (exit code {code}); see var/topology/{name}.log")
        time.sleep(1)


def _terminate(signum: int, _frame: object) -> NoReturn:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Start the portal's topology as plain processes, run a command against it, "
        "stop it. The command's exit code is this script's.",
    )
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default=f"redis://127.0.0.1:6379/{REDIS_DB}")
    parser.add_argument("--caddyfile", type=Path, default=CADDYFILE)
    parser.add_argument(
        "--timeout", type=float, default=READY_TIMEOUT, help="seconds to wait for readiness"
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, help="after --: the command to run")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command

    # Ctrl-C also when started with SIGINT ignored (in the background of a script)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    topology = Topology()
    try:
        exports = start(
            topology,
            postgres_url=args.postgres,
            redis_url=args.redis,
            caddyfile=args.caddyfile,
            timeout=args.timeout,
        )
        if not command:
            return serve(topology, exports)
        code = run_command(command, exports)
        # Said, not counted: the command's exit code is the verdict (a test may stop a process
        # on purpose; a test that needed one that died has failed already).
        for name, stopped_with in topology.stopped().items():
            say(f"{name} stopped while the command ran (exit code {stopped_with})")
        if code != 0:
            topology.report()
            say(f"the command failed (exit code {code}); logs in var/topology/")
        return code
    except TopologyError as error:
        topology.report()
        say(f"FAILED: {error}")
        return 1
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    finally:
        say("stopping")
        topology.stop()


if __name__ == "__main__":
    sys.exit(main())
