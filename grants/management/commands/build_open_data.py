from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from grants import open_data_store


class Command(BaseCommand):
    help = (
        "Build the open-data files (grants.json, grants.csv, their .gz) and the figures of the "
        "granted-money page now, e.g. after a deploy. Waits for a build that is running."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--wait",
            type=float,
            default=600.0,
            help="seconds to wait for a build that is running (default 600)",
        )

    def handle(self, *args: Any, wait: float, **options: Any) -> None:
        started = time.perf_counter()
        try:
            manifest = open_data_store.build(wait=wait)
        except open_data_store.BuildBusy as exc:
            raise CommandError(f"Another build is still running after {wait:g} s.") from exc
        seconds = time.perf_counter() - started
        store = open_data_store.storage()
        for public, name in open_data_store.names().items():
            self.stdout.write(f"{public}: {name} ({store.size(name):,} bytes)")
        if manifest["files"][open_data_store.JSON] is None:
            self.stdout.write("grants.json: no package (no grant is decided yet)")
        self.stdout.write(
            self.style.SUCCESS(
                f"Open data built in {seconds:.1f} s: {manifest['summary']['grants']} grants."
            )
        )
