import time
from typing import Any

from django.core.management.base import BaseCommand

from insights import store


class Command(BaseCommand):
    help = (
        "Builds the statistics of who gets the support now (the worker does it a minute after a "
        "change, and nightly)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        written = store.build()
        seconds = time.perf_counter() - started
        self.stdout.write(f"{written} summaries of the statistics built in {seconds:.1f} s.")
