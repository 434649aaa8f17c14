"""The e-archive's background work: a delivery's packages are built by a worker.

Registered with the portal's own tasks (`portal.tasks` imports this module at its end), in
every process that reads them, the worker's included."""

from __future__ import annotations

from celery import shared_task

from portal.tasks import PortalTask


@shared_task(name="portal.earchive.tasks.export_batch", base=PortalTask)
def export_batch(batch_id: int) -> str:
    """Build the delivery `batch_id` (`portal.earchive.services.batch_build`); idempotent."""
    from portal.earchive.services import batch_build

    return batch_build(batch_id)
