"""Every write of the register. Each checks permission, runs in one transaction, and records
what it did in the audit trail against the organisation."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organisations import permissions, segregation, selectors, tasks
from organisations.models import (
    AnnualDocument,
    ConflictOfInterest,
    DocumentStatus,
    DocumentVersion,
    Invitation,
    JoinRequest,
    JoinRequestStatus,
    Organisation,
    OrganisationMembership,
    OrganisationRole,
    OrganisationStatus,
    TargetGroup,
)
from organisations.notifications import organisation_people
from portal import transitions, versions
from portal.files import check_upload, store_upload
from portal.models import AuditEvent, User
from portal.notifications import notify
from portal.services import audit_record
from portal.tasks import enqueue_on_commit
from portal.transitions import Machine, Move, Rule, Transition

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

S = OrganisationStatus

COMMENT_REQUIRED = {S.NEEDS_UPDATE, S.REJECTED, S.SUSPENDED}
PAYMENT_FIELDS = ("organisation_number", "payment_method", "payment_account")
# Who the organisation is: a change sends a verified organisation back to the case officers.
IDENTITY_FIELDS = ("organisation_number", "name", "legal_form")


def _lock(organisation: Organisation) -> Organisation:
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def _ensure_officer_may_act(actor: User, organisation: Organisation) -> None:
    """An officer's action on the organisation: an officer, and not one who must stay out of
    its cases (member, recent member, registrant, pending join request, declared jäv)."""
    if not permissions.is_officer(actor):
        raise PermissionDenied
    segregation.ensure_may_act(actor, organisation_ids=[organisation.pk], case=organisation)


# --- registration and details ------------------------------------------------------------


@transaction.atomic
def organisation_register(
    *, actor: User, data: dict[str, Any], target_groups: list[TargetGroup]
) -> Organisation:
    """An association registers itself; the person registering becomes its representative."""
    number = data.get("organisation_number")
    if number and Organisation.objects.filter(organisation_number=number).exists():
        raise ValidationError(
            {"organisation_number": _("An organisation with this number is already registered.")}
        )
    organisation = Organisation.objects.create(
        **data,
        created_by=actor,
        payment_details_changed_by=actor if data.get("payment_account") else None,
    )
    organisation.target_groups.set(target_groups)
    OrganisationMembership.objects.create(
        organisation=organisation, user=actor, role=OrganisationRole.REPRESENTATIVE
    )
    audit_record(actor=actor, obj=organisation, action="registered", to_state=organisation.status)
    return organisation


def _label(field: str) -> str:
    return str(getattr(Organisation._meta.get_field(field), "verbose_name", field))


def _describe(organisation: Organisation, field: str) -> str:
    if field == "payment_method":
        return organisation.get_payment_method_display() or "–"
    if field == "legal_form":
        return organisation.get_legal_form_display() or "–"
    return str(getattr(organisation, field) or "–")


@transaction.atomic
def organisation_update(
    *,
    organisation: Organisation,
    actor: User,
    data: dict[str, Any],
    target_groups: list[TargetGroup],
) -> Organisation:
    """Members change their organisation's details. A new organisation number or payment account
    is unverified until a case officer verifies it again, and never by the person who changed it;
    a new organisation number, name or legal form sends a verified organisation back to the case
    officers (status pending: no grant that requires verification, no payment). The trail shows
    what changed, from what to what."""
    if not permissions.can_edit_organisation(
        selectors.membership_of(user=actor, organisation=organisation)
    ):
        raise PermissionDenied
    organisation = _lock(organisation)
    number = data.get("organisation_number")
    if (
        number
        and Organisation.objects.filter(organisation_number=number)
        .exclude(pk=organisation.pk)
        .exists()
    ):
        raise ValidationError(
            {"organisation_number": _("An organisation with this number is already registered.")}
        )
    before = {
        field: _describe(organisation, field) for field in (*PAYMENT_FIELDS, *IDENTITY_FIELDS)
    }
    changed = [field for field, value in data.items() if getattr(organisation, field) != value]
    for field, value in data.items():
        setattr(organisation, field, value)
    old_groups = set(organisation.target_groups.values_list("pk", flat=True))
    if old_groups != {group.pk for group in target_groups}:
        changed.append("target_groups")
        organisation.target_groups.set(target_groups)
    payment_changes = [
        f"{_label(field)}: {before[field]} → {_describe(organisation, field)}"
        for field in PAYMENT_FIELDS
        if field in changed
    ]
    identity_changes = [
        f"{_label(field)}: {before[field]} → {_describe(organisation, field)}"
        for field in IDENTITY_FIELDS
        if field in changed
    ]
    from_state = organisation.status
    if payment_changes or identity_changes:
        # What an officer verified no longer holds; who changed it may not verify it.
        organisation.payment_details_verified = False
        organisation.payment_details_changed_by = actor
    if identity_changes and organisation.status == S.VERIFIED:
        organisation.status = S.PENDING
        organisation.status_comment = ""
        organisation.status_changed_at = timezone.now()
    organisation.save()
    events = []
    if identity_changes:
        events.append(
            audit_record(
                actor=actor,
                obj=organisation,
                action="identity_changed",
                from_state=from_state,
                to_state=organisation.status,
                comment="; ".join(identity_changes),
            )
        )
    if payment_changes:
        events.append(
            audit_record(
                actor=actor,
                obj=organisation,
                action="payment_details_changed",
                comment="; ".join(payment_changes),
            )
        )
    for event in events:
        # Every representative hears of it at once: a bankgiro changed by someone let in under
        # false pretences does not go unnoticed until the money has gone.
        notify(
            kind="organisation_details_changed",
            obj=event,
            recipients=organisation_people([organisation.pk], editors=False),
            due_date=timezone.localdate(),
        )
    other = [
        field for field in changed if field not in PAYMENT_FIELDS and field not in IDENTITY_FIELDS
    ]
    if other:
        labels = ", ".join(_label(field) for field in other)
        audit_record(actor=actor, obj=organisation, action="details_updated", comment=labels)
    return organisation


def organisation_transition(
    *,
    organisation: Organisation,
    to: str,
    actor: User,
    comment: str = "",
    seen_version: str | None = None,
    seen_state: str | None = None,
) -> Organisation:
    """Move the organisation to another status (`ORGANISATION_MACHINE`); a page's form passes
    the `seen_state` it showed (`portal.transitions.state_token`). Verifying it is an
    approving action: it counts only for the identity and payment details the officer had on
    screen (`seen_version`, see `selectors.payment_details_version`), and verifies a changed
    account only when someone else than the officer changed it."""
    return transitions.transition(
        ORGANISATION_MACHINE,
        organisation,
        to=to,
        actor=actor,
        comment=comment,
        seen_version=seen_version,
        seen_state=seen_state,
    )


def _verified_details(organisation: Organisation) -> str:
    """What a verification of payment details covers, for the audit trail."""
    parts = [organisation.name]
    if organisation.organisation_number:
        parts.append(organisation.organisation_number)
    if organisation.payment_account:
        parts.append(organisation.payment_account_display)
    return ", ".join(parts)


# --- the status of an organisation and of its documents ---------------------------------


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


# A case officer who may act on the organisation (`_ensure_officer_may_act`).
OFFICER: Rule[Organisation] = Rule(permissions.can_review, reason=_officer_refusal)


def _may_verify(actor: User, organisation: Organisation) -> bool:
    """As OFFICER, and a changed account is verified only by someone who did not change it."""
    return permissions.can_review(actor, organisation) and (
        organisation.payment_details_verified
        or not segregation.is_own_change(actor, organisation.payment_details_changed_by_id)
    )


VERIFIER: Rule[Organisation] = Rule(
    _may_verify,
    reason=lambda actor, organisation: _officer_refusal(
        actor,
        organisation,
        None
        if organisation.payment_details_verified
        else organisation.payment_details_changed_by_id,
    ),
)
# An editor or representative of the organisation sends it back for review.
MEMBER: Rule[Organisation] = Rule(
    lambda actor, organisation: permissions.can_resubmit(
        selectors.membership_of(user=actor, organisation=organisation)
    )
)


def _organisation_apply(move: Move[Organisation]) -> None:
    organisation = move.obj
    organisation.status_comment = move.comment
    organisation.status_changed_at = timezone.now()
    if move.target == S.VERIFIED and not organisation.payment_details_verified:
        organisation.payment_details_verified = True
        audit_record(
            actor=move.actor,
            obj=organisation,
            action="payment_details_verified",
            comment=versions.audit_note(_verified_details(organisation), move.version),
        )


def _organisation_done(move: Move[Organisation], event: AuditEvent) -> None:
    if move.transition.who is not MEMBER:  # an officer's move: the association hears of it
        notify(
            kind="organisation_status",
            obj=event,
            recipients=organisation_people([move.obj.pk], editors=False),
            due_date=timezone.localdate(),
        )


def _organisation_move(
    source: str, target: str, label: StrOrPromise, *, secondary: bool = True
) -> Transition[Organisation]:
    """An officer's move, offered on the officer's page of the organisation."""
    verify = target == S.VERIFIED
    return Transition(
        source,
        target,
        VERIFIER if verify else OFFICER,
        comment_required=target in COMMENT_REQUIRED,
        version=selectors.payment_details_version if verify else None,
        label=label,
        secondary=secondary,
    )


VERIFY = gettext_lazy("Verify")
SEND_BACK = gettext_lazy("Send back for update")
REJECT = gettext_lazy("Reject")
SUSPEND = gettext_lazy("Suspend")

ORGANISATION_MACHINE: Machine[Organisation] = Machine(
    states=OrganisationStatus,
    cannot=gettext_lazy("The organisation cannot go from “%(from)s” to “%(to)s”."),
    comment_message=gettext_lazy("Write a comment that tells the association why."),
    transitions=[
        _organisation_move(S.PENDING, S.VERIFIED, VERIFY, secondary=False),
        _organisation_move(S.PENDING, S.NEEDS_UPDATE, SEND_BACK),
        _organisation_move(S.PENDING, S.REJECTED, REJECT),
        # the association sends it back for review (`resubmit`, on its own page)
        Transition(S.NEEDS_UPDATE, S.PENDING, MEMBER),
        _organisation_move(S.NEEDS_UPDATE, S.REJECTED, REJECT),
        _organisation_move(S.VERIFIED, S.NEEDS_UPDATE, SEND_BACK),
        _organisation_move(S.VERIFIED, S.SUSPENDED, SUSPEND),
        _organisation_move(S.SUSPENDED, S.VERIFIED, VERIFY, secondary=False),
    ],
    apply=_organisation_apply,
    done=_organisation_done,
)


def _may_review(actor: User, document: AnnualDocument) -> bool:
    """An officer who may act on the organisation, and not on a file they uploaded."""
    current = document.current_version
    return permissions.can_review(actor, document.organisation) and not (
        current is not None and segregation.is_own_change(actor, current.uploaded_by_id)
    )


REVIEWER: Rule[AnnualDocument] = Rule(
    _may_review,
    reason=lambda actor, document: _officer_refusal(
        actor,
        document.organisation,
        document.current_version.uploaded_by_id if document.current_version else None,
    ),
)


def _document_check(move: Move[AnnualDocument]) -> None:
    if move.obj.current_version_id is None:
        raise ValidationError(_("There is no file to review."))


def _document_version(document: AnnualDocument) -> str:
    return selectors.document_version_of(document.current_version)


def _document_apply(move: Move[AnnualDocument]) -> None:
    document = move.obj
    document.review_comment = move.comment
    document.reviewed_by = move.actor
    document.reviewed_at = timezone.now()


def _document_describe(move: Move[AnnualDocument]) -> str:
    """The trail names the file approved or sent back: its version and checksum."""
    document, current = move.obj, move.obj.current_version
    file = f", version {current.number} (sha256 {current.sha256})" if current else ""
    text = f"{document.get_kind_display()} {document.year}{file}"
    return f"{text}: {move.comment}" if move.comment else text


D = DocumentStatus
# An officer approves or sends back the file they had on screen, whatever the document's status
# (another look at a document sent back or approved included). A new upload puts the document
# back to submitted from any status (`document_upload`): that is a new file, not a move here.
DOCUMENT_MACHINE: Machine[AnnualDocument] = Machine(
    states=DocumentStatus,
    cannot=gettext_lazy("The document cannot go from “%(from)s” to “%(to)s”."),
    comment_message=gettext_lazy("Write a comment that tells the association what to change."),
    transitions=[
        move
        for source in (D.SUBMITTED, D.RETURNED, D.APPROVED)
        for move in (
            Transition(
                source, D.APPROVED, REVIEWER, "document_approved", version=_document_version
            ),
            Transition(
                source,
                D.RETURNED,
                REVIEWER,
                "document_returned",
                comment_required=True,
                version=_document_version,
            ),
        )
    ],
    audit_object=lambda document: document.organisation,
    check=_document_check,
    apply=_document_apply,
    describe=_document_describe,
)


@transaction.atomic
def organisation_verify_payment_details(
    *, organisation: Organisation, actor: User, seen_version: str | None
) -> Organisation:
    """An officer verifies a new organisation number or payment account: exactly the one they
    had on screen, never on an organisation they must stay out of, never their own change."""
    if not permissions.is_officer(actor):
        raise PermissionDenied
    organisation = _lock(organisation)
    _ensure_officer_may_act(actor, organisation)
    segregation.ensure_not_own_change(actor, organisation.payment_details_changed_by_id)
    version = selectors.payment_details_version(organisation)
    versions.check_seen(seen=seen_version, current=version)
    if organisation.status != S.VERIFIED:
        # A pending identity (a new name, number or legal form) is verified with the
        # organisation itself; verifying only the account would make it payable unseen.
        raise ValidationError(
            _(
                "Verify the organisation itself first: its details are waiting for "
                "verification. The account is verified together with the organisation."
            )
        )
    if not organisation.payment_details_verified:
        organisation.payment_details_verified = True
        organisation.save(update_fields=["payment_details_verified", "updated_at"])
        audit_record(
            actor=actor,
            obj=organisation,
            action="payment_details_verified",
            comment=versions.audit_note(_verified_details(organisation), version),
        )
    return organisation


# --- segregation of duties ------------------------------------------------------------


@transaction.atomic
def conflict_declare(
    *,
    actor: User,
    case: models.Model,
    reason: str,
    organisations: Iterable[Organisation] = (),
) -> ConflictOfInterest:
    """A case officer or decision maker declares a conflict of interest (jäv) on a case and is
    excluded from it from then on. A conflict in a case is a conflict with the organisations it
    concerns (`organisations`, e.g. the applicant): the person is excluded from their other
    cases too, their verification and documents included. Kept and audited on each."""
    if not permissions.is_officer(actor):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Write why you have a conflict of interest in this case.")}
        )
    declaration = _declare(actor, case, reason)
    for organisation in organisations:
        if not (isinstance(case, Organisation) and organisation.pk == case.pk):
            _declare(
                actor, organisation, _("In %(case)s: %(reason)s") % {"case": case, "reason": reason}
            )
    segregation.forget(actor)
    return declaration


def conflict_extend(*, case: models.Model, organisation: Organisation) -> None:
    """An organisation now concerned by a case (a party added to an agreement): whoever declared
    a conflict of interest in the case has one with the organisation too."""
    content_type = ContentType.objects.get_for_model(case, for_concrete_model=False)
    for declaration in ConflictOfInterest.objects.filter(
        content_type=content_type, object_id=str(case.pk)
    ).select_related("user"):
        _declare(
            declaration.user,
            organisation,
            _("In %(case)s: %(reason)s") % {"case": case, "reason": declaration.reason},
        )
        segregation.forget(declaration.user)


def _declare(actor: User, case: models.Model, reason: str) -> ConflictOfInterest:
    content_type = ContentType.objects.get_for_model(case, for_concrete_model=False)
    declaration, created = ConflictOfInterest.objects.get_or_create(
        user=actor,
        content_type=content_type,
        object_id=str(case.pk),
        defaults={"reason": reason, "object_repr": str(case)[:255]},
    )
    if created:
        audit_record(actor=actor, obj=case, action="conflict_declared", comment=reason)
    return declaration


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


# --- documents -------------------------------------------------------------------------


@transaction.atomic
def document_upload(
    *, organisation: Organisation, actor: User, year: int, kind: str, upload: UploadedFile
) -> DocumentVersion:
    """Store a new version of one of the year's documents. Earlier versions are kept."""
    if not permissions.can_upload_documents(
        selectors.membership_of(user=actor, organisation=organisation)
    ):
        raise PermissionDenied
    checked = check_upload(upload)
    document, _created = AnnualDocument.objects.select_for_update().get_or_create(
        organisation=organisation, year=year, kind=kind
    )
    number = (
        document.versions.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    version = DocumentVersion(document=document, number=number, uploaded_by=actor)
    store_upload(record=version, upload=upload, checked=checked)
    document.current_version = version
    document.status = DocumentStatus.SUBMITTED
    document.review_comment = ""
    document.reviewed_by = None
    document.reviewed_at = None
    document.save()
    audit_record(
        actor=actor,
        obj=organisation,
        action="document_uploaded",
        to_state=DocumentStatus.SUBMITTED,
        comment=f"{document.get_kind_display()} {year}, version {number}: {checked.safe_name}",
    )
    transitions.record_changed(organisation)  # an officer's page drawn before is stale
    return version


def document_review(
    *,
    document: AnnualDocument,
    actor: User,
    approve: bool,
    comment: str = "",
    seen_version: str | None,
) -> AnnualDocument:
    """An officer approves or sends back the file they had on screen (`seen_version`, see
    `selectors.document_seen_version`); a newer upload since then is refused with a request to
    reload. Never on an organisation the officer must stay out of, never their own upload."""
    return transitions.transition(
        DOCUMENT_MACHINE,
        document,
        to=DocumentStatus.APPROVED if approve else DocumentStatus.RETURNED,
        actor=actor,
        comment=comment,
        seen_version=seen_version,
    )
