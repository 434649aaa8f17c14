"""Deliveries to the e-archive: one case's package (`case_package`), and the batch an
administrator starts (`batch_request`) and a worker builds (`batch_build`, from
`portal.earchive.tasks.export_batch`).

A batch ZIP holds one package ZIP per delivered case, `<OBJID>.zip`, and `MANIFEST.sha256`
with each package's SHA-256 in the form `sha256sum -c` reads. Cases that cannot go (not closed,
a stored file missing or changed) are left out and listed with the reason on the batch."""

from __future__ import annotations

import hashlib
import io
import logging
import tempfile
import zipfile
from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import registry
from portal.earchive import validation
from portal.earchive.package import NotArchivable, write_package
from portal.models import (
    ArchiveBatch,
    ArchiveBatchStatus,
    PublicBody,
    User,
    archive_batch_upload_to,
)
from portal.services import audit_record
from portal.storage import private_storage

logger = logging.getLogger(__name__)

PERMISSION = "portal.export_archive"
MANIFEST = "MANIFEST.sha256"
# The most cases one admin action sends (a list page's selection): larger deliveries are
# batches of a year.
MAX_CHOSEN = 500


def may_export(user: object) -> bool:
    """Superusers and administrators given "Can deliver cases to the e-archive"."""
    return bool(
        getattr(user, "is_active", False)
        and getattr(user, "is_staff", False)
        and getattr(user, "has_perm", lambda _perm: False)(PERMISSION)
    )


