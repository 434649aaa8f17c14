"""The portal's files in an S3 bucket (STORAGE_URL), against a real S3 server over HTTP
(tests/helpers/object_storage.py): what one web node stores, any other serves; only to whoever
may see it; never from the bucket directly; and a portal's files on disk move there intact."""

from __future__ import annotations

import hashlib
import io
import os
import signal
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from grants import open_data_store
from organisations import services
from organisations.models import DocumentKind, DocumentVersion
from portal.management.commands import move_files_to_bucket
from portal.storage import ObjectStorage, private_storage
from tests.helpers import object_storage
from tests.helpers.clients import logged_in
from tests.organisations.conftest import World
from tests.organisations.factories import pdf_upload

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 64 + b"\n%%EOF\n"


@pytest.fixture
def bucket(settings: Any) -> object_storage.Bucket:
    return object_storage.use_bucket(settings)


def upload(world: World, content: bytes = PDF, name: str = "Stadgar.pdf") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return logged_in(world.editor).post(
        reverse("organisations:documents", args=[world.organisation.pk]),
        {
            "kind": "verksamhetsberattelse",
            "year": timezone.localdate().year,
            "file": SimpleUploadedFile(name, content),
        },
    )


def newest(world: World) -> DocumentVersion:
    return DocumentVersion.objects.filter(document__organisation=world.organisation).latest("pk")


def download_url(world: World, version: DocumentVersion) -> str:
    return reverse("organisations:document_download", args=[world.organisation.pk, version.pk])


