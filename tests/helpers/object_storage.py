"""An S3 server for the tests of object storage.

`.ci/run` starts moto's S3 server as a process and runs the PostgreSQL suite with STORAGE_URL
and AWS_S3_ENDPOINT_URL pointing at it: every test's files then go to the bucket, each test
under a prefix of its own (tests/conftest.py). Without it (`make test` on a newcomer's machine)
the storage tests start the same server in a thread of the test process, so that they run
everywhere against a real S3 endpoint over HTTP, never against a mock of boto3."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from typing import Any, cast

import boto3
from botocore.exceptions import ClientError

BUCKET = "portal-tests"
REGION = "eu-north-1"
# moto accepts any key; a real server (MinIO) is given its own in the environment
KEY = os.environ.get("AWS_ACCESS_KEY_ID", "portal-tests")
SECRET = os.environ.get("AWS_SECRET_ACCESS_KEY", "portal-tests-secret")

_thread_server: Any = None


def endpoint() -> str:
    """The S3 server of this run: the one .ci/run started, else one in a thread (once)."""
    global _thread_server
    if url := os.environ.get("AWS_S3_ENDPOINT_URL"):
        return url
    if _thread_server is None:
        from moto.server import ThreadedMotoServer

        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        _thread_server = server
    host, port = _thread_server.get_host_and_port()
    return f"http://{host}:{port}"


def client() -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint(),
        aws_access_key_id=KEY,
        aws_secret_access_key=SECRET,
        region_name=REGION,
    )


def bucket_name() -> str:
    url = os.environ.get("STORAGE_URL", "")
    return url.removeprefix("s3://").split("/", 1)[0] if url else BUCKET


def ensure_bucket(name: str) -> None:
    s3 = client()
    try:
        s3.head_bucket(Bucket=name)
    except ClientError:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})


def options(location: str) -> dict[str, Any]:
    return {
        "bucket_name": bucket_name(),
        "endpoint_url": endpoint(),
        "region_name": REGION,
        "access_key": KEY,
        "secret_key": SECRET,
        "addressing_style": "path",
        "signature_version": "s3v4",
        "default_acl": None,
        "max_memory_size": 2 * 1024 * 1024,
        "location": location,
    }


def storages_for(prefix: str) -> dict[str, dict[str, Any]]:
    """The "private" and "open_data" storages of STORAGES in the bucket, under `prefix`."""
    return {
        "private": {
            "BACKEND": "portal.storage.PrivateObjectStorage",
            "OPTIONS": {**options(f"{prefix}/private"), "file_overwrite": False},
        },
        "open_data": {
            "BACKEND": "portal.storage.ObjectStorage",
            "OPTIONS": {**options(f"{prefix}/open-data"), "file_overwrite": True},
        },
    }


@dataclass
class Bucket:
    """The bucket a test's files go to, and the prefix they are under."""

    name: str
    prefix: str

    def keys(self, under: str = "") -> list[str]:
        found = client().list_objects_v2(Bucket=self.name, Prefix=f"{self.prefix}/{under}")
        return [item["Key"] for item in found.get("Contents", ())]

    def read(self, key: str) -> bytes:
        body: bytes = client().get_object(Bucket=self.name, Key=key)["Body"].read()
        return body


def use_bucket(settings: Any) -> Bucket:
    """Point the test's STORAGES at a prefix of its own in the bucket."""
    name = bucket_name()
    ensure_bucket(name)
    prefix = f"tests/{uuid.uuid4().hex}"
    settings.STORAGES = {**settings.STORAGES, **storages_for(prefix)}
    return Bucket(name=name, prefix=prefix)


def process_env() -> dict[str, str]:
    """What a process the test starts (a Celery worker) needs to keep its files where the test
    reads them: the test's prefix of the bucket, or its directory."""
    from django.conf import settings

    private = cast(dict[str, Any], settings.STORAGES["private"])
    location = private.get("OPTIONS", {}).get("location")
    if private["BACKEND"] == "portal.storage.PrivateObjectStorage" and location:
        return {
            "STORAGE_URL": f"s3://{private['OPTIONS']['bucket_name']}/{location.removesuffix('/private')}",
            "AWS_S3_ENDPOINT_URL": private["OPTIONS"]["endpoint_url"],
            "AWS_ACCESS_KEY_ID": KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET,
            "AWS_S3_REGION_NAME": REGION,
            "AWS_S3_ADDRESSING_STYLE": "path",
        }
    return {"PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT)}


def stored_names() -> list[str]:
    """Every private file's name, through the storage (a directory or the bucket)."""
    from portal.storage import private_storage

    found: list[str] = []

    def walk(path: str) -> None:
        try:
            directories, files = private_storage.listdir(path)
        except FileNotFoundError:
            return
        found.extend(f"{path}/{name}".lstrip("/") for name in files)
        for directory in directories:
            walk(f"{path}/{directory}".lstrip("/"))

    walk("")
    return sorted(found)
