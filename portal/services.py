"""Every write of the platform app: audit trail, officer roles, the user's own profile."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction

from portal.formats import registry_number
from portal.models import AuditEvent, PublicBody, PublicBodyMembership, RegistryCounter, User


def audit_record(
    *,
    actor: User | None,
    obj: models.Model,
    action: str,
    from_state: str = "",
    to_state: str = "",
    comment: str = "",
) -> AuditEvent:
    """Append one row to the audit trail. Every state change in every app calls this, inside
    the same transaction as the change itself, so the two are kept or lost together."""
    if obj.pk is None:
        raise ValueError("Only saved objects can be audited.")
    actor_label = ""
    if actor is not None:
        actor_label = f"{actor.name} <{actor.email}>" if actor.name else actor.email
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=actor_label[:255],
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        action=action,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
    )


@transaction.atomic
def public_body_membership_grant(
    *, actor: User | None, user: User, public_body: PublicBody, role: str
) -> PublicBodyMembership:
    """Give a person an officer role at a public body (idempotent)."""
    membership, created = PublicBodyMembership.objects.get_or_create(
        user=user, public_body=public_body, role=role
    )
    if created:
        audit_record(
            actor=actor,
            obj=user,
            action="role_granted",
            to_state=role,
            comment=str(public_body),
        )
    return membership


@transaction.atomic
def public_body_membership_revoke(*, actor: User | None, membership: PublicBodyMembership) -> None:
    """Take an officer role away; the audit trail keeps that it was held."""
    audit_record(
        actor=actor,
        obj=membership.user,
        action="role_revoked",
        from_state=membership.role,
        comment=str(membership.public_body),
    )
    membership.delete()


@transaction.atomic
def user_update_profile(*, actor: User, user: User, name: str) -> User:
    """A person changes their own display name."""
    if actor.pk != user.pk:
        raise PermissionError("Only the person themselves changes their profile.")
    user.name = name.strip()
    user.save(update_fields=["name"])
    return user


@transaction.atomic
def notification_settings_save(*, actor: User, digest: bool) -> User:
    """A person chooses immediate emails or a daily digest for non-urgent notifications. What
    waits for the digest is sent at once when they switch back."""
    from portal.models import Notification, NotificationStatus
    from portal.notifications import queue_pending

    actor.notification_digest = digest
    actor.save(update_fields=["notification_digest"])
    if not digest:
        Notification.objects.filter(recipient=actor, status=NotificationStatus.HELD).update(
            status=NotificationStatus.PENDING
        )
        transaction.on_commit(queue_pending)
    audit_record(actor=actor, obj=actor, action="notification_settings", comment=str(digest))
    return actor


def registry_number_allocate(*, public_body: PublicBody, year: int) -> str:
    """The next diarienummer of a public body, `<prefix> <year>/<number>`. Must run inside the
    transaction that records the registration; concurrent callers wait on the counter's lock."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("A registration number is taken inside the registration's transaction.")
    try:
        with transaction.atomic():  # a savepoint: a concurrent insert of the same row may win
            RegistryCounter.objects.get_or_create(public_body=public_body, year=year)
    except IntegrityError:
        pass
    counter = RegistryCounter.objects.select_for_update().get(public_body=public_body, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return registry_number(public_body.registry_prefix, year, counter.last_number)
