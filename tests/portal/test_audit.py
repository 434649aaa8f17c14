from __future__ import annotations

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.urls import reverse

from portal.models import AuditEvent, PublicBody, PublicBodyMembership, PublicBodyRole, User
from portal.services import (
    audit_record,
    public_body_membership_grant,
    public_body_membership_revoke,
)
from tests.helpers.clients import logged_in
from tests.portal.factories import CommitteeFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_audit_record_keeps_actor_object_states_and_comment(staff: User) -> None:
    body = CommitteeFactory(name="Kultur- och fritidsnämnden")
    event = audit_record(
        actor=staff, obj=body, action="renamed", from_state="a", to_state="b", comment="Nytt namn"
    )
    event.refresh_from_db()
    assert event.actor == staff
    assert event.actor_label == f"{staff.name} <{staff.email}>"
    assert event.object_id == str(body.pk)
    assert event.object_repr == "Kultur- och fritidsnämnden"
    assert (event.action, event.from_state, event.to_state, event.comment) == (
        "renamed",
        "a",
        "b",
        "Nytt namn",
    )
    assert event.created_at is not None


def test_audit_rows_cannot_be_changed_in_the_database(staff: User) -> None:
    event = audit_record(actor=staff, obj=staff, action="checked")
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(comment="ändrad i efterhand")
    event.refresh_from_db()
    assert event.comment == ""


def test_audit_rows_cannot_be_deleted_on_postgresql(staff: User) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps DELETE for the test teardown; PostgreSQL refuses it")
    event = audit_record(actor=staff, obj=staff, action="checked")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_a_person_who_acted_is_not_deleted_away_from_the_trail(staff: User) -> None:
    from django.db.models import ProtectedError

    audit_record(actor=staff, obj=staff, action="checked")
    with pytest.raises(ProtectedError):
        staff.delete()


def test_granting_and_revoking_a_role_is_audited(staff: User) -> None:
    person = UserFactory()
    body = CommitteeFactory()
    membership = public_body_membership_grant(
        actor=staff, user=person, public_body=body, role=PublicBodyRole.CASE_OFFICER
    )
    # granting twice changes nothing
    public_body_membership_grant(
        actor=staff, user=person, public_body=body, role=PublicBodyRole.CASE_OFFICER
    )
    public_body_membership_revoke(actor=staff, membership=membership)
    actions = list(
        AuditEvent.objects.order_by("id").values_list("action", "from_state", "to_state")
    )
    assert actions == [
        ("role_granted", "", "case_officer"),
        ("role_revoked", "case_officer", ""),
    ]
    assert not PublicBodyMembership.objects.exists()


def test_audit_trail_is_read_only_in_the_admin(staff: User) -> None:
    event = audit_record(actor=staff, obj=staff, action="checked")
    client = logged_in(staff)
    assert client.get(reverse("admin:portal_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:portal_auditevent_add")).status_code == 403
    page = client.get(reverse("admin:portal_auditevent_change", args=[event.pk]))
    assert page.status_code == 200
    assert 'name="comment"' not in page.content.decode()  # shown, not editable
    assert (
        client.post(reverse("admin:portal_auditevent_delete", args=[event.pk])).status_code == 403
    )
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_admin_grants_a_role_through_the_service(staff: User) -> None:
    person = UserFactory()
    body = CommitteeFactory()
    client = logged_in(staff)
    response = client.post(
        reverse("admin:portal_publicbodymembership_add"),
        {"user": person.pk, "public_body": body.pk, "role": PublicBodyRole.DECISION_MAKER},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert PublicBodyMembership.objects.filter(user=person, role="decision_maker").exists()
    event = AuditEvent.objects.get(action="role_granted")
    assert event.actor == staff


def test_admin_manages_users_and_public_bodies(staff: User) -> None:
    client = logged_in(staff)
    for name in (
        "admin:portal_user_changelist",
        "admin:portal_publicbody_changelist",
        "admin:portal_publicbodymembership_changelist",
    ):
        assert client.get(reverse(name)).status_code == 200
    kommun = PublicBody.objects.create(name="Exempelkommun", kind="kommun", registry_prefix="EXK")
    response = client.post(
        reverse("admin:portal_publicbody_add"),
        {
            "name": "Socialnämnden",
            "kind": "namnd",
            "parent": kommun.pk,
            "registry_prefix": "sn",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert PublicBody.objects.get(name="Socialnämnden").registry_prefix == "SN"
    response = client.post(
        reverse("admin:portal_user_add"),
        {
            "email": "ny@exempel.se",
            "name": "Ny Person",
            "password1": "ett-bra-losen-123",
            "password2": "ett-bra-losen-123",
            "usable_password": "true",
            "public_body_memberships-TOTAL_FORMS": "1",
            "public_body_memberships-INITIAL_FORMS": "0",
            "public_body_memberships-0-public_body": str(kommun.pk),
            "public_body_memberships-0-role": "case_officer",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    created = User.objects.get(email="ny@exempel.se")
    # The role given in the user form's inline went through the auditing service too.
    assert created.public_body_memberships.get().public_body == kommun
    assert AuditEvent.objects.filter(action="role_granted", object_id=str(created.pk)).exists()


def test_admin_refuses_a_committee_without_a_municipality(staff: User) -> None:
    response = logged_in(staff).post(
        reverse("admin:portal_publicbody_add"),
        {"name": "Lös nämnd", "kind": "namnd", "registry_prefix": "LN", "is_active": "on"},
    )
    assert response.status_code == 200
    assert (
        "En nämnd eller förvaltning måste höra till en kommun eller region."
        in response.content.decode()
    )
    assert not PublicBody.objects.filter(name="Lös nämnd").exists()


def test_non_staff_cannot_use_the_admin(member: User) -> None:
    page = logged_in(member).get(reverse("admin:portal_auditevent_changelist"))
    assert page.status_code == 302
