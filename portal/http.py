"""Small helpers every app's views share."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest

from portal.models import User


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


def form_error_messages(request: HttpRequest, form: Form) -> None:
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, str(message))
