"""Who may do what with grants. Officers act only for the public body that owns the programme,
and never on a case they must stay out of (segregation of duties, `organisations.segregation`):
an application of an organisation they belong to, belonged to recently, registered or asked to
join, or one they declared a conflict of interest (jäv) on. Every officer predicate below
includes that rule, so the services, which call these predicates, refuse such an action, and
the templates, which ask the same predicates, do not offer it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser

from grants.models import Application
from organisations import permissions as organisation_permissions
from organisations import segregation
from organisations.models import Organisation, OrganisationRole
from portal.models import PublicBodyRole, User
from portal.selectors import user_memberships

if TYPE_CHECKING:
    from organisations.models import OrganisationMembership


def _has_role(user: User | AnonymousUser, public_body_id: int, role: str | None = None) -> bool:
    return any(
        m.public_body_id == public_body_id and (role is None or m.role == role)
        for m in user_memberships(user=user)
    )


def body_of(application: Application) -> int:
    return application.public_body_id


def is_excluded(user: User | AnonymousUser, application: Application) -> bool:
    """The segregation-of-duties rule for one application: the person is affiliated with the
    applicant organisation, or declared a conflict of interest on it or on the application."""
    return segregation.is_excluded(
        user, organisation_ids=[application.organisation_id], case=application
    )


def can_handle(user: User | AnonymousUser, application: Application) -> bool:
    """Assess, request completion, score and propose: a case officer of the owning body who is
    not excluded from the case."""
    return _has_role(user, body_of(application), PublicBodyRole.CASE_OFFICER) and not is_excluded(
        user, application
    )


def is_decision_maker(user: User | AnonymousUser, application: Application) -> bool:
    """A decision maker of the public body that owns the application (whatever the case)."""
    return _has_role(user, body_of(application), PublicBodyRole.DECISION_MAKER)


def can_decide(user: User | AnonymousUser, application: Application) -> bool:
    """Decide within delegation: a decision maker of the owning body, never on a proposal they
    prepared themselves (four-eyes), never on a case they are excluded from."""
    return (
        _has_role(user, body_of(application), PublicBodyRole.DECISION_MAKER)
        and application.proposed_by_id is not None
        and application.proposed_by_id != user.pk
        and not is_excluded(user, application)
    )


def can_pay(user: User | AnonymousUser, application: Application) -> bool:
    """Register a payment: a case officer who may handle the case and did not take its decision
    (four eyes on money). Whether the organisation is payable is the service's check."""
    return can_handle(user, application) and not segregation.is_own_change(
        user, application.decided_by_id
    )


def can_declare_conflict(user: User | AnonymousUser, application: Application) -> bool:
    """Declare a conflict of interest (jäv) on an application: any officer of the owning body
    (case officer or decision maker) who has not already stepped out of it."""
    return _has_role(user, body_of(application)) and not is_excluded(user, application)


def can_edit(membership: OrganisationMembership | None) -> bool:
    """Write, submit and withdraw an application: an editor or representative. For a page,
    with the membership it has read; the services ask `can_apply_for`."""
    return organisation_permissions.has_role(membership, OrganisationRole.EDITOR)


def can_apply_for(user: User | AnonymousUser, organisation: Organisation) -> bool:
    """`can_edit` for a service: start, write, submit and withdraw an application of the
    organisation, and its follow-up report; the person's membership is read now."""
    return organisation_permissions.can_act_for(user, organisation, OrganisationRole.EDITOR)
