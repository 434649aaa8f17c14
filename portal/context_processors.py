from __future__ import annotations

from typing import cast

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from portal import registry, selectors


def _header_roles(request: HttpRequest) -> list[str]:
    """Beside the person's name: their officer roles; else "Administrator"; else the roles the
    apps' header panels name (an association's people: their organisations)."""
    user = request.user
    memberships = selectors.user_memberships(user=user)
    if memberships:
        return [f"{m.get_role_display()}, {m.public_body}" for m in memberships]
    if user.is_staff:
        return [_("Administrator")]
    roles: list[str] = []
    for panel in registry.panels(registry.HEADER):
        roles += [str(role) for role in cast(list[object], panel.context(request).get("roles", []))]
    return roles


def portal(request: HttpRequest) -> dict[str, object]:
    """The menu's links for everyone, and for the logged-in person their officer roles and the
    roles shown in the header. Roles are read only if a template uses them."""
    context: dict[str, object] = {
        "nav_public": registry.nav_items(registry.PUBLIC),
        "nav_footer": registry.nav_items(registry.FOOTER),
    }
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    context.update(
        nav_signed_in=registry.nav_items(registry.SIGNED_IN),
        header_memberships=SimpleLazyObject(lambda: selectors.user_memberships(user=user)),
        header_roles=SimpleLazyObject(lambda: _header_roles(request)),
    )
    return context
