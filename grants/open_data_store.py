"""The open-data files, built ahead of time and served as they are.

A build streams `grants.json` and `grants.csv` from `grants.open_data` into files, each with a
gzip-compressed sibling, and computes the summary the "Granted money" page shows. Builds run in
the worker (`grants.tasks.build_open_data`): within a minute of a decision or a payment
(`rebuild_soon`, debounced), nightly (beat), and from `manage.py build_open_data`. A request only
reads what a build wrote: never the grants tables, never a build.

Where: the storage named "open_data" in STORAGES: OPEN_DATA_ROOT on this machine's disk, or a
prefix of the bucket when STORAGE_URL is set (every web node then serves what a worker built).

How a reader always sees one whole build: every file's name carries the hash of its content
(`grants-<hash>.json`), and one small manifest (`open-data.json`) names the current files with
their ETag, size and time built, and holds the summary. Each file is written to a temporary file,
then put in place whole: on disk synced and renamed (the temporary file is in the same
directory), in a bucket uploaded as one object (S3 shows an object only once it is complete).
The manifest is put in place the same way, last. So an ETag always belongs to the bytes served,
a build that fails half-way leaves the previous build untouched, and the previous build's files
stay one build longer for a download that read the old manifest a moment before.

Two builds never write at once: a lock in the shared cache (Redis in production). The cache
rather than a database advisory lock because SQLite (development, tests) has none, a build holds
no database connection or transaction open for it, and the lock expires by itself
(LOCK_TIMEOUT) when a worker dies mid-build; a build checks it still holds the lock before it
replaces the manifest. Where the cache is each process's own (development without REDIS_URL,
`make bench`) and the files are on disk, a second lock guards the directory itself: an exclusive `flock` on its `.lock`
file, held for the build, which the system lets go of when the process ends. Without it a build
from `manage.py build_open_data` and one in the web process could each remove the other's
half-written files as leftovers."""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import json
import os
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from grants import open_data, selectors
from portal.emails import site_url
from portal.storage import open_stream
from portal.tasks import queue_once

JSON = "grants.json"
CSV = "grants.csv"
MANIFEST = "open-data.json"
MANIFEST_VERSION = 1

LOCK_KEY = "open-data:build-lock"
LOCK_FILE = ".lock"
LOCK_TIMEOUT = 60 * 60  # far above a build at scale (about 20 s for 122 000 grants)
SCHEDULED_KEY = "open-data:scheduled"
DEBOUNCE_SECONDS = 60
WRITE_BUFFER = 256 * 1024


class BuildBusy(Exception):
    """Another build holds the lock."""


def storage() -> Storage:
    return storages["open_data"]


def _directory() -> Path | None:
    """The directory the files are in when the storage is this machine's disk; None for a
    bucket (whose objects have no path)."""
    try:
        return Path(storage().path(""))
    except NotImplementedError:
        return None


# --- reading ---------------------------------------------------------------------------------


def current() -> dict[str, Any] | None:
    """The manifest of the last build, or None before the first one."""
    try:
        with storage().open(MANIFEST, "rb") as handle:
            manifest: dict[str, Any] = json.load(handle)
    except FileNotFoundError:
        return None
    return manifest if manifest.get("version") == MANIFEST_VERSION else None


def open_file(name: str) -> IO[bytes]:
    """One built file, to send as it is read (FileNotFoundError once a later build removed it)."""
    return open_stream(storage(), name)


