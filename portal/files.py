"""Checks of uploaded files, for every app that takes them: type from the content (not the
name), size, empty files; and storing a checked upload under a name of the portal's own."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

import filetype
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 20 * 1024 * 1024

# extension detected from the content → MIME type served back
ALLOWED_TYPES = {
    "pdf": "application/pdf",
    "odt": "application/vnd.oasis.opendocument.text",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jpg": "image/jpeg",
    "png": "image/png",
}
ALLOWED_DESCRIPTION = "PDF, ODT, DOCX, XLSX, JPEG, PNG"


@dataclass(frozen=True)
class CheckedFile:
    extension: str
    content_type: str
    safe_name: str


def check_upload(upload: UploadedFile) -> CheckedFile:
    """Refuse with a Swedish message what the portal does not keep."""
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is %(size)s; the largest file allowed is %(max)s.")
            % {"size": filesizeformat(size), "max": filesizeformat(MAX_UPLOAD_BYTES)},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.extension not in ALLOWED_TYPES:
        raise ValidationError(
            _("The file's content is not one of the allowed types (%(types)s).")
            % {"types": ALLOWED_DESCRIPTION},
            code="type",
        )
    return CheckedFile(
        extension=kind.extension,
        content_type=ALLOWED_TYPES[kind.extension],
        safe_name=safe_filename(upload.name or "", kind.extension),
    )


def safe_filename(name: str, extension: str) -> str:
    """A name to show and to offer on download: no path, no odd characters, the extension of
    what the file really is."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    try:
        stem = get_valid_filename(stem)
    except SuspiciousFileOperation:  # '' or '..'
        stem = ""
    stem = stem[:100] or "dokument"
    return f"{stem}.{extension}"


def store_upload(*, record: Any, upload: UploadedFile, checked: CheckedFile) -> None:
    """Fill a stored-file row (`file`, `original_name`, `content_type`, `size`, `sha256`) from a
    checked upload and save it, under a name of the portal's own. No file stays without its
    row: if saving the row fails, the file is removed again."""
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    record.original_name = checked.safe_name
    record.content_type = checked.content_type
    record.size = upload.size or 0
    record.sha256 = digest.hexdigest()
    record.file.save(
        f"{uuid.uuid4().hex}.{checked.extension}", ContentFile(upload.read()), save=False
    )
    try:
        record.save()
    except Exception:
        record.file.delete(save=False)
        raise
