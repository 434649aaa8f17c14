"""More than one machine: two web nodes behind the proxy, a worker per queue and beat, sharing
PostgreSQL, Redis and the object storage, and nothing else (deploy/topology.py starts them;
each process has a disk of its own).

What one node does, the other must know: a file stored through one is served by the other
(from the bucket, never from a disk), a second-factor code used on one is used on both, and a
login rate limit counts the failures on every node. The proxy spreads the requests over both
nodes and turns to the other when one stops (the last test here: it stops web1 for good)."""

from __future__ import annotations

import os
import re
import signal
import socket
import time
import uuid
from collections.abc import Callable
from urllib.parse import urlsplit

import requests

from tests.multiprocess.conftest import (
    Browser,
    Page,
    Topology,
    client_address,
    portal_queues,
    totp,
)

NODES = ("web1", "web2")


def small_pdf(marker: str) -> bytes:
    """A one-page PDF whose bytes are this test's own (the marker), with its cross-reference
    table: the portal takes a file for what its content is (portal.files)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    document = b"%PDF-1.4\n%% " + marker.encode() + b"\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(document))
        document += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(document)
    document += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    document += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    document += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return document


def upload_largest(person: Browser, node: str, kind: str) -> tuple[str, bytes]:
    """forening@exempel.se logs in on `node` and uploads a document of the largest size allowed
    (20 MB) as `kind` for their organisation: its download address, and its bytes."""
    marker = uuid.uuid4().hex
    name = f"stor-{marker[:12]}.pdf"
    head = small_pdf(marker)
    content = head[:-6] + b"%" + b"0" * (20 * 1024 * 1024 - len(head) - 16) + b"\n" + head[-6:]
    person.log_in(node, "forening@exempel.se")
    mine = Page(person.get(node, "/foreningar/").text)
    organisation = next(
        m[1] for href, _ in mine.links if (m := re.fullmatch(r"/foreningar/(\d+)/", href))
    )
    uploaded = person.submit(
        node,
        f"/foreningar/{organisation}/dokument/",
        {"kind": kind},
        files={"file": (name, content, "application/pdf")},
    )
    assert uploaded.status_code == 200
    return next(href for href, text in Page(uploaded.text).links if text == name), content


def path_of(response: requests.Response) -> str:
    return urlsplit(response.url).path


def wait_for(what: str, condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Poll until the condition holds; fail, saying what was awaited, after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:g} s: {what}")
        time.sleep(0.2)


def served_by(topology: Topology, marker: str) -> dict[str, int]:
    """How many requests carrying the marker each node's access log shows."""
    return {node: topology.log(node).read_text().count(marker) for node in NODES}


