"""The open-data files are built ahead of time (after a decision or a payment, debounced, and
nightly) and served as they are: with ETag and Last-Modified, gzip to a client that accepts it,
no query on the grants tables, and never a build on a request."""

from __future__ import annotations

import gzip
import json
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from grants import open_data, open_data_store, services
from grants.tasks import build_open_data
from portal.formats import long_datetime
from portal.money import format_sek
from tests.grants.conftest import Grants, decide_proposal, proposed

pytestmark = pytest.mark.django_db
JSON_URL = "grants:open_data_json"
CSV_URL = "grants:open_data_csv"


def body(response) -> bytes:  # type: ignore[no-untyped-def]
    return b"".join(response.streaming_content)


def served_grants(client: Client | None = None) -> list[dict]:  # type: ignore[type-arg]
    response = (client or Client()).get(reverse(JSON_URL))
    assert response.status_code == 200
    return json.loads(body(response))["grants"]  # type: ignore[no-any-return]


def pay(g: Grants, application, amount: str):  # type: ignore[no-untyped-def]
    return services.payment_register(
        application=application,
        actor=g.officer,
        amount=Decimal(amount),
        paid_on=timezone.localdate(application.decided_at),
        reference="x",
        seen_version=services.payment_version(application),
    )


def test_the_files_are_rebuilt_after_a_decision_and_after_a_payment(
    grants: Grants, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    g = grants
    with django_capture_on_commit_callbacks(execute=True):
        application = decide_proposal(proposed(g), g.decision_maker)
    [grant] = served_grants()
    assert grant["amountDisbursed"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        pay(g, application, "15000")
    [grant] = served_grants()
    assert grant["amountDisbursed"] == 15000
    assert "Exempel" in body(Client().get(reverse(CSV_URL))).decode()


def test_many_changes_give_one_scheduled_build(
    grants: Grants, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    g = grants
    first, second = proposed(g), proposed(g)
    with mock.patch.object(build_open_data, "apply_async") as queued:
        # two decisions in one transaction: one build queued
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            decide_proposal(first, g.decision_maker)
            decide_proposal(second, g.decision_maker)
        assert queued.call_count == 1
        # a payment a moment later, while the build is still queued: nothing more is queued
        with django_capture_on_commit_callbacks(execute=True):
            pay(g, first, "1000")
        assert queued.call_count == 1
        assert queued.call_args.kwargs["countdown"] == open_data_store.DEBOUNCE_SECONDS
        # the build clears the flag before it starts: a change during or after it queues one more
        with mock.patch.object(open_data_store, "build", return_value={"built_at": "x"}):
            build_open_data.run()
        with django_capture_on_commit_callbacks(execute=True):
            pay(g, first, "1000")
        assert queued.call_count == 2


def test_a_failed_build_leaves_the_previous_files_intact(grants: Grants) -> None:
    g = grants
    decide_proposal(proposed(g), g.decision_maker)
    open_data_store.build()
    before = open_data_store.current()
    store = open_data_store.storage()
    paths = open_data_store.names()
    contents = {public: store.open(name).read() for public, name in paths.items()}

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        yield '{"grants": ['
        raise RuntimeError("the database went away")

    decide_proposal(proposed(g), g.decision_maker)
    with mock.patch.object(open_data, "package_stream", broken), pytest.raises(RuntimeError):
        open_data_store.build()
    assert open_data_store.current() == before
    assert {public: store.open(name).read() for public, name in paths.items()} == contents
    assert len(served_grants()) == 1
    # no half-written file is left beside them, and the lock is free for the next build
    assert not [n for n in store.listdir("")[1] if n.startswith(".build-")]
    open_data_store.build()
    assert len(served_grants()) == 2


def test_a_build_in_another_process_is_waited_for_even_without_a_shared_cache(
    grants: Grants,
) -> None:
    """A process whose cache is its own (development, `make bench`) does not see another's
    lock in it: the lock on the directory stops the second build before it writes or removes a
    file, and once the first lets go the next build runs."""
    import fcntl

    g = grants
    decide_proposal(proposed(g), g.decision_maker)
    directory = open_data_store._directory()
    if directory is None:
        pytest.skip("the open-data files are in a bucket: the shared cache's lock is the one")
    directory.mkdir(parents=True, exist_ok=True)
    stray = directory / ".build-another.json"  # what the other build is writing
    stray.write_text("{")
    with open(directory / open_data_store.LOCK_FILE, "a") as other:
        fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(open_data_store.BuildBusy):
            open_data_store.build()
        assert open_data_store.current() is None and stray.exists()
        fcntl.flock(other.fileno(), fcntl.LOCK_UN)
    stray.unlink()
    assert open_data_store.build()["files"]
    assert len(served_grants()) == 1


def test_two_builds_never_write_at_once(grants: Grants) -> None:
    from django.core.cache import cache

    assert cache.add(open_data_store.LOCK_KEY, "another build", timeout=60)
    with pytest.raises(open_data_store.BuildBusy):
        open_data_store.build()
    assert open_data_store.current() is None


def test_served_with_etag_last_modified_and_304(grants: Grants) -> None:
    g = grants
    decide_proposal(proposed(g), g.decision_maker)
    open_data_store.build()
    client = Client()
    for url in (JSON_URL, CSV_URL):
        response = client.get(reverse(url))
        assert response.status_code == 200
        etag, modified = response["ETag"], response["Last-Modified"]
        assert etag.startswith('"') and len(etag) == 66  # a strong SHA-256
        assert "public" in response["Cache-Control"] and "max-age=" in response["Cache-Control"]
        assert "Accept-Encoding" in response["Vary"]
        assert int(response["Content-Length"]) == len(body(response))
        again = client.get(reverse(url), HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304 and again["ETag"] == etag
        assert client.get(reverse(url), HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
        assert client.get(reverse(url), HTTP_IF_NONE_MATCH='"other"').status_code == 200
        head = client.head(reverse(url))
        assert head.status_code == 200 and head["ETag"] == etag
        assert head["Content-Length"] == response["Content-Length"]


def test_a_build_of_unchanged_grants_keeps_the_etag_and_last_modified(grants: Grants) -> None:
    g = grants
    application = decide_proposal(proposed(g), g.decision_maker)
    open_data_store.build()
    client = Client()
    first = {url: client.get(reverse(url)) for url in (JSON_URL, CSV_URL)}
    # the nightly build, a day later, with nothing changed: caches keep their copy
    with mock.patch.object(timezone, "now", return_value=timezone.now() + timedelta(days=1)):
        open_data_store.build()
    for url, before in first.items():
        again = client.get(reverse(url), HTTP_IF_NONE_MATCH=before["ETag"])
        assert again.status_code == 304 and again["Last-Modified"] == before["Last-Modified"]
    # a payment changes the package: a new ETag, and the package says when it changed
    pay(g, application, "1000")
    later = timezone.now().replace(microsecond=0) + timedelta(days=2)
    with mock.patch.object(timezone, "now", return_value=later):
        open_data_store.build()
    changed = client.get(reverse(JSON_URL), HTTP_IF_NONE_MATCH=first[JSON_URL]["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first[JSON_URL]["ETag"]
    assert json.loads(body(changed))["modified"] == later.isoformat()
    assert json.loads(body(first[JSON_URL]))["modified"] < later.isoformat()


def test_gzip_to_a_client_that_accepts_it(grants: Grants) -> None:
    g = grants
    decide_proposal(proposed(g), g.decision_maker)
    open_data_store.build()
    client = Client()
    plain = client.get(reverse(JSON_URL))
    packed = client.get(reverse(JSON_URL), HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert packed["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain
    assert gzip.decompress(body(packed)) == body(plain)
    assert packed["ETag"] != plain["ETag"]  # each representation its own strong ETag
    assert packed["Content-Type"] == plain["Content-Type"] == "application/json; charset=utf-8"
    # a client that names gzip only to refuse it, or names something else, gets it plain
    for header in ("gzip;q=0", "br, gzip ; q=0.0", "gzipped", "identity"):
        refused = client.get(reverse(JSON_URL), HTTP_ACCEPT_ENCODING=header)
        assert "Content-Encoding" not in refused, header
    weighed = client.get(reverse(JSON_URL), HTTP_ACCEPT_ENCODING="br;q=1.0, GZIP;q=0.5")
    assert weighed["Content-Encoding"] == "gzip"


def test_a_request_reads_files_only_and_never_builds(grants: Grants) -> None:
    g = grants
    decide_proposal(proposed(g), g.decision_maker)
    open_data_store.build()
    client = Client()
    with (
        mock.patch.object(open_data_store, "build") as build,
        CaptureQueriesContext(connection) as queries,
    ):
        for url in (JSON_URL, CSV_URL):
            client.get(reverse(url))
            client.get(reverse(url), HTTP_ACCEPT_ENCODING="gzip")
        page = client.get(reverse("grants:open_data"))
    build.assert_not_called()
    assert [q["sql"] for q in queries.captured_queries if "grants_" in q["sql"]] == []
    assert page.status_code == 200


def test_before_the_first_build_the_files_answer_503_and_nothing_is_built(db: None) -> None:
    client = Client()
    with mock.patch.object(open_data_store, "build") as build:
        as_json = client.get(reverse(JSON_URL))
        as_csv = client.get(reverse(CSV_URL))
        page = client.get(reverse("grants:open_data")).content.decode()
    build.assert_not_called()
    assert as_json.status_code == as_csv.status_code == 503
    assert as_json["Retry-After"] and as_csv["Retry-After"]
    assert "tas fram" in as_json.json()["detail"]
    assert as_csv["Content-Type"].startswith("text/plain") and "tas fram" in as_csv.content.decode()
    assert gettext("The figures are being prepared. Come back in a few minutes.") in page


def test_the_statistics_page_reads_the_summary(grants: Grants) -> None:
    g = grants
    g.call.budget = Decimal("10000000")
    g.call.save()
    amounts = [decide_proposal(proposed(g), g.decision_maker).decided_amount for _ in range(2)]
    manifest = open_data_store.build()
    with CaptureQueriesContext(connection) as queries:
        page = Client().get(reverse("grants:open_data")).content.decode()
    assert [q["sql"] for q in queries.captured_queries if "grants_application" in q["sql"]] == []
    assert g.programme.name in page and format_sek(sum(amounts)) in page
    built = open_data_store.summary(manifest)
    assert built is not None and built["grants"] == 2
    # "Uppdaterad 29 november 2026 kl. 09.58"
    assert gettext("Updated %(when)s") % {"when": long_datetime(built["built_at"])} in page
    assert "kB" in page or "byte" in page  # the sizes of the two files
