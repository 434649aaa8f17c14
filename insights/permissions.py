"""Who may see what of the statistics: the one place the rule lives."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from portal.models import PublicBody, User
from portal.selectors import user_memberships


def roots_of(user: User | AnonymousUser) -> set[int]:
    """The municipalities and regions whose unsuppressed figures a person may see: those where
    they are a case officer or a decision maker, at any of their public bodies. A municipality's
    figures are its own officers' and politicians' to read in full; everyone else reads the
    public page, with small groups suppressed."""
    roots: set[int] = set()
    deeper: set[int] = set()
    for membership in user_memberships(user=user):
        body = membership.public_body
        parent = body.parent
        if parent is None:
            roots.add(body.pk)
        elif parent.parent_id is None:
            roots.add(parent.pk)
        else:
            deeper.add(parent.pk)
    if deeper:  # a body three levels down or more: its tree is read once
        parents = dict(PublicBody.objects.values_list("pk", "parent_id"))
        for pk in deeper:
            top, seen = pk, {pk}
            while (up := parents.get(top)) is not None and up not in seen:
                seen.add(up)
                top = up
            roots.add(top)
    return roots


def can_view_dashboard(user: User | AnonymousUser, root: int) -> bool:
    return root in roots_of(user)


def can_import_population(user: User) -> bool:
    """Superusers, and staff given the permission to add population tables."""
    return bool(user.is_active and user.is_staff and user.has_perm("insights.add_populationtable"))