def test_a_document_uploaded_through_one_node_is_downloaded_through_the_other(
    topology: Topology,
) -> None:
    marker = uuid.uuid4().hex
    name = f"topologi-{marker[:12]}.pdf"
    content = small_pdf(marker)

    # An association's representative uploads the year's activity report through web1.
    representative = Browser(topology)
    assert path_of(representative.log_in("web1", "forening@exempel.se")) != "/konto/login/"
    mine = Page(representative.get("web1", "/foreningar/").text)
    organisations = {
        m[1] for href, _ in mine.links if (m := re.fullmatch(r"/foreningar/(\d+)/", href))
    }
    assert len(organisations) == 1, (
        f"forening@exempel.se should represent one organisation: {organisations}"
    )
    documents = f"/foreningar/{organisations.pop()}/dokument/"
    uploaded = representative.submit(
        "web1",
        documents,
        {"kind": "verksamhetsberattelse"},
        files={"file": (name, content, "application/pdf")},
    )
    assert uploaded.status_code == 200
    assert "has been uploaded" in Page(uploaded.text).text
    links = [href for href, text in Page(uploaded.text).links if text == name]
    assert len(links) == 1, f"no link to {name} on {uploaded.url}"
    download = links[0]

    # The same person (the same session: sessions live in the shared cache and the database)
    # downloads it through web2, byte for byte.
    downloaded = representative.get("web2", download)
    assert downloaded.status_code == 200
    assert downloaded.content == content
    assert downloaded.headers["Content-Type"] == "application/pdf"
    assert name in downloaded.headers["Content-Disposition"]

    # It is one object in the bucket, under the portal's private prefix ...
    s3 = topology.s3()
    prefix = f"{topology.s3_prefix}/private/"
    keys = [
        item["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(
            Bucket=topology.s3_bucket, Prefix=prefix
        )
        for item in page.get("Contents", [])
        if item["Size"] == len(content)
    ]
    holding = [
        key
        for key in keys
        if s3.get_object(Bucket=topology.s3_bucket, Key=key)["Body"].read() == content
    ]
    assert len(holding) == 1, f"the upload should be one object under {prefix}: {holding}"
    # ... which the storage server refuses to someone without credentials,
    anonymous = requests.get(
        f"{topology.s3_endpoint_url}/{topology.s3_bucket}/{holding[0]}", timeout=30
    )
    assert anonymous.status_code == 403
    assert content not in anonymous.content
    # and no process has it on its own disk: it went from web1 to web2 through the bucket.
    copies = [
        path
        for path in topology.state_dir.rglob("*")
        if path.is_file() and path.stat().st_size == len(content) and path.read_bytes() == content
    ]
    assert copies == []

    # On web2, a representative of another organisation gets no such file, and someone not
    # logged in is sent to the login page.
    other = Browser(topology)
    assert path_of(other.log_in("web2", "forening2@exempel.se")) != "/konto/login/"
    refused = other.get("web2", download)
    assert refused.status_code in (403, 404)
    assert content not in refused.content
    stranger = Browser(topology).request("GET", "web2", download, follow=False)
    assert stranger.status_code == 302
    assert urlsplit(stranger.headers["Location"]).path == "/konto/login/"


def test_a_slow_download_of_the_largest_document_is_not_cut_off(topology: Topology) -> None:
    """A 20 MB document read by a slow connection keeps the node busy for longer than
    gunicorn's timeout (deploy/topology.py gives the nodes 3 s): the worker's threads keep it
    alive, and the whole file arrives (a sync worker was killed half-way, the file cut off)."""
    representative = Browser(topology)
    download, content = upload_largest(representative, "web1", "ekonomisk_berattelse")

    started = time.monotonic()
    response = representative.request("GET", "web2", download, stream=True)
    assert response.status_code == 200
    received = bytearray()
    for chunk in response.iter_content(256 * 1024):
        received += chunk
        # about 1 MB/s: the whole file takes about 20 s, and when gunicorn's timeout ends a
        # worker that is stuck in it (about 4 s), more is left than the sockets hold
        time.sleep(0.25)
    elapsed = time.monotonic() - started
    timeout = int(os.environ["TOPOLOGY_WEB_TIMEOUT"])
    assert elapsed > 1.5 * timeout, f"the download took {elapsed:.1f} s: not slow enough"
    assert bytes(received) == content


