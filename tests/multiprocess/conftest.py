"""The multi-process tests: two web nodes, the proxy, a worker per queue and beat, started as
plain processes by deploy/topology.py, which passes their addresses in TOPOLOGY_* variables.
The tests talk HTTP to them and look at the bucket, the logs and the queues from outside; no
Django runs in the test process (tests/multiprocess/pytest.ini).

Without the topology these tests skip with a reason; with REQUIRE_TOPOLOGY=1 (as in .ci/run)
they fail instead. They expect a topology of their own, fresh: run twice against one started
by hand (`deploy/topology.py` without a command), the second run meets the first one's rate
limits and used codes, and web1 stopped by the last test."""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib.util
import itertools
import os
import struct
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from requests.cookies import extract_cookies_to_jar, get_cookie_header

DEMO_PASSWORD = "demo-portal-2026"  # README, "Demo accounts"
TIMEOUT = 60  # seconds for one request: two shared cores, a dozen processes


@dataclass(frozen=True)
class Topology:
    """Where the processes are (deploy/topology.py's exports)."""

    nodes: dict[str, str]  # web1, web2, proxy → base URL
    proxy_ca: str
    web1_pid: int
    web2_pid: int
    beat_pid: int
    state_dir: Path
    redis_url: str
    s3_endpoint_url: str
    s3_bucket: str
    s3_prefix: str
    s3_region: str
    s3_access_key_id: str
    s3_secret_access_key: str
    totp_account: str
    totp_secret: str

    @property
    def public_origin(self) -> str:
        return self.nodes["proxy"]

    @property
    def public_host(self) -> str:
        return urlsplit(self.public_origin).netloc

    def log(self, name: str) -> Path:
        return self.state_dir / f"{name}.log"

    def s3(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.s3_endpoint_url,
            region_name=self.s3_region,
            aws_access_key_id=self.s3_access_key_id,
            aws_secret_access_key=self.s3_secret_access_key,
        )


def _unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_TOPOLOGY") == "1":
        pytest.fail(f"REQUIRE_TOPOLOGY=1 but {reason}")
    pytest.skip(
        f"multi-process tests skipped: {reason} (run them with: "
        ".venv/bin/python deploy/topology.py -- .venv/bin/pytest tests/multiprocess)"
    )


@pytest.fixture(scope="session", autouse=True)
def topology() -> Topology:
    """Session-scoped and used by every test here, so that without the topology a test skips
    before any other fixture runs (in the ordinary suite, tests/conftest.py's)."""
    if not os.environ.get("TOPOLOGY_WEB1"):
        _unavailable("TOPOLOGY_WEB1 is not set (deploy/topology.py sets it)")
    env = os.environ
    return Topology(
        nodes={
            "web1": env["TOPOLOGY_WEB1"],
            "web2": env["TOPOLOGY_WEB2"],
            "proxy": env["TOPOLOGY_PROXY"],
        },
        proxy_ca=env["TOPOLOGY_PROXY_CA"],
        web1_pid=int(env["TOPOLOGY_WEB1_PID"]),
        web2_pid=int(env["TOPOLOGY_WEB2_PID"]),
        beat_pid=int(env["TOPOLOGY_BEAT_PID"]),
        state_dir=Path(env["TOPOLOGY_STATE_DIR"]),
        redis_url=env["TOPOLOGY_REDIS_URL"],
        s3_endpoint_url=env["TOPOLOGY_S3_ENDPOINT_URL"],
        s3_bucket=env["TOPOLOGY_S3_BUCKET"],
        s3_prefix=env["TOPOLOGY_S3_PREFIX"],
        s3_region=env["TOPOLOGY_S3_REGION"],
        s3_access_key_id=env["TOPOLOGY_S3_ACCESS_KEY_ID"],
        s3_secret_access_key=env["TOPOLOGY_S3_SECRET_ACCESS_KEY"],
        totp_account=env["TOPOLOGY_TOTP_ACCOUNT"],
        totp_secret=env["TOPOLOGY_TOTP_SECRET"],
    )


# Client addresses from TEST-NET-3, a new one for each browser unless a test gives one: the
# login rate limits count per address, and one test's failed logins must not count against
# another's.
_addresses = (f"203.0.113.{n}" for n in itertools.count(1))


def client_address() -> str:
    return next(_addresses)


class Form:
    """A form of a page: its action, its fields' names, and the values it would send as it
    stands (hidden fields such as the CSRF token, a <select>'s selected option)."""

    def __init__(self, action: str) -> None:
        self.action = action
        self.names: set[str] = set()
        self.values: dict[str, str] = {}


class Page(HTMLParser):
    """What a test reads of a page: its forms, its links with their text, and its text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.links: list[tuple[str, str]] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._href: str | None = None
        self._link_text: list[str] = []
        self._text: list[str] = []
        self.feed(html)
        self.text = " ".join(" ".join(self._text).split())

    def form(self, *names: str) -> Form:
        """The page's form with fields of these names."""
        for form in self.forms:
            if set(names) <= form.names:
                return form
        raise AssertionError(f"no form with the fields {names} on the page:\n{self.text[:2000]}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        name = attributes.get("name", "")
        if tag == "form":
            self._form = Form(attributes.get("action", ""))
            self.forms.append(self._form)
        elif tag in ("input", "select", "textarea") and name and self._form is not None:
            self._form.names.add(name)
            if tag == "input" and attributes.get("type") not in ("checkbox", "radio", "file"):
                self._form.values[name] = attributes.get("value", "")
            self._select = name if tag == "select" else None
        elif tag == "option" and self._select and self._form and "selected" in attributes:
            self._form.values[self._select] = attributes.get("value", "")
        elif tag == "a" and "href" in attributes:
            self._href, self._link_text = attributes["href"], []

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._link_text).split())))
            self._href = None

    def handle_data(self, data: str) -> None:
        self._text.append(data)
        if self._href is not None:
            self._link_text.append(data)


