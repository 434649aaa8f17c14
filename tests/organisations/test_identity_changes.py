"""A new organisation number, name or legal form sends a verified organisation back to the case
officers: not eligible where verification is required, nothing paid, until an officer (not the
person who changed it) verifies it again."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from grants.eligibility import eligibility_problems
from organisations import selectors as organisation_selectors
from organisations.demo import demo_organisation_number
from organisations.models import OrganisationStatus
from portal.models import AuditEvent, User
from tests.grants.conftest import Grants, decide_proposal, grants, pay, proposed  # noqa: F401
from tests.helpers.clients import in_english, logged_in, shown_messages
from tests.helpers.forms import state_of
from tests.helpers.mail import emails_to
from tests.organisations.conftest import (
    World,
    edit_organisation,
    make_verified,
    officer_page_versions,
)

pytestmark = pytest.mark.django_db

NEEDS_VERIFICATION = "a case officer must verify the organisation again"


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("name", "Idrottsföreningen Nytt Namn", "Idrottsföreningen Nytt Namn"),
        ("legal_form", "stiftelse", "Foundation"),
        ("organisation_number", demo_organisation_number(424_242), None),
    ],
)
def test_an_identity_change_sends_the_organisation_back_for_verification(
    world: World, officer: User, field: str, value: str, shown: str | None
) -> None:
    make_verified(world)
    organisation = world.organisation
    old = getattr(organisation, field)
    member = in_english(logged_in(world.editor))
    response = edit_organisation(member, organisation, **{field: value})
    assert response.status_code == 200
    assert any(NEEDS_VERIFICATION in message for message in shown_messages(response))

    organisation.refresh_from_db()
    assert organisation.status == OrganisationStatus.PENDING
    assert not organisation.payment_details_verified
    assert organisation.payment_details_changed_by == world.editor
    event = AuditEvent.objects.get(action="identity_changed")
    assert (event.actor, event.from_state, event.to_state) == (world.editor, "verified", "pending")
    assert "→" in event.comment and (shown or value) in event.comment
    if field != "legal_form":
        assert str(old) in event.comment

    # The officers find it in their queue of organisations waiting for verification.
    officer_client = logged_in(officer)
    queue = officer_client.get(reverse("organisations:officer_queue"))
    assert organisation.pk in {o.pk for o in queue.context["page"].object_list}
    url = reverse("organisations:officer_transition", args=[organisation.pk])
    officer_client.post(
        url,
        {
            "confirmed": "1",
            "to": "verified",
            "seen_version": officer_page_versions(officer_client, organisation)[url],
            "seen_state": state_of(organisation),
        },
    )
    organisation.refresh_from_db()
    assert (organisation.status, organisation.payment_details_verified) == ("verified", True)


def test_other_changes_keep_the_organisation_verified(world: World) -> None:
    make_verified(world)
    member = in_english(logged_in(world.editor))
    response = edit_organisation(member, world.organisation, purpose="Fotboll och friidrott.")
    assert not any(NEEDS_VERIFICATION in message for message in shown_messages(response))
    world.organisation.refresh_from_db()
    assert world.organisation.status == OrganisationStatus.VERIFIED
    assert world.organisation.payment_details_verified
    assert not AuditEvent.objects.filter(action="identity_changed").exists()


def test_a_suspended_organisation_stays_suspended_but_its_details_need_verification(
    world: World,
) -> None:
    world.organisation.status = OrganisationStatus.SUSPENDED
    world.organisation.payment_details_verified = True
    world.organisation.save()
    edit_organisation(logged_in(world.editor), world.organisation, name="Nytt namn")
    world.organisation.refresh_from_db()
    assert world.organisation.status == OrganisationStatus.SUSPENDED
    assert not world.organisation.payment_details_verified


def test_after_an_identity_change_no_grant_needing_verification_and_no_payment(
    grants: Grants,  # noqa: F811
) -> None:
    g = grants
    application = decide_proposal(proposed(g, amount=Decimal("40000")), g.decision_maker)
    g.programme.requires_verified = True
    g.programme.save()
    assert eligibility_problems(organisation=g.organisation, programme=g.programme) == []

    edit_organisation(logged_in(g.editor), g.organisation, name="Föreningen Byter Namn")
    g.organisation.refresh_from_db()
    assert g.organisation.status == OrganisationStatus.PENDING
    assert eligibility_problems(organisation=g.organisation, programme=g.programme)
    application.refresh_from_db()
    with pytest.raises(ValidationError):
        pay(g, application, "1000", reference="Utbetalning 1")
    assert not application.payments.exists()

    # Verified again by an officer, the grant can be paid.
    officer_client = logged_in(g.officer)
    url = reverse("organisations:officer_transition", args=[g.organisation.pk])
    officer_client.post(
        url,
        {
            "confirmed": "1",
            "to": "verified",
            "seen_version": officer_page_versions(officer_client, g.organisation)[url],
            "seen_state": state_of(g.organisation),
        },
    )
    g.organisation.refresh_from_db()
    assert g.organisation.status == OrganisationStatus.VERIFIED
    application.refresh_from_db()
    pay(g, application, "1000", reference="Utbetalning 1")
    assert application.payments.count() == 1


def test_verifying_only_the_account_of_an_organisation_waiting_for_verification_is_refused(
    grants: Grants,  # noqa: F811
) -> None:
    """The attack: the identity went back for review, and an officer posts "verify payment
    details" (a button the page does not offer then) to make it payable without verifying it."""
    g = grants
    application = decide_proposal(proposed(g, amount=Decimal("40000")), g.decision_maker)
    edit_organisation(logged_in(g.editor), g.organisation, name="=HYPERLINK(1)")
    g.organisation.refresh_from_db()
    officer_client = in_english(logged_in(g.officer))
    response = officer_client.post(
        reverse("organisations:officer_verify_payment", args=[g.organisation.pk]),
        {
            "confirmed": "1",
            "seen_version": organisation_selectors.payment_details_version(g.organisation),
        },
        follow=True,
    )
    assert any("Verify the organisation itself first" in m for m in shown_messages(response))
    g.organisation.refresh_from_db()
    assert (g.organisation.status, g.organisation.payment_details_verified) == ("pending", False)
    assert not AuditEvent.objects.filter(action="payment_details_verified").exists()

    # Even with the account marked verified (as older data may have it), nothing is paid
    # while the organisation itself waits for verification; the page offers no payment form.
    g.organisation.payment_details_verified = True
    g.organisation.save()
    application.refresh_from_db()
    page = officer_client.get(reverse("grants:officer_application", args=[application.pk]))
    assert "payment_form" not in page.context or not page.context["payable"]
    with pytest.raises(ValidationError):
        pay(g, application, "1000", reference="Utbetalning 1")
    assert not application.payments.exists()


def test_every_representative_is_told_at_once_when_the_account_changes(
    world: World,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    """Someone let in (or an account taken over) changes the bankgiro: the representatives hear
    of it before any case officer has verified it, and can stop it."""

    make_verified(world)
    with django_capture_on_commit_callbacks(execute=True):
        edit_organisation(logged_in(world.editor), world.organisation, payment_account="5000-0124")
    told = emails_to(world.representative.email)
    assert len(told) == 1
    assert "5000-0124" in told[0].body and world.editor.email in told[0].body
    assert world.organisation.name in told[0].subject
