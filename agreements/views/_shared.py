"""What the agreements pages share: the public bodies a party may be, and the one-form actions
on the agreement page (run, then back to the page with a message)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from agreements import selectors
from portal.http import error_messages, request_user
from portal.models import PublicBody


def _bodies() -> list[tuple[int, str]]:
    return [(b.pk, str(b)) for b in PublicBody.objects.filter(is_active=True).order_by("name")]


def _act(request: HttpRequest, pk: int, action: Any) -> HttpResponse:
    agreement = selectors.agreement_get_for_user(user=request.user, pk=pk)
    try:
        message = action(agreement, request_user(request))
    except ValidationError as error:
        error_messages(request, error)
    else:
        if message:
            messages.success(request, message)
    return redirect("agreements:agreement", pk=pk)
