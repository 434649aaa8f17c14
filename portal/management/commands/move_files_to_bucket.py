"""Move the private files a portal kept on its disk (PRIVATE_MEDIA_ROOT) into the bucket of
STORAGE_URL, once, when it grows from one machine to several.

Each file keeps its name (the rows name it), is uploaded with its SHA-256 as the object's
metadata, then read back from the bucket and hashed again; only an object whose bytes hash to
the file's is counted as moved. A file whose row recorded a SHA-256 at upload (documents,
attachments, signed PDFs, reports, e-archive packages) must still hash to it, or it is reported
and not copied: a damaged file is restored from the backup, not spread.

Safe to stop and run again: an object already in the bucket with the file's SHA-256 and size is
not sent again (S3 shows an object only once its upload is complete, so an interrupted upload
leaves no object; the parts of a large one are ended by the bucket's lifecycle rule, which
`prepare_storage --create-bucket` sets). The files on disk stay unless --remove-local is given,
and then each only after its copy was verified. The open-data files are not moved: `manage.py build_open_data` writes
them anew into the bucket."""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from botocore.exceptions import ClientError
from django.apps import apps
from django.conf import settings
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models

from portal.storage import ObjectStorage, PrivateStorage, not_found, open_stream

CHUNK = 1024 * 1024


def sha256_of(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def recorded_checksums() -> dict[str, str]:
    """The SHA-256 each row recorded for its private file when it was stored, by file name."""
    found: dict[str, str] = {}
    for model in apps.get_models():
        names = {field.name for field in model._meta.concrete_fields}
        if "sha256" not in names:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField) and isinstance(field.storage, PrivateStorage):
                rows = (
                    model._base_manager.exclude(**{field.name: ""})
                    .exclude(sha256="")
                    .values_list(field.name, "sha256")
                )
                found.update(rows)
    return found


class Command(BaseCommand):
    help = (
        "Move the private files from this machine's disk into the bucket of STORAGE_URL, "
        "verifying each by its SHA-256. Safe to stop and run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--source",
            type=Path,
            default=None,
            help="the directory to move from (default PRIVATE_MEDIA_ROOT)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="say what would be copied, copy nothing"
        )
        parser.add_argument(
            "--remove-local",
            action="store_true",
            help="remove each file from the disk once its copy in the bucket is verified",
        )

    def handle(
        self, *args: Any, source: Path | None, dry_run: bool, remove_local: bool, **options: Any
    ) -> None:
        target = storages["private"]
        if not isinstance(target, ObjectStorage):
            raise CommandError(
                "STORAGE_URL is not set: the private files are on this disk already. Set "
                "STORAGE_URL (and the AWS_* settings) to the bucket to move them to."
            )
        root = Path(source or settings.PRIVATE_MEDIA_ROOT)
        if not root.is_dir():
            raise CommandError(f"No directory {root} to move files from.")
        recorded = recorded_checksums()
        counts = {"copied": 0, "present": 0, "failed": 0}
        try:
            for path, name in self._files(root):
                outcome = self._move(target, path, name, recorded.get(name), dry_run=dry_run)
                counts[outcome] += 1
                if remove_local and not dry_run and outcome in ("copied", "present"):
                    path.unlink()
        except KeyboardInterrupt:
            self.stderr.write(
                f"Stopped: {counts['copied']} copied and verified so far. Run the command again "
                "to go on; what is in the bucket already is not sent again."
            )
            raise
        verb = "would be copied" if dry_run else "copied and verified"
        summary = (
            f"{counts['copied']} {verb}, {counts['present']} already in the bucket, "
            f"{counts['failed']} not moved."
        )
        if counts["failed"]:
            raise CommandError(summary + " See the lines above; run the command again once mended.")
        self.stdout.write(self.style.SUCCESS(summary))

    def _files(self, root: Path) -> Iterator[tuple[Path, str]]:
        for path in sorted(root.rglob("*")):
            # temporary files the portal wrote while saving (.upload-*, .build-*) are not records
            if path.is_file() and not path.name.startswith("."):
                yield path, path.relative_to(root).as_posix()

    def _move(
        self, target: ObjectStorage, path: Path, name: str, expected: str | None, *, dry_run: bool
    ) -> str:
        with path.open("rb") as handle:
            digest = sha256_of(handle)
        if expected and expected != digest:
            self.stderr.write(
                f"{name}: its SHA-256 is {digest}, but {expected} was recorded when it was "
                "stored. Not copied: restore the file from the backup."
            )
            return "failed"
        key = target._normalize_name(name)
        if self._in_bucket(target, key) == (digest, path.stat().st_size):
            return "present"
        if dry_run:
            self.stdout.write(f"{name}: would be copied")
            return "copied"
        with path.open("rb") as handle:
            self._upload(target, key, handle, digest)
        with open_stream(target, name) as stored:
            copied = sha256_of(stored)
        if copied != digest:
            target.delete(name)
            self.stderr.write(f"{name}: the copy in the bucket read back differently; removed.")
            return "failed"
        self.stdout.write(f"{name}: copied")
        return "copied"

    def _in_bucket(self, target: ObjectStorage, key: str) -> tuple[str, int] | None:
        """The SHA-256 this command recorded on the object, and its size; None if absent."""
        try:
            head = target.connection.meta.client.head_object(Bucket=target.bucket_name, Key=key)
        except ClientError as error:
            if not_found(error):
                return None
            raise
        return head.get("Metadata", {}).get("sha256", ""), head["ContentLength"]

    def _upload(self, target: ObjectStorage, key: str, handle: IO[bytes], digest: str) -> None:
        content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
        target.bucket.Object(key).upload_fileobj(
            handle,
            ExtraArgs={"Metadata": {"sha256": digest}, "ContentType": content_type},
            Config=target.transfer_config,
        )
