from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from organisations.models import Invitation, JoinRequest, OrganisationMembership
from portal.models import AuditEvent, User
from tests.helpers.clients import logged_in, shown_messages
from tests.helpers.mail import path_in_last_email
from tests.organisations.conftest import World
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_representative_invites_and_the_person_accepts(
    world: World, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(world.representative)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organisations:invite", args=[world.organisation.pk]),
            {"email": "Kassor@Forening.se", "role": "editor"},
        )
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["kassor@forening.se"]
    assert world.organisation.name in mail.outbox[-1].subject
    path = path_in_last_email("/inbjudan/")

    newcomer = UserFactory(email="kassor@forening.se")
    other = UserFactory(email="nagon.annan@forening.se")
    response = logged_in(other).post(path, follow=True)
    assert "kassor@forening.se" in response.content.decode()
    assert not OrganisationMembership.objects.filter(user=other).exists()

    response = logged_in(newcomer).post(path)
    assert response.status_code == 302
    membership = OrganisationMembership.objects.get(user=newcomer)
    assert (membership.organisation, membership.role) == (world.organisation, "editor")
    # the link works once
    assert logged_in(newcomer).post(path, follow=True).status_code == 200
    assert OrganisationMembership.objects.filter(user=newcomer).count() == 1


def test_an_invitation_expires_after_seven_days(world: World) -> None:
    newcomer = UserFactory(email="ny@forening.se")
    invitation = world.invitation
    assert abs(invitation.expires_at - invitation.created_at - timedelta(days=7)) < timedelta(
        seconds=5
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = logged_in(newcomer).post(
        reverse("organisations:invitation_accept", args=[invitation.token]), follow=True
    )
    assert "har gått ut" in response.content.decode()
    assert not OrganisationMembership.objects.filter(user=newcomer).exists()


def test_an_unknown_invitation_token_is_404(member: User) -> None:
    assert (
        logged_in(member)
        .get(reverse("organisations:invitation_accept", args=["finns-inte"]))
        .status_code
        == 404
    )


def test_roles_are_changed_and_people_removed(world: World) -> None:
    client = logged_in(world.representative)
    pk = world.organisation.pk
    client.post(
        reverse("organisations:member_role", args=[pk, world.viewer_membership.pk]),
        {"role": "editor"},
    )
    world.viewer_membership.refresh_from_db()
    assert world.viewer_membership.role == "editor"
    client.post(reverse("organisations:member_remove", args=[pk, world.editor_membership.pk]))
    assert not OrganisationMembership.objects.filter(pk=world.editor_membership.pk).exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"member_role_changed", "member_removed"} <= actions


def test_the_last_representative_can_neither_leave_nor_be_demoted(world: World) -> None:
    client = logged_in(world.representative)
    pk = world.organisation.pk
    mine = world.representative_membership
    response = client.post(reverse("organisations:member_remove", args=[pk, mine.pk]), follow=True)
    assert "minst en företrädare" in response.content.decode()
    response = client.post(
        reverse("organisations:member_role", args=[pk, mine.pk]), {"role": "viewer"}, follow=True
    )
    assert "minst en företrädare" in response.content.decode()
    mine.refresh_from_db()
    assert mine.role == "representative"

    # With a second representative, the first may leave.
    client.post(
        reverse("organisations:member_role", args=[pk, world.editor_membership.pk]),
        {"role": "representative"},
    )
    response = client.post(reverse("organisations:member_remove", args=[pk, mine.pk]))
    assert response.status_code == 302
    assert not OrganisationMembership.objects.filter(pk=mine.pk).exists()


def test_a_member_may_leave(world: World) -> None:
    response = logged_in(world.viewer).post(
        reverse(
            "organisations:member_remove", args=[world.organisation.pk, world.viewer_membership.pk]
        )
    )
    assert response.status_code == 302
    assert response.url == reverse("organisations:mine")
    assert AuditEvent.objects.filter(action="member_left").exists()


def test_representative_accepts_a_request_to_join(
    world: World, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(world.representative)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse(
                "organisations:join_request_decide",
                args=[world.organisation.pk, world.join_request.pk],
            ),
            {"decision": "accept", "role": "editor"},
        )
    world.join_request.refresh_from_db()
    assert world.join_request.status == "accepted"
    assert OrganisationMembership.objects.get(user=world.join_request.user).role == "editor"
    assert mail.outbox[-1].to == [world.join_request.user.email]