def test_a_totp_code_used_on_one_node_is_refused_on_the_other(topology: Topology) -> None:
    # The code of the current 30-second step, taken with at least 10 s of the step left, so
    # both logins fall inside the step whatever the tolerance (the portal also accepts the
    # steps either side, MFA_TOTP_TOLERANCE): a refusal below is for the code's use, never
    # for its age.
    left = 30 - time.time() % 30
    if left < 10:
        time.sleep(left + 0.5)
    step = int(time.time()) // 30
    code = totp(topology.totp_secret, step)

    first = Browser(topology)
    challenged = first.log_in("web1", topology.totp_account)
    assert path_of(challenged) == "/konto/2fa/authenticate/"
    accepted = first.submit("web1", path_of(challenged), {"code": code})
    assert path_of(accepted) not in ("/konto/2fa/authenticate/", "/konto/login/")
    assert path_of(first.get("web1", "/handlaggning/")) == "/handlaggning/"

    # Another browser, on the other node, with the password and the same code: refused.
    second = Browser(topology)
    challenged = second.log_in("web2", topology.totp_account)
    assert path_of(challenged) == "/konto/2fa/authenticate/"
    refused = second.submit("web2", path_of(challenged), {"code": code})
    assert path_of(refused) == "/konto/2fa/authenticate/"
    assert "Incorrect code." in Page(refused.text).text
    assert path_of(second.get("web2", "/handlaggning/")) != "/handlaggning/"

    # The next step's code (within the tolerance) is taken on web2: the refusal was the used
    # code, not web2's second factor.
    fresh = next(
        c
        for c in (totp(topology.totp_secret, step + 1), totp(topology.totp_secret, step - 1))
        if c != code
    )
    accepted = second.submit("web2", path_of(challenged), {"code": fresh})
    assert path_of(accepted) not in ("/konto/2fa/authenticate/", "/konto/login/")
    assert path_of(second.get("web2", "/handlaggning/")) == "/handlaggning/"


TOO_MANY = "Too many failed login attempts"
WRONG = "The email address and/or password you specified are not correct."


def test_failed_logins_for_an_account_on_one_node_count_on_the_other(topology: Topology) -> None:
    # allauth: five failures for one account in five minutes (ACCOUNT_RATE_LIMITS
    # "login_failed", per key), from any address. The key is the request's host and the email
    # address: behind the proxy every node sees the portal's public host (Browser sends it).
    guesser = Browser(topology)
    for attempt in range(5):
        answer = guesser.log_in("web1", "registrator@exempel.se", f"wrong-password-{attempt}")
        assert WRONG in Page(answer.text).text

    # The account's owner, from another address, on the other node, with the right password.
    owner = Browser(topology)
    refused = owner.log_in("web2", "registrator@exempel.se")
    assert path_of(refused) == "/konto/login/"
    assert TOO_MANY in Page(refused.text).text


def test_failed_logins_from_an_address_on_one_node_count_on_the_other(topology: Topology) -> None:
    # allauth: ten failures from one address in a minute ("login_failed", per ip), whatever
    # the accounts; the address is the client's, from the proxy's X-Forwarded-For.
    address = client_address()
    guesser = Browser(topology, address)
    started = time.monotonic()
    for attempt in range(10):
        answer = guesser.log_in("web1", f"nobody-{attempt}@exempel.se", "wrong-password")
        assert WRONG in Page(answer.text).text
    took = time.monotonic() - started
    assert took < 50, f"ten failed logins took {took:.0f} s: the limit counts per minute"

    # From that address, on the other node, even the right password of a real account.
    refused = Browser(topology, address).log_in("web2", "beslutsfattare@exempel.se")
    assert path_of(refused) == "/konto/login/"
    assert TOO_MANY in Page(refused.text).text
    # From another address the same account logs in: it is the address that is limited.
    accepted = Browser(topology).log_in("web2", "beslutsfattare@exempel.se")
    assert path_of(accepted) != "/konto/login/"
    assert TOO_MANY not in Page(accepted.text).text


def test_workers_one_per_queue_and_beat(topology: Topology) -> None:
    from celery import Celery

    queues = portal_queues()
    app = Celery("multiprocess-tests", broker=topology.redis_url, backend=topology.redis_url)
    app.conf.task_queues = queues.TASK_QUEUES

    # Each queue has exactly one consumer, the worker named after it, and no worker takes
    # more than its queue.
    active = app.control.inspect(timeout=3).active_queues() or {}
    consumers: dict[str, list[str]] = {}
    for worker, consumed in active.items():
        for queue in consumed:
            consumers.setdefault(queue["name"], []).append(worker)
    assert consumers == {name: [f"{name}@topology"] for name in queues.QUEUE_NAMES}

    # And runs what is sent to its queue: the worker check's ping, through each queue.
    for name in queues.QUEUE_NAMES:
        result = app.send_task("portal.tasks.ping", queue=name)
        assert "pong" in result.get(timeout=60)
        log = topology.log(f"worker-{name}")
        wait_for(
            f"worker-{name} logs the ping {result.id}",
            lambda: f"Task portal.tasks.ping[{result.id}] succeeded" in log.read_text(),  # noqa: B023
        )

    # Beat: its one process runs (not a zombie) and has started its schedule.
    with open(f"/proc/{topology.beat_pid}/status") as status:
        state = next(line for line in status if line.startswith("State:"))
    assert state.split()[1] in ("S", "R", "D"), state
    with open(f"/proc/{topology.beat_pid}/cmdline", "rb") as cmdline:
        assert b"beat" in cmdline.read().split(b"\0")
    assert "beat: Starting..." in topology.log("beat").read_text()


