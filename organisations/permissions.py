"""Who may do what with an organisation: one predicate per verb, in one place."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from organisations.models import OrganisationMembership, OrganisationRole
from portal import selectors as portal_selectors
from portal.models import User


def is_officer(user: User | AnonymousUser) -> bool:
    return portal_selectors.user_is_officer(user=user)


def can_edit_organisation(membership: OrganisationMembership | None) -> bool:
    return membership is not None and membership.has_role(OrganisationRole.EDITOR)


def can_upload_documents(membership: OrganisationMembership | None) -> bool:
    return membership is not None and membership.has_role(OrganisationRole.EDITOR)


def can_manage_members(membership: OrganisationMembership | None) -> bool:
    return membership is not None and membership.has_role(OrganisationRole.REPRESENTATIVE)


def can_resubmit(membership: OrganisationMembership | None) -> bool:
    return can_edit_organisation(membership)


def can_decide_join_request(
    user: User | AnonymousUser, membership: OrganisationMembership | None
) -> bool:
    return can_manage_members(membership) or is_officer(user)


def can_review(user: User | AnonymousUser) -> bool:
    """Verify organisations and their payment details, approve or send back documents."""
    return is_officer(user)
