"""Who may do what on the platform's own pages: one predicate per verb."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from portal import selectors
from portal.models import User


def can_view_officer_area(user: User | AnonymousUser) -> bool:
    return selectors.user_is_officer(user=user)
