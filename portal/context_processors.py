from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from organisations import selectors as organisation_selectors
from portal import selectors


def portal(request: HttpRequest) -> dict[str, Any]:
    """The logged-in person's roles for the header: officer roles at public bodies, or else
    roles in organisations. Read only if a template uses them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "header_memberships": SimpleLazyObject(lambda: list(selectors.user_memberships(user=user))),
        "header_organisation_memberships": SimpleLazyObject(
            lambda: list(organisation_selectors.memberships_for_user(user=user))
        ),
    }