def anonymous_get(key: str) -> int:
    url = f"{object_storage.endpoint()}/{object_storage.bucket_name()}/{key}"
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (the test's own server)
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_an_upload_is_an_object_in_the_bucket_and_is_streamed_back_to_who_may_see_it(
    world: World, bucket: object_storage.Bucket
) -> None:
    assert isinstance(storages["private"], ObjectStorage)
    assert upload(world).status_code == 302
    version = newest(world)
    key = f"{bucket.prefix}/private/{version.file.name}"
    assert key in bucket.keys("private/")
    assert bucket.read(key) == PDF
    assert version.sha256 == hashlib.sha256(PDF).hexdigest()

    response = logged_in(world.viewer).get(download_url(world, version))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Length"] == str(len(PDF))
    assert response["Cache-Control"] == "private, no-store"
    assert "attachment" in response["Content-Disposition"]


def test_the_wrong_person_is_refused_and_the_bucket_is_not_public(
    world: World, bucket: object_storage.Bucket
) -> None:
    assert upload(world).status_code == 302
    version = newest(world)
    url = download_url(world, version)
    for client in (logged_in(world.outsider), logged_in(object_storage_stranger())):
        response = client.get(url)
        assert response.status_code == 404
        assert PDF not in response.content
    # not logged in: to the login page, with nothing of the file
    response = logged_in_anonymous().get(url)
    assert response.status_code == 302 and PDF not in response.content
    # and the object itself cannot be read without the portal's credentials
    assert anonymous_get(f"{bucket.prefix}/private/{version.file.name}") == 403


def object_storage_stranger() -> Any:
    from tests.portal.factories import UserFactory

    return UserFactory(name="Sven Främling")


def logged_in_anonymous() -> Any:
    from django.test import Client

    return Client()


def test_a_private_file_has_no_url_of_its_own(bucket: object_storage.Bucket) -> None:
    with pytest.raises(ValueError, match="no URL"):
        private_storage.url("organisations/1/x.pdf")
    with pytest.raises(ValueError, match="no URL"):
        storages["private"].url("organisations/1/x.pdf")


def test_a_file_the_bucket_has_lost_is_a_404_not_a_server_error(
    world: World, bucket: object_storage.Bucket, caplog: pytest.LogCaptureFixture
) -> None:
    assert upload(world).status_code == 302
    version = newest(world)
    private_storage.delete(version.file.name)
    response = logged_in(world.viewer).get(download_url(world, version))
    assert response.status_code == 404
    # the operator is told which file to restore
    assert any(
        record.levelname == "ERROR" and version.file.name in record.getMessage()
        for record in caplog.records
    )


def test_the_open_data_files_are_built_into_the_bucket_and_served_from_it(
    bucket: object_storage.Bucket, client: Any
) -> None:
    manifest = open_data_store.build()
    keys = bucket.keys("open-data/")
    assert f"{bucket.prefix}/open-data/{open_data_store.MANIFEST}" in keys
    csv = manifest["files"][open_data_store.CSV]
    assert f"{bucket.prefix}/open-data/{csv['name']}" in keys
    response = client.get(reverse("grants:open_data_csv"))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body == bucket.read(f"{bucket.prefix}/open-data/{csv['name']}")
    assert hashlib.sha256(body).hexdigest() == csv["etag"]
    # a second build of the same data leaves one set of files, not two
    open_data_store.build()
    assert sorted(bucket.keys("open-data/")) == sorted(keys)


# --- prepare_storage -------------------------------------------------------------------------


def test_prepare_storage_creates_a_missing_bucket_only_when_asked(settings: Any) -> None:
    name = f"portal-new-{timezone.now().strftime('%H%M%S%f')}"
    settings.STORAGES = {**settings.STORAGES, **object_storage.storages_for("p")}
    settings.STORAGES["private"]["OPTIONS"]["bucket_name"] = name
    with pytest.raises(CommandError, match=name):
        call_command("prepare_storage", stdout=io.StringIO())
    out = io.StringIO()
    call_command("prepare_storage", "--create-bucket", "--test-server", stdout=out)
    assert "created" in out.getvalue() and "ready" in out.getvalue()
    object_storage.client().head_bucket(Bucket=name)
    # nothing of the probe is left behind
    assert not object_storage.client().list_objects_v2(Bucket=name).get("Contents")


def test_prepare_storage_refuses_a_store_that_lists_or_takes_objects_from_anyone(
    settings: Any,
) -> None:
    """moto's server, like a store left open, lets a request without credentials list the
    bucket and write to it: refused, unless the operator says it is a test server; the
    anonymous probe does not stay either way."""
    bucket = object_storage.use_bucket(settings)
    with pytest.raises(CommandError, match="Anyone without the key can list the objects and"):
        call_command("prepare_storage", stdout=io.StringIO(), stderr=io.StringIO())
    assert bucket.keys() == []
    out, err = io.StringIO(), io.StringIO()
    call_command("prepare_storage", "--test-server", stdout=out, stderr=err)
    assert "Warning (--test-server): Anyone without the key can list the objects and write" in (
        err.getvalue()
    )
    assert f"{bucket.name}/{bucket.prefix}/private" in err.getvalue()
    assert "ready" in out.getvalue()
    assert bucket.keys() == []


def test_prepare_storage_refuses_a_bucket_anyone_can_read(settings: Any) -> None:
    name = f"portal-open-{timezone.now().strftime('%H%M%S%f')}"
    s3 = object_storage.client()
    s3.create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": object_storage.REGION}
    )
    s3.put_bucket_acl(Bucket=name, ACL="public-read")
    s3.put_bucket_policy(
        Bucket=name,
        Policy=(
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",'
            f'"Action":"s3:GetObject","Resource":"arn:aws:s3:::{name}/*"}}]}}'
        ),
    )
    settings.STORAGES = {**settings.STORAGES, **object_storage.storages_for("p")}
    settings.STORAGES["private"]["OPTIONS"]["bucket_name"] = name
    settings.STORAGES["private"]["OPTIONS"]["default_acl"] = "public-read"
    with pytest.raises(CommandError, match="Anyone can read"):
        call_command("prepare_storage", stdout=io.StringIO())


# --- moving a portal's files from its disk into the bucket -------------------------------------


