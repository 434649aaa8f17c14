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


class LogoStorage(PrivateStorage):
    """The municipality's logo: kept with the private files, served by the portal's logo view
    (to everyone: it is in every page's header). The URL carries the file's name, so that a new
    logo is fetched at once while an unchanged one is kept by the browser."""

    def url(self, name: str | None) -> str:
        from urllib.parse import urlencode

        from django.urls import reverse

        return f"{reverse('portal:logo')}?{urlencode({'v': os.path.basename(name or '')})}"


logo_storage = LogoStorage()
