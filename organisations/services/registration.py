"""The organisation itself: registering it, its details (identity and payment details among
them), verifying them, and its status (`ORGANISATION_MACHINE`, run by `portal.transitions`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organisations import permissions, segregation, selectors
from organisations.models import (
    Organisation,
    OrganisationMembership,
    OrganisationRole,
    OrganisationStatus,
    TargetGroup,
)
from organisations.notifications import organisation_people
from organisations.services._shared import _ensure_officer_may_act, _lock, _officer_refusal
from portal import transitions, versions
from portal.models import AuditEvent, User
from portal.notifications import notify
from portal.services import audit_record
from portal.transitions import Machine, Move, Rule, Transition

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


S = OrganisationStatus

COMMENT_REQUIRED = {S.NEEDS_UPDATE, S.REJECTED, S.SUSPENDED}
PAYMENT_FIELDS = ("organisation_number", "payment_method", "payment_account")
# Who the organisation is: a change sends a verified organisation back to the case officers.
IDENTITY_FIELDS = ("organisation_number", "name", "legal_form")


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
