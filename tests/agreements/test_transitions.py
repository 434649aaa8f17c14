"""The agreement's status as a table run by the portal's transition helper: the status panel
offers exactly the steps the person may take, and a person or a page the table refuses changes
nothing."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from agreements import services
from agreements.models import Agreement
from organisations import segregation
from portal import transitions, versions
from portal.models import AuditEvent, User
from tests.agreements.conftest import Iop, fresh, sign, to_signing
from tests.agreements.test_access import officer_of, page_of, screened
from tests.helpers.clients import in_english, logged_in, shown_messages
from tests.helpers.forms import posted_state
from tests.organisations.factories import OrganisationMembershipFactory

pytestmark = pytest.mark.django_db

MACHINE = services.AGREEMENT_MACHINE


def buttons(page: str, agreement: Agreement) -> list[str]:
    """The steps the status panel offers: the `to` of each button of its form."""
    action = reverse("agreements:transition", args=[agreement.pk])
    form = re.search(rf'<form[^>]*action="{action}"[^>]*>(.*?)</form>', page, re.S)
    return re.findall(r'name="to" value="([^"]+)"', form.group(1)) if form else []


def post_step(user: User, agreement: Agreement, to: str) -> object:
    client = in_english(logged_in(user))
    return client.post(  # type: ignore[attr-defined]
        reverse("agreements:transition", args=[agreement.pk]), {"to": to}, follow=True
    )


def test_the_status_panel_offers_the_steps_of_the_table_the_person_may_take(iop: Iop) -> None:
    a = iop.agreement
    assert buttons(page_of(iop.officer, a), a) == ["screening"]
    assert "Start the screening" in page_of(iop.officer, a)
    for other in (iop.representative, iop.editor, iop.chair):
        assert buttons(page_of(other, a), a) == []
    a = screened(iop)
    assert buttons(page_of(iop.officer, a), a) == ["legal_review"]


def test_the_steps_of_signing_have_no_button_and_an_active_agreement_offers_amendment(
    iop: Iop,
) -> None:
    a = to_signing(iop)  # in signing: its steps have their own forms, no button
    assert transitions.available_transitions(MACHINE, a, iop.officer, buttons=True) == []
    assert buttons(page_of(iop.officer, a), a) == []
    # Signed by every party: active, and an amendment is a button of the officer's.
    sign(agreement=a, actor=iop.representative, party=iop.org_party)
    sign(agreement=a, actor=iop.chair, party=iop.body_party)
    a = fresh(a)
    assert a.status == "active"
    assert buttons(page_of(iop.officer, a), a) == ["amendment"]
    assert 'class="button button-secondary">Start an amendment' in page_of(iop.officer, a)


def test_a_step_clicked_on_a_stale_page_is_refused_and_changes_nothing(iop: Iop) -> None:
    second = officer_of(iop.body)
    a = screened(iop)
    page = page_of(second, a)
    assert buttons(page, a) == ["legal_review"]
    page_object = fresh(a)
    services.agreement_transition(agreement=fresh(a), to="legal_review", actor=iop.officer)

    # The button's step is judged from the status the agreement has now.
    response = post_step(second, a, "legal_review")
    assert any("cannot go from “Legal review”" in m for m in shown_messages(response))
    # The object the page was read from is refused as it is.
    with pytest.raises(ValidationError) as refused:
        services.agreement_transition(agreement=page_object, to="decision", actor=second)
    assert refused.value.message_dict == {versions.FIELD: [str(versions.STALE_MESSAGE)]}
    assert fresh(a).status == "legal_review"
    assert AuditEvent.objects.filter(action="status_changed", actor=second).count() == 0


def test_the_association_and_a_connected_officer_are_refused_the_officer_s_step(
    iop: Iop,
) -> None:
    a = iop.agreement
    for person in (iop.representative, iop.editor):
        assert post_step(person, a, "screening").status_code == 403
        with pytest.raises(PermissionDenied):
            services.agreement_transition(agreement=fresh(a), to="screening", actor=person)
    conflicted = officer_of(iop.body)
    OrganisationMembershipFactory(
        organisation=iop.org_party.organisation, user=conflicted, role="viewer"
    )
    assert buttons(page_of(conflicted, a), a) == []
    assert post_step(conflicted, a, "screening").status_code == 403
    with pytest.raises(PermissionDenied) as refused:
        services.agreement_transition(agreement=fresh(a), to="screening", actor=conflicted)
    assert refused.value.args == (segregation.EXCLUDED_MESSAGE,)
    assert fresh(a).status == "initiative"


def test_a_step_with_its_own_form_is_not_taken_by_a_button(iop: Iop) -> None:
    a = to_signing(iop)
    sign(agreement=a, actor=iop.representative, party=iop.org_party)
    # Out of signing goes through "stop the signing" (with a reason, telling every party).
    response = post_step(iop.officer, a, "amendment")
    assert any("Unknown step." in m for m in shown_messages(response))
    response = post_step(iop.officer, a, "co_creation")
    assert any("Unknown step." in m for m in shown_messages(response))
    a = fresh(a)
    assert a.status == "signing"
    assert a.signatures.filter(voided_at__isnull=True).count() == 1
    services.agreement_signing_withdraw(agreement=a, actor=iop.officer, reason="Ändra texten.")
    assert fresh(a).status == "co_creation"
    # Signing after the decision goes through the decision form (with its reference).
    Agreement.objects.filter(pk=a.pk).update(status="decision")
    response = post_step(iop.officer, a, "signing")
    assert any("Unknown step." in m for m in shown_messages(response))
    assert fresh(a).status == "decision"


def test_activation_needs_every_signature_of_the_round(iop: Iop) -> None:
    a = to_signing(iop)
    assert not transitions.can(MACHINE, a, iop.officer, to="active")
    with pytest.raises(PermissionDenied):
        services.agreement_transition(agreement=fresh(a), to="active", actor=iop.officer)
    assert fresh(a).status == "signing"


def test_a_step_from_a_page_drawn_before_the_agreement_changed_is_refused(iop: Iop) -> None:
    """The officer opened the initiative; it has changed since (another save of the record).
    "Start the screening" from that page changes nothing; from the page drawn now, it works."""
    a = iop.agreement
    action = reverse("agreements:transition", args=[a.pk])
    old_state = posted_state(page_of(iop.officer, a), action)
    Agreement.objects.filter(pk=a.pk).update(updated_at=timezone.now() + timedelta(seconds=1))
    client = in_english(logged_in(iop.officer))

    response = client.post(action, {"to": "screening", "seen_state": old_state}, follow=True)
    assert any("This has changed since you opened the page" in m for m in shown_messages(response))
    assert fresh(a).status == "initiative"
    client.post(
        action, {"to": "screening", "seen_state": posted_state(page_of(iop.officer, a), action)}
    )
    assert fresh(a).status == "screening"


def test_a_step_from_a_page_drawn_before_a_contribution_or_comment_is_refused(iop: Iop) -> None:
    """Contributions, comments and signatories are part of the agreement: one added since the
    page was drawn makes its step buttons stale."""
    a = screened(iop)  # in co-creation: the next step is the legal review
    action = reverse("agreements:transition", args=[a.pk])
    client = in_english(logged_in(iop.officer))
    for change in (
        lambda: services.contribution_add(
            agreement=fresh(a),
            actor=iop.representative,
            party=iop.org_party,
            year=2027,
            kind="premises",
            description="Lokal två kvällar i veckan",
            value=Decimal("10000"),
        ),
        lambda: services.section_comment_add(
            agreement=fresh(a), actor=iop.representative, section="goals", text="Vänta lite."
        ),
    ):
        old_state = posted_state(page_of(iop.officer, a), action)
        change()
        response = client.post(action, {"to": "legal_review", "seen_state": old_state}, follow=True)
        assert any("This has changed since" in m for m in shown_messages(response))
        assert fresh(a).status == "co_creation"
