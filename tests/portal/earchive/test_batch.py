"""A delivery of a year's closed cases, built by a worker: the batch ZIP holds each case's
package and a manifest of their checksums, reports its progress case by case, leaves out what
is not closed with the reason, and building it again changes nothing."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from portal.celery import app as celery_app
from portal.earchive import services
from portal.earchive.tasks import export_batch
from portal.models import ArchiveBatch, AuditEvent, User
from tests.grants.conftest import submitted
from tests.helpers import object_storage
from tests.portal.earchive.conftest import Grants, assert_valid_package, closed_grant
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db


def built(actor: User, capture, **scope) -> ArchiveBatch:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        batch = services.batch_request(actor=actor, **scope)
    return ArchiveBatch.objects.get(pk=batch.pk)


def test_a_years_delivery_holds_every_closed_case_as_a_valid_package(
    grants: Grants, staff: User, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    first, second = closed_grant(grants), closed_grant(grants)
    submitted(grants)  # open: not part of the year's delivery
    municipality = grants.body.parent  # the whole municipality: its committees' cases too
    assert municipality is not None

    batch = built(
        staff,
        django_capture_on_commit_callbacks,
        source="grants",
        public_body=municipality,
        year=timezone.localdate().year,
        submission_agreement="KS 2027/12",
    )

    assert batch.status == "ready" and batch.total == batch.handled == 2
    assert [p["object_id"] for p in batch.packages] == [first.pk, second.pk]
    assert batch.refused == []
    stored = batch.file.open("rb").read()
    assert hashlib.sha256(stored).hexdigest() == batch.sha256
    archive = zipfile.ZipFile(io.BytesIO(stored))
    manifest = archive.read(services.MANIFEST).decode().splitlines()
    assert len(manifest) == 2
    for line in manifest:
        digest, name = line.split("  ")
        inner = archive.read(name)
        assert hashlib.sha256(inner).hexdigest() == digest
        assert_valid_package(inner)
    assert AuditEvent.objects.filter(
        action="archive_batch_requested", object_id=str(batch.pk)
    ).exists()


def test_chosen_cases_that_are_not_closed_are_left_out_with_the_reason(
    grants: Grants, staff: User, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    closed, open_case = closed_grant(grants), submitted(grants)

    batch = built(
        staff,
        django_capture_on_commit_callbacks,
        source="grants",
        object_ids=[open_case.pk, closed.pk],
    )

    assert batch.status == "ready" and (batch.total, batch.handled) == (2, 2)
    assert [p["object_id"] for p in batch.packages] == [closed.pk]
    assert [r["object_id"] for r in batch.refused] == [open_case.pk]
    assert batch.refused[0]["reason"]
    names = zipfile.ZipFile(batch.file.open("rb")).namelist()
    assert sorted(names) == sorted([f"{batch.packages[0]['objid']}.zip", services.MANIFEST])


def test_the_batch_reports_its_progress_case_by_case(
    grants: Grants, staff: User, django_capture_on_commit_callbacks, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    cases = [closed_grant(grants).pk for _ in range(3)]
    seen: list[tuple[str, int, int]] = []
    real = services.case_package

    def watched(source: str, object_id: int, **kwargs):  # type: ignore[no-untyped-def]
        batch = ArchiveBatch.objects.get()
        seen.append((batch.status, batch.handled, batch.total))
        return real(source, object_id, **kwargs)

    monkeypatch.setattr(services, "case_package", watched)
    batch = built(staff, django_capture_on_commit_callbacks, source="grants", object_ids=cases)

    assert seen == [("running", 0, 3), ("running", 1, 3), ("running", 2, 3)]
    assert (batch.status, batch.handled, batch.total) == ("ready", 3, 3)


def test_building_a_batch_again_is_idempotent(
    grants: Grants, staff: User, django_capture_on_commit_callbacks, settings
) -> None:  # type: ignore[no-untyped-def]
    case = closed_grant(grants)
    batch = built(staff, django_capture_on_commit_callbacks, source="grants", object_ids=[case.pk])
    name, digest = batch.file.name, batch.sha256

    assert export_batch.delay(batch.pk).get() == digest  # a ready batch is left as it is
    again = ArchiveBatch.objects.get(pk=batch.pk)
    assert (again.file.name, again.sha256, again.finished_at) == (name, digest, batch.finished_at)

    # a worker lost half-way: the batch is built again from the start, into the same file
    ArchiveBatch.objects.filter(pk=batch.pk).update(status="running", handled=0)
    rebuilt_digest = export_batch.delay(batch.pk).get()
    rebuilt = ArchiveBatch.objects.get(pk=batch.pk)
    assert rebuilt.status == "ready" and rebuilt.handled == 1
    assert rebuilt.file.name == name and rebuilt.sha256 == rebuilt_digest
    assert [n for n in object_storage.stored_names() if n.startswith("earchive/")] == [name]
    assert export_batch.delay(987654).get() == ""  # no such batch: nothing to do


def test_a_failed_build_is_marked_failed_with_the_error(
    grants: Grants, staff: User, django_capture_on_commit_callbacks, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    case = closed_grant(grants)

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("disk full")

    monkeypatch.setattr(services, "case_package", broken)
    with pytest.raises(OSError), django_capture_on_commit_callbacks(execute=True):
        services.batch_request(actor=staff, source="grants", object_ids=[case.pk])
    batch = ArchiveBatch.objects.get()
    assert batch.status == "failed" and "disk full" in batch.error


def test_only_those_allowed_may_start_a_delivery(grants: Grants) -> None:
    case = closed_grant(grants)
    administrator = UserFactory(is_staff=True)
    with pytest.raises(PermissionDenied):
        services.batch_request(actor=administrator, source="grants", object_ids=[case.pk])
    from django.contrib.auth.models import Permission

    administrator.user_permissions.add(Permission.objects.get(codename="export_archive"))
    allowed = User.objects.get(pk=administrator.pk)  # permissions are read once per object
    assert services.batch_request(actor=allowed, source="grants", object_ids=[case.pk])
    with pytest.raises(PermissionDenied):
        services.batch_request(actor=UserFactory(), source="grants", object_ids=[case.pk])


def test_the_delivery_task_is_registered_with_the_worker() -> None:
    assert "portal.earchive.tasks.export_batch" in celery_app.tasks
    assert export_batch.acks_late and export_batch.reject_on_worker_lost


def test_a_programme_is_refused_for_agreements_and_named_in_the_delivery(grants: Grants) -> None:
    from django.core.exceptions import ValidationError

    administrator = UserFactory(is_superuser=True, is_staff=True)
    with pytest.raises(ValidationError) as refused:
        services.batch_request(
            actor=administrator,
            source="agreements",
            public_body=grants.body,
            year=timezone.localdate().year,
            group=grants.programme.pk,
        )
    assert "bidragsformer" in " ".join(refused.value.messages)
    assert not ArchiveBatch.objects.exists()
    batch = services.batch_request(
        actor=administrator, source="grants", public_body=grants.body, year=2026
    )
    assert str(batch) == f"Bidragsärenden 2026 #{batch.pk}"
