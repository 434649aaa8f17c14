"""The deployment files describe the stack the README promises. No Docker engine runs in CI, so
these read the files rather than start them: docker-compose.yml is validated against the Compose
Specification's schema (vendored in standards/compose-spec/) and its topology checked; the
Caddyfile is checked by the caddy binary itself when it is installed (.ci/run installs it)."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from portal import queues

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "standards" / "compose-spec" / "compose-spec.json"
CADDYFILE = ROOT / "deploy" / "Caddyfile"
PORTAL_IMAGE = "samverkansportalen:latest"

# queue → the worker's --concurrency (README "Deploying with docker compose")
WORKER_CONCURRENCY = {"celery": 2, "pdf": 2, "notifications": 4, "open_data": 1, "archive": 1}

# The JSON Schema dialects the Compose schema has been published in (compose-go moved it from
# draft-07 to 2020-12 in 2026): a newer copy in standards/ picks its validator itself.
VALIDATORS: dict[str, type[Any]] = {
    "draft-07": jsonschema.Draft7Validator,
    "draft/2020-12": jsonschema.Draft202012Validator,
}


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def compose_validator() -> Any:
    schema = json.loads(SCHEMA.read_text())
    dialects = [name for name in VALIDATORS if name in schema["$schema"]]
    assert len(dialects) == 1, schema["$schema"]
    validator_class = VALIDATORS[dialects[0]]
    validator_class.check_schema(schema)
    return validator_class(schema)


def schema_errors(data: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(str(part) for part in error.absolute_path)}: {error.message}"
        for error in compose_validator().iter_errors(data)
    ]


def portal_services(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The services that run the portal's own image (web, migrate, workers, beat)."""
    return {
        name: service
        for name, service in data["services"].items()
        if service.get("image") == PORTAL_IMAGE
    }


def command_of(service: dict[str, Any]) -> list[str]:
    command = service.get("command", [])
    return command.split() if isinstance(command, str) else list(command)


def option(command: list[str], *names: str) -> str | None:
    """The value of an option given as `-Q pdf`, `--queues pdf` or `--queues=pdf`."""
    for index, word in enumerate(command):
        if word in names and index + 1 < len(command):
            return command[index + 1]
        for name in names:
            if name.startswith("--") and word.startswith(f"{name}="):
                return word.split("=", 1)[1]
    return None


def workers(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: service
        for name, service in portal_services(data).items()
        if command_of(service)[:4] == ["celery", "-A", "portal", "worker"]
    }


def published_ports(service: dict[str, Any]) -> list[tuple[str, int]]:
    """(host part, container port) of each short-syntax port ("80:80", "443:443/udp")."""
    published = []
    for entry in service.get("ports", []):
        mapping = str(entry).split("/", 1)[0]
        host, _, target = mapping.rpartition(":")
        published.append((host, int(target)))
    return published


def condition(service: dict[str, Any], dependency: str) -> str | None:
    """The condition a service waits for on another, None when it does not depend on it."""
    dependencies = service.get("depends_on", {})
    assert isinstance(dependencies, dict), "depends_on in the long syntax, with conditions"
    entry = dependencies.get(dependency)
    return None if entry is None else str(entry.get("condition", "service_started"))


# --- the Compose Specification -----------------------------------------------------------------


def test_compose_validates_against_the_compose_specification() -> None:
    assert not schema_errors(compose())


@pytest.mark.parametrize(
    "break_it",
    [
        pytest.param(lambda data: data.update({"servics": {}}), id="unknown-top-level-key"),
        pytest.param(
            lambda data: data["services"]["web"].update({"port": ["8000:8000"]}),
            id="unknown-service-key",
        ),
        pytest.param(
            lambda data: data["services"]["web"]["deploy"].update({"replicas": [2]}),
            id="replicas-not-a-number",
        ),
        pytest.param(
            lambda data: data["services"]["web"]["depends_on"]["migrate"].update(
                {"condition": "service_finished"}
            ),
            id="unknown-depends-on-condition",
        ),
    ],
)
def test_a_broken_compose_file_fails_the_schema(break_it: Any) -> None:
    broken = copy.deepcopy(compose())
    break_it(broken)
    assert schema_errors(broken)


# --- the topology ------------------------------------------------------------------------------


