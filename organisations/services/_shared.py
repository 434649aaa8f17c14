"""What the register's services share: the organisation's row locked, and whether a case
officer may act on the organisation (and why not)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

from organisations import permissions, segregation
from organisations.models import (
    Organisation,
)
from portal.models import User

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _lock(organisation: Organisation) -> Organisation:
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def _ensure_officer_may_act(actor: User, organisation: Organisation) -> None:
    """An officer's action on the organisation: an officer, and not one who must stay out of
    its cases (member, recent member, registrant, pending join request, declared jäv)."""
    if not permissions.is_officer(actor):
        raise PermissionDenied
    segregation.ensure_may_act(actor, organisation_ids=[organisation.pk], case=organisation)


def _officer_refusal(
    actor: User, organisation: Organisation, changed_by_id: int | None = None
) -> StrOrPromise | None:
    """Why an officer's action on the organisation is refused: they must stay out of its
    cases, or (`changed_by_id`) they made the change themselves. A bare refusal otherwise."""
    if not permissions.is_officer(actor):
        return None
    if permissions.is_excluded(actor, organisation):
        return segregation.EXCLUDED_MESSAGE
    if segregation.is_own_change(actor, changed_by_id):
        return segregation.OWN_CHANGE_MESSAGE
    return None
