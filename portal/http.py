"""Small helpers every app's views share."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, cast

import filetype
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext

from portal.models import LOGO_TYPES, SiteSettings, User
from portal.storage import open_stream

logger = logging.getLogger(__name__)


def request_user(request: HttpRequest) -> User:
    """The logged-in person of a view that LoginRequiredMiddleware guards."""
    user = request.user
    if not isinstance(user, User):
        raise TypeError("This view is only for logged-in people.")
    return user


def error_messages(request: HttpRequest, error: ValidationError) -> None:
    """Show a service's refusal as messages on the next page."""
    for message in error.messages:
        messages.error(request, message)


class InvalidForm(Exception):
    """A form on a page did not validate. The view that catches it draws the page again with
    the form bound (`name` is its name in the page's context), so the person sees what to fix
    beside what they typed, instead of a message above an empty form."""

    def __init__(self, name: str, form: Form) -> None:
        super().__init__(name)
        self.name = name
        self.form = form


def offered_form(
    bound: Mapping[str, Any], name: str, offered: bool, make: Callable[[], Form]
) -> Form | None:
    """A page's form: the one sent back with errors (`bound[name]`), whatever the page would
    offer now (what was typed and why it was refused are never dropped), else a new one where
    it is `offered`, else none."""
    if name in bound:
        return cast(Form, bound[name])
    return make() if offered else None


def add_service_errors(
    form: Form, error: ValidationError | PermissionDenied, *, refused: str = ""
) -> None:
    """A service's refusal beside the fields it names (a field the form has not, such as the
    version a page carried, above the form). A refused person (PermissionDenied) is told above
    the form: the service's own words, or `refused`."""
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error) or refused or gettext("You may not do this."))
    elif hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def form_error(form: Form) -> ValidationError:
    """A form's errors as one ValidationError, for a view that reports them as messages."""
    return ValidationError([str(message) for errors in form.errors.values() for message in errors])


def form_error_messages(request: HttpRequest, form: Form) -> None:
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, str(message))


def private_file_response(stored: Any) -> FileResponse:
    """Send a stored private file (a row with `file`, `original_name`, `content_type`, and
    `size` if it has one) as a download. The caller has already checked who asks."""
    return stored_file_response(
        stored.file,
        filename=stored.original_name,
        content_type=stored.content_type,
        size=getattr(stored, "size", None),
    )


class StoredFileResponse(FileResponse):
    """A stored file sent in pieces of 64 KiB rather than Django's 4 KiB: a 20 MB document
    from the bucket is a few hundred reads, not five thousand. (From disk, the server sends
    the file itself, with sendfile, whatever this says.)"""

    block_size = 64 * 1024


def stored_file_response(
    file: Any, *, filename: str, content_type: str, size: int | None = None
) -> FileResponse:
    """A private file as a download that no shared cache keeps, read from the store as it is
    sent (`portal.storage.open_stream`); a file the store has lost is a 404, never a server
    error. The caller has already checked who asks."""
    try:
        handle = open_stream(file.storage, file.name)
    except FileNotFoundError as missing:
        # a record without its file: the person sees "not found", the operator the name to
        # restore from the backup
        logger.error("A stored file is missing: %s", file.name)
        raise Http404 from missing
    response = StoredFileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    if not response.has_header("Content-Length") and size:
        response["Content-Length"] = str(size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def logo_response(site: SiteSettings) -> FileResponse:
    """The logo as an image for everyone, with the type its content has; kept by browsers for a
    day (its URL changes with a new logo)."""
    if not site.logo:
        raise Http404
    try:
        handle = site.logo.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    kind = filetype.guess(handle.read(8192))
    handle.seek(0)
    if kind is None or kind.extension not in LOGO_TYPES:
        handle.close()
        raise Http404
    response = FileResponse(handle, content_type=LOGO_TYPES[kind.extension])
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=86400"
    return response