def test_compose_runs_the_whole_stack_with_health_checks() -> None:
    services = compose()["services"]
    assert set(services) == {
        "proxy",
        "web",
        "migrate",
        *(f"worker-{queue.replace('_', '-')}" for queue in queues.QUEUE_NAMES),
        "beat",
        "postgres",
        "redis",
        "s3",
        "mailpit",
    }
    for name, service in services.items():
        assert "healthcheck" in service, name
        # the one-shot migration has nothing to check while it runs; everything else does
        assert service["healthcheck"].get("disable", False) == (name == "migrate"), name
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])
    for name, service in portal_services(compose()).items():
        env = service["environment"]
        assert env["DATABASE_URL"].startswith("postgres://"), name
        assert env["REDIS_URL"].startswith("redis://"), name
        assert env["SECRET_KEY"].startswith("${SECRET_KEY:?"), name
        assert service["env_file"] == [{"path": ".env", "required": False}], name
        for dependency in ("postgres", "redis", "s3"):
            assert condition(service, dependency) == "service_healthy", name


def test_only_the_proxy_publishes_and_it_terminates_tls_for_two_web_replicas() -> None:
    services = compose()["services"]
    proxy = services["proxy"]
    assert proxy["image"] == "caddy:2"
    assert {port for _, port in published_ports(proxy)} == {80, 443}
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    # the certificates (and the local CA of a trial) outlive the container
    assert "caddy_data:/data" in proxy["volumes"]
    assert proxy["environment"]["WEB_UPSTREAMS"] == "web:8000"
    assert "SITE_DOMAIN" in proxy["environment"]["SITE_ADDRESS"]

    web = services["web"]
    # an integer literal: the schema also lets a string through (for ${...}), compose does not
    assert web["deploy"]["replicas"] == 2 and type(web["deploy"]["replicas"]) is int
    command = command_of(web)
    assert command[0] == "gunicorn"
    assert option(command, "-c", "--config") == "deploy/gunicorn.conf.py"
    # the container listens on its own interfaces (compose publishes none of them); a node
    # started from the config alone listens on the loopback, for the proxy beside it
    assert "GUNICORN_BIND=0.0.0.0:8000" in (ROOT / "Dockerfile").read_text()
    assert gunicorn_config(GUNICORN_BIND="0.0.0.0:8000")["bind"] == "0.0.0.0:8000"
    assert gunicorn_config()["bind"] == "127.0.0.1:8000"
    assert "migrate" not in " ".join(command)

    for name, service in services.items():
        if name == "proxy":
            continue
        for host, port in published_ports(service):
            # only Mailpit's page, and on this machine only
            assert (name, port) == ("mailpit", 8025), (name, port)
            assert host.startswith("127.0.0.1:"), name


def test_one_worker_per_queue_each_consuming_only_its_queue() -> None:
    data = compose()
    assert set(WORKER_CONCURRENCY) == set(queues.QUEUE_NAMES)
    by_queue: dict[str, str] = {}
    for name, service in workers(data).items():
        command = command_of(service)
        queue = option(command, "-Q", "--queues")
        assert queue is not None and "," not in queue, (name, queue)
        assert queue not in by_queue, f"{queue} has two worker services"
        by_queue[queue] = name
        assert option(command, "-n", "--hostname") == f"{queue}@%h", name
        assert option(command, "--concurrency", "-c") == str(WORKER_CONCURRENCY[queue]), name
        assert option(command, "--prefetch-multiplier") == "1", name
        assert "-B" not in command and "--beat" not in command, name
        check = " ".join(service["healthcheck"]["test"])
        assert f"inspect ping --destination {queue}@$$HOSTNAME" in check, name
        assert condition(service, "migrate") == "service_completed_successfully"
    assert set(by_queue) == set(queues.QUEUE_NAMES)


def test_exactly_one_beat() -> None:
    data = compose()
    beats = {
        name: service
        for name, service in portal_services(data).items()
        if command_of(service)[:4] == ["celery", "-A", "portal", "beat"]
    }
    assert list(beats) == ["beat"]
    replicas = beats["beat"]["deploy"]["replicas"]
    assert replicas == 1 and type(replicas) is int
    assert condition(beats["beat"], "migrate") == "service_completed_successfully"
    assert "beat:/app/var/beat" in beats["beat"]["volumes"]


