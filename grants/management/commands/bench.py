"""Server time and query count of the pages that must stay fast at scale: the case officer's
inbox (first page, a filtered page, a search), an application page and the public list of open
calls; then the hourly reminder scan and the open-data files (the agreement PDF: `bench_pdf`). Requests go
through Django's test client against the configured database; run it with `make bench` after
`seed_scale`. It prints tables; it asserts nothing."""

from __future__ import annotations

import statistics
import time
import tracemalloc
from datetime import date, datetime
from datetime import time as clock
from typing import Any
from unittest import mock

from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.db.models import Min, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grants import selectors
from grants.models import Application, FollowUpReport
from portal import notifications
from portal.models import (
    Notification,
    NotificationStatus,
    PublicBodyMembership,
    PublicBodyRole,
)


class Command(BaseCommand):
    help = "Measure p50/p95 server time and query counts of the busiest pages."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeat", type=int, default=30)
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
        repeat: int,
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
        if not Authenticator.objects.filter(user=officer, type=Authenticator.Type.TOTP).exists():
            from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

            TOTP.activate(officer, generate_totp_secret())
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
        inbox = reverse("grants:inbox")
        pages: list[tuple[str, Client, str, dict[str, str]]] = [
            ("inbox, first page", officer_client, inbox, {}),
            (
                "inbox, status filter",
                officer_client,
                inbox,
                {"status": "submitted", "sort": "deadline"},
            ),
            ("inbox, search", officer_client, inbox, {"q": "Solstrålen"}),
            (
                "inbox, registry number",
                officer_client,
                inbox,
                {"q": application.registry_number or ""},
            ),
            (
                "application page",
                officer_client,
                reverse("grants:officer_application", args=[application.pk]),
                {},
            ),
            ("open calls (public)", public, reverse("grants:calls"), {}),
        ]
        self.stdout.write(f"{count} applications, {connection.vendor}, {repeat} requests each\n")
        self.stdout.write(f"{'page':<26} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
        for name, client, url, params in pages:
            client.get(url, params)  # warm up
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                response = client.get(url, params)
                times.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise CommandError(f"{name}: HTTP {response.status_code}")
            with CaptureQueriesContext(connection) as queries:
                client.get(url, params)
            p95 = statistics.quantiles(times, n=20)[18] if len(times) >= 2 else times[0]
            self.stdout.write(
                f"{name:<26} {statistics.median(times):>8.1f} {p95:>8.1f} {len(queries):>8}"
            )
        self.reminder_scan(scan_repeat, scan_day)
        self.open_data()

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
        """The whole 360Giving package and CSV, streamed once each: time, size, peak memory."""
        grants = selectors.granted().count()
        self.stdout.write(f"\nopen data: {grants} grants")
        self.stdout.write(f"{'file':<26} {'seconds':>8} {'MB':>8} {'peak MB':>8} {'queries':>8}")
        client = Client(SERVER_NAME="localhost")
        files = (
            ("grants.json", reverse("grants:open_data_json")),
            ("grants.csv", reverse("grants:open_data_csv")),
        )
        for name, url in files:
            # once for the time (tracemalloc slows Python down), once for the peak memory
            started = time.perf_counter()
            size = self.consume(client, url)
            seconds = time.perf_counter() - started
            tracemalloc.start()
            with CaptureQueriesContext(connection) as queries:
                self.consume(client, url)
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            self.stdout.write(
                f"{name:<26} {seconds:>8.1f} {size / 1e6:>8.1f} {peak / 1e6:>8.1f} {len(queries):>8}"
            )

    @staticmethod
    def consume(client: Client, url: str) -> int:
        size = 0
        for chunk in client.get(url).streaming_content:  # type: ignore[attr-defined]
            size += len(chunk)
        return size
