"""What the agreements pages share: the public bodies a party may be, and the one-form actions
on the agreement page (run, then back to the page with a message)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from agreements import selectors
from portal.http import InvalidForm, error_messages, request_user
from portal.models import PublicBody


def _bodies() -> list[tuple[int, str]]:
    return [(b.pk, str(b)) for b in PublicBody.objects.filter(is_active=True).order_by("name")]


def _act(request: HttpRequest, pk: int, action: Any, *, anchor: str = "") -> HttpResponse:
    """Run `action(agreement, user)`: its message is shown on the agreement page (at `anchor`);
    a page it returns instead (the confirmation step) is shown as it is."""
    agreement = selectors.agreement_get_for_user(user=request.user, pk=pk)
    try:
        result = action(agreement, request_user(request))
    except InvalidForm as invalid:
        # The page again with the form as it was sent: its errors beside what was typed.
        from agreements.views.document import agreement_page

        return agreement_page(request, agreement, bound={invalid.name: invalid.form}, status=400)
    except ValidationError as error:
        error_messages(request, error)
    else:
        if isinstance(result, HttpResponse):
            return result
        if result:
            messages.success(request, result)
    return redirect(agreement_url(pk, anchor))


def agreement_url(pk: int, anchor: str = "") -> str:
    return reverse("agreements:agreement", args=[pk]) + (f"#{anchor}" if anchor else "")
