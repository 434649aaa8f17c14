"""A part of a page that is the same for everyone who may see it, drawn once and kept between
requests in the cache of kept pages (`portal.public_cache.KEPT`):

    {% load frame %}
    {% kept part %}…{% endkept %}

The view gives `part`, a `Part` that names everything the part shows (`vary`) beyond what the
tables of its generations hold (`generations`, `portal.person_cache.watch`): a change to one of
those tables makes every kept copy stale at once, as it does the person's facts. With `part`
None the part is drawn for the request: a view gives None for a view with errors (a form
with errors belongs to its request), and the page title's "Fel:" therefore need not read the
values a kept part would not (`public_cache.deferred`).

Drawing a part and its forms is most of a page's time when its figures are kept already: the
statistics dashboard spent two thirds of its 5 ms on its filters, its report form and their
templates. The frame every page is drawn in (`{% frame %}`) is kept the same way, per person.

What belongs to one request is put in after, as the frame does: the CSRF token (`{% csrf_token
%}` inside a part writes a stand-in) and the page's own address (`frame_path`). The stand-ins
hold a NUL character, which no text a person writes can (every form refuses it, and PostgreSQL
cannot store it), so no name can be made to stand in for them.

Only with a cache shared by every process and the generations it keeps (`person_cache.enabled`)
is anything kept: without them a change would not be seen until the copy expired."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils.html import escape
from django.utils.translation import get_language

from portal import person_cache
from portal.public_cache import KEPT

CSRF_MARK = "\x00frame:csrf\x00"
PATH_MARK = "\x00frame:path\x00"


@dataclass(frozen=True)
class Part:
    name: str
    # everything the part shows that the generations' tables do not: the view's choices, the
    # ids and build times of what it reads, whose roles it is drawn for
    vary: tuple[object, ...]
    generations: tuple[str, ...]

    def key(self) -> str:
        numbers = [person_cache.generation(name) for name in self.generations]
        material = "\x1f".join(map(str, (*self.vary, *numbers)))
        digest = hashlib.sha256(material.encode()).hexdigest()
        return f"kept-part:{self.name}:{get_language()}:{digest}"


def filled(html: str, request: HttpRequest) -> str:
    """A kept part with the request's own address and CSRF token in place of the stand-ins."""
    if PATH_MARK in html:
        html = html.replace(PATH_MARK, escape(request.get_full_path()))
    if CSRF_MARK in html:
        html = html.replace(CSRF_MARK, escape(get_token(request)))
    return html


def drawn(part: Part | None, request: HttpRequest, draw: Callable[[], str]) -> str:
    """The part's HTML for `request`: kept, or drawn by `draw()` (which writes the stand-ins)
    and kept; drawn for the request alone without a part or the person's keeping."""
    if part is None or not person_cache.enabled():
        return filled(draw(), request)
    key = part.key()
    html = caches[KEPT].get(key)
    if not isinstance(html, str):
        html = draw()
        caches[KEPT].set(key, html, settings.PERSON_CACHE_SECONDS)
    return filled(html, request)
