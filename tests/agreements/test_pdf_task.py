"""The PDF task: eager without a broker, and through a real worker and Redis when REDIS_URL is
set (the worker reads the test database and writes into the test's private files)."""

from __future__ import annotations

import os
import uuid

import pytest
from django.db import connection

from agreements.models import AgreementVersion
from agreements.tasks import render_version_pdf
from tests.agreements.conftest import Iop
from tests.agreements.factories import AgreementVersionFactory
from tests.helpers.processes import celery_conf, celery_worker, worker_database_url


def version_of(iop: Iop) -> AgreementVersion:
    return AgreementVersionFactory(agreement=iop.agreement, number=1)


@pytest.mark.django_db
def test_the_task_renders_eagerly_and_only_once(iop: Iop) -> None:
    version = version_of(iop)
    digest = render_version_pdf.delay(version.pk).get(timeout=60)
    version.refresh_from_db()
    with version.pdf.open("rb") as pdf:
        assert version.sha256 == digest and pdf.read().startswith(b"%PDF")
    name = version.pdf.name
    assert render_version_pdf.delay(version.pk).get(timeout=60) == digest
    version.refresh_from_db()
    assert version.pdf.name == name  # idempotent: not rendered again


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (run by .ci/run)")
@pytest.mark.django_db(transaction=True)
def test_the_task_runs_in_a_real_worker(iop: Iop) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the worker reads the test database, which needs PostgreSQL")
    version = version_of(iop)
    queue = f"test-{uuid.uuid4().hex[:8]}"
    with (
        celery_worker(
            queue,
            DATABASE_URL=worker_database_url(),
        ),
        celery_conf(task_always_eager=False),
    ):
        digest = render_version_pdf.apply_async(args=[version.pk], queue=queue).get(timeout=120)
    version.refresh_from_db()
    assert version.sha256 == digest and len(digest) == 64
    with version.pdf.open("rb") as pdf:
        assert pdf.read().startswith(b"%PDF")
