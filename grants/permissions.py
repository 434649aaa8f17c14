"""Who may do what with grants. Officers act only for the public body that owns the programme."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from grants.models import Application
from organisations.models import OrganisationMembership, OrganisationRole
from portal.models import PublicBodyRole, User
from portal.selectors import user_memberships


def _has_role(user: User | AnonymousUser, public_body_id: int, role: str) -> bool:
    return any(
        m.public_body_id == public_body_id and m.role == role for m in user_memberships(user=user)
    )


def body_of(application: Application) -> int:
    return application.public_body_id


def can_handle(user: User | AnonymousUser, application: Application) -> bool:
    """Assess, request completion, score and propose: a case officer of the owning body."""
    return _has_role(user, body_of(application), PublicBodyRole.CASE_OFFICER)


def can_decide(user: User | AnonymousUser, application: Application) -> bool:
    """Decide within delegation: a decision maker of the owning body, never on a proposal they
    prepared themselves (four-eyes)."""
    return (
        _has_role(user, body_of(application), PublicBodyRole.DECISION_MAKER)
        and application.proposed_by_id is not None
        and application.proposed_by_id != user.pk
    )


def can_edit(membership: OrganisationMembership | None) -> bool:
    """Write, submit and withdraw an application: an editor or representative."""
    return membership is not None and membership.has_role(OrganisationRole.EDITOR)
