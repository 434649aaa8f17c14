"""Server time and query count of every page that must stay fast at scale, beside a floor: the
officer's pages (the inbox in every filter and sort, an exact lookup, the application page, the
reports, payments, recoveries, decisions, organisation and IOP lists, Notiser) and the public
ones, each requested right after `/healthz` (a view that makes one query) in the same run, so the
result is a ratio a noisy machine does not change. Then the hourly reminder scan and the
open-data files (the agreement PDF: `bench_pdf`; over HTTP: `bench_http`). Requests go through
Django's test client against the configured database; run it with `make bench` after
`seed_scale`. It prints tables; it asserts nothing."""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as clock
from typing import Any
from unittest import mock

import django.test.client
from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection, transaction
from django.db.models import Min, Q
from django.dispatch import Signal
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grants import open_data_store, selectors
from grants.models import Application, FollowUpReport
from portal import notifications, runtime
from portal.management.commands.bench_http import pick_member
from portal.models import (
    Notification,
    NotificationStatus,
    PublicBodyMembership,
    PublicBodyRole,
    User,
)

# A page's p95 as a multiple of the floor's p50, at most: officer pages 15, an exact lookup
# (a diarienummer, an organisationsnummer) and public pages 5. Building a public page's kept
# list ("build": once an address and PUBLIC_PAGE_CACHE_SECONDS, for every visitor together) is
# measured and shown, with no target of its own. The statistics of who gets the support
# ("insights": the officers' dashboard and the public page, read from the summaries the worker
# built) 5, for officers and the public alike.
TARGETS: dict[str, int | None] = {
    "officer": 15,
    "lookup": 5,
    "public": 5,
    "insights": 5,
    "build": None,
}


@dataclass
class Page:
    name: str
    kind: str  # "officer", "lookup", "public", "insights" or "build": which target applies
    client: Client
    path: str
    params: dict[str, str] = field(default_factory=dict)
    built: bool = False  # a public page built for the request, nothing of it kept
    opens: str = ""  # the page answers with a redirect to this path (a lookup opens its case)


@dataclass
class Result:
    name: str
    kind: str
    p50: float
    p95: float
    queries: int
    floor: float  # the floor's p50 in the same run


class _SentOnly:
    """A request signal as Django's test client sees it during the run: sent as ever; the
    client's disconnecting and connecting of `close_old_connections` around each request do
    nothing (`connections_closed_as_a_worker_does`)."""

    def __init__(self, signal: Signal) -> None:
        self.signal = signal

    def send(self, sender: Any, **named: Any) -> list[tuple[Any, Any]]:
        return self.signal.send(sender, **named)

    def connect(self, *args: Any, **kwargs: Any) -> None:
        pass

    def disconnect(self, *args: Any, **kwargs: Any) -> bool:
        return False


@contextmanager
def connections_closed_as_a_worker_does() -> Iterator[None]:
    """The request signals as in a web worker: connected once, not around every request.

    Django's test client disconnects `close_old_connections` from `request_started` and
    `request_finished` for each request and connects it again afterwards. Every connection
    leaves a `weakref.finalize` on that function behind (`Signal.connect` makes it before it
    sees the receiver is there already), four objects that live as long as the function: over a
    run's 2 400 requests, 20 000 objects more for every full garbage collection to walk (up to
    35 ms, growing through the run, the officer pages' p95 outliers). A web worker connects it
    once. For the run it stays disconnected, as the client has it during each request (the
    connection is the benchmark's own throughout), and the client's reconnecting is skipped."""
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    try:
        with (
            mock.patch.object(django.test.client, "request_started", _SentOnly(request_started)),
            mock.patch.object(django.test.client, "request_finished", _SentOnly(request_finished)),
        ):
            yield
    finally:
        for signal in signals:
            signal.connect(close_old_connections)


