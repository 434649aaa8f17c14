"""Render time and memory of a ten-page IOP agreement PDF, the heaviest thing a worker does.
`make bench` runs it after `bench`. It prints; it asserts nothing."""

from __future__ import annotations

import gc
import io
import statistics
import time
import tracemalloc
from typing import Any

from django.core.management.base import BaseCommand
from pypdf import PdfReader

from agreements.pdf import render_agreement_pdf


class Command(BaseCommand):
    help = "Measure the render time and memory of a ten-page agreement PDF."

    def handle(self, *args: Any, **options: Any) -> None:
        self.agreement_pdf()

    def agreement_pdf(self) -> None:
        """A ten-page agreement: render time p50/p95, peak memory, and the process's memory
        after 100 renders (no growth beyond 10 % is the target)."""

        def rss_mb() -> float:
            with open("/proc/self/status") as status:
                for line in status:
                    if line.startswith("VmRSS"):
                        return int(line.split()[1]) / 1024
            return 0.0

        paragraph = (
            "Parterna samverkar för att fler unga ska få en trygg och meningsfull fritid. " * 12
        )
        content = {
            "title": "Mätavtal",
            "registry_number": "SN 2026/999",
            "version": 1,
            "challenge": paragraph,
            "idea": paragraph,
            "target_group": "Unga",
            "parties": [
                {"name": f"Part {n}", "organisation_number": "802479-2249", "signatory": "Namn"}
                for n in range(4)
            ],
            "sections": [
                {"key": str(n), "title": f"Avsnitt {n}", "text": paragraph * 3} for n in range(12)
            ],
            "contributions": [
                {
                    "year": 2027 + n % 3,
                    "party": f"Part {n % 4}",
                    "kind": "Pengar",
                    "description": "Insats",
                    "value": "100 000 kr",
                }
                for n in range(40)
            ],
            "contributions_total": "4 000 000 kr",
            "organisation_share": 40,
            "term": "2027-2029",
            "state_aid": "",
            "procurement": "",
            "decision": "",
            "signatures": [],
        }
        pages = len(PdfReader(io.BytesIO(render_agreement_pdf(content, draft=False))).pages)
        times = []
        rss_start = 0.0
        for n in range(100):
            started = time.perf_counter()
            render_agreement_pdf(content, draft=False)
            times.append(time.perf_counter() - started)
            gc.collect()
            if n == 9:
                rss_start = rss_mb()
        rss_end = rss_mb()
        tracemalloc.start()
        render_agreement_pdf(content, draft=False)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        p95 = statistics.quantiles(times, n=20)[18]
        growth = (rss_end - rss_start) * 100 / rss_start if rss_start else 0
        self.stdout.write(f"\nagreement PDF: {pages} pages, 100 renders")
        self.stdout.write(
            f"p50 {statistics.median(times):.2f} s, p95 {p95:.2f} s, peak Python memory {peak / 1e6:.1f} MB"
        )
        self.stdout.write(
            f"process memory (RSS) after render 10: {rss_start:.0f} MB, after 100: {rss_end:.0f} MB ({growth:+.1f} %)"
        )
