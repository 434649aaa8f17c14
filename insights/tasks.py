"""The statistics' background work: the build of every summary (insights.store)."""

from __future__ import annotations

from celery import Task, shared_task
from django.core.cache import cache

from portal.tasks import PortalTask


@shared_task(bind=True, name="insights.tasks.build_insights", base=PortalTask)
def build_insights(self: Task) -> int:
    """Rebuild the statistics: a minute after a change (debounced) and nightly. Returns how many
    summaries were written."""
    from insights import store

    # a change from here on queues the next build: this one may already have read past it
    cache.delete(store.SCHEDULED_KEY)
    return store.build()


@shared_task(name="insights.tasks.build_yearly_report", base=PortalTask)
def build_yearly_report(report_id: int) -> str:
    """Render and store the yearly report "Fördelning av föreningsstöd <år>" from the
    dashboard's figures of its municipality and year; idempotent (a built one is kept)."""
    import hashlib

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from insights import presenting, store
    from insights.models import Audience, ReportStatus, YearlyReport
    from portal.pdf import render_pdf

    report = YearlyReport.objects.select_related("root").filter(pk=report_id).first()
    if report is None or report.status == ReportStatus.READY:
        return report.sha256 if report else ""
    summary = store.read(
        root=report.root_id, scope=store.ALL, year=report.year, audience=Audience.OFFICER
    )
    data = summary.data if summary is not None else None
    pdf = render_pdf(
        "insights/print.html",
        {
            "report": report,
            "data": data,
            "built_at": summary.built_at if summary is not None else None,
            "headline": presenting.headline(data) if data else [],
            "sections": presenting.sections(data) if data else [],
        },
    )
    report.file.save(
        f"fordelning-av-foreningsstod-{report.year}-{report.pk}.pdf", ContentFile(pdf), save=False
    )
    report.sha256 = hashlib.sha256(pdf).hexdigest()
    report.figures = data
    report.status = ReportStatus.READY
    report.built_at = timezone.now()
    report.save(update_fields=["file", "sha256", "figures", "status", "built_at"])
    return report.sha256