def summary(manifest: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The figures of the "Granted money" page as built: rows by programme and year, totals, when
    built, and the sizes of the two files; None before the first build."""
    manifest = manifest if manifest is not None else current()
    if manifest is None:
        return None
    data = manifest["summary"]
    files = manifest["files"]
    return {
        "rows": [{**row, "amount": Decimal(row["amount"])} for row in data["rows"]],
        "grants": data["grants"],
        "amount": Decimal(data["amount"]),
        "built_at": datetime.fromisoformat(manifest["built_at"]),
        "json_size": files[JSON]["size"] if files[JSON] else None,
        "csv_size": files[CSV]["size"],
    }


def names() -> dict[str, str]:
    """The current files' names in the storage by their public name (`grants.json`,
    `grants.json.gz`, `grants.csv`, `grants.csv.gz`); empty before the first build."""
    manifest = current()
    if manifest is None:
        return {}
    found: dict[str, str] = {}
    for public, record in manifest["files"].items():
        if record:
            found[public] = record["name"]
            found[f"{public}.gz"] = record["gzip"]["name"]
    return found


# --- scheduling ------------------------------------------------------------------------------


def _schedule() -> None:
    """Queue one build in a minute, unless one is queued already (many decisions in a minute give
    one build). The build clears the flag before it starts, so a change during a build queues
    the next. A broker that cannot be reached must not fail the decision that was just
    committed: the nightly build catches up."""
    from grants.tasks import build_open_data

    queue_once(
        build_open_data,
        key=SCHEDULED_KEY,
        countdown=DEBOUNCE_SECONDS,
        failure="The open-data files could not be rebuilt after a change.",
    )


def rebuild_soon() -> None:
    """After a change to what the open-data files publish (a grant decided, a payment): queue a
    rebuild once the transaction commits (never for a change that is rolled back)."""
    transaction.on_commit(_schedule)


# --- building --------------------------------------------------------------------------------


class _HashingWriter:
    """A file that hashes and counts what is written to it (the compressed file's ETag)."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        self.size += len(data)
        return self.handle.write(data)

    def flush(self) -> None:
        self.handle.flush()


def _sync_directory(directory: Path | None) -> None:
    """Make a rename in the directory durable."""
    if directory is None:
        return
    with suppress(OSError):  # not every file system lets a directory be opened
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _temporary(directory: Path | None, suffix: str) -> IO[bytes]:
    """A file to write in: in the storage's own directory (so that it can be renamed into
    place), or the worker's temporary directory for a bucket."""
    return tempfile.NamedTemporaryFile(dir=directory, prefix=".build-", suffix=suffix, delete=False)


def _publish(temporary: IO[bytes], name: str) -> None:
    """Put the finished temporary file in place under its name, whole: on disk synced and
    renamed (atomic in one directory); into a bucket as one upload."""
    temporary.flush()
    directory = _directory()
    if directory is None:
        temporary.seek(0)
        storage().save(name, File(temporary, name=name))
        temporary.close()
        return
    os.fchmod(temporary.fileno(), 0o644)  # public data, read by the web process's user
    os.fsync(temporary.fileno())
    temporary.close()
    os.replace(temporary.name, directory / name)


def _write_pair(stem: str, extension: str, chunks: Iterable[str]) -> dict[str, Any]:
    """Write one file and its .gz in one pass over the stream, in bounded memory; return its
    record (name, ETag = SHA-256 of the bytes, size) and the compressed file's."""
    directory = _directory()
    raw = _temporary(directory, extension)
    packed = _temporary(directory, extension + ".gz")
    try:
        digest = hashlib.sha256()
        size = 0
        counted = _HashingWriter(packed)
        # no name and no time in the gzip header: the same content compresses to the same bytes
        compressor = gzip.GzipFile(
            filename="", mode="wb", fileobj=counted, mtime=0, compresslevel=6
        )
        buffer: list[bytes] = []
        buffered = 0

        def flush() -> None:
            nonlocal buffered
            data = b"".join(buffer)
            raw.write(data)
            digest.update(data)
            compressor.write(data)
            buffer.clear()
            buffered = 0

        for chunk in chunks:
            data = chunk.encode()
            buffer.append(data)
            buffered += len(data)
            size += len(data)
            if buffered >= WRITE_BUFFER:
                flush()
        flush()
        compressor.close()
        etag = digest.hexdigest()
        name = f"{stem}-{etag[:24]}{extension}"
        _publish(raw, name)
        _publish(packed, name + ".gz")
        return {
            "name": name,
            "etag": etag,
            "size": size,
            "gzip": {
                "name": name + ".gz",
                "etag": counted.hash.hexdigest(),
                "size": counted.size,
            },
        }
    finally:
        for temporary in (raw, packed):
            temporary.close()
            with suppress(FileNotFoundError):
                os.unlink(temporary.name)


def _write_manifest(manifest: dict[str, Any]) -> None:
    directory = _directory()
    temporary = _temporary(directory, ".json")
    try:
        temporary.write(json.dumps(manifest, ensure_ascii=False, indent=1).encode())
        _publish(temporary, MANIFEST)
        _sync_directory(directory)
    finally:
        temporary.close()
        with suppress(FileNotFoundError):
            os.unlink(temporary.name)


def _summary_rows() -> dict[str, Any]:
    rows = [
        {
            "year": row["year"],
            "programme": row["call__programme__name"],
            "public_body": row["public_body__name"],
            "grants": row["grants"],
            "amount": str(row["amount"] or Decimal(0)),
        }
        for row in selectors.granted_by_programme_and_year()
    ]
    return {
        "rows": rows,
        "grants": sum(row["grants"] for row in rows),
        "amount": str(sum((Decimal(row["amount"]) for row in rows), Decimal(0))),
    }


def _keep_record(new: dict[str, Any] | None, old: dict[str, Any] | None) -> dict[str, Any] | None:
    """The same content as before keeps its record, so its Last-Modified stays when it was first
    built and caches keep it."""
    if new and old and new["etag"] == old["etag"]:
        return old
    return new


def _remove_old_files(keep: set[str]) -> None:
    """Remove the files of builds before the previous one, and temporary files a killed build
    left in the directory (the lock is held: no other build is writing)."""
    for name in storage().listdir("")[1]:
        if name == MANIFEST or name in keep:
            continue
        if name.startswith(".build-") or name.startswith("grants-"):
            with suppress(FileNotFoundError):
                storage().delete(name)


def _build(token: str) -> dict[str, Any]:
    if (directory := _directory()) is not None:
        directory.mkdir(parents=True, exist_ok=True)
    previous = current()
    built_at = timezone.now().replace(microsecond=0)  # HTTP dates have whole seconds
    grants = selectors.granted()
    figures = _summary_rows()
    download_url = site_url() + reverse("grants:open_data_json")
    old_files = previous["files"] if previous else {}
    # The package's issued and modified dates change only with its grants: a build of unchanged
    # grants writes the same bytes, so the ETag and Last-Modified stay and caches keep the file.
    grants_digest = hashlib.sha256()
    old_json = old_files.get(JSON) or {}
    stamped: dict[str, str] = {}

    def dates() -> tuple[str, str]:
        stamped["grants_sha256"] = grants_digest.hexdigest()
        if old_json.get("grants_sha256") == stamped["grants_sha256"]:
            stamped.update(issued=old_json["issued"], modified=old_json["modified"])
        else:
            stamped.update(
                issued=timezone.localdate(built_at).isoformat(), modified=built_at.isoformat()
            )
        return stamped["issued"], stamped["modified"]

    def hashed(pieces: Iterable[str]) -> Iterator[str]:
        # every piece before the package's metadata (asked for by `dates`) is a grant
        for piece in pieces:
            grants_digest.update(piece.encode())
            yield piece

    # The files are in the portal's language, whoever asked for the build.
    with translation.override(settings.LANGUAGE_CODE):
        json_record = (
            _write_pair(
                "grants",
                ".json",
                hashed(open_data.package_stream(grants, download_url=download_url, dates=dates)),
            )
            # the 360Giving schema requires at least one grant: an empty portal has no package
            if grants.exists()
            else None
        )
        csv_record = _write_pair("grants", ".csv", open_data.csv_stream(grants))
    if json_record is not None:
        json_record |= stamped
    files: dict[str, dict[str, Any] | None] = {}
    for public, record in ((JSON, json_record), (CSV, csv_record)):
        if record is not None:
            record["last_modified"] = built_at.isoformat()
        files[public] = _keep_record(record, old_files.get(public))
    manifest = {
        "version": MANIFEST_VERSION,
        "built_at": built_at.isoformat(),
        "files": files,
        "summary": figures,
    }
    if cache.get(LOCK_KEY) != token:
        # The lock expired and another build may have written since: leave its manifest.
        raise BuildBusy("the build lock expired before the build finished")
    _write_manifest(manifest)
    keep: set[str] = set()
    for record in [*files.values(), *old_files.values()]:
        if record:
            keep |= {record["name"], record["gzip"]["name"]}
    _remove_old_files(keep)
    return manifest


def build(*, wait: float = 0) -> dict[str, Any]:
    """Build the open-data files and the summary now; return the new manifest. Waits up to
    `wait` seconds for a build that is running, then raises BuildBusy."""
    token = uuid.uuid4().hex
    deadline = time.monotonic() + wait
    while not cache.add(LOCK_KEY, token, timeout=LOCK_TIMEOUT):
        if time.monotonic() >= deadline:
            raise BuildBusy("another build of the open-data files is running")
        time.sleep(0.5)
    try:
        with _directory_lock(deadline):
            return _build(token)
    finally:
        if cache.get(LOCK_KEY) == token:
            cache.delete(LOCK_KEY)


@contextmanager
def _directory_lock(deadline: float) -> Iterator[None]:
    """Hold the exclusive lock on the directory's `.lock` file (see the module's text), waiting
    until `deadline` (time.monotonic()) for another process's build, then BuildBusy. A bucket
    has no directory to lock: there the shared cache's lock is the one (object storage is for
    more than one machine, which needs the shared cache anyway)."""
    directory = _directory()
    if directory is None:
        yield
        return
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / LOCK_FILE, "a") as lock:
        while True:
            try:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise BuildBusy(
                        "another process is building the open-data files in this directory"
                    ) from None
                time.sleep(0.5)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