def test_migrations_run_once_before_the_web_nodes_and_workers_start() -> None:
    data = compose()
    migrate = data["services"]["migrate"]
    command = " ".join(command_of(migrate))
    assert "python manage.py migrate --noinput" in command
    assert "python manage.py prepare_storage --create-bucket" in command
    assert migrate["restart"] == "no"
    assert "deploy" not in migrate
    assert condition(migrate, "migrate") is None
    for name, service in portal_services(data).items():
        if name != "migrate":
            assert condition(service, "migrate") == "service_completed_successfully", name
    # the static files are collected into the image, not by a container at start
    assert "collectstatic --noinput" in (ROOT / "Dockerfile").read_text()


def test_private_files_live_in_the_private_bucket_not_on_a_node() -> None:
    data = compose()
    s3 = data["services"]["s3"]
    assert "ports" not in s3
    assert "s3data:/data" in s3["volumes"]
    assert s3["environment"]["AWS_ACCESS_KEY_ID"].startswith("${S3_ACCESS_KEY:?")
    assert s3["environment"]["AWS_SECRET_ACCESS_KEY"].startswith("${S3_SECRET_KEY:?")
    for name, service in portal_services(data).items():
        env = service["environment"]
        assert re.fullmatch(r"s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?", env["STORAGE_URL"])
        assert env["AWS_S3_ENDPOINT_URL"] == "http://s3:8333", name
        assert env["AWS_S3_ADDRESSING_STYLE"] == "path", name
        assert env["AWS_ACCESS_KEY_ID"] == s3["environment"]["AWS_ACCESS_KEY_ID"], name
        assert env["AWS_SECRET_ACCESS_KEY"] == s3["environment"]["AWS_SECRET_ACCESS_KEY"], name
        for unused in ("MEDIA_ROOT", "PRIVATE_MEDIA_ROOT", "OPEN_DATA_ROOT"):
            assert unused not in env, (name, unused)
        # nothing of the register on a node's disk: only beat keeps its schedule
        mounted = {str(volume).split(":", 1)[0] for volume in service.get("volumes", [])}
        assert mounted == ({"beat"} if name == "beat" else set()), name
    assert not {"media", "private", "opendata"} & set(data["volumes"])


def test_compose_keeps_data_in_volumes() -> None:
    data = compose()
    assert {"pgdata", "redisdata", "s3data", "beat", "caddy_data"} <= set(data["volumes"])
    assert "pgdata:/var/lib/postgresql/data" in data["services"]["postgres"]["volumes"]
    assert "redisdata:/data" in data["services"]["redis"]["volumes"]


def test_portal_trusts_its_own_tls_proxy() -> None:
    for name, service in portal_services(compose()).items():
        env = service["environment"]
        for setting in (
            "USE_X_FORWARDED_PROTO",
            "SECURE_SSL_REDIRECT",
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
        ):
            assert env[setting] == "true", (name, setting)
        assert env["TRUSTED_PROXY_COUNT"] == "1", name
        assert env["CSRF_TRUSTED_ORIGINS"] == "https://${SITE_DOMAIN:-localhost}", name
        assert env["SITE_URL"].startswith("https://"), name
        # the Host of the proxy's health checks (web:8000) and of compose's (127.0.0.1:8000)
        assert {"web", "127.0.0.1"} <= set(env["ALLOWED_HOSTS"].split(",")), name


# --- the Caddyfile -----------------------------------------------------------------------------


def test_caddyfile_balances_on_readiness_behind_tls() -> None:
    text = CADDYFILE.read_text()
    directives = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    assert "{$SITE_ADDRESS:localhost} {" in directives
    assert "reverse_proxy {$WEB_UPSTREAMS:web:8000} {" in directives
    assert "health_uri /readyz" in directives
    assert any(re.fullmatch(r"lb_policy (round_robin|least_conn)", d) for d in directives)
    assert any(d.startswith("lb_try_duration ") for d in directives)
    assert "skip_install_trust" in directives
    assert any(re.fullmatch(r"admin (off|127\.0\.0\.1:\d+|localhost:\d+)", d) for d in directives)
    assert any(re.fullmatch(r"max_size \d+MB", d) for d in directives)