def bodies_within(public_body_id: int) -> list[int]:
    """The public body and every body under it (a municipality's committees): one query."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in PublicBody.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, waiting = [], [public_body_id]
    while waiting:
        body = waiting.pop()
        found.append(body)
        waiting.extend(children.get(body, []))
    return found


def case_package(
    source: str, object_id: int, *, created: datetime | None = None, submission_agreement: str = ""
) -> bytes:
    """The information package of one case as a ZIP, checked against the shipped standards.
    Raises `NotArchivable` (with the reason, in the portal's language) for a case that cannot
    go."""
    package = write_package(
        registry.archive_source(source).describe(object_id),
        created=created,
        submission_agreement=submission_agreement,
    )
    found = validation.problems(package)
    if found:
        logger.error("E-archive package of %s %s is not valid: %s", source, object_id, found)
        raise NotArchivable(
            _("The package did not pass the check against the standards: %(problem)s")
            % {"problem": found[0]},
            code="invalid",
        )
    return package


@transaction.atomic
def batch_request(
    *,
    actor: User,
    source: str,
    public_body: PublicBody | None = None,
    year: int | None = None,
    group: int | None = None,
    object_ids: Iterable[int] = (),
    submission_agreement: str = "",
) -> ArchiveBatch:
    """Start a delivery: the closed cases of `source` of `public_body` (and the bodies under
    it) registered in `year`, of programme `group` when given; or the cases `object_ids`. A
    worker builds it once this is committed."""
    if not may_export(actor):
        raise PermissionDenied(_("You may not deliver cases to the e-archive."))
    try:
        chosen_source = registry.archive_source(source)
    except KeyError:
        raise ValidationError(_("There is no such kind of case."), code="source") from None
    chosen = sorted({int(pk) for pk in object_ids})
    if not chosen and (public_body is None or year is None):
        raise ValidationError(
            _("Choose a public body and a year, or choose cases in a list."), code="scope"
        )
    if len(chosen) > MAX_CHOSEN:
        raise ValidationError(
            _("Choose at most %(count)d cases at a time.") % {"count": MAX_CHOSEN},
            code="too_many",
        )
    label = ""
    if group is not None and chosen_source.groups is None:
        raise ValidationError(
            _("%(kind)s have no programmes: leave the programme empty.")
            % {"kind": chosen_source.label},
            code="group",
        )
    if group is not None and public_body is not None and chosen_source.groups is not None:
        label = dict(chosen_source.groups(bodies_within(public_body.pk))).get(group, "")
        if not label:
            raise ValidationError(_("The programme is not one of the public body's."), code="group")
    batch = ArchiveBatch.objects.create(
        source=source,
        public_body=None if chosen else public_body,
        year=None if chosen else year,
        group=None if chosen else group,
        group_label=label,
        object_ids=chosen,
        submission_agreement=submission_agreement.strip(),
        requested_by=actor,
    )
    audit_record(
        actor=actor,
        obj=batch,
        action="archive_batch_requested",
        to_state=ArchiveBatchStatus.QUEUED,
        comment=str(chosen_source.label),
    )
    from portal.earchive.tasks import export_batch

    transaction.on_commit(lambda: export_batch.delay(batch.pk))
    return batch


def _claim(batch_id: int) -> tuple[ArchiveBatch, list[int]] | None:
    """Take the batch for building (again, after a worker was lost): None when it is built."""
    with transaction.atomic():
        batch = ArchiveBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None or batch.status == ArchiveBatchStatus.READY:
            return None
        source = registry.archive_source(batch.source)
        if batch.object_ids:
            ids = [int(pk) for pk in batch.object_ids]
        elif batch.public_body_id is not None and batch.year is not None:
            ids = source.candidates(bodies_within(batch.public_body_id), batch.year, batch.group)
        else:
            ids = []
        batch.status = ArchiveBatchStatus.RUNNING
        batch.started_at = timezone.now()
        batch.finished_at = None
        batch.total, batch.handled = len(ids), 0
        batch.packages, batch.refused, batch.error = [], [], ""
        batch.save(
            update_fields=[
                "status",
                "started_at",
                "finished_at",
                "total",
                "handled",
                "packages",
                "refused",
                "error",
            ]
        )
        return batch, ids


def batch_build(batch_id: int) -> str:
    """Build the batch's ZIP, reporting progress case by case; idempotent: a batch that is
    ready is left as it is, one left half-built by a lost worker is built again from the start.
    Returns the ZIP's SHA-256 ("" when there is no such batch)."""
    claimed = _claim(batch_id)
    if claimed is None:
        return (
            ArchiveBatch.objects.filter(pk=batch_id).values_list("sha256", flat=True).first() or ""
        )
    batch, ids = claimed
    packages: list[dict[str, object]] = []
    refused: list[dict[str, object]] = []
    try:
        with tempfile.TemporaryFile() as spool:
            with zipfile.ZipFile(spool, "w", allowZip64=True) as archive:
                for number, object_id in enumerate(ids, start=1):
                    try:
                        package = case_package(
                            batch.source,
                            object_id,
                            submission_agreement=batch.submission_agreement,
                        )
                    except NotArchivable as refusal:
                        refused.append(
                            {"object_id": object_id, "reason": " ".join(refusal.messages)}
                        )
                    else:
                        name = zipfile.ZipFile(io.BytesIO(package)).namelist()[0].split("/")[0]
                        digest = hashlib.sha256(package).hexdigest()
                        archive.writestr(f"{name}.zip", package, compress_type=zipfile.ZIP_STORED)
                        packages.append(
                            {
                                "object_id": object_id,
                                "objid": name,
                                "sha256": digest,
                                "size": len(package),
                            }
                        )
                    ArchiveBatch.objects.filter(pk=batch.pk).update(
                        handled=number, packages=packages, refused=refused
                    )
                manifest = "".join(f"{p['sha256']}  {p['objid']}.zip\n" for p in packages)
                archive.writestr(MANIFEST, manifest)
            spool.seek(0)
            digest = hashlib.file_digest(spool, "sha256").hexdigest()
            spool.seek(0)
            # a worker lost after saving leaves the file behind: the new one takes its name
            name = f"leverans-{batch.pk}.zip"
            if batch.file:
                batch.file.delete(save=False)
            if private_storage.exists(stale := archive_batch_upload_to(batch, name)):
                private_storage.delete(stale)
            batch.file.save(name, File(spool), save=False)
    except Exception as error:
        ArchiveBatch.objects.filter(pk=batch.pk).update(
            status=ArchiveBatchStatus.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    batch.sha256 = digest
    batch.status = ArchiveBatchStatus.READY
    batch.finished_at = timezone.now()
    batch.handled = len(ids)
    batch.packages, batch.refused = packages, refused
    batch.save(
        update_fields=[
            "file",
            "sha256",
            "status",
            "finished_at",
            "handled",
            "packages",
            "refused",
        ]
    )
    return digest


def batch_package(batch: ArchiveBatch, objid: str) -> bytes:
    """One case's package out of a built batch (the admin's download of a single case)."""
    if objid not in {str(p.get("objid")) for p in batch.packages if isinstance(p, dict)}:
        raise KeyError(objid)
    with batch.file.open("rb") as stored, zipfile.ZipFile(stored) as archive:
        return archive.read(f"{objid}.zip")