class Browser:
    """One person's browser: one cookie jar, one client address, English pages.

    It reaches a web node directly (`get("web1", ...)`), standing where the proxy stands, and
    says to the node what Caddy says (deploy/Caddyfile): HTTPS ended in front of it
    (X-Forwarded-Proto), the client's address (X-Forwarded-For) and the portal's public Host.
    So the nodes run with exactly the settings they have behind the proxy, and count a login's
    rate limits by the same address and host whichever node a request reaches. Or it goes
    through the proxy itself (`get("proxy", ...)`), over TLS checked against Caddy's root."""

    def __init__(self, topology: Topology, address: str | None = None) -> None:
        self.topology = topology
        self.address = address or client_address()
        self.http = requests.Session()
        self.http.trust_env = False  # no proxy of the environment between us and 127.0.0.1
        # The portal's cookies are Secure, as HTTPS ends at the proxy; this jar also sends
        # them on the plain-HTTP hop from the "proxy" to a node, as the proxy itself does.
        self.jar = CookieJar(DefaultCookiePolicy(secure_protocols=("https", "wss", "http")))

    def get(self, node: str, path: str) -> requests.Response:
        return self.request("GET", node, path)

    def post(
        self, node: str, path: str, data: dict[str, Any], files: dict[str, Any] | None = None
    ) -> requests.Response:
        return self.request("POST", node, path, data=data, files=files)

    def submit(
        self,
        node: str,
        path: str,
        data: dict[str, Any],
        files: dict[str, Any] | None = None,
    ) -> requests.Response:
        """Open the page at `path` and send its form that has the fields of `data` and `files`,
        with its hidden fields (the CSRF token) and pre-selected values, `data` filled in."""
        page = self.get(node, path)
        assert page.status_code == 200, f"{path} on {node}: {page.status_code}"
        form = Page(page.text).form(*data, *(files or {}))
        target = urljoin(page.url, form.action) if form.action else page.url
        local = urlsplit(target)
        action = local.path + (f"?{local.query}" if local.query else "")
        return self.post(node, action, {**form.values, **data}, files)

    def log_in(self, node: str, email: str, password: str = DEMO_PASSWORD) -> requests.Response:
        return self.submit(node, "/konto/login/", {"login": email, "password": password})

    def request(
        self, method: str, node: str, path: str, *, follow: bool = True, **kwargs: Any
    ) -> requests.Response:
        """One request, and the redirects after it (to the same node) unless `follow` is off.
        The final response's `url` says where the person ended up."""
        base = self.topology.nodes[node]
        response = self._send(method, node, urljoin(base, path), **kwargs)
        for _hop in range(10):
            if not (follow and response.is_redirect):
                return response
            target = urlsplit(urljoin(response.url, response.headers["Location"]))
            assert target.netloc in (urlsplit(base).netloc, self.topology.public_host), (
                f"a redirect away from the portal: {response.headers['Location']}"
            )
            local = target.path + (f"?{target.query}" if target.query else "")
            response = self._send("GET", node, urljoin(base, local))
        raise AssertionError(f"more than 10 redirects from {path}")

    def _send(
        self, method: str, node: str, url: str, *, stream: bool = False, **kwargs: Any
    ) -> requests.Response:
        headers = {"Accept-Language": "en"}
        if node != "proxy":
            headers.update(
                {
                    "Host": self.topology.public_host,
                    "X-Forwarded-Proto": "https",
                    "X-Forwarded-For": self.address,
                    "X-Forwarded-Host": self.topology.public_host,
                }
            )
        if method == "POST":
            # what a browser sends with a form, and Django's CSRF check reads over HTTPS
            headers["Origin"] = self.topology.public_origin
            headers["Referer"] = urljoin(self.topology.public_origin, urlsplit(url).path)
        prepared = requests.Request(method, url, headers=headers, **kwargs).prepare()
        cookie = get_cookie_header(self.jar, prepared)
        if cookie:
            prepared.headers["Cookie"] = cookie
        response = self.http.send(
            prepared,
            allow_redirects=False,
            stream=stream,
            timeout=TIMEOUT,
            verify=self.topology.proxy_ca if node == "proxy" else True,
        )
        extract_cookies_to_jar(self.jar, prepared, response.raw)
        return response


def portal_queues() -> Any:
    """portal/queues.py, read as a file: its names without importing the `portal` package,
    whose Celery app would point the test process at Django settings."""
    path = Path(__file__).resolve().parents[2] / "portal" / "queues.py"
    spec = importlib.util.spec_from_file_location("portal_queues", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def totp(secret: str, counter: int) -> str:
    """The authenticator app's code for a 30-second step (RFC 6238 with SHA-1, six digits, as
    allauth's TOTP)."""
    key = base64.b32decode(secret, casefold=True)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"
