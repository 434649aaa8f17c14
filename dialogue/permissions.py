"""Who may do what with a local compact: the one place these rules live.

- Manage (write and revise the text, open it for comments, record its adoption, keep the action
  plans, commitments and follow-ups): a case officer of the compact's public body, or of a body
  directly under it (a committee of the municipality whose compact it is).
- Sign on, confirm a new version, withdraw: a representative (firmatecknare) of a verified
  organisation, read at the moment they act.
- Comment on a version open for comments: a representative or editor of a verified organisation.
- Read: the adopted text, the signatory organisations and the published follow-ups are public;
  a draft only for those who manage the compact; a version open for comments for everyone.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from dialogue.models import Compact
from organisations import permissions as organisation_permissions
from organisations import selectors as organisation_selectors
from organisations.models import Organisation, OrganisationRole, OrganisationStatus
from portal.models import PublicBodyRole, User
from portal.selectors import user_memberships

AnyUser = User | AnonymousUser


def managed_body_ids(user: AnyUser) -> set[int]:
    """The public bodies whose compacts the person manages: where they are a case officer, and
    the body above each (their municipality)."""
    found: set[int] = set()
    for membership in user_memberships(user=user):
        if membership.role == PublicBodyRole.CASE_OFFICER:
            found.add(membership.public_body_id)
            if membership.public_body.parent_id is not None:
                found.add(membership.public_body.parent_id)
    return found


def can_manage(user: AnyUser, compact: Compact) -> bool:
    return compact.public_body_id in managed_body_ids(user)


def can_manage_any(user: AnyUser) -> bool:
    return bool(managed_body_ids(user))


def can_sign_for(user: AnyUser, organisation: Organisation) -> bool:
    """A representative of a verified organisation, read now (services ask it before writing)."""
    return organisation.status == OrganisationStatus.VERIFIED and (
        organisation_permissions.can_act_for(user, organisation, OrganisationRole.REPRESENTATIVE)
    )


def can_comment_for(user: AnyUser, organisation: Organisation) -> bool:
    return organisation.status == OrganisationStatus.VERIFIED and (
        organisation_permissions.can_act_for(user, organisation, OrganisationRole.EDITOR)
    )


def signing_organisation_ids(user: AnyUser) -> set[int]:
    """The organisations the person is a representative of (the request's copy; the service
    checks again, and checks that the organisation is verified)."""
    return {
        pk
        for pk, role in organisation_selectors.organisation_roles(user=user).items()
        if role == OrganisationRole.REPRESENTATIVE
    }


def commenting_organisation_ids(user: AnyUser) -> set[int]:
    return {
        pk
        for pk, role in organisation_selectors.organisation_roles(user=user).items()
        if role in (OrganisationRole.REPRESENTATIVE, OrganisationRole.EDITOR)
    }