@pytest.fixture
def disk(settings: Any) -> None:
    """The portal as it was on one machine: its private files on this disk."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "portal.storage.PrivateFileSystemStorage"},
    }


@pytest.fixture
def on_disk(disk: None, world: World, settings: Any) -> list[DocumentVersion]:
    """Three documents stored while the portal kept its files on disk."""
    for kind in (DocumentKind.ACTIVITY_REPORT, DocumentKind.PLAN_AND_BUDGET):
        services.document_upload(
            organisation=world.organisation,
            actor=world.representative,
            year=timezone.localdate().year,
            kind=kind,
            upload=pdf_upload(),
        )
    versions = list(
        DocumentVersion.objects.filter(document__organisation=world.organisation).order_by("pk")
    )
    assert len(versions) == 3
    assert all((Path(settings.PRIVATE_MEDIA_ROOT) / v.file.name).is_file() for v in versions)
    return versions


def move(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("move_files_to_bucket", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_moving_copies_every_file_verified_and_the_portal_then_serves_it_from_the_bucket(
    on_disk: list[DocumentVersion], world: World, settings: Any
) -> None:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    bucket = object_storage.use_bucket(settings)
    out, _ = move()
    assert "3 files named by the database; 3 of them in" in out
    assert "3 copied and verified, 0 already in the bucket, 0 not moved" in out
    assert "Every file the database names is in the bucket. Next:" in out
    for version in on_disk:
        assert bucket.read(f"{bucket.prefix}/private/{version.file.name}") == (
            (root / version.file.name).read_bytes()
        )
        response = logged_in(world.viewer).get(download_url(world, version))
        assert b"".join(response.streaming_content) == (root / version.file.name).read_bytes()
    # the files on disk stay unless asked
    assert all((root / v.file.name).is_file() for v in on_disk)


def test_an_interrupted_move_resumes_without_sending_a_file_twice(
    on_disk: list[DocumentVersion], settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    bucket = object_storage.use_bucket(settings)
    real_upload = move_files_to_bucket.Command._upload
    sent: list[str] = []

    def upload_then_fail(self: Any, target: Any, key: str, handle: Any, digest: str) -> None:
        if len(sent) == 2:
            raise KeyboardInterrupt  # the operator's Ctrl-C, or the machine going down
        sent.append(key)
        real_upload(self, target, key, handle, digest)

    monkeypatch.setattr(move_files_to_bucket.Command, "_upload", upload_then_fail)
    # one line saying how far it came and what to do, not a traceback
    with pytest.raises(
        CommandError, match=r"Stopped: 2 copied and verified.*Run the command again"
    ):
        move()
    assert len(bucket.keys("private/")) == 2

    monkeypatch.setattr(move_files_to_bucket.Command, "_upload", real_upload)
    out, _ = move()
    assert "1 copied and verified, 2 already in the bucket, 0 not moved" in out
    assert len(bucket.keys("private/")) == 3
    out, _ = move("--remove-local")
    assert "0 copied and verified, 3 already in the bucket" in out
    assert "keep the files on this disk" not in out  # it has just removed them, as asked
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    assert not any((root / v.file.name).exists() for v in on_disk)
    # run again to confirm: every file is in the bucket, none on the disk, and that is done
    out, _ = move()
    assert "Every file the database names is in the bucket already; nothing to move." in out


def test_a_container_stopping_the_move_ends_it_as_ctrl_c_does(
    on_disk: list[DocumentVersion], settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`docker compose` stops a command with SIGTERM: the same line as Ctrl-C, and a run again
    sends only what is missing."""
    bucket = object_storage.use_bucket(settings)
    real_upload = move_files_to_bucket.Command._upload

    def upload_then_stopped(self: Any, target: Any, key: str, handle: Any, digest: str) -> None:
        real_upload(self, target, key, handle, digest)
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(move_files_to_bucket.Command, "_upload", upload_then_stopped)
    with pytest.raises(CommandError, match="Stopped: 0 copied and verified"):
        move()
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # given back as it was
    monkeypatch.setattr(move_files_to_bucket.Command, "_upload", real_upload)
    out, _ = move()
    # the object uploaded before the signal is whole: it is not sent again
    assert "2 copied and verified, 1 already in the bucket" in out
    assert len(bucket.keys("private/")) == 3


def test_a_file_the_database_names_but_the_disk_lacks_fails_the_move_by_name(
    on_disk: list[DocumentVersion], settings: Any
) -> None:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    lost = on_disk[0]
    (root / lost.file.name).unlink()
    bucket = object_storage.use_bucket(settings)
    out = io.StringIO()
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 file the database names not in the bucket"):
        call_command("move_files_to_bucket", stdout=out, stderr=err)
    assert "3 files named by the database; 2 of them in" in out.getvalue()
    assert lost.file.name in err.getvalue()
    assert len(bucket.keys("private/")) == 2  # the others moved all the same


def test_an_empty_or_wrong_source_is_an_error_not_a_success(
    on_disk: list[DocumentVersion], settings: Any, tmp_path: Path
) -> None:
    """A mistyped volume name gives the container an empty directory: that must not read as
    "all moved" before the old volume is thrown away."""
    bucket = object_storage.use_bucket(settings)
    with pytest.raises(CommandError, match="None of the files the database names is in"):
        move("--source", str(tmp_path))
    assert bucket.keys("private/") == []


