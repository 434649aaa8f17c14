"""Who may do what with an organisation: one predicate per verb, in one place.

The officer predicates include the segregation-of-duties rule (`organisations.segregation`):
a case officer never acts on an organisation they are affiliated with or declared a conflict of
interest (jäv) on, and never verifies a change they made themselves. The services enforce the
same rule authoritatively (`segregation.ensure_may_act`); these predicates keep the templates
from offering what the services would refuse."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from organisations import segregation, selectors
from organisations.models import Organisation, OrganisationMembership, OrganisationRole
from portal import selectors as portal_selectors
from portal.models import User


def is_officer(user: User | AnonymousUser) -> bool:
    return portal_selectors.user_is_officer(user=user)


def has_role(membership: OrganisationMembership | None, role: str) -> bool:
    """The membership (None: not a member) carries `role` or a higher one: a representative
    may do what an editor may, an editor what a viewer may."""
    return membership is not None and membership.has_role(role)


def can_act_for(user: User | AnonymousUser, organisation: Organisation | int, role: str) -> bool:
    """The person acts for the organisation (or its id) in `role` or a higher one, read now
    (never from the request's cache): other apps' services ask this before they write."""
    return has_role(selectors.membership_of(user=user, organisation=organisation), role)


def can_edit_organisation(membership: OrganisationMembership | None) -> bool:
    return has_role(membership, OrganisationRole.EDITOR)


def can_upload_documents(membership: OrganisationMembership | None) -> bool:
    return has_role(membership, OrganisationRole.EDITOR)


def can_manage_members(membership: OrganisationMembership | None) -> bool:
    return has_role(membership, OrganisationRole.REPRESENTATIVE)


def can_resubmit(membership: OrganisationMembership | None) -> bool:
    return can_edit_organisation(membership)


def is_excluded(user: User | AnonymousUser, organisation: Organisation) -> bool:
    """The person must stay out of this organisation's cases (segregation of duties)."""
    return segregation.is_excluded(user, organisation_ids=[organisation.pk], case=organisation)


def can_review(user: User | AnonymousUser, organisation: Organisation) -> bool:
    """Verify the organisation, approve or send back its documents, answer its join requests as
    a case officer: an officer who is not excluded from the organisation's cases."""
    return is_officer(user) and not is_excluded(user, organisation)


def can_verify_payment_details(user: User | AnonymousUser, organisation: Organisation) -> bool:
    """Verify a new organisation number or account: as `can_review`, and never the person who
    made the change (four eyes on payment details)."""
    return can_review(user, organisation) and not segregation.is_own_change(
        user, organisation.payment_details_changed_by_id
    )


def can_decide_join_request(
    user: User | AnonymousUser,
    membership: OrganisationMembership | None,
    organisation: Organisation,
) -> bool:
    """A representative of the organisation, or a case officer who may act on it. (A case officer
    answers only for an organisation that has no representative: `can_answer_as_officer`.)"""
    return can_manage_members(membership) or can_review(user, organisation)


def can_answer_as_officer(
    user: User | AnonymousUser, organisation: Organisation, *, has_representative: bool
) -> bool:
    """A case officer answers requests to join only for an organisation that has no
    representative left: otherwise the association decides who joins it, and an officer could
    let in someone of their own who then changes the bankgiro."""
    return not has_representative and can_review(user, organisation)


def can_declare_conflict(user: User | AnonymousUser, organisation: Organisation) -> bool:
    """An officer declares a conflict of interest (jäv) on an organisation they still handle."""
    return is_officer(user) and not is_excluded(user, organisation)


# --- state aid: the de minimis ledger ------------------------------------------------------


def can_sign_aid_declaration(membership: OrganisationMembership | None) -> bool:
    """Sign the organisation's declaration of de minimis aid received from others: a
    representative (firmatecknare), who answers for it on the organisation's behalf
    (`services.aid_declaration_sign` asks the same)."""
    return has_role(membership, OrganisationRole.REPRESENTATIVE)


def can_link_undertaking(user: User | AnonymousUser, organisation: Organisation) -> bool:
    """Record or end the link of the organisation to others as one undertaking: a case officer
    who is not excluded from the organisation's cases (`services.undertaking_link` and
    `undertaking_unlink` check the other organisations too)."""
    return is_officer(user) and not is_excluded(user, organisation)
