"""An officer's verify and approve count only for what the officer had on screen: the page they
opened carries a version, and when the association changed something in between, the click is
refused, nothing changes, and the officer is asked to reload."""

from __future__ import annotations

import pytest
from django.urls import reverse

from organisations.demo import demo_bankgiro
from organisations.models import AnnualDocument
from portal.models import AuditEvent, User
from tests.helpers.clients import in_english, logged_in, shown_messages
from tests.helpers.forms import state_of
from tests.organisations.conftest import (
    World,
    edit_organisation,
    make_verified,
    officer_page_versions,
)
from tests.organisations.factories import pdf_upload

pytestmark = pytest.mark.django_db

STALE = "What you acted on has changed since you opened the page"


def test_verifying_a_bankgiro_that_changed_after_the_page_was_opened_is_refused(
    world: World, officer: User
) -> None:
    make_verified(world)
    organisation = world.organisation
    member = logged_in(world.editor)
    edit_organisation(member, organisation, payment_account=demo_bankgiro(11_111))
    officer_client = in_english(logged_in(officer))
    url = reverse("organisations:officer_verify_payment", args=[organisation.pk])
    seen = officer_page_versions(officer_client, organisation)[url]

    # The association changes the account again while the officer looks at the first one.
    swapped = demo_bankgiro(22_222)
    edit_organisation(member, organisation, payment_account=swapped)
    response = officer_client.post(url, {"confirmed": "1", "seen_version": seen}, follow=True)
    assert any(STALE in message for message in shown_messages(response))
    organisation.refresh_from_db()
    assert (organisation.payment_account, organisation.payment_details_verified) == (swapped, False)
    assert not AuditEvent.objects.filter(action="payment_details_verified").exists()

    # Without a version it is refused too.
    response = officer_client.post(url, {"confirmed": "1"}, follow=True)
    assert any(STALE in message for message in shown_messages(response))
    organisation.refresh_from_db()
    assert not organisation.payment_details_verified

    # Reloaded: the officer verifies what is there now, and the trail says which version.
    seen = officer_page_versions(officer_client, organisation)[url]
    officer_client.post(url, {"confirmed": "1", "seen_version": seen})
    organisation.refresh_from_db()
    assert organisation.payment_details_verified
    event = AuditEvent.objects.get(action="payment_details_verified")
    assert swapped in event.comment and f"[version {seen}]" in event.comment


def test_verifying_an_organisation_whose_details_changed_meanwhile_is_refused(
    world: World, officer: User
) -> None:
    organisation = world.organisation
    officer_client = in_english(logged_in(officer))
    url = reverse("organisations:officer_transition", args=[organisation.pk])
    seen = officer_page_versions(officer_client, organisation)[url]
    edit_organisation(logged_in(world.editor), organisation, payment_account=demo_bankgiro(33_333))

    response = officer_client.post(
        url,
        {
            "confirmed": "1",
            "to": "verified",
            "seen_version": seen,
            "seen_state": state_of(organisation),
        },
        follow=True,
    )
    assert any(STALE in message for message in shown_messages(response))
    organisation.refresh_from_db()
    assert (organisation.status, organisation.payment_details_verified) == ("pending", False)

    # Reloaded: the officer verifies the organisation with the account it has now.
    seen = officer_page_versions(officer_client, organisation)[url]
    officer_client.post(
        url,
        {
            "confirmed": "1",
            "to": "verified",
            "seen_version": seen,
            "seen_state": state_of(organisation),
        },
    )
    organisation.refresh_from_db()
    assert (organisation.status, organisation.payment_details_verified) == ("verified", True)
    status = AuditEvent.objects.get(action="status_changed")
    assert f"[version {seen}]" in status.comment
    assert (
        demo_bankgiro(33_333) in AuditEvent.objects.get(action="payment_details_verified").comment
    )


def test_approving_a_document_replaced_after_the_page_was_opened_is_refused(
    world: World, officer: User
) -> None:
    organisation = world.organisation
    officer_client = in_english(logged_in(officer))
    url = reverse(
        "organisations:officer_document_review", args=[organisation.pk, world.document.pk]
    )
    seen = officer_page_versions(officer_client, organisation)[url]

    # The association uploads a new version of the statutes meanwhile.
    response = logged_in(world.editor).post(
        reverse("organisations:documents", args=[organisation.pk]),
        {"kind": world.document.kind, "year": world.document.year, "file": pdf_upload("ny.pdf")},
    )
    assert response.status_code == 302
    world.document.refresh_from_db()
    assert world.document.current_version.number == 2

    for decision in ("approve", "return"):
        response = officer_client.post(
            url,
            {"confirmed": "1", "decision": decision, "comment": "Ok", "seen_version": seen},
            follow=True,
        )
        assert any(STALE in message for message in shown_messages(response))
    world.document.refresh_from_db()
    assert (world.document.status, world.document.reviewed_by) == ("submitted", None)
    assert not AuditEvent.objects.filter(action__in=["document_approved", "document_returned"])

    # Reloaded: the officer approves version 2; the trail names it and its checksum.
    seen = officer_page_versions(officer_client, organisation)[url]
    officer_client.post(url, {"confirmed": "1", "decision": "approve", "seen_version": seen})
    document = AnnualDocument.objects.select_related("current_version").get(pk=world.document.pk)
    assert (document.status, document.reviewed_by) == ("approved", officer)
    event = AuditEvent.objects.get(action="document_approved")
    assert "version 2" in event.comment
    assert document.current_version is not None
    assert document.current_version.sha256 in event.comment and f"[version {seen}]" in event.comment