def test_files_no_row_names_and_links_stay_on_the_disk(
    on_disk: list[DocumentVersion], settings: Any, tmp_path: Path
) -> None:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    (root / "organisations" / "left-by-a-crash.pdf").write_bytes(b"%PDF-1.4 no row")
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0")
    (root / "organisations" / "link.pdf").symlink_to(secret)
    bucket = object_storage.use_bucket(settings)
    out, err = move()
    assert "3 copied and verified" in out
    assert (
        "Files no row names, not moved (they stay on this disk): 1" in err
        and "left-by-a-crash.pdf" in err
    )
    assert "Symbolic links, not followed and not moved: 1" in err and "link.pdf" in err
    keys = bucket.keys("private/")
    assert len(keys) == 3 and not any("left-by" in k or "link" in k for k in keys)


def test_a_missing_or_unreachable_bucket_is_one_clear_line(
    on_disk: list[DocumentVersion], settings: Any
) -> None:
    object_storage.use_bucket(settings)
    settings.STORAGES["private"]["OPTIONS"]["bucket_name"] = "portal-never-made"
    settings.STORAGES = {**settings.STORAGES}
    with pytest.raises(CommandError, match="There is no bucket 'portal-never-made'"):
        move()
    settings.STORAGES["private"]["OPTIONS"]["endpoint_url"] = "http://127.0.0.1:9"
    settings.STORAGES["private"]["OPTIONS"]["client_config"] = Config(
        retries={"max_attempts": 1}, connect_timeout=1
    )
    settings.STORAGES = {**settings.STORAGES}
    with pytest.raises(CommandError, match=r"could not be used.*prepare_storage"):
        move()


def test_an_object_already_in_the_bucket_is_never_overwritten(
    on_disk: list[DocumentVersion], settings: Any
) -> None:
    """What the portal wrote to the bucket after it moved there is newer than a disk it left:
    the same bytes count as moved, other bytes are reported and left as they are."""
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    bucket = object_storage.use_bucket(settings)
    same, other = on_disk[0], on_disk[1]
    s3 = object_storage.client()
    s3.put_object(
        Bucket=bucket.name,
        Key=f"{bucket.prefix}/private/{same.file.name}",
        Body=(root / same.file.name).read_bytes(),
    )
    newer = b"%PDF-1.4 written through the bucket since"
    s3.put_object(Bucket=bucket.name, Key=f"{bucket.prefix}/private/{other.file.name}", Body=newer)
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 copied and verified, 1 already in the bucket, 1 not"):
        call_command("move_files_to_bucket", stdout=io.StringIO(), stderr=err)
    assert f"{other.file.name}: the bucket already holds other content" in err.getvalue()
    assert bucket.read(f"{bucket.prefix}/private/{other.file.name}") == newer


