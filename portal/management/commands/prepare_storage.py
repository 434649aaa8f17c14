"""Check (and with --create-bucket make) the place the portal keeps its files, before the first
web node starts: `docker compose` runs it once beside `migrate`.

With STORAGE_URL the bucket must exist and be private: the command writes a probe object,
reads it back, asks for it without credentials (which must be refused) and removes it. It then
asks, without credentials, for the list of the portal's objects and to write one: a real S3
store refuses both unless told otherwise, and the command refuses a store that allows either
(with the names, anyone could put a forged document in a real one's place). moto's server,
which development and CI use, allows both whatever the bucket's settings: --test-server says so
and turns the refusal into a warning. Without STORAGE_URL it makes the directories on disk."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.storage import ObjectStorage, not_found


class Command(BaseCommand):
    help = "Check the storage of the portal's files (and create the bucket with --create-bucket)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--create-bucket",
            action="store_true",
            help=(
                "create the bucket if it does not exist, with all public access blocked and "
                "unfinished uploads ended after a day (an existing bucket is left as it is)"
            ),
        )
        parser.add_argument(
            "--test-server",
            action="store_true",
            help=(
                "a development or CI server (moto) that lets anyone list and write: warn of it "
                "instead of refusing. Never for a bucket that holds real files"
            ),
        )

    def handle(self, *args: Any, create_bucket: bool, test_server: bool, **options: Any) -> None:
        private = storages["private"]
        if not isinstance(private, ObjectStorage):
            for directory in (settings.PRIVATE_MEDIA_ROOT, settings.OPEN_DATA_ROOT):
                Path(directory).mkdir(parents=True, exist_ok=True)
                self.stdout.write(f"Files on this machine's disk: {directory}")
            return
        try:
            self._bucket(private, create=create_bucket)
            self._round_trip(private)
            opened = self._open_to_anyone(private)
        except (BotoCoreError, ClientError) as error:
            raise CommandError(
                f"The bucket {private.bucket_name!r} cannot be used: {error}"
            ) from error
        where = f"{private.bucket_name}/{private.location}".rstrip("/")
        if opened:
            said = (
                f"Anyone without the key can {' and '.join(opened)} in {where!r}: the store "
                "must refuse requests without credentials, or with the names known anyone could "
                "put a forged document in a real one's place."
            )
            if not test_server:
                raise CommandError(
                    f"{said} (For moto's development server, which allows it whatever the "
                    "settings, add --test-server.)"
                )
            self.stderr.write(self.style.WARNING(f"Warning (--test-server): {said}"))
        checked = (
            "an unsigned read refused (unsigned listing and writing allowed: a test server)"
            if opened
            else "refused without credentials"
        )
        self.stdout.write(
            self.style.SUCCESS(f"Bucket {where!r} ready: written, read back, {checked}, removed.")
        )

    def _bucket(self, storage: ObjectStorage, *, create: bool) -> None:
        client = storage.connection.meta.client
        try:
            client.head_bucket(Bucket=storage.bucket_name)
            if create:
                self.stdout.write(
                    f"Bucket {storage.bucket_name!r} exists: its access settings and lifecycle "
                    "rules are left as they are."
                )
            return
        except ClientError as error:
            if not not_found(error):
                raise
            if not create:
                raise CommandError(
                    f"There is no bucket {storage.bucket_name!r}. Create it with "
                    "`manage.py prepare_storage --create-bucket`, or correct STORAGE_URL."
                ) from error
        config: dict[str, Any] = {}
        region = client.meta.region_name
        if region and region != "us-east-1":  # AWS wants no constraint for its first region
            config["CreateBucketConfiguration"] = {"LocationConstraint": region}
        client.create_bucket(Bucket=storage.bucket_name, **config)
        try:
            client.put_public_access_block(
                Bucket=storage.bucket_name,
                PublicAccessBlockConfiguration={
                    "BlockPublicAcls": True,
                    "IgnorePublicAcls": True,
                    "BlockPublicPolicy": True,
                    "RestrictPublicBuckets": True,
                },
            )
        except ClientError as error:
            # not every S3 server knows the call (a new bucket is private there anyway)
            self.stdout.write(f"Public access block not set: {error}")
        try:
            # An upload cut off half-way (a worker killed mid-file) leaves no object, but its
            # parts are kept, unseen, until someone ends the upload: the bucket ends them a day on.
            client.put_bucket_lifecycle_configuration(
                Bucket=storage.bucket_name,
                LifecycleConfiguration={
                    "Rules": [
                        {
                            "ID": "abort-unfinished-uploads",
                            "Status": "Enabled",
                            "Filter": {"Prefix": ""},
                            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
                        }
                    ]
                },
            )
        except ClientError as error:
            self.stdout.write(f"Unfinished uploads are not ended by the bucket: {error}")
        self.stdout.write(f"Bucket {storage.bucket_name!r} created.")

    def _round_trip(self, storage: ObjectStorage) -> None:
        content = uuid.uuid4().hex.encode()
        name = storage.save(f"prepare-storage/{uuid.uuid4().hex}.txt", ContentFile(content))
        try:
            with storage.open(name, "rb") as handle:
                if handle.read() != content:
                    raise CommandError("The probe read back from the bucket differs.")
            key = storage._normalize_name(name)
            try:
                storage.unsigned_connection.meta.client.get_object(
                    Bucket=storage.bucket_name, Key=key
                )
            except ClientError:
                pass  # refused: the bucket's objects are private
            else:
                raise CommandError(
                    f"Anyone can read the bucket {storage.bucket_name!r} without credentials. "
                    "Make it private: the portal's files include personal data."
                )
        finally:
            storage.delete(name)

    def _open_to_anyone(self, storage: ObjectStorage) -> list[str]:
        """What the store lets a request without credentials do with the portal's objects,
        beyond reading one (refused above): "list the objects", "write objects"."""
        anonymous = storage.unsigned_connection.meta.client
        prefix = storage._normalize_name("prepare-storage/")
        opened = []
        try:
            anonymous.list_objects_v2(Bucket=storage.bucket_name, Prefix=prefix, MaxKeys=1)
        except ClientError:
            pass
        else:
            opened.append("list the objects")
        key = f"{prefix}anonymous-{uuid.uuid4().hex}.txt"
        try:
            anonymous.put_object(Bucket=storage.bucket_name, Key=key, Body=b"probe")
        except ClientError:
            pass
        else:
            opened.append("write objects")
            storage.connection.meta.client.delete_object(Bucket=storage.bucket_name, Key=key)
        return opened