def test_an_officer_answers_a_request_to_join_only_when_there_is_no_representative(
    world: World, officer: User
) -> None:
    """Where the association has a representative, it decides who joins: an officer who could
    let in someone of their own could have that person change the bankgiro."""
    url = reverse(
        "organisations:officer_join_request_decide",
        args=[world.organisation.pk, world.join_request.pk],
    )
    client = logged_in(officer)
    page = client.get(reverse("organisations:officer_detail", args=[world.organisation.pk]))
    assert not page.context["can_answer_join_requests"]
    client.post(url, {"decision": "accept", "role": "representative"})
    world.join_request.refresh_from_db()
    assert world.join_request.status == "pending"
    assert not OrganisationMembership.objects.filter(user=world.join_request.user).exists()


def test_an_officer_who_let_someone_in_stays_out_of_the_organisations_cases(
    world: World, officer: User
) -> None:
    from organisations import segregation

    OrganisationMembership.objects.filter(
        organisation=world.organisation, role="representative"
    ).delete()
    logged_in(officer).post(
        reverse(
            "organisations:officer_join_request_decide",
            args=[world.organisation.pk, world.join_request.pk],
        ),
        {"decision": "accept", "role": "representative"},
    )
    world.join_request.refresh_from_db()
    assert world.join_request.status == "accepted"
    segregation.forget(officer)
    assert segregation.is_excluded(officer, organisation_ids=[world.organisation.pk])


def test_an_officer_declines_a_request_to_join(world: World, officer: User) -> None:
    # An organisation whose representatives are gone: the officers answer for it.
    OrganisationMembership.objects.filter(
        organisation=world.organisation, role="representative"
    ).delete()
    response = logged_in(officer).post(
        reverse(
            "organisations:officer_join_request_decide",
            args=[world.organisation.pk, world.join_request.pk],
        ),
        {"decision": "decline", "role": "viewer"},
    )
    assert response.status_code == 302
    world.join_request.refresh_from_db()
    assert (world.join_request.status, world.join_request.decided_by) == ("declined", officer)
    assert not OrganisationMembership.objects.filter(user=world.join_request.user).exists()
    # answered once only
    assert JoinRequest.objects.filter(status="pending").count() == 0


def test_members_page_lists_people_for_every_member(world: World) -> None:
    page = (
        logged_in(world.viewer)
        .get(reverse("organisations:members", args=[world.organisation.pk]))
        .content.decode()
    )
    for person in (world.representative, world.editor, world.viewer):
        assert person.name in page
    assert (
        Client().get(reverse("organisations:members", args=[world.organisation.pk])).status_code
        == 302
    )


def test_an_answer_with_a_role_that_does_not_exist_says_so_and_changes_nothing(
    world: World,
) -> None:
    response = logged_in(world.representative).post(
        reverse(
            "organisations:join_request_decide",
            args=[world.organisation.pk, world.join_request.pk],
        ),
        {"decision": "accept", "role": "owner"},
        follow=True,
    )
    assert shown_messages(response)  # told what was wrong
    world.join_request.refresh_from_db()
    assert world.join_request.status == "pending"


def test_the_officers_page_shows_a_waiting_request_to_join_and_reads_none_when_none_waits(
    world: World, officer: User
) -> None:
    """Whether a request waits is read with the organisation: most have none, and then the
    page makes no query for them."""
    from tests.helpers.queries import count_queries

    page_url = reverse("organisations:officer_detail", args=[world.organisation.pk])
    client = logged_in(officer)
    page = client.get(page_url)
    assert list(page.context["join_requests"]) == [world.join_request]
    assert "En förfrågan om medlemskap väntar på svar" in page.content.decode()
    JoinRequest.objects.filter(pk=world.join_request.pk).update(status="declined")
    with count_queries() as queries:
        page = client.get(page_url)
    assert list(page.context["join_requests"]) == []
    assert "förfrågan om medlemskap" not in page.content.decode()
    read = [q["sql"] for q in queries.captured_queries]
    assert not [sql for sql in read if sql.startswith('SELECT "organisations_joinrequest"')]