def test_an_object_that_only_claims_the_files_checksum_is_not_taken_for_it(
    on_disk: list[DocumentVersion], settings: Any
) -> None:
    """Whoever can write to the bucket can write metadata: a forged object of the same size,
    claiming the file's SHA-256, is read and found out, and the file stays on the disk."""
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    bucket = object_storage.use_bucket(settings)
    target = on_disk[0]
    real = (root / target.file.name).read_bytes()
    forged = b"%PDF-1.4 FORGED " + b"X" * (len(real) - 16)
    object_storage.client().put_object(
        Bucket=bucket.name,
        Key=f"{bucket.prefix}/private/{target.file.name}",
        Body=forged,
        Metadata={"sha256": hashlib.sha256(real).hexdigest()},
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 copied and verified, 0 already in the bucket, 1 not"):
        call_command("move_files_to_bucket", "--remove-local", stdout=io.StringIO(), stderr=err)
    assert f"{target.file.name}: the bucket already holds other content" in err.getvalue()
    assert (root / target.file.name).read_bytes() == real  # not removed on the object's word


def test_a_database_that_names_no_files_is_not_the_portals(
    disk: None, settings: Any, tmp_path: Path
) -> None:
    """A forgotten DATABASE_URL gives a new, empty database: its "nothing to move" is no
    success while the directory holds files."""
    object_storage.use_bucket(settings)
    (tmp_path / "organisations").mkdir()
    (tmp_path / "organisations" / "stadgar.pdf").write_bytes(b"%PDF-1.4")
    with pytest.raises(CommandError, match=r"The database names no files, but .* holds 1 file"):
        move("--source", str(tmp_path))


def test_a_file_that_no_longer_matches_its_recorded_checksum_is_not_moved(
    on_disk: list[DocumentVersion], settings: Any
) -> None:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    damaged = on_disk[1]
    (root / damaged.file.name).write_bytes(b"%PDF-1.4 damaged on disk")
    bucket = object_storage.use_bucket(settings)
    with pytest.raises(CommandError, match="2 copied and verified, 0 already in the bucket, 1 not"):
        move()
    keys = bucket.keys("private/")
    assert f"{bucket.prefix}/private/{damaged.file.name}" not in keys
    assert len(keys) == 2


def test_every_file_that_cannot_be_moved_is_named_in_one_run(
    on_disk: list[DocumentVersion], settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file the disk will not give (another user's, a broken disk) and a file that is gone
    altogether are both named by the first run, which goes on with the others."""
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    unreadable, lost = on_disk[0], on_disk[1]
    (root / lost.file.name).unlink()
    real = move_files_to_bucket.sha256_of

    def refuse(handle: Any) -> str:
        if str(getattr(handle, "name", "")).endswith(unreadable.file.name):
            raise PermissionError(13, "Permission denied", str(root / unreadable.file.name))
        return real(handle)

    monkeypatch.setattr(move_files_to_bucket, "sha256_of", refuse)
    bucket = object_storage.use_bucket(settings)
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 copied and verified, 0 already in the bucket, 1 not"):
        call_command("move_files_to_bucket", stdout=io.StringIO(), stderr=err)
    report = err.getvalue()
    assert f"{unreadable.file.name}: [Errno 13] Permission denied" in report
    assert "Files the database names that are in neither the bucket nor" in report
    assert lost.file.name in report
    assert len(bucket.keys("private/")) == 1


def test_a_copy_that_reads_back_differently_is_removed_and_reported(
    on_disk: list[DocumentVersion], settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    bucket = object_storage.use_bucket(settings)
    real_upload = move_files_to_bucket.Command._upload

    def upload_damaged(self: Any, target: Any, key: str, handle: Any, digest: str) -> None:
        real_upload(self, target, key, io.BytesIO(handle.read()[:-10]), digest)

    monkeypatch.setattr(move_files_to_bucket.Command, "_upload", upload_damaged)
    with pytest.raises(CommandError, match="0 copied and verified, 0 already in the bucket, 3 not"):
        move()
    assert bucket.keys("private/") == []


def test_moving_needs_a_bucket(on_disk: list[DocumentVersion]) -> None:
    with pytest.raises(CommandError, match="STORAGE_URL is not set"):
        move()


def test_readiness_asks_the_bucket_itself_so_a_lost_bucket_is_not_ready_storage(
    settings: Any, client: Any
) -> None:
    """A bucket that is gone answers "no such object" for any name: asking for a name would say
    all is well while every document is lost."""
    object_storage.use_bucket(settings)
    assert client.get(reverse("readyz")).json()["storage"] == "ok"
    settings.STORAGES["private"]["OPTIONS"]["bucket_name"] = "portal-no-such-bucket"
    settings.STORAGES = {**settings.STORAGES}  # heard as a change: the storages are made anew
    answer = client.get(reverse("readyz")).json()
    assert answer["storage"] == "error" and answer["status"] == "degraded"


def test_prepare_storage_says_how_to_create_a_missing_bucket(settings: Any) -> None:
    settings.STORAGES = {**settings.STORAGES, **object_storage.storages_for("p")}
    settings.STORAGES["private"]["OPTIONS"]["bucket_name"] = "portal-never-made"
    with pytest.raises(CommandError, match="--create-bucket"):
        call_command("prepare_storage", stdout=io.StringIO())


def test_a_new_bucket_ends_unfinished_uploads(settings: Any) -> None:
    name = f"portal-rules-{timezone.now().strftime('%H%M%S%f')}"
    settings.STORAGES = {**settings.STORAGES, **object_storage.storages_for("p")}
    settings.STORAGES["private"]["OPTIONS"]["bucket_name"] = name
    call_command("prepare_storage", "--create-bucket", "--test-server", stdout=io.StringIO())
    rules = object_storage.client().get_bucket_lifecycle_configuration(Bucket=name)["Rules"]
    assert rules[0]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