def test_downloads_at_once_count_on_both_nodes_and_end_with_the_download(
    topology: Topology,
) -> None:
    """A person holds at most DOWNLOADS_PER_PERSON (4) downloads at once on all nodes together:
    the slots are in Redis, and a node gives one back when its download ends, however it ends
    (here the reader goes away half-way)."""
    member = Browser(topology)
    # far more than a socket holds, so that a download nobody reads stays under way
    download, _content = upload_largest(member, "web2", "verksamhetsplan")

    under_way = [
        member.request("GET", node, download, stream=True)
        for node in ("web1", "web2", "web1", "web2")
    ]
    assert [response.status_code for response in under_way] == [200] * 4
    try:
        refused = member.get("web1", download)
        assert refused.status_code == 429
        assert "Too many downloads at once" in refused.text
        assert member.get("web2", download).status_code == 429
    finally:
        under_way[1].close()  # the reader goes away: web2 ends that download, the slot is free

    def another_download_starts() -> bool:
        response = member.request("GET", "web1", download, stream=True)
        response.close()
        return response.status_code == 200

    wait_for("a slot freed by the download that ended", another_download_starts)
    for response in under_way:
        response.close()


def test_the_proxy_is_ready_and_spreads_requests_over_both_nodes(topology: Topology) -> None:
    person = Browser(topology)
    ready = person.get("proxy", "/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ok"

    # A login through the proxy, over TLS: secure cookies, CSRF over HTTPS, the client's
    # address from the proxy.
    assert path_of(person.log_in("proxy", "forening2@exempel.se")) == "/oversikt/"
    marker = uuid.uuid4().hex
    for number in range(8):
        page = person.get("proxy", f"/oversikt/?probe={marker}-{number}")
        assert page.status_code == 200
        assert path_of(page) == "/oversikt/"  # logged in on whichever node answered
    wait_for(
        "both access logs show the 8 requests",
        lambda: sum(served_by(topology, marker).values()) == 8,
    )
    served = served_by(topology, marker)
    assert served["web1"] > 0 and served["web2"] > 0, served


def test_the_proxy_turns_to_the_other_node_when_one_stops(topology: Topology) -> None:
    """Last: stops web1 for good (deploy/topology.py notes it and carries on)."""
    person = Browser(topology)
    assert path_of(person.log_in("proxy", "forening2@exempel.se")) == "/oversikt/"

    os.kill(topology.web1_pid, signal.SIGTERM)  # gunicorn's graceful stop

    def web1_refuses() -> bool:
        address = urlsplit(topology.nodes["web1"])
        try:
            socket.create_connection((address.hostname, address.port), timeout=1).close()
        except OSError:
            return True
        return False

    wait_for("web1 stops listening", web1_refuses)

    marker = uuid.uuid4().hex
    for number in range(6):
        page = person.get("proxy", f"/oversikt/?probe={marker}-{number}")
        assert page.status_code == 200
        assert path_of(page) == "/oversikt/"
    wait_for(
        "web2's access log shows the 6 requests",
        lambda: served_by(topology, marker)["web2"] == 6,
    )
    assert served_by(topology, marker)["web1"] == 0
