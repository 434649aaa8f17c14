"""Move the private files a portal kept on its disk (PRIVATE_MEDIA_ROOT) into the bucket of
STORAGE_URL, once, when it grows from one machine to several.

What is moved is what the database names: every private file field of every row (documents,
attachments, reports, agreement PDFs, consultation files, yearly reports, e-archive packages,
the logo). A file on the disk that no row names (left by a crash mid-upload) is not a record: it
stays on the disk and is counted. A symbolic link is not followed.

Each file keeps its name (the rows name it), is uploaded with its SHA-256 as the object's
metadata, then read back from the bucket and hashed again; only an object whose bytes hash to
the file's is counted as moved. A file whose row recorded a SHA-256 at upload (documents,
attachments, signed PDFs, reports, e-archive packages) must still hash to it, or it is reported
and not copied: a damaged file is restored from the backup, not spread.

Last, every file the database names is looked for in the bucket (one listing, a thousand names
a request): a file that is neither there nor on this disk is reported by name, and the command
fails. So "done" means that every record has its file in the bucket, and a --source that names
the wrong (or an empty) directory is an error, never a success.

An object already in the bucket under a file's name is never overwritten: one whose bytes, read
back, hash to the file's counts as moved (never its metadata, which whoever wrote the object
chose), one with other content (written by the portal since it moved
to the bucket, say) is reported and the command fails.

Safe to stop (Ctrl-C, or SIGTERM from a container runtime) and run again: an object already in
the bucket whose bytes, read back, hash to the file's is not sent again (S3 shows an object only once its
upload is complete, so an interrupted upload leaves no object; the parts of a large one are
ended by the bucket's lifecycle rule, which `prepare_storage --create-bucket` sets). The files on
disk stay unless --remove-local is given, and then each only after its copy was verified. The
open-data files are not moved: `manage.py build_open_data` writes them anew into the bucket."""

from __future__ import annotations

import hashlib
import mimetypes
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import IO, Any

from botocore.exceptions import BotoCoreError, ClientError
from django.apps import apps
from django.conf import settings
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models

from portal.storage import ObjectStorage, PrivateStorage, not_found, open_stream

CHUNK = 1024 * 1024
#: a line saying how far the command has come, every so many files
PROGRESS_EVERY = 1000
#: names of missing or unnamed files printed before "and N more"
LISTED = 20


