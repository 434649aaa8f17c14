"""The register's two machines, an organisation's status and an annual document's review, as
tables run by the portal's transition helper: seen from the person who is refused and from the
page that went stale while it was open."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from organisations import segregation, selectors, services
from organisations.demo import demo_bankgiro
from organisations.models import AnnualDocument, Organisation, OrganisationStatus
from portal import transitions, versions
from portal.models import AuditEvent, User
from tests.helpers.clients import in_english, logged_in, shown_messages
from tests.helpers.forms import posted_state
from tests.organisations.conftest import (
    World,
    edit_organisation,
    make_verified,
    officer_page_versions,
)
from tests.organisations.factories import OrganisationMembershipFactory, pdf_upload
from tests.portal.factories import MembershipFactory

pytestmark = pytest.mark.django_db

MACHINE = services.ORGANISATION_MACHINE


def fresh(organisation: Organisation) -> Organisation:
    return Organisation.objects.get(pk=organisation.pk)


def assert_stale(error: ValidationError) -> None:
    assert error.message_dict == {versions.FIELD: [str(versions.STALE_MESSAGE)]}


def buttons(page: str, organisation: Organisation) -> set[str]:
    """The moves the officer's page offers: the `to` of each button of the status form."""

    action = reverse("organisations:officer_transition", args=[organisation.pk])
    form = re.search(rf'<form[^>]*action="{action}"[^>]*>(.*?)</form>', page, re.S)
    return set(re.findall(r'name="to" value="([^"]+)"', form.group(1))) if form else set()


# --- the organisation --------------------------------------------------------------------


def test_the_officer_s_page_offers_exactly_the_moves_of_the_table_the_officer_may_make(
    world: World, officer: User
) -> None:
    client = logged_in(officer)
    organisation = world.organisation
    page = client.get(reverse("organisations:officer_detail", args=[organisation.pk]))
    assert buttons(page.content.decode(), organisation) == {"verified", "needs_update", "rejected"}
    offered = transitions.available_transitions(MACHINE, organisation, officer, buttons=True)
    assert [move.target for move in offered] == ["verified", "needs_update", "rejected"]
    # The association's own move is not the officer's, and the association has no officer's move.
    Organisation.objects.filter(pk=organisation.pk).update(status=OrganisationStatus.NEEDS_UPDATE)
    organisation = fresh(organisation)
    assert [
        m.target for m in transitions.available_transitions(MACHINE, organisation, officer)
    ] == ["rejected"]
    assert [
        m.target for m in transitions.available_transitions(MACHINE, organisation, world.editor)
    ] == ["pending"]
    assert transitions.available_transitions(MACHINE, organisation, world.viewer) == []


def test_a_stale_officer_page_is_refused_and_changes_nothing(world: World, officer: User) -> None:
    colleague = MembershipFactory().user
    organisation = world.organisation
    client = logged_in(officer)
    url = reverse("organisations:officer_transition", args=[organisation.pk])
    seen = officer_page_versions(client, organisation)[url]  # offers "verify"
    page_object = fresh(organisation)  # what the page was rendered from

    services.organisation_transition(
        organisation=fresh(organisation),
        to=OrganisationStatus.NEEDS_UPDATE,
        actor=colleague,
        comment="Stadgarna saknas.",
    )
    # The click on the page's "verify": the move is judged from the status the row has now.
    response = client.post(
        url, {"confirmed": "1", "to": "verified", "seen_version": seen}, follow=True
    )
    assert any("kan inte ändras från" in m for m in shown_messages(response))
    # The object the page was read from is refused as it is, even for a move the table has.
    with pytest.raises(ValidationError) as refused:
        services.organisation_transition(
            organisation=page_object,
            to=OrganisationStatus.REJECTED,
            actor=officer,
            comment="Inte en förening.",
        )
    assert_stale(refused.value)
    organisation = fresh(organisation)
    assert (organisation.status, organisation.status_comment) == (
        "needs_update",
        "Stadgarna saknas.",
    )
    assert AuditEvent.objects.filter(action="status_changed").count() == 1


def test_the_association_is_refused_an_officer_s_move_and_a_viewer_its_own(
    world: World, officer: User
) -> None:
    organisation = world.organisation
    for actor in (world.representative, world.viewer):
        with pytest.raises(PermissionDenied) as refused:
            services.organisation_transition(
                organisation=organisation, to=OrganisationStatus.REJECTED, actor=actor, comment="x"
            )
        assert not refused.value.args  # a bare refusal: not an officer
    services.organisation_transition(
        organisation=organisation,
        to=OrganisationStatus.NEEDS_UPDATE,
        actor=officer,
        comment="Komplettera.",
    )
    page = logged_in(world.viewer).get(reverse("organisations:detail", args=[organisation.pk]))
    assert reverse("organisations:resubmit", args=[organisation.pk]) not in page.content.decode()
    response = logged_in(world.viewer).post(
        reverse("organisations:resubmit", args=[organisation.pk])
    )
    assert response.status_code == 403
    assert fresh(organisation).status == "needs_update"
    page = logged_in(world.editor).get(reverse("organisations:detail", args=[organisation.pk]))
    assert reverse("organisations:resubmit", args=[organisation.pk]) in page.content.decode()


