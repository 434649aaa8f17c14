from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from portal import selectors


def portal(request: HttpRequest) -> dict[str, Any]:
    """The logged-in person's officer roles for the header; read only if a template uses them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "header_memberships": SimpleLazyObject(lambda: list(selectors.user_memberships(user=user)))
    }
