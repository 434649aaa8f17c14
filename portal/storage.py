"""Private files (the register's documents, grant attachments, agreement PDFs) live outside
the public media root and are served only through views that check who asks (see
`portal.http.private_file_response`)."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """PRIVATE_MEDIA_ROOT, read at use (so that it follows the settings), and no URL at all."""

    @property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no URL; they are served by a view that checks access.")


private_storage = PrivateStorage()