class Command(BaseCommand):
    help = "Measure p50/p95 server time and query counts of the busiest pages."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rounds", type=int, default=40, help="interleaved rounds: every page once in each"
        )
        parser.add_argument(
            "--pages-only",
            action="store_true",
            help="measure the pages only (not the reminder scan and the open-data files)",
        )
        parser.add_argument("--scan-repeat", type=int, default=5)
        parser.add_argument(
            "--scan-day",
            type=date.fromisoformat,
            default=None,
            help="the day the reminder scan runs on (default: the day seed_scale added its "
            "follow-up reports, so the scan finds what was seeded for it)",
        )

    def handle(
        self,
        *args: Any,
        rounds: int,
        pages_only: bool = False,
        scan_repeat: int = 5,
        scan_day: date | None = None,
        **options: Any,
    ) -> None:
        membership = (
            PublicBodyMembership.objects.filter(role=PublicBodyRole.CASE_OFFICER)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        if membership is None:
            raise CommandError("No case officer: run seed_demo and seed_scale first.")
        officer = membership.user
        self.two_factor(officer)
        application = (
            Application.objects.filter(call__programme__public_body=membership.public_body)
            .exclude(status="draft")
            .order_by("-submitted_at")
            .first()
        )
        if application is None:
            raise CommandError("No applications: run seed_scale first.")
        count = Application.objects.count()
        officer_client = Client(SERVER_NAME="localhost")
        officer_client.force_login(officer)
        public = Client(SERVER_NAME="localhost")
        decider = (
            PublicBodyMembership.objects.filter(
                role=PublicBodyRole.DECISION_MAKER, public_body=membership.public_body
            )
            .select_related("user")
            .order_by("pk")
            .first()
        )
        decider_client = Client(SERVER_NAME="localhost")
        if decider is not None:
            self.two_factor(decider.user)
            decider_client.force_login(decider.user)
        # an association's representative, logged in: the public lists in a header of their own
        member_client = Client(SERVER_NAME="localhost")
        member_client.force_login(pick_member())
        pages = self.pages(officer_client, decider_client, public, member_client, application)
        self.stdout.write(
            f"{count} applications, {connection.vendor}; {rounds} interleaved rounds: in each, "
            "/healthz (the floor: one query) before every page"
        )
        if open_data_store.current() is None:
            self.stdout.write("building the open-data files first (the statistics page reads them)")
            open_data_store.build(wait=60)
        # as a web worker starts (portal.wsgi): templates loaded, long-lived objects frozen
        runtime.prepare_worker()
        try:
            with connections_closed_as_a_worker_does():
                results = self.measure(pages, public, rounds)
        finally:
            # the sessions force_login wrote are deleted, not left in the database
            officer_client.logout()
            decider_client.logout()
            member_client.logout()
        self.table(results)
        if pages_only:
            return
        self.reminder_scan(scan_repeat, scan_day)
        self.open_data()

    @staticmethod
    def two_factor(user: User) -> None:
        """Officers must have two-factor authentication to open their pages."""
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

            TOTP.activate(user, generate_totp_secret())

    @staticmethod
    def pages(
        officer: Client,
        decider: Client,
        public: Client,
        member: Client,
        application: Application,
    ) -> list[Page]:
        """Every page a busy officer or the public opens, in every filter and sort of the inbox.
        Each is judged against its own target (`TARGETS`)."""
        inbox = reverse("grants:inbox")
        statistics = reverse("insights:dashboard")
        one_year = {
            "ar": str(timezone.localtime(application.submitted_at or timezone.now()).year),
            "del": f"body:{application.public_body_id}",
        }
        number = application.organisation.organisation_number or ""
        organisation = reverse("organisations:officer_detail", args=[application.organisation_id])
        return [
            Page("officer overview", "officer", officer, reverse("portal:officer_home")),
            Page("inbox, first page", "officer", officer, inbox),
            Page("inbox, submitted", "officer", officer, inbox, {"status": "submitted"}),
            Page(
                "inbox, completion waiting",
                "officer",
                officer,
                inbox,
                {"status": "completion_requested"},
            ),
            Page("inbox, one call", "officer", officer, inbox, {"call": str(application.call_id)}),
            Page("inbox, assigned to me", "officer", officer, inbox, {"assigned": "me"}),
            Page("inbox, unassigned", "officer", officer, inbox, {"assigned": "none"}),
            Page("inbox, oldest first", "officer", officer, inbox, {"sort": "oldest"}),
            Page(
                "inbox, by deadline",
                "officer",
                officer,
                inbox,
                {"status": "in_review", "sort": "deadline"},
            ),
            Page("inbox, name search", "officer", officer, inbox, {"q": "Solstrålen"}),
            Page(
                "inbox, diarienummer",
                "lookup",
                officer,
                inbox,
                {"q": application.registry_number or ""},
                opens=reverse("grants:officer_application", args=[application.pk]),
            ),
            Page(
                "inbox, organisationsnummer",
                "lookup",
                officer,
                inbox,
                {"q": number},
                opens=organisation + "#ansokningar",
            ),
            # where the number leads: the organisation, with its cases in the officer's bodies
            Page("organisation page", "officer", officer, organisation),
            Page(
                "application page",
                "officer",
                officer,
                reverse("grants:officer_application", args=[application.pk]),
            ),
            Page("decisions (decision maker)", "officer", decider, reverse("grants:decisions")),
            Page("reports", "officer", officer, reverse("grants:reports")),
            Page(
                "reports, overdue",
                "officer",
                officer,
                reverse("grants:reports"),
                {"state": "overdue"},
            ),
            Page("payments", "officer", officer, reverse("grants:payments")),
            Page(
                "payments, fully paid",
                "officer",
                officer,
                reverse("grants:payments"),
                {"state": "fully_paid"},
            ),
            Page("recoveries", "officer", officer, reverse("grants:recoveries")),
            Page("organisation queue", "officer", officer, reverse("organisations:officer_queue")),
            Page("IOP list", "officer", officer, reverse("agreements:officer_list")),
            Page("Notiser", "officer", officer, reverse("portal:notifications")),
            Page("statistics (officer)", "insights", officer, statistics),
            Page("statistics, a year and body", "insights", officer, statistics, one_year),
            Page("statistics (public)", "insights", public, reverse("insights:public")),
            Page(
                "statistics, a year (public)",
                "insights",
                public,
                reverse("insights:public"),
                {"ar": one_year["ar"]},
            ),
            Page("open calls", "public", public, reverse("grants:calls")),
            Page("directory", "public", public, reverse("organisations:directory")),
            Page("open-data page", "public", public, reverse("grants:open_data")),
            Page("IOP register", "public", public, reverse("agreements:register")),
            # a member logged in: the kept list in their own header (portal.public_cache)
            Page("open calls, logged in", "public", member, reverse("grants:calls")),
            Page("directory, logged in", "public", member, reverse("organisations:directory")),
            Page("IOP register, logged in", "public", member, reverse("agreements:register")),
            # what building a public list costs, once an address and PUBLIC_PAGE_CACHE_SECONDS
            Page("open calls, built", "build", public, reverse("grants:calls"), built=True),
            Page(
                "directory, built",
                "build",
                public,
                reverse("organisations:directory"),
                built=True,
            ),
            Page(
                "IOP register, built", "build", public, reverse("agreements:register"), built=True
            ),
        ]

    def measure(self, pages: list[Page], floor_client: Client, rounds: int) -> list[Result]:
        """`rounds` rounds; in each, every page once, each right after a request to the floor, so
        the floor sees the same machine as the page. The query count is taken once, afterwards."""
        floor_url = reverse("healthz")
        for page in pages:  # warm up: templates, translations, connections
            self.request_page(page)
        floor_times: list[float] = []
        times: dict[str, list[float]] = {page.name: [] for page in pages}
        for _ in range(rounds):
            floor_client = self.fresh(pages, floor_client)
            for page in pages:
                floor_times.append(self.request(floor_client, floor_url, {}, "/healthz"))
                times[page.name].append(self.request_page(page))
        floor = Result("/healthz (floor)", "floor", *self.quantiles(floor_times), 1, 0)
        results = [floor]
        for page in pages:
            with CaptureQueriesContext(connection) as queries:
                self.request_page(page)
            p50, p95 = self.quantiles(times[page.name])
            results.append(Result(page.name, page.kind, p50, p95, len(queries), floor.p50))
        return results

    @staticmethod
    def fresh(pages: list[Page], floor_client: Client) -> Client:
        """New test clients with the same cookies (the same sessions), for a new round. Django's
        test client registers a finalizer on itself with every request (its receiver of
        `got_request_exception`), which lives as long as the client does: kept for a whole run,
        the garbage collector walked them all in every full collection, a cost no web worker
        has (the other such finalizers: `connections_closed_as_a_worker_does`)."""
        copies: dict[int, Client] = {}

        def copy_of(client: Client) -> Client:
            if id(client) not in copies:
                copy = Client(SERVER_NAME="localhost")
                copy.cookies = client.cookies
                copies[id(client)] = copy
            return copies[id(client)]

        for page in pages:
            page.client = copy_of(page.client)
        return copy_of(floor_client)

    def request_page(self, page: Page) -> float:
        if page.built:
            with override_settings(PUBLIC_PAGE_CACHE_SECONDS=0):
                return self.request(page.client, page.path, page.params, page.name)
        return self.request(page.client, page.path, page.params, page.name, opens=page.opens)

    @staticmethod
    def request(
        client: Client, path: str, params: dict[str, str], name: str, opens: str = ""
    ) -> float:
        """Milliseconds to answer; the answer must be the page (200), or for a lookup the
        redirect to what it opens."""
        started = time.perf_counter()
        response = client.get(path, params)
        elapsed = (time.perf_counter() - started) * 1000
        if opens:
            if response.status_code != 302 or response["Location"] != opens:
                raise CommandError(
                    f"{name}: HTTP {response.status_code}, not a redirect to {opens}"
                )
        elif response.status_code != 200:
            raise CommandError(f"{name}: HTTP {response.status_code}")
        return elapsed

    @staticmethod
    def quantiles(times: list[float]) -> tuple[float, float]:
        p95 = statistics.quantiles(times, n=20)[18] if len(times) >= 2 else times[0]
        return statistics.median(times), p95

    def table(self, results: list[Result]) -> None:
        """p50, p95 and queries per page, its p95 as a multiple of the floor's p50, the target
        and whether it is met. The same columns as the README's speed table."""
        self.stdout.write(
            f"{'page':<28} {'p50 ms':>7} {'p95 ms':>7} {'queries':>7} {'p95 × floor':>11} "
            f"{'target':>6}"
        )
        failed = judged = 0
        for r in results:
            if r.kind == "floor":
                self.stdout.write(f"{r.name:<28} {r.p50:>7.1f} {r.p95:>7.1f} {r.queries:>7}")
                continue
            ratio = r.p95 / r.floor
            target = TARGETS[r.kind]
            if target is None:
                verdict = f"{'—':>6} once a while"
            else:
                judged += 1
                met = ratio <= target
                failed += not met
                verdict = f"{'≤' + str(target):>6} {'ok' if met else 'SLOW'}"
            self.stdout.write(
                f"{r.name:<28} {r.p50:>7.1f} {r.p95:>7.1f} {r.queries:>7} {ratio:>11.1f} {verdict}"
            )
        self.stdout.write(f"{judged - failed} of {judged} pages within their target")

    def reminder_scan(self, repeat: int, day: date | None) -> None:
        """The hourly reminder scan (portal.notifications.scan) at noon, after the digest hour:
        the busiest run of the day. By default on the day seed_scale wrote its follow-up reports,
        so it finds the reports, drafts and completions due that were seeded for it whenever the
        benchmark runs. Each run is rolled back, so every run does the same work and leaves no
        outbox rows behind. The rows are not queued for sending: with no REDIS_URL Celery runs
        tasks eagerly and would send every email inline, so queue_pending is replaced by its
        query of the waiting rows without the task per row (that per-row cost is not measured)."""
        if day is None:
            seeded = FollowUpReport.objects.filter(
                application__title__startswith="Skalad "
            ).aggregate(first=Min("updated_at"))["first"]
            day = timezone.localdate(seeded) if seeded else timezone.localdate()
        now = datetime.combine(day, clock(12), timezone.get_current_timezone())

        def waiting_rows() -> int:
            """queue_pending without queueing: the same query, no send_notification.delay()."""
            stale = timezone.now() - notifications.claim_timeout()
            return len(
                Notification.objects.filter(
                    Q(status=NotificationStatus.PENDING)
                    | Q(status=NotificationStatus.SENDING, claimed_at__lt=stale)
                ).values_list("pk", flat=True)
            )

        def run() -> tuple[float, int, int, int]:
            with (
                mock.patch.object(notifications, "queue_pending", waiting_rows),
                transaction.atomic(),
            ):
                before = Notification.objects.count()
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    queued = notifications.scan(now=now)
                    seconds = time.perf_counter() - started
                written = Notification.objects.count() - before
                transaction.set_rollback(True)  # nothing the scan wrote stays
            return seconds, len(queries), written, queued

        applications = Application.objects.count()
        reports = FollowUpReport.objects.count()
        self.stdout.write(
            f"\nreminder scan on {now:%Y-%m-%d %H:%M}: {applications} applications, "
            f"{reports} follow-up reports; {repeat} runs after one warm-up, each rolled back; "
            "outbox rows written but not queued (queue_pending patched: no email is sent)"
        )
        self.stdout.write(
            f"{'scan':<26} {'p50 s':>8} {'p95 s':>8} {'queries':>8} {'rows':>8} {'waiting':>8}"
        )
        first = run()
        results = [run() for _ in range(max(1, repeat))]
        times = sorted(r[0] for r in results)
        p95 = (
            statistics.quantiles(times, n=20, method="inclusive")[18]
            if len(times) > 1
            else times[0]
        )
        _seconds, queries, written, queued = results[-1]
        self.stdout.write(
            f"{'scan(now=…)':<26} {statistics.median(times):>8.2f} {p95:>8.2f} "
            f"{queries:>8} {written:>8} {queued:>8}"
        )
        self.stdout.write(f"{'first (cold) run':<26} {first[0]:>8.2f} {'':>8} {first[1]:>8}")

    def open_data(self) -> None:
        """The open-data files: one build (time, peak Python memory, queries), then what a
        download costs the server: time to first byte and to the whole file, plain and gzip, and
        a conditional request answered 304; none of them may touch the grants tables."""
        grants = selectors.granted().count()
        self.stdout.write(f"\nopen data: {grants} grants")
        # timed as it runs in a worker (tracemalloc would make it several times slower); the
        # memory is the process's peak resident size, which the build must not raise much
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            manifest = open_data_store.build(wait=60)
            seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        sizes = ", ".join(
            f"{name} {record['size'] / 1e6:.1f} MB (gzip {record['gzip']['size'] / 1e6:.1f} MB)"
            for name, record in manifest["files"].items()
            if record
        )
        self.stdout.write(
            f"build: {seconds:.1f} s, {len(queries)} queries, process peak {peak:.0f} MB "
            f"({before:.0f} MB before); {sizes}"
        )
        client = Client(SERVER_NAME="localhost")
        rows = []
        for name in ("json", "csv"):
            url = reverse(f"grants:open_data_{name}")
            etag = client.get(url).headers["ETag"]
            for label, headers in (
                (f"grants.{name}", {}),
                (f"grants.{name}, gzip", {"HTTP_ACCEPT_ENCODING": "gzip"}),
                (f"grants.{name}, 304", {"HTTP_IF_NONE_MATCH": etag}),
            ):
                rows.append((label, *self.download(client, url, headers)))
        self.stdout.write(
            f"{'file':<22} {'first byte p50':>14} {'p95 ms':>7} {'whole p50 ms':>12} "
            f"{'queries':>7} {'target':>7}"
        )
        for label, first, whole, count in rows:
            p50, p95 = self.quantiles(first)
            met = "ok" if p95 < 50 and count == 0 else "SLOW"
            self.stdout.write(
                f"{label:<22} {p50:>14.1f} {p95:>7.1f} {statistics.median(whole):>12.1f} "
                f"{count:>7} {'<50':>7} {met}"
            )

    @staticmethod
    def download(
        client: Client, url: str, headers: dict[str, str], repeat: int = 20
    ) -> tuple[list[float], list[float], int]:
        """Times to the first byte and to the last, in ms, and the queries of one request to
        tables of the grants app (none: a download reads the built file)."""
        first, whole = [], []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(url, **headers)  # type: ignore[arg-type]
            chunks = iter(
                response.streaming_content  # type: ignore[attr-defined]
                if response.streaming
                else [response.content]
            )
            next(chunks, b"")
            first.append((time.perf_counter() - started) * 1000)
            for _chunk in chunks:
                pass
            whole.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(url, **headers)  # type: ignore[arg-type]
        count = sum("grants_" in query["sql"] for query in queries.captured_queries)
        return first, whole, count