def test_an_officer_connected_to_the_organisation_is_refused_and_told_why(
    world: World, officer: User
) -> None:
    OrganisationMembershipFactory(organisation=world.organisation, user=officer, role="viewer")
    with pytest.raises(PermissionDenied) as refused:
        services.organisation_transition(
            organisation=world.organisation,
            to=OrganisationStatus.REJECTED,
            actor=officer,
            comment="x",
        )
    assert refused.value.args == (segregation.EXCLUDED_MESSAGE,)
    assert transitions.available_transitions(MACHINE, world.organisation, officer) == []
    assert fresh(world.organisation).status == "pending"


def test_the_officer_who_changed_the_account_is_not_offered_verify_and_is_refused_it(
    world: World, officer: User
) -> None:
    organisation = world.organisation
    organisation.payment_details_verified = False
    organisation.payment_details_changed_by = officer
    organisation.save()
    client = in_english(logged_in(officer))
    page = client.get(reverse("organisations:officer_detail", args=[organisation.pk]))
    assert buttons(page.content.decode(), organisation) == {"needs_update", "rejected"}
    url = reverse("organisations:officer_transition", args=[organisation.pk])
    seen = selectors.payment_details_version(organisation)
    response = client.post(
        url, {"confirmed": "1", "to": "verified", "seen_version": seen}, follow=True
    )
    assert any("Another case officer must verify it" in m for m in shown_messages(response))
    assert (fresh(organisation).status, fresh(organisation).payment_details_verified) == (
        "pending",
        False,
    )


def test_verifying_counts_for_the_details_seen_and_the_trail_names_them(
    world: World, officer: User
) -> None:
    make_verified(world)
    organisation = world.organisation
    edit_organisation(logged_in(world.editor), organisation, name="Nytt namn")  # back to pending
    organisation = fresh(organisation)
    assert organisation.status == "pending"
    seen = selectors.payment_details_version(organisation)
    services.organisation_transition(
        organisation=organisation, to="verified", actor=officer, seen_version=seen
    )
    event = AuditEvent.objects.filter(action="status_changed").latest("pk")
    assert (event.from_state, event.to_state, event.comment) == (
        "pending",
        "verified",
        f"[version {seen}]",
    )


# --- the annual documents ---------------------------------------------------------------


def test_a_document_uploaded_again_while_the_officer_looked_is_refused(
    world: World, officer: User
) -> None:
    document = world.document
    page_object = AnnualDocument.objects.get(pk=document.pk)
    seen = selectors.document_seen_version(page_object)
    services.document_upload(
        organisation=world.organisation,
        actor=world.editor,
        year=document.year,
        kind=document.kind,
        upload=pdf_upload("ny.pdf"),
    )
    with pytest.raises(ValidationError) as refused:
        services.document_review(
            document=page_object, actor=officer, approve=True, seen_version=seen
        )
    assert_stale(refused.value)
    # Read again but approved with the version of the old page: refused the same way.
    with pytest.raises(ValidationError) as refused:
        services.document_review(
            document=AnnualDocument.objects.get(pk=document.pk),
            actor=officer,
            approve=True,
            seen_version=seen,
        )
    assert_stale(refused.value)
    document.refresh_from_db()
    assert (document.status, document.reviewed_by) == ("submitted", None)
    assert not AuditEvent.objects.filter(action="document_approved").exists()


def test_a_document_review_is_refused_to_a_member_and_to_a_connected_officer(
    world: World, officer: User
) -> None:
    document = world.document
    seen = selectors.document_seen_version(document)
    with pytest.raises(PermissionDenied) as refused:
        services.document_review(
            document=document, actor=world.representative, approve=True, seen_version=seen
        )
    assert not refused.value.args
    OrganisationMembershipFactory(organisation=world.organisation, user=officer, role="viewer")
    with pytest.raises(PermissionDenied) as refused:
        services.document_review(document=document, actor=officer, approve=True, seen_version=seen)
    assert refused.value.args == (segregation.EXCLUDED_MESSAGE,)
    assert transitions.available_transitions(services.DOCUMENT_MACHINE, document, officer) == []
    document.refresh_from_db()
    assert document.status == "submitted"


