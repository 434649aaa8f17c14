from __future__ import annotations

from typing import Any

from celery.exceptions import TimeoutError as CeleryTimeoutError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.queues import QUEUE_NAMES
from portal.tasks import ping


class Command(BaseCommand):
    help = (
        "Send a ping task through the broker to every queue (or the ones named) and wait for a "
        "worker of each to answer."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--timeout", type=float, default=30.0)
        parser.add_argument(
            "--queue",
            action="append",
            help=f"a queue to ask (again for more); when none is named, every queue: "
            f"{', '.join(QUEUE_NAMES)}",
        )

    def handle(self, *args: Any, timeout: float, queue: list[str] | None, **options: Any) -> None:
        # sent to all queues at once, then waited for: a queue without a worker costs one timeout.
        # A ping outlives its question by no more than that: a worker that comes back later
        # throws away the pings it was asked while it was gone instead of answering them all.
        sent = {
            name: ping.apply_async(queue=name, expires=timeout) for name in queue or QUEUE_NAMES
        }
        silent = []
        for name, result in sent.items():
            try:
                answer = result.get(timeout=timeout)
            except CeleryTimeoutError:
                silent.append(name)
                result.forget()
                continue
            self.stdout.write(f"{name}: a worker answered ({answer['pong']})")
        if silent:
            raise CommandError(
                f"No worker answered within {timeout:g} s on: {', '.join(silent)}. Its tasks wait "
                "until a worker consumes that queue."
            )
        self.stdout.write(self.style.SUCCESS("Every queue asked has a worker."))
