"""Who may do what with a local compact: the one place these rules live.

- Manage (write and revise the text, open it for comments, record its adoption, keep the action
  plans, commitments and follow-ups): a case officer of the compact's public body, or of a body
  directly under it (a committee of the municipality whose compact it is).
- Sign on, confirm a new version, withdraw: a representative (firmatecknare) of a verified
  organisation, read at the moment they act.
- Comment on a version open for comments: a representative or editor of a verified organisation.
- Read: the adopted text, the signatory organisations and the published follow-ups are public;
  a draft only for those who manage the compact; a version open for comments for everyone.

Forums and councils:
- Manage (members, meetings, agenda, attendance, minutes): as a compact, the case officers of the
  forum's public body or of a body directly under it.
- Answer an invitation, appoint or replace the organisation's representative and deputy, leave:
  a representative of the member organisation, read at the moment they act.
- Propose an agenda item: the appointed representative or deputy of an active member.
- Read: the forum, its member organisations (no persons), its coming meetings with their agenda
  and its published minutes are public.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from organisations import permissions as organisation_permissions
from organisations import selectors as organisation_selectors
from organisations.models import Organisation, OrganisationRole, OrganisationStatus
from portal.models import PublicBodyMembership, PublicBodyRole, User
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


class Owned(Protocol):
    public_body_id: int


def managers_q(bodies: Any) -> Q:
    """The people who manage what these public bodies own, as a filter on users: the query form
    of `managed_body_ids` (a case officer of the body, or of a body directly under it)."""
    return Q(
        pk__in=PublicBodyMembership.objects.filter(role=PublicBodyRole.CASE_OFFICER)
        .filter(Q(public_body_id__in=bodies) | Q(public_body__parent_id__in=bodies))
        .values("user_id")
    )


def can_manage(user: AnyUser, thing: Owned) -> bool:
    """A compact or a forum: managed by the case officers of its public body (or of a body
    directly under it)."""
    return thing.public_body_id in managed_body_ids(user)


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


def appointed_members(user: AnyUser, members: list[Any]) -> list[Any]:
    """The active memberships of verified organisations (of those given, read with
    `selectors.with_current_people`) for which the person is the appointed representative or
    deputy and still a person of the organisation."""
    if not user.is_authenticated:
        return []
    return [
        m
        for m in members
        if m.status == "active"
        and m.organisation.status == OrganisationStatus.VERIFIED
        and (
            (user.pk == m.representative_id and getattr(m, "representative_current", False))
            or (user.pk == m.deputy_id and getattr(m, "deputy_current", False))
        )
    ]


def can_answer_for(user: AnyUser, organisation: Organisation) -> bool:
    """A representative of the organisation, read now: accepts or declines an invitation,
    appoints its people, leaves."""
    return organisation_permissions.can_act_for(user, organisation, OrganisationRole.REPRESENTATIVE)
