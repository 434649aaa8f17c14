"""Segregation of duties on the register, through the officer's pages as an attacker would try
it, and the allowed path beside each refusal.

The found attack: an account with officer and decision-maker roles asked to join an association
by its organisation number, answered its own join request on the officer pages, changed the
bankgiro, verified it, approved the documents."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from organisations import segregation, selectors
from organisations.demo import demo_bankgiro
from organisations.models import (
    ConflictOfInterest,
    JoinRequest,
    JoinRequestStatus,
    OrganisationMembership,
    OrganisationStatus,
    PastMembership,
)
from portal import person_cache
from portal.models import AuditEvent, User
from tests.helpers.clients import in_english, logged_in, shown_messages
from tests.helpers.forms import seen_versions, state_of
from tests.helpers.queries import assert_same_query_count, count_queries
from tests.organisations.conftest import World, edit_organisation, officer_page_versions
from tests.organisations.factories import OrganisationFactory, OrganisationMembershipFactory
from tests.portal.factories import officer_and_decision_maker

pytestmark = pytest.mark.django_db

EXCLUDED = "You may not handle this case"
OWN_CHANGE = "You made or asked for this change yourself"


def queue_ids(client: object) -> set[int]:
    response = client.get(reverse("organisations:officer_queue"), {"status": ""})  # type: ignore[attr-defined]
    return {organisation.pk for organisation in response.context["page"].object_list}


def urls(organisation_pk: int, document_pk: int, request_pk: int | None = None) -> dict[str, str]:
    found = {
        "detail": reverse("organisations:officer_detail", args=[organisation_pk]),
        "transition": reverse("organisations:officer_transition", args=[organisation_pk]),
        "verify": reverse("organisations:officer_verify_payment", args=[organisation_pk]),
        "review": reverse(
            "organisations:officer_document_review", args=[organisation_pk, document_pk]
        ),
        "conflict": reverse("organisations:officer_declare_conflict", args=[organisation_pk]),
    }
    if request_pk is not None:
        found["join"] = reverse(
            "organisations:officer_join_request_decide", args=[organisation_pk, request_pk]
        )
    return found


def test_an_officer_who_asked_to_join_cannot_handle_the_organisation(
    world: World, officer: User
) -> None:
    organisation = world.organisation
    attacker = officer_and_decision_maker()
    client = in_english(logged_in(attacker))
    assert organisation.pk in queue_ids(client)  # before: an ordinary case for this officer

    client.post(
        reverse("organisations:join_request_create"),
        {"organisation_number": organisation.organisation_number, "message": "Jag är kassör."},
    )
    own_request = JoinRequest.objects.get(user=attacker, status=JoinRequestStatus.PENDING)
    u = urls(organisation.pk, world.document.pk, own_request.pk)

    # The queue no longer offers the organisation; its page is read-only and says why.
    assert organisation.pk not in queue_ids(client)
    page = client.get(u["detail"]).content.decode()
    assert "You may not handle this case (jäv)" in page
    assert seen_versions(page) == {}  # no verify, approve or transition form
    assert u["join"] not in page and u["conflict"] not in page

    # The attack, with versions that would be right, straight at the officer URLs.
    payment_seen = selectors.payment_details_version(organisation)
    document_seen = selectors.document_seen_version(world.document)
    response = client.post(u["join"], {"decision": "accept", "role": "editor"}, follow=True)
    assert any(EXCLUDED in message for message in shown_messages(response))
    for url, data in [
        (
            u["transition"],
            {
                "to": "verified",
                "seen_version": payment_seen,
                "seen_state": state_of(organisation),
            },
        ),
        (u["verify"], {"seen_version": payment_seen}),
        (u["review"], {"decision": "approve", "seen_version": document_seen}),
    ]:
        response = client.post(url, data, follow=True)
        assert response.status_code == 200
        assert any(EXCLUDED in message for message in shown_messages(response)), url

    own_request.refresh_from_db()
    organisation.refresh_from_db()
    world.document.refresh_from_db()
    assert own_request.status == JoinRequestStatus.PENDING
    assert not OrganisationMembership.objects.filter(user=attacker).exists()
    assert organisation.status == OrganisationStatus.PENDING
    assert not organisation.payment_details_verified
    assert world.document.status == "submitted" and world.document.reviewed_by is None
    assert list(AuditEvent.objects.filter(actor=attacker).values_list("action", flat=True)) == [
        "join_requested"
    ]

    # The allowed path: another officer handles the same case from the page they see.
    colleague = logged_in(officer)
    versions = officer_page_versions(colleague, organisation)
    colleague.post(
        u["review"],
        {"confirmed": "1", "decision": "approve", "seen_version": versions[u["review"]]},
    )
    # The association has a representative, so it answers the request itself, not an officer.
    logged_in(world.representative).post(
        reverse("organisations:join_request_decide", args=[organisation.pk, own_request.pk]),
        {"decision": "decline", "role": "viewer"},
    )
    colleague.post(
        u["transition"],
        {
            "confirmed": "1",
            "to": "verified",
            "seen_version": versions[u["transition"]],
            "seen_state": state_of(organisation),
        },
    )
    own_request.refresh_from_db()
    organisation.refresh_from_db()
    world.document.refresh_from_db()
    assert own_request.status == JoinRequestStatus.DECLINED
    assert (organisation.status, organisation.payment_details_verified) == ("verified", True)
    assert (world.document.status, world.document.reviewed_by) == ("approved", officer)


def test_a_member_who_is_an_officer_cannot_verify_the_bankgiro_they_changed(
    world: World, officer: User, settings: object
) -> None:
    organisation = world.organisation
    officer_page_client = logged_in(officer)
    versions = officer_page_versions(officer_page_client, organisation)
    u = urls(organisation.pk, world.document.pk)
    officer_page_client.post(
        u["transition"],
        {
            "confirmed": "1",
            "to": "verified",
            "seen_version": versions[u["transition"]],
            "seen_state": state_of(organisation),
        },
    )
    insider = officer_and_decision_maker(user=world.editor)
    member_client = in_english(logged_in(insider))
    new_account = demo_bankgiro(77_777)
    edit_organisation(member_client, organisation, payment_account=new_account)
    organisation.refresh_from_db()
    assert organisation.payment_account == new_account
    assert not organisation.payment_details_verified
    assert organisation.payment_details_changed_by == insider

    # As a member: excluded by affiliation.
    seen = selectors.payment_details_version(organisation)
    response = member_client.post(
        u["verify"], {"confirmed": "1", "seen_version": seen}, follow=True
    )
    assert any(EXCLUDED in message for message in shown_messages(response))

    # Leaving the organisation does not help: the past membership is recorded...
    member_client.post(
        reverse("organisations:member_remove", args=[organisation.pk, world.editor_membership.pk])
    )
    assert PastMembership.objects.filter(user=insider, organisation=organisation).exists()
    response = member_client.post(
        u["verify"], {"confirmed": "1", "seen_version": seen}, follow=True
    )
    assert any(EXCLUDED in message for message in shown_messages(response))

    # ...and once it is long past, the change is still their own.
    PastMembership.objects.filter(user=insider).update(
        ended_at=timezone.now() - timedelta(days=settings.SEGREGATION_FORMER_MEMBER_DAYS + 1)  # type: ignore[attr-defined]
    )
    person_cache.forget_all()  # as the time passing would, within PERSON_CACHE_SECONDS
    page = member_client.get(u["detail"]).content.decode()
    assert "You made this change yourself" in page
    assert u["verify"] not in seen_versions(page)
    response = member_client.post(
        u["verify"], {"confirmed": "1", "seen_version": seen}, follow=True
    )
    assert any(OWN_CHANGE in message for message in shown_messages(response))
    organisation.refresh_from_db()
    assert not organisation.payment_details_verified

    # Another officer verifies it; the trail names the account and the version.
    versions = officer_page_versions(officer_page_client, organisation)
    officer_page_client.post(u["verify"], {"confirmed": "1", "seen_version": versions[u["verify"]]})
    organisation.refresh_from_db()
    assert organisation.payment_details_verified
    event = AuditEvent.objects.filter(action="payment_details_verified").latest("id")
    assert event.actor == officer
    assert new_account in event.comment and f"[version {seen}]" in event.comment


def test_the_person_who_changed_the_identity_cannot_verify_the_organisation_again(
    world: World, officer: User, settings: object
) -> None:
    organisation = world.organisation
    organisation.status = OrganisationStatus.VERIFIED
    organisation.payment_details_verified = True
    organisation.save()
    insider = officer_and_decision_maker(user=world.editor)
    member_client = in_english(logged_in(insider))
    edit_organisation(member_client, organisation, name="Idrottsföreningen Nya Namnet")
    organisation.refresh_from_db()
    assert organisation.status == OrganisationStatus.PENDING
    member_client.post(
        reverse("organisations:member_remove", args=[organisation.pk, world.editor_membership.pk])
    )
    PastMembership.objects.filter(user=insider).update(
        ended_at=timezone.now() - timedelta(days=settings.SEGREGATION_FORMER_MEMBER_DAYS + 1)  # type: ignore[attr-defined]
    )
    person_cache.forget_all()  # as the time passing would, within PERSON_CACHE_SECONDS
    u = urls(organisation.pk, world.document.pk)
    page = member_client.get(u["detail"]).content.decode()
    assert "You made this change yourself" in page
    assert 'name="to" value="verified"' not in page  # not offered; the service refuses it
    versions = officer_page_versions(member_client, organisation)
    response = member_client.post(
        u["transition"],
        {"confirmed": "1", "to": "verified", "seen_version": versions[u["transition"]]},
        follow=True,
    )
    assert any(OWN_CHANGE in message for message in shown_messages(response))
    organisation.refresh_from_db()
    assert (organisation.status, organisation.payment_details_verified) == ("pending", False)

    colleague = logged_in(officer)
    versions = officer_page_versions(colleague, organisation)
    colleague.post(
        u["transition"],
        {
            "confirmed": "1",
            "to": "verified",
            "seen_version": versions[u["transition"]],
            "seen_state": state_of(organisation),
        },
    )
    organisation.refresh_from_db()
    assert (organisation.status, organisation.payment_details_verified) == ("verified", True)


def test_an_officer_declares_a_conflict_of_interest_and_steps_out(
    world: World, officer: User
) -> None:
    organisation = world.organisation
    client = in_english(logged_in(officer))
    u = urls(organisation.pk, world.document.pk)
    page = client.get(u["detail"]).content.decode()
    assert f'action="{u["conflict"]}"' in page

    response = client.post(u["conflict"], {"confirmed": "1", "reason": "   "}, follow=True)
    assert response.redirect_chain[-1][0] == u["detail"]
    assert any("Write why" in message for message in shown_messages(response))
    assert not ConflictOfInterest.objects.exists()

    response = client.post(
        u["conflict"],
        {"confirmed": "1", "reason": "Min syster är ordförande i föreningen."},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("organisations:officer_queue")
    assert any("conflict of interest" in message for message in shown_messages(response))
    declaration = ConflictOfInterest.objects.get()
    assert (declaration.user, declaration.object_id) == (officer, str(organisation.pk))
    event = AuditEvent.objects.get(action="conflict_declared")
    assert (event.actor, event.object_id) == (officer, str(organisation.pk))
    assert "Min syster" in event.comment

    # Out of the queue; the page is read-only; the services refuse.
    assert organisation.pk not in queue_ids(client)
    page = client.get(u["detail"]).content.decode()
    assert "You may not handle this case (jäv)" in page and seen_versions(page) == {}
    response = client.post(
        u["transition"],
        {
            "confirmed": "1",
            "to": "verified",
            "seen_version": selectors.payment_details_version(organisation),
        },
        follow=True,
    )
    assert any(EXCLUDED in message for message in shown_messages(response))
    organisation.refresh_from_db()
    assert organisation.status == OrganisationStatus.PENDING

    # A colleague is not affected.
    colleague = officer_and_decision_maker(name="Kollega")
    assert organisation.pk in queue_ids(logged_in(colleague))


def test_only_an_officer_declares_a_conflict(world: World) -> None:
    url = reverse("organisations:officer_declare_conflict", args=[world.organisation.pk])
    response = logged_in(world.representative).post(url, {"confirmed": "1", "reason": "Jäv"})
    assert response.status_code == 404
    assert not ConflictOfInterest.objects.exists()


def test_every_way_a_membership_ends_is_recorded_and_a_role_change_is_not(world: World) -> None:
    organisation = world.organisation
    representative = logged_in(world.representative)
    representative.post(
        reverse("organisations:member_role", args=[organisation.pk, world.viewer_membership.pk]),
        {"role": "editor"},
    )
    assert not PastMembership.objects.exists()
    representative.post(
        reverse("organisations:member_remove", args=[organisation.pk, world.viewer_membership.pk])
    )
    logged_in(world.editor).post(
        reverse("organisations:member_remove", args=[organisation.pk, world.editor_membership.pk])
    )
    ended = {(p.user, p.role) for p in PastMembership.objects.all()}
    assert ended == {(world.viewer, "editor"), (world.editor, "editor")}

    # The former member who later becomes an officer does not get the organisation's cases.
    former = officer_and_decision_maker(user=world.viewer)
    assert organisation.pk not in queue_ids(logged_in(former))


def test_the_queue_and_the_waiting_count_leave_out_excluded_organisations_in_fixed_queries(
    officer: User,
) -> None:
    own = OrganisationMembershipFactory(user=officer, role="viewer").organisation
    declared = OrganisationFactory()
    ConflictOfInterest.objects.create(
        user=officer,
        content_type_id=segregation._organisation_type_id(),
        object_id=str(declared.pk),
        object_repr=str(declared),
        reason="Jäv",
    )
    client = logged_in(officer)
    url = reverse("organisations:officer_queue")
    OrganisationFactory.create_batch(3)
    client.get(url, {"status": ""})
    with count_queries() as few:
        response = client.get(url, {"status": ""})
    listed = {o.pk for o in response.context["page"].object_list}
    assert own.pk not in listed and declared.pk not in listed and len(listed) == 3
    OrganisationFactory.create_batch(40)
    with count_queries() as many:
        response = client.get(url, {"status": ""})
    assert response.context["page"].paginator.count == 43
    assert_same_query_count(few, many)

    page = client.get(reverse("portal:officer_home")).content.decode()
    assert "43 organisationer väntar på verifiering" in page
