"""The public pages (open calls, the directory, the IOP register) kept in a cache for a short
while: the most read pages of the portal show the same list to every visitor, and it need not
be read and drawn again for each of them. PUBLIC_PAGE_CACHE_SECONDS sets the while (0:
nothing is kept).

- A visitor with no session and no messages gets the whole kept page. It says nothing about
  the visitor (the anonymous header holds no CSRF token: the language switch does not need
  one); it is kept per address and language. Browsers are told not to keep it themselves, so a
  visitor who logs in sees their own header at once.
- Anyone else (logged in, or with a message to be shown) gets the kept list inside a header of
  their own: the page's `{% public_content %}` part (`portal.templatetags.public`), kept per
  address and language, and the view's queries `deferred` until that part is drawn, so that a
  kept part costs none of them. Before, a logged-in member got the whole page built on every
  view, 5–9 times the floor at the bench's scale.

What is kept of a list is stale the moment one of its tables changes: each app watches them under
the generation `LISTS` (`portal.person_cache.watch`), whose number is part of every key, so an
officer who opens a call, or an organisation that leaves the directory, is seen in the list at
once by everyone. Without a shared cache for the person's keeping (`person_cache.enabled`), what
is kept is only as old as the while. What changes with the clock alone (a call whose deadline
has passed) is at most that while late.

Only a list's own first pages are kept: an address with no parameter but its page number (`sida`,
2 to `KEPT_PAGES`, as the list's links write it). A search, a filter, a page further on or a
parameter the page does not read is drawn for its request and kept for no one, so that no
visitor can fill the cache with addresses of their own making; and what is kept is in a cache of
its own (`KEPT`, settings.CACHES), apart from the login rate limits and the used two-factor
codes, which it can thus never push out. (A kept address has no filter, so a filter form on it
is empty and without errors: the page title's "Fel:" needs none of its deferred values.)

What such a part holds must be the same for everyone: the list, its filters (a GET form) and its
pages; never a form that posts (a part with a CSRF token is drawn for each request and never
kept) and nothing of the person."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language

from portal import person_cache

View = Callable[..., HttpResponse]


def _anonymous_and_without_state(request: HttpRequest) -> bool:
    return (
        request.method in {"GET", "HEAD"}
        and not request.user.is_authenticated
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


# the generation of the tables the public lists show (each app `watch`es its own)
LISTS = "public-lists"
# the cache what is kept is kept in (settings.CACHES)
KEPT = "public"
# the pages of a list that are kept (`sida`): those visitors read
KEPT_PAGES = 20


def _kept_address(request: HttpRequest) -> bool:
    """A list's own address: nothing after it, or only a page number from 2 to KEPT_PAGES
    written as its links write it (the query string as it came, so that no other spelling of
    a page, nor bytes a browser would not send, is kept under a page's key)."""
    query = request.META.get("QUERY_STRING", "")
    if not query:
        return True
    number = query.removeprefix("sida=")
    return (
        number != query
        and number.isascii()
        and number.isdigit()
        and number == str(int(number))
        and 2 <= int(number) <= KEPT_PAGES
    )


def _key(request: HttpRequest, kind: str = "public-page") -> str:
    address = f"{request.get_host()}{request.get_full_path()}"
    generation = person_cache.generation(LISTS) if person_cache.enabled() else 0
    digest = hashlib.sha256(address.encode()).hexdigest()
    return f"{kind}:{generation}:{get_language()}:{digest}"


def content_key(request: HttpRequest) -> str:
    """The key the request's `{% public_content %}` part is kept under, or "" (not kept): set
    by `public_page` for a page read with GET or HEAD while PUBLIC_PAGE_CACHE_SECONDS is on."""
    return getattr(request, "public_content_key", "")


class Deferred:
    """One value of a `deferred` context, made when it is first read: Django's templates call
    a callable value they are given (a test reads it by calling it)."""

    __slots__ = ("name", "values")

    def __init__(self, values: Callable[[], dict[str, Any]], name: str) -> None:
        self.values = values
        self.name = name

    def __call__(self) -> Any:
        return self.values()[self.name]


def deferred(build: Callable[[], dict[str, Any]], *names: str) -> dict[str, Deferred]:
    """A page's context whose values `names` are made by `build()` when the template first
    reads one of them, and once: a page whose `{% public_content %}` part is kept reads none of
    them, and makes none of the queries `build` would."""
    made: dict[str, Any] = {}

    def values() -> dict[str, Any]:
        if not made:
            made.update(build())
        return made

    return {name: Deferred(values, name) for name in names}


def public_page(view: View) -> View:
    """Keep the view's page for visitors without a session, and its `{% public_content %}` part
    for everyone, for PUBLIC_PAGE_CACHE_SECONDS."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        seconds = settings.PUBLIC_PAGE_CACHE_SECONDS
        if not seconds or request.method not in {"GET", "HEAD"} or not _kept_address(request):
            return view(request, *args, **kwargs)
        request.public_content_key = _key(request, "public-content")  # type: ignore[attr-defined]
        if not _anonymous_and_without_state(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        kept: HttpResponse | None = caches[KEPT].get(key)
        if kept is None:
            kept = view(request, *args, **kwargs)
            if kept.status_code != 200 or kept.cookies or kept.streaming:
                return kept
            caches[KEPT].set(key, kept, seconds)
        add_never_cache_headers(kept)
        return kept

    return wrapper
