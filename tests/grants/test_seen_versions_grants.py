"""Propose, decide and pay act on what the person saw (portal.versions): a change in between is
refused and nothing happens; the audit entry names the version; the payment keeps the account it
went to; and the person who decided does not pay (four eyes on money)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from grants import services
from grants.models import Application, Payment
from organisations.demo import demo_bankgiro
from organisations.models import PaymentMethod
from portal.models import PublicBodyMembership, PublicBodyRole
from portal.versions import STALE_MESSAGE
from tests.grants.conftest import (
    Grants,
    decide_proposal,
    proposed,
    score_all,
    seen_version,
    submitted,
)
from tests.helpers.audit import audit_events
from tests.helpers.clients import in_english, logged_in, queued_messages
from tests.portal.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def stale_told(response: object) -> bool:
    with translation.override("en"):
        return str(STALE_MESSAGE) in queued_messages(response)


def audit_comments(application: Application, action: str) -> list[str]:
    return list(audit_events(application, action).values_list("comment", flat=True))


def test_a_proposal_on_scores_that_changed_meanwhile_is_refused(grants: Grants) -> None:
    g = grants
    application = submitted(g)
    services.application_start_review(application=application, actor=g.officer)
    application.refresh_from_db()
    score_all(g, application)
    officer = in_english(logged_in(g.officer))
    version = seen_version(officer, application, "proposal_form")
    # a colleague scores a criterion after the page was opened
    colleague = MembershipFactory(public_body=g.body, role=PublicBodyRole.CASE_OFFICER).user
    services.review_save(
        application=application, actor=colleague, criterion=g.criteria[0], score=1, comment="Svag"
    )
    data = {"outcome": "approve", "motivation": "Bra.", "seen_version": version}
    with translation.override("en"):
        response = officer.post(
            reverse("grants:propose", args=[application.pk]), data | {"confirmed": "1"}
        )
    assert stale_told(response)
    application.refresh_from_db()
    assert application.status == "in_review" and application.proposed_by is None
    fresh = seen_version(officer, application, "proposal_form")
    officer.post(
        reverse("grants:propose", args=[application.pk]),
        data | {"seen_version": fresh} | {"confirmed": "1"},
    )
    application.refresh_from_db()
    assert application.status == "proposed"
    assert any(f"[version {fresh}]" in c for c in audit_comments(application, "status_changed"))


def test_a_decision_on_a_proposal_that_changed_meanwhile_is_refused(grants: Grants) -> None:
    g = grants
    application = proposed(g, outcome="partly", amount=Decimal("10000"))
    decider = in_english(logged_in(g.decision_maker))
    version = seen_version(decider, application, "decision_form")
    choice = {"decision": "confirm", "seen_version": version}
    assert decider.post(reverse("grants:decide", args=[application.pk]), choice).status_code == 200
    # between the check page and the click, the proposal is made again with another amount
    Application.objects.filter(pk=application.pk).update(
        proposal_amount=Decimal("40000"), proposal_outcome="approve"
    )
    with translation.override("en"):
        response = decider.post(
            reverse("grants:decide", args=[application.pk]), choice | {"confirmed": "1"}
        )
    assert response.status_code == 302 and stale_told(response)
    application.refresh_from_db()
    assert application.status == "proposed" and application.decided_amount is None
    fresh = {
        "decision": "confirm",
        "seen_version": seen_version(decider, application, "decision_form"),
    }
    decider.post(reverse("grants:decide", args=[application.pk]), fresh | {"confirmed": "1"})
    application.refresh_from_db()
    assert (application.status, application.decided_amount) == ("approved", Decimal("40000"))
    assert any(
        f"[version {fresh['seen_version']}]" in c
        for c in audit_comments(application, "status_changed")
    )


def test_a_payment_to_an_account_that_changed_meanwhile_is_refused_and_payments_keep_theirs(
    grants: Grants,
) -> None:
    g = grants
    application = decide_proposal(proposed(g), g.decision_maker)
    officer = in_english(logged_in(g.officer))
    url = reverse("grants:payment_add", args=[application.pk])
    data = {
        "amount": "10 000",
        "paid_on": timezone.localdate().isoformat(),
        "reference": "U1",
        "seen_version": seen_version(officer, application, "payment_form"),
    }
    old_account = g.organisation.payment_account_display
    # the bankgiro changes (and is verified again) while the page is open
    g.organisation.payment_account = demo_bankgiro(77_777)
    g.organisation.payment_method = PaymentMethod.BANKGIRO
    g.organisation.save()
    moved_to = g.organisation.payment_account_display
    with translation.override("en"):
        response = officer.post(url, data | {"confirmed": "1"})
    assert stale_told(response)
    assert not Payment.objects.exists()
    new_data = data | {"seen_version": seen_version(officer, application, "payment_form")}
    officer.post(url, new_data | {"confirmed": "1"})
    payment = Payment.objects.get()
    assert payment.account == moved_to != old_account
    assert any("[version " in c for c in audit_comments(application, "paid"))
    # a later change of the account does not rewrite where the money went
    g.organisation.payment_account = demo_bankgiro(88_888)
    g.organisation.save()
    payment.refresh_from_db()
    assert payment.account == moved_to
    # a second instalment on the page seen before the first is refused too (paid so far changed)
    with translation.override("en"):
        response = officer.post(url, new_data | {"reference": "U2"} | {"confirmed": "1"})
    assert stale_told(response) and Payment.objects.count() == 1


def test_the_person_who_decided_does_not_register_the_payment(grants: Grants) -> None:
    g = grants
    # a decision maker who is also a case officer of the body
    PublicBodyMembership.objects.create(
        user=g.decision_maker, public_body=g.body, role=PublicBodyRole.CASE_OFFICER
    )
    application = decide_proposal(proposed(g), g.decision_maker)
    both = logged_in(g.decision_maker)
    page = both.get(reverse("grants:officer_application", args=[application.pk]))
    assert page.context.get("payment_form") is not None  # a case officer's page…
    assert page.context["own_decision"] is True  # …that tells them someone else must pay
    assert 'action="' + reverse("grants:payment_add", args=[application.pk]) not in (
        page.content.decode()
    )
    version = services.payment_version(application)
    response = both.post(
        reverse("grants:payment_add", args=[application.pk]),
        {
            "confirmed": "1",
            "amount": "1000",
            "paid_on": timezone.localdate().isoformat(),
            "reference": "Själv",
            "seen_version": version,
        },
    )
    assert response.status_code == 302  # back to the case with the reason
    assert any("four eyes on money" in m for m in queued_messages(response)) or any(
        "fyra ögon" in m for m in queued_messages(response)
    )
    assert not Payment.objects.exists()
    officer = in_english(logged_in(g.officer))
    officer.post(
        reverse("grants:payment_add", args=[application.pk]),
        {
            "confirmed": "1",
            "amount": "1000",
            "paid_on": timezone.localdate().isoformat(),
            "reference": "Annan",
            "seen_version": seen_version(officer, application, "payment_form"),
        },
    )
    assert Payment.objects.get().registered_by == g.officer