def sha256_of(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def named_files() -> dict[str, str]:
    """Every private file the database names, with the SHA-256 its row recorded when it was
    stored ("" where the row records none)."""
    found: dict[str, str] = {}
    for model in apps.get_models():
        fields = {field.name for field in model._meta.concrete_fields}
        for field in model._meta.concrete_fields:
            if not (
                isinstance(field, models.FileField) and isinstance(field.storage, PrivateStorage)
            ):
                continue
            rows = model._base_manager.exclude(**{field.name: ""}).exclude(
                **{f"{field.name}__isnull": True}
            )
            if "sha256" in fields:
                found.update(rows.values_list(field.name, "sha256"))
            else:
                found.update((name, "") for name in rows.values_list(field.name, flat=True))
    return found


class Stopped(Exception):
    """SIGTERM: the container runtime or the operator stopping the command."""


@contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """SIGTERM ends the command as Ctrl-C does: with a line saying how far it came."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise Stopped

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread: leave signals as they are
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def files(count: int) -> str:
    return f"{count} file" if count == 1 else f"{count} files"


class Command(BaseCommand):
    help = (
        "Move the private files the database names from this machine's disk into the bucket "
        "of STORAGE_URL, each verified by its SHA-256, then check that every one is in the "
        "bucket: the command succeeds only when all are. An object already in the bucket is "
        "never overwritten. The open-data files are not moved (build_open_data writes them "
        "anew). Safe to stop and run again."
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
            help=(
                "remove each file from the disk once its copy in the bucket is verified (keep "
                "them instead until the bucket has its first backup)"
            ),
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
        self.verbose = options.get("verbosity", 1) >= 2
        named = named_files()
        found, unnamed, links = self._files(root, named)
        self.stdout.write(
            f"{files(len(named))} named by the database; {len(found)} of them in {root}."
        )
        try:
            self._bucket_exists(target)
            if named and not found and not self._missing_from_bucket(target, named):
                self.stdout.write(
                    self.style.SUCCESS(
                        "Every file the database names is in the bucket already; nothing to move."
                    )
                )
                return
        except (BotoCoreError, ClientError) as error:
            raise CommandError(self._unreachable(target, error, None)) from error
        if not named and (unnamed or links):
            raise CommandError(
                f"The database names no files, but {root} holds {files(len(unnamed) + len(links))}. "
                "Is DATABASE_URL the portal's database? Nothing was copied."
            )
        if named and not found:
            raise CommandError(
                f"None of the files the database names is in {root}. Is it the directory the "
                "portal kept its files in (PRIVATE_MEDIA_ROOT, or the old volume given with "
                "--source)? Nothing was copied."
            )
        self._report("Files no row names, not moved (they stay on this disk)", unnamed)
        self._report("Symbolic links, not followed and not moved", links)
        counts = {"copied": 0, "present": 0, "failed": 0}
        try:
            with stop_on_sigterm():
                for number, (path, name) in enumerate(found, start=1):
                    try:
                        outcome = self._move(target, path, name, named[name], dry_run=dry_run)
                        if remove_local and not dry_run and outcome in ("copied", "present"):
                            path.unlink()
                    except OSError as error:  # unreadable, or on a read-only disk
                        self.stderr.write(f"{name}: {error}")
                        outcome = "failed"
                    counts[outcome] += 1
                    if outcome == "copied":
                        done = "would be copied" if dry_run else "copied"
                        self.stdout.write(f"[{number}/{len(found)}] {name}: {done}")
                    elif number % PROGRESS_EVERY == 0:
                        self.stdout.write(f"[{number}/{len(found)}] {self._tally(counts)}")
            # every named file, also those that were on neither this disk nor in the bucket
            missing = [] if dry_run else self._missing_from_bucket(target, named)
        except (KeyboardInterrupt, Stopped):
            raise CommandError(
                f"Stopped: {self._tally(counts)}. Run the command again to go on; what is in "
                "the bucket already is not sent again."
            ) from None
        except (BotoCoreError, ClientError) as error:
            raise CommandError(self._unreachable(target, error, counts)) from error
        verb = "would be copied" if dry_run else "copied and verified"
        summary = (
            f"{counts['copied']} {verb}, {counts['present']} already in the bucket, "
            f"{counts['failed']} not moved."
        )
        if missing:
            self._report(
                f"Files the database names that are in neither the bucket nor {root}",
                missing,
                always=True,
            )
        if counts["failed"] or missing:
            lacking = (
                f" {files(len(missing))} the database names not in the bucket (listed above): "
                "restore them from the backup into the directory."
                if missing
                else ""
            )
            raise CommandError(
                f"{summary}{lacking} See the lines above; run the command again once mended."
            )
        self.stdout.write(self.style.SUCCESS(summary))
        if not dry_run:
            keep = (
                ""
                if remove_local
                else ", and keep the files on this disk until the bucket's first backup"
            )
            self.stdout.write(
                "Every file the database names is in the bucket. Next: web nodes and workers "
                "with STORAGE_URL (restart them if they run), `manage.py build_open_data` and "
                f"`manage.py build_insights`{keep}."
            )

    def _tally(self, counts: dict[str, int]) -> str:
        return (
            f"{counts['copied']} copied and verified, {counts['present']} already in the bucket, "
            f"{counts['failed']} not moved so far"
        )

    def _unreachable(
        self, target: ObjectStorage, error: Exception, counts: dict[str, int] | None
    ) -> str:
        so_far = f" ({self._tally(counts)})" if counts else ""
        return (
            f"The bucket {target.bucket_name!r} could not be used{so_far}: {error}. Check "
            "AWS_S3_ENDPOINT_URL, the keys and STORAGE_URL (`manage.py prepare_storage` says "
            "more), then run the command again."
        )

    def _report(self, what: str, names: list[str], *, always: bool = False) -> None:
        if not names:
            return
        shown = names if self.verbose or always else names[:LISTED]
        self.stderr.write(f"{what}: {len(names)}")
        for name in shown:
            self.stderr.write(f"  {name}")
        if len(shown) < len(names):
            self.stderr.write(
                f"  and {len(names) - len(shown)} more (--verbosity 2 lists them all)"
            )

    def _files(
        self, root: Path, named: dict[str, str]
    ) -> tuple[list[tuple[Path, str]], list[str], list[str]]:
        """The files under root the database names (in order), those it does not, and the
        symbolic links."""
        files: list[tuple[Path, str]] = []
        unnamed: list[str] = []
        links: list[str] = []
        for path in sorted(root.rglob("*")):
            name = path.relative_to(root).as_posix()
            if path.is_symlink():
                links.append(name)
            elif not path.is_file() or path.name.startswith("."):
                # directories, and the temporary files the portal writes while saving
                continue
            elif name in named:
                files.append((path, name))
            else:
                unnamed.append(name)
        return files, unnamed, links

    def _bucket_exists(self, target: ObjectStorage) -> None:
        try:
            target.connection.meta.client.head_bucket(Bucket=target.bucket_name)
        except ClientError as error:
            if not_found(error):
                raise CommandError(
                    f"There is no bucket {target.bucket_name!r}. Create it with "
                    "`manage.py prepare_storage --create-bucket`, or correct STORAGE_URL."
                ) from error
            raise

    def _missing_from_bucket(self, target: ObjectStorage, named: dict[str, str]) -> list[str]:
        prefix = target._normalize_name("")
        keys: set[str] = set()
        pages = target.connection.meta.client.get_paginator("list_objects_v2").paginate(
            Bucket=target.bucket_name, Prefix=prefix
        )
        for page in pages:
            keys.update(item["Key"] for item in page.get("Contents", []))
        return sorted(name for name in named if target._normalize_name(name) not in keys)

    def _move(
        self, target: ObjectStorage, path: Path, name: str, expected: str, *, dry_run: bool
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
        size = path.stat().st_size
        size_in_bucket = self._in_bucket(target, key)
        if size_in_bucket is not None:
            # What the object holds, read back, never what its metadata says: metadata can be
            # written by whoever wrote the object, and a file is removed from the disk on this.
            stored = ""
            if size_in_bucket == size:
                with open_stream(target, name) as handle:
                    stored = sha256_of(handle)
            if stored == digest:
                return "present"
            self.stderr.write(
                f"{name}: the bucket already holds other content under this name"
                f"{f' (SHA-256 {stored})' if stored else f' ({size_in_bucket} bytes)'}. Not "
                "overwritten: find out which is the record's file; if it is this disk's, remove "
                "the object and run again."
            )
            return "failed"
        if dry_run:
            return "copied"
        with path.open("rb") as handle:
            self._upload(target, key, handle, digest)
        with open_stream(target, name) as reading:
            copied = sha256_of(reading)
        if copied != digest:
            target.delete(name)
            self.stderr.write(f"{name}: the copy in the bucket read back differently; removed.")
            return "failed"
        return "copied"

    def _in_bucket(self, target: ObjectStorage, key: str) -> int | None:
        """The size of the object under `key`; None if there is none."""
        try:
            head = target.connection.meta.client.head_object(Bucket=target.bucket_name, Key=key)
        except ClientError as error:
            if not_found(error):
                return None
            raise
        return int(head["ContentLength"])

    def _upload(self, target: ObjectStorage, key: str, handle: IO[bytes], digest: str) -> None:
        content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
        target.bucket.Object(key).upload_fileobj(
            handle,
            ExtraArgs={"Metadata": {"sha256": digest}, "ContentType": content_type},
            Config=target.transfer_config,
        )
