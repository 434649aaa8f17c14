"""Rendering of agreement PDFs, in a worker, after the signing is committed."""

from __future__ import annotations

import hashlib

from celery import shared_task
from django.core.files.base import ContentFile
from django.utils import timezone

from portal.tasks import PortalTask


@shared_task(name="agreements.tasks.render_version_pdf", base=PortalTask)
def render_version_pdf(version_id: int) -> str:
    """Render and store the PDF/A of a signed version; idempotent (a rendered one is kept)."""
    from agreements.models import AgreementVersion
    from agreements.pdf import render_agreement_pdf

    version = AgreementVersion.objects.filter(pk=version_id).first()
    if version is None:
        return ""
    if version.pdf:
        return version.sha256
    pdf = render_agreement_pdf(version.content, draft=False)
    version.pdf.save(
        f"iop-{version.agreement_id}-v{version.number}.pdf", ContentFile(pdf), save=False
    )
    version.sha256 = hashlib.sha256(pdf).hexdigest()
    version.pdf_created_at = timezone.now()
    version.save(update_fields=["pdf", "sha256", "pdf_created_at"])
    return version.sha256
