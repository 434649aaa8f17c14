from __future__ import annotations

from typing import cast

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal import registry, selectors


def _header_roles(request: HttpRequest) -> list[str]:
    """The person's roles: their officer roles; else "Administrator"; else the roles the apps'
    header panels name (an association's people: their organisations)."""
    user = request.user
    memberships = selectors.public_body_roles(user=user)
    if memberships:
        return [f"{m.get_role_display()}, {m.public_body}" for m in memberships]
    if user.is_staff:
        return [_("Administrator")]
    roles: list[str] = []
    for panel in registry.panels(registry.HEADER):
        roles += [str(role) for role in cast(list[object], panel.context(request).get("roles", []))]
    return roles


def _header_role_summary(request: HttpRequest) -> str:
    """Beside the person's name: the first role and how many more (the full list is on their
    overview), so that a person with many roles keeps a small header."""
    roles = _roles(request)
    if len(roles) <= 1:
        return roles[0] if roles else ""
    more = len(roles) - 1
    return ngettext(
        "%(role)s and %(count)d more role", "%(role)s and %(count)d more roles", more
    ) % {"role": roles[0], "count": more}


def _roles(request: HttpRequest) -> list[str]:
    cached: list[str] | None = getattr(request, "_header_roles", None)
    if cached is None:
        cached = _header_roles(request)
        request._header_roles = cached  # type: ignore[attr-defined]
    return cached


def _officer_nav(request: HttpRequest) -> list[registry.NavItem]:
    """The officers' menu: the links for the roles this person holds (a link for no role in
    particular is an officer's: a registrar gets only the links that name their role)."""
    roles = {m.role for m in selectors.public_body_roles(user=request.user)}
    if not roles:
        return []
    return [
        item
        for item in registry.nav_items(registry.OFFICER)
        if roles.intersection(item.roles or selectors.OFFICER_ROLES)
    ]


def portal(request: HttpRequest) -> dict[str, object]:
    """What every page's frame shows: who runs the portal, the menu's links for everyone, and
    for the logged-in person their own links, the officers' menu and their roles. Who runs the
    portal (one cached read) and the roles are read only if a template uses them: a page whose
    frame is kept reads neither."""
    context: dict[str, object] = {
        # read when a template shows it: the kept frame (portal.templatetags.frame) does not
        "site": SimpleLazyObject(lambda: selectors.site_settings(request)),
        "nav_public": registry.nav_items(registry.PUBLIC),
        "nav_footer": registry.nav_items(registry.FOOTER),
    }
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    context.update(
        nav_signed_in=registry.nav_items(registry.SIGNED_IN),
        nav_officer=SimpleLazyObject(lambda: _officer_nav(request)),
        header_memberships=SimpleLazyObject(lambda: selectors.user_memberships(user=user)),
        header_roles=SimpleLazyObject(lambda: _roles(request)),
        header_role_summary=SimpleLazyObject(lambda: _header_role_summary(request)),
    )
    return context
