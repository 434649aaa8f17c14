"""Where the portal keeps files: the register's documents, grant attachments and reports,
agreement PDFs, consultation documents, yearly reports, e-archive packages, the logo (the
storage "private" of STORAGES) and the built open-data files (the storage "open_data").

On one machine they are directories on its disk (PRIVATE_MEDIA_ROOT, OPEN_DATA_ROOT). With
STORAGE_URL set (`s3://bucket/prefix`) they are objects in an S3-compatible bucket, so that
every web node and worker reads what any other one stored (settings, `portal.settings`).

Private files are never public objects and have no URL of their own: they are served only by
views that check who asks (`portal.http.private_file_response`), streamed from the store
(`open_stream`). Not by a presigned URL to the bucket: the bucket then stays on the
municipality's internal network, a download is checked and can be refused at the moment it is
made rather than for the URL's lifetime, and the address that reaches a browser's history, a
proxy's log or a forwarded email is the portal's, which asks again."""

from __future__ import annotations

import os
from typing import IO, Any

from botocore.exceptions import ClientError
from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.deconstruct import deconstructible
from storages.backends.s3 import S3Storage
from storages.utils import clean_name


class PrivateFileSystemStorage(FileSystemStorage):
    """PRIVATE_MEDIA_ROOT, read at use (so that it follows the settings), and no URL at all."""

    @property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no URL; they are served by a view that checks access.")


def not_found(error: ClientError) -> bool:
    """The bucket's answer was 404: no such object (or, to a question about the bucket itself,
    no such bucket)."""
    return error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404


class ObjectStorage(S3Storage):
    """A prefix of the bucket (see the module's text). `open_stream` reads an object as it
    arrives, where `open` first downloads the whole of it."""

    def open_stream(self, name: str) -> IO[bytes]:
        key = self._normalize_name(clean_name(name))
        try:
            body: IO[bytes] = self.bucket.Object(key).get()["Body"]
        except ClientError as error:
            if not_found(error):
                raise FileNotFoundError(f"File does not exist: {name}") from error
            raise
        return body


class PrivateObjectStorage(ObjectStorage):
    """The private files in the bucket: no URL, presigned or not."""

    def url(self, name: str | None, *args: Any, **kwargs: Any) -> str:
        raise ValueError("Private files have no URL; they are served by a view that checks access.")


def open_stream(storage: Storage, name: str) -> IO[bytes]:
    """A stored file to send as it is read: from the bucket without downloading it whole first;
    from disk the file itself (which the server can send with sendfile). FileNotFoundError when
    it is not there."""
    opener = getattr(storage, "open_stream", None)
    if opener is not None:
        stream: IO[bytes] = opener(name)
        return stream
    return storage.open(name, "rb")


@deconstructible(path="portal.storage.PrivateStorage")
class PrivateStorage(Storage):
    """What every private FileField names (and its migrations record): the storage "private"
    of STORAGES as configured when a file is read or written, not when the model was imported.
    So one setting moves every private file, and a test can point it elsewhere."""

    alias = "private"

    @property
    def backend(self) -> Storage:
        return storages[self.alias]

    def __getattr__(self, name: str) -> Any:
        # what one backend has and the other not (`open_stream`, `bucket`, `path`)
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.backend, name)

    def open(self, name: str, mode: str = "rb") -> Any:
        return self.backend.open(name, mode)

    def save(self, name: str | None, content: Any, max_length: int | None = None) -> str:
        return self.backend.save(name, content, max_length=max_length)

    def get_valid_name(self, name: str) -> str:
        return self.backend.get_valid_name(name)

    def get_alternative_name(self, file_root: str, file_ext: str) -> str:
        return self.backend.get_alternative_name(file_root, file_ext)

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return self.backend.get_available_name(name, max_length=max_length)

    def generate_filename(self, filename: str | os.PathLike[str]) -> str:
        return self.backend.generate_filename(filename)

    def path(self, name: str) -> str:
        return self.backend.path(name)

    def delete(self, name: str) -> None:
        self.backend.delete(name)

    def exists(self, name: str) -> bool:
        return self.backend.exists(name)

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        return self.backend.listdir(path)

    def size(self, name: str) -> int:
        return self.backend.size(name)

    def url(self, name: str | None) -> str:
        return self.backend.url(name)

    def get_accessed_time(self, name: str) -> Any:
        return self.backend.get_accessed_time(name)

    def get_created_time(self, name: str) -> Any:
        return self.backend.get_created_time(name)

    def get_modified_time(self, name: str) -> Any:
        return self.backend.get_modified_time(name)


private_storage = PrivateStorage()


@deconstructible(path="portal.storage.LogoStorage")
class LogoStorage(PrivateStorage):
    """The municipality's logo: kept with the private files, served by the portal's logo view
    (to everyone: it is in every page's header). The URL carries the file's name, so that a new
    logo is fetched at once while an unchanged one is kept by the browser."""

    def url(self, name: str | None) -> str:
        from urllib.parse import urlencode

        from django.urls import reverse

        return f"{reverse('portal:logo')}?{urlencode({'v': os.path.basename(name or '')})}"


logo_storage = LogoStorage()