CADDY_ENVIRONMENTS = {
    "compose-trial": {"SITE_ADDRESS": "localhost", "WEB_UPSTREAMS": "web:8000"},
    "compose-domain": {"SITE_ADDRESS": "samverkan.exempel.se", "WEB_UPSTREAMS": "web:8000"},
    "ci": {
        "SITE_ADDRESS": "https://127.0.0.1:8443",
        "WEB_UPSTREAMS": "127.0.0.1:8101 127.0.0.1:8102",
    },
}


def caddy(tmp_path: Path, values: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("caddy")
    if binary is None:
        pytest.skip("the caddy binary is not installed (apt-get install caddy; .ci/run does)")
    env = {
        **os.environ,
        # Caddy's storage (the local CA it provisions) under the test's own directory
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        **values,
    }
    return subprocess.run(
        [binary, *args, "--config", str(CADDYFILE), "--adapter", "caddyfile"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("values", CADDY_ENVIRONMENTS.values(), ids=CADDY_ENVIRONMENTS.keys())
def test_caddy_validates_the_caddyfile(tmp_path: Path, values: dict[str, str]) -> None:
    result = caddy(tmp_path, values, "validate")
    assert result.returncode == 0, result.stderr
    assert "Valid configuration" in result.stdout + result.stderr


def test_caddy_health_checks_each_ci_node_on_readyz(tmp_path: Path) -> None:
    result = caddy(tmp_path, CADDY_ENVIRONMENTS["ci"], "adapt")
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    proxies = [
        handler
        for server in config["apps"]["http"]["servers"].values()
        for route in server["routes"]
        for handler in _handlers(route)
        if handler["handler"] == "reverse_proxy"
    ]
    assert len(proxies) == 1
    proxy = proxies[0]
    assert [upstream["dial"] for upstream in proxy["upstreams"]] == [
        "127.0.0.1:8101",
        "127.0.0.1:8102",
    ]
    assert proxy["health_checks"]["active"]["uri"] == "/readyz"
    assert proxy["load_balancing"]["try_duration"] > 0
    assert config["apps"]["pki"]["certificate_authorities"]["local"]["install_trust"] is False


def _handlers(route: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for handler in route.get("handle", []):
        found.append(handler)
        for subroute in handler.get("routes", []):
            found.extend(_handlers(subroute))
    return found


# --- the image and the README ------------------------------------------------------------------


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


def readme_section(title: str) -> str:
    readme = (ROOT / "README.md").read_text()
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", readme, re.MULTILINE | re.DOTALL)
    assert match, title
    return match.group(1)


def test_readme_names_every_compose_service_and_the_variables_compose_reads() -> None:
    section = readme_section("Deploying with docker compose")
    for name in compose()["services"]:
        assert f"`{name}`" in section, name
    compose_text = (ROOT / "docker-compose.yml").read_text()
    read = set(re.findall(r"\$\{([A-Z_]+)", compose_text))
    env_example = (ROOT / ".env.example").read_text()
    for name in read:
        assert f"`{name}`" in section or f"{name}=" in env_example, name


def test_readme_gives_the_two_commands_and_ci_calls_the_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
    assert re.search(r"DATABASE_URL=postgres://", ci)
    assert "REDIS_URL=redis://" in ci
    assert "REQUIRE_BROWSER=1" in ci


def gunicorn_config(**env: str) -> dict[str, object]:
    import runpy
    from unittest import mock

    with mock.patch.dict("os.environ", env):
        return runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))


def test_a_web_node_streams_a_slow_download_without_gunicorn_cutting_it_off() -> None:
    """A sync worker answers gunicorn's timeout with the request itself: a 20 MB document read
    by a slow phone was killed half-way (seen at 250 KB/s). Threads keep the worker's heartbeat
    apart from the requests, and every way of starting a node reads the same file."""
    config = gunicorn_config()
    assert config["worker_class"] == "gthread" and int(config["threads"]) >= 2  # type: ignore[call-overload]
    assert config["control_socket_disable"] is True
    assert gunicorn_config(WEB_WORKERS="5", WEB_THREADS="8")["workers"] == 5
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert '"-c", "deploy/gunicorn.conf.py"' in dockerfile
    topology = (ROOT / "deploy" / "topology.py").read_text()
    assert "gunicorn.conf.py" in topology