def test_a_document_is_reviewed_again_from_any_status_and_the_trail_names_the_file(
    world: World, officer: User
) -> None:
    document = world.document
    seen = selectors.document_seen_version(document)
    machine = services.DOCUMENT_MACHINE
    assert [m.target for m in transitions.available_transitions(machine, document, officer)] == [
        "approved",
        "returned",
    ]
    services.document_review(document=document, actor=officer, approve=True, seen_version=seen)
    with pytest.raises(ValidationError) as refused:
        services.document_review(
            document=document, actor=officer, approve=False, comment=" ", seen_version=seen
        )
    assert "comment" in refused.value.message_dict
    services.document_review(
        document=document, actor=officer, approve=False, comment="Fel år.", seen_version=seen
    )
    event = AuditEvent.objects.get(action="document_returned")
    assert (event.object_id, event.from_state, event.to_state) == (
        str(world.organisation.pk),
        "approved",
        "returned",
    )
    assert event.comment == (
        f"{document.get_kind_display()} {document.year}, version 1 "
        f"(sha256 {world.version.sha256}): Fel år. [version {seen}]"
    )


def test_an_account_changed_by_the_officer_themselves_is_refused_before_the_version(
    world: World, officer: User
) -> None:
    organisation = world.organisation
    organisation.payment_account = demo_bankgiro(44_444)
    organisation.payment_details_verified = False
    organisation.payment_details_changed_by = officer
    organisation.save()
    with pytest.raises(PermissionDenied) as refused:
        services.organisation_transition(
            organisation=organisation, to="verified", actor=officer, seen_version="old"
        )
    assert refused.value.args == (segregation.OWN_CHANGE_MESSAGE,)


def test_a_move_the_table_still_allows_is_refused_from_a_page_drawn_before_the_last_change(
    world: World, officer: User
) -> None:
    """The officer opened the organisation while it waited; meanwhile a colleague sent it back
    and the association answered and sent it in again. The status is the same as on her page,
    but the case is not: her "Reject" from that page changes nothing."""
    organisation = world.organisation
    client = logged_in(officer)
    url = reverse("organisations:officer_transition", args=[organisation.pk])
    page = client.get(reverse("organisations:officer_detail", args=[organisation.pk]))
    old_state = posted_state(page.content.decode(), url)

    services.organisation_transition(
        organisation=fresh(organisation),
        to=OrganisationStatus.NEEDS_UPDATE,
        actor=MembershipFactory().user,
        comment="Ladda upp stadgarna.",
    )
    services.organisation_transition(
        organisation=fresh(organisation), to=OrganisationStatus.PENDING, actor=world.editor
    )
    events = AuditEvent.objects.count()

    response = client.post(
        url,
        {
            "confirmed": "1",
            "to": "rejected",
            "comment": "Inte en förening.",
            "seen_state": old_state,
        },
        follow=True,
    )
    assert any(
        "Uppgifterna har ändrats sedan du öppnade sidan. Ingenting sparades." in m
        for m in shown_messages(response)
    )
    assert fresh(organisation).status == OrganisationStatus.PENDING
    assert AuditEvent.objects.count() == events
    # A form that carries no state at all is refused the same way; the page drawn now works.
    response = client.post(
        url, {"confirmed": "1", "to": "rejected", "comment": "Inte en förening."}, follow=True
    )
    assert fresh(organisation).status == OrganisationStatus.PENDING
    page = client.get(reverse("organisations:officer_detail", args=[organisation.pk]))
    client.post(
        url,
        {
            "confirmed": "1",
            "to": "rejected",
            "comment": "Inte en förening.",
            "seen_state": posted_state(page.content.decode(), url),
        },
    )
    assert fresh(organisation).status == OrganisationStatus.REJECTED


def test_an_officer_page_drawn_before_the_association_sent_a_document_is_stale(
    world: World, officer: User
) -> None:
    """The officer's page said a document was missing; the association has sent it since. Her
    "Send back" from that page would ask for what already came: refused, nothing changed."""
    organisation = world.organisation
    client = logged_in(officer)
    url = reverse("organisations:officer_transition", args=[organisation.pk])
    page = client.get(reverse("organisations:officer_detail", args=[organisation.pk]))
    old_state = posted_state(page.content.decode(), url)
    services.document_upload(
        organisation=fresh(organisation),
        actor=world.representative,
        year=2026,
        kind="ekonomisk_berattelse",
        upload=pdf_upload("ekonomi.pdf"),
    )
    response = client.post(
        url,
        {
            "confirmed": "1",
            "to": "needs_update",
            "comment": "Ekonomin saknas.",
            "seen_state": old_state,
        },
        follow=True,
    )
    assert any(
        "Uppgifterna har ändrats sedan du öppnade sidan" in m for m in shown_messages(response)
    )
    assert fresh(organisation).status == OrganisationStatus.PENDING
