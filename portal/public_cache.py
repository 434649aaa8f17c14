"""The public pages (open calls, the directory, the IOP register) as the public sees them, kept
in the shared cache for a short while: the most read pages of the portal are the same for every
visitor who is not logged in, and need not be built again for each of them.

Only for a visitor with no session and no messages: a logged-in person, or anyone the portal
has something to say to, always gets a page built for them. A kept page says nothing about the
visitor (the anonymous header holds no CSRF token: the language switch does not need one); it is
kept per address and language. Browsers are told not to keep it themselves, so a visitor who
logs in sees their own header at once. PUBLIC_PAGE_CACHE_SECONDS sets the while (0: nothing is
kept)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language

View = Callable[..., HttpResponse]


def _anonymous_and_without_state(request: HttpRequest) -> bool:
    return (
        request.method in {"GET", "HEAD"}
        and not request.user.is_authenticated
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def _key(request: HttpRequest) -> str:
    address = f"{request.get_host()}{request.get_full_path()}"
    return f"public-page:{get_language()}:{hashlib.sha256(address.encode()).hexdigest()}"


def public_page(view: View) -> View:
    """Keep the view's page for visitors without a session for PUBLIC_PAGE_CACHE_SECONDS."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        seconds = settings.PUBLIC_PAGE_CACHE_SECONDS
        if not seconds or not _anonymous_and_without_state(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        kept: HttpResponse | None = cache.get(key)
        if kept is None:
            kept = view(request, *args, **kwargs)
            if kept.status_code != 200 or kept.cookies or kept.streaming:
                return kept
            cache.set(key, kept, seconds)
        add_never_cache_headers(kept)
        return kept

    return wrapper
