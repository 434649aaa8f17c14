"""The organisation's people: invitations, requests to join, roles, and leaving."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organisations import permissions, segregation, selectors, tasks
from organisations.models import (
    Invitation,
    JoinRequest,
    JoinRequestStatus,
    Organisation,
    OrganisationMembership,
    OrganisationRole,
)
from organisations.notifications import organisation_people
from organisations.services._shared import _ensure_officer_may_act, _lock
from portal.models import User
from portal.notifications import notify
from portal.services import audit_record
from portal.tasks import enqueue_on_commit

# --- people ----------------------------------------------------------------------------


def _representatives_left(organisation: Organisation, without: OrganisationMembership) -> int:
    return (
        organisation.memberships.filter(role=OrganisationRole.REPRESENTATIVE)
        .exclude(pk=without.pk)
        .count()
    )


LAST_REPRESENTATIVE = gettext_lazy(
    "The organisation must keep at least one representative. Make someone else representative first."
)


@transaction.atomic
def invitation_create(
    *, organisation: Organisation, actor: User, email: str, role: str
) -> Invitation:
    if not permissions.can_manage_members(
        selectors.membership_of(user=actor, organisation=organisation)
    ):
        raise PermissionDenied
    email = email.strip().lower()
    if organisation.memberships.filter(user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member of the organisation.")})
    now = timezone.now()
    # Rate limits, counted in the database so that every web worker sees the same count: the
    # sender's and the organisation's rows are locked first (always in this order), so two
    # requests at the same moment cannot both take the last place.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    per_account = settings.INVITATIONS_PER_ACCOUNT_PER_HOUR
    if (
        Invitation.objects.filter(
            invited_by=actor, created_at__gte=now - timedelta(hours=1)
        ).count()
        >= per_account
    ):
        raise ValidationError(
            _(
                "You have sent %(count)s invitations in the last hour, the most allowed. "
                "Try again in an hour; nothing has been sent."
            )
            % {"count": per_account}
        )
    per_organisation = settings.INVITATIONS_PER_ORGANISATION_PER_DAY
    if (
        organisation.invitations.filter(created_at__gte=now - timedelta(days=1)).count()
        >= per_organisation
    ):
        raise ValidationError(
            _(
                "%(count)s invitations have been sent for this organisation in the last 24 hours, "
                "the most allowed. Try again tomorrow; nothing has been sent."
            )
            % {"count": per_organisation}
        )
    organisation.invitations.filter(
        email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        token=secrets.token_urlsafe(32),
        invited_by=actor,
        expires_at=now + timedelta(days=Invitation.VALID_DAYS),
    )
    audit_record(
        actor=actor, obj=organisation, action="member_invited", to_state=role, comment=email
    )
    enqueue_on_commit(tasks.send_invitation_email, invitation.pk)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> None:
    if not permissions.can_manage_members(
        selectors.membership_of(user=actor, organisation=invitation.organisation)
    ):
        raise PermissionDenied
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            obj=invitation.organisation,
            action="invitation_revoked",
            comment=invitation.email,
        )


@transaction.atomic
def invitation_accept(*, invitation: Invitation, actor: User) -> OrganisationMembership:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValidationError(
            _("The invitation has expired or is no longer valid. Ask for a new one.")
        )
    if invitation.email.lower() != actor.email.lower():
        raise ValidationError(
            _("The invitation was sent to %(email)s. Log in with that address to accept it.")
            % {"email": invitation.email}
        )
    membership, created = OrganisationMembership.objects.get_or_create(
        organisation=invitation.organisation, user=actor, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = actor
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    if created:
        audit_record(
            actor=actor,
            obj=invitation.organisation,
            action="member_joined",
            to_state=membership.role,
        )
    return membership


@transaction.atomic
def membership_change_role(
    *, membership: OrganisationMembership, actor: User, role: str
) -> OrganisationMembership:
    organisation = _lock(membership.organisation)
    if not permissions.can_manage_members(
        selectors.membership_of(user=actor, organisation=organisation)
    ):
        raise PermissionDenied
    membership = OrganisationMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == role:
        return membership
    if membership.role == OrganisationRole.REPRESENTATIVE and not _representatives_left(
        organisation, membership
    ):
        raise ValidationError(LAST_REPRESENTATIVE)
    from_role = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(
        actor=actor,
        obj=organisation,
        action="member_role_changed",
        from_state=from_role,
        to_state=role,
        comment=membership.user.email,
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: OrganisationMembership, actor: User) -> None:
    """A representative removes someone, or a person leaves (actor is the member)."""
    organisation = _lock(membership.organisation)
    leaving = membership.user_id == actor.pk
    if not leaving and not permissions.can_manage_members(
        selectors.membership_of(user=actor, organisation=organisation)
    ):
        raise PermissionDenied
    membership = OrganisationMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == OrganisationRole.REPRESENTATIVE and not _representatives_left(
        organisation, membership
    ):
        raise ValidationError(LAST_REPRESENTATIVE)
    audit_record(
        actor=actor,
        obj=organisation,
        action="member_left" if leaving else "member_removed",
        from_state=membership.role,
        comment=membership.user.email,
    )
    segregation.record_past_membership(membership)
    membership.delete()


@transaction.atomic
def memberships_end_on_erasure(*, user: User, actor: User) -> None:
    """The person's account is erased (`portal.personal_data.user_erase`): they leave every
    organisation (kept as past memberships, audited on each organisation), their requests to
    join are withdrawn and the invitations still open to their address are revoked. The last
    representative of an organisation is refused before this runs (`personal_data.blockers`)."""
    for organisation in Organisation.objects.select_for_update().filter(
        contact_email__iexact=user.email
    ):
        successor = (
            organisation.memberships.filter(role=OrganisationRole.REPRESENTATIVE)
            .exclude(user=user)
            .select_related("user")
            .order_by("created_at", "pk")
            .first()
        )
        if successor is None:
            raise ValidationError(
                _("%(organisation)s needs another contact address first.")
                % {"organisation": organisation.name}
            )
        organisation.contact_email = successor.user.email
        organisation.contact_phone = ""
        organisation.save(update_fields=["contact_email", "contact_phone", "updated_at"])
        audit_record(actor=actor, obj=organisation, action="contact_handed_over")
    memberships = list(
        OrganisationMembership.objects.select_for_update()
        .filter(user=user)
        .select_related("organisation")
        .order_by("organisation_id")
    )
    for membership in memberships:
        if membership.role == OrganisationRole.REPRESENTATIVE and not _representatives_left(
            membership.organisation, membership
        ):
            raise ValidationError(LAST_REPRESENTATIVE)
        audit_record(
            actor=actor,
            obj=membership.organisation,
            action="member_erased",
            from_state=membership.role,
        )
        segregation.record_past_membership(membership)
    OrganisationMembership.objects.filter(pk__in=[m.pk for m in memberships]).delete()
    JoinRequest.objects.filter(user=user, status=JoinRequestStatus.PENDING).delete()
    Invitation.objects.filter(
        email__iexact=user.email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())


@transaction.atomic
def join_request_create(
    *, organisation: Organisation, actor: User, message: str = ""
) -> JoinRequest:
    if organisation.memberships.filter(user=actor).exists():
        raise ValidationError(_("You are already a member of this organisation."))
    existing = organisation.join_requests.filter(
        user=actor, status=JoinRequestStatus.PENDING
    ).first()
    if existing:
        return existing
    request = JoinRequest.objects.create(
        organisation=organisation, user=actor, message=message.strip()
    )
    audit_record(actor=actor, obj=organisation, action="join_requested", comment=actor.email)
    notify(
        kind="join_request",
        obj=request,
        recipients=organisation_people([organisation.pk], editors=False),
        due_date=timezone.localdate(),
    )
    return request


@transaction.atomic
def join_request_decide(
    *, join_request: JoinRequest, actor: User, accept: bool, role: str = OrganisationRole.VIEWER
) -> JoinRequest:
    join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    organisation = join_request.organisation
    if not permissions.can_manage_members(
        selectors.membership_of(user=actor, organisation=organisation)
    ):
        # Not the association's own representative: a case officer answering on the officer
        # pages, who may never answer for an organisation they must stay out of, their own
        # request to join it included; and only for an organisation without a representative.
        _ensure_officer_may_act(actor, organisation)
        if organisation.memberships.filter(role=OrganisationRole.REPRESENTATIVE).exists():
            raise PermissionDenied(
                _(
                    "The association's representatives answer its requests to join. A case "
                    "officer answers only when the organisation has no representative."
                )
            )
    if join_request.status != JoinRequestStatus.PENDING:
        raise ValidationError(_("The request has already been answered."))
    join_request.status = JoinRequestStatus.ACCEPTED if accept else JoinRequestStatus.DECLINED
    join_request.decided_by = actor
    join_request.decided_at = timezone.now()
    join_request.save(update_fields=["status", "decided_by", "decided_at"])
    if accept:
        OrganisationMembership.objects.get_or_create(
            organisation=join_request.organisation, user=join_request.user, defaults={"role": role}
        )
    audit_record(
        actor=actor,
        obj=join_request.organisation,
        action="join_accepted" if accept else "join_declined",
        to_state=role if accept else "",
        comment=join_request.user.email,
    )
    notify(
        kind="join_decision",
        obj=join_request,
        recipients=[join_request.user],
        due_date=timezone.localdate(),
    )
    return join_request
