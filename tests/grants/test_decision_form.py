"""Deciding on a proposal: nothing chosen beforehand, "another amount" needs the amount and the
reason, a check-your-answers step before anything is decided, never twice, and the decision says
how to appeal (laglighetsprövning, kommunallagen 13 kap.)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from grants import services
from grants.models import DEFAULT_APPEAL_TEXT, Application
from tests.grants.conftest import Grants, decide_proposal, proposed, seen_version
from tests.helpers.audit import audit_events
from tests.helpers.clients import in_english, logged_in, shown_messages
from tests.helpers.mail import emails_to

pytestmark = pytest.mark.django_db


def decide_url(application: Application) -> str:
    return reverse("grants:decide", args=[application.pk])


def decisions_taken(application: Application) -> int:
    return audit_events(application, "status_changed", from_state="proposed").count()


def test_another_amount_with_nothing_typed_decides_nothing_and_names_the_fields(
    grants: Grants,
) -> None:
    """The bug: "another amount" with amount and reason empty decided as proposed."""
    application = proposed(grants)
    decider = logged_in(grants.decision_maker)
    version = seen_version(decider, application, "decision_form")
    for step in ({}, {"confirmed": "1"}):  # the form, and a POST that skips the check page
        response = decider.post(
            decide_url(application),
            {"decision": "change", "amount": "", "change_reason": "", "seen_version": version}
            | step,
        )
        assert response.status_code == 200
        errors = response.context["decision_form"].errors
        assert set(errors) == {"amount", "change_reason"}
        page = response.content.decode()
        assert 'id="error-summary-decisionform"' in page  # the one summary, linking the fields
        assert 'href="#id_amount"' in page and 'href="#id_change_reason"' in page
    application.refresh_from_db()
    assert application.status == "proposed" and application.decided_at is None
    assert decisions_taken(application) == 0


def test_the_service_refuses_another_amount_without_amount_and_reason(grants: Grants) -> None:
    application = proposed(grants)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.application_decide(
            application=application,
            actor=grants.decision_maker,
            decision="change",
            amount=None,
            change_reason=" ",
            seen_version=services.decision_version(application),
        )
    assert set(error.value.message_dict) == {"amount", "change_reason"}
    assert "Give the amount you decide on." in error.value.message_dict["amount"]
    with pytest.raises(ValidationError) as error:  # no choice at all is no decision
        services.application_decide(
            application=application,
            actor=grants.decision_maker,
            decision="",
            seen_version=services.decision_version(application),
        )
    assert "decision" in error.value.message_dict
    application.refresh_from_db()
    assert application.status == "proposed"


def test_nothing_is_chosen_beforehand(grants: Grants) -> None:
    application = proposed(grants)
    response = logged_in(grants.decision_maker).get(
        reverse("grants:officer_application", args=[application.pk])
    )
    form = response.context["decision_form"]
    assert form["decision"].value() is None
    section = response.content.decode().split('id="decide-heading"')[1].split("</section>")[0]
    assert " checked" not in section.split("<form")[1]  # no radio button is pre-checked


def test_the_first_post_only_shows_what_will_be_recorded_change_keeps_it_confirm_decides(
    grants: Grants, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    g = grants
    application = proposed(g)  # 40 000 applied for and proposed; the call has 100 000
    decider = logged_in(g.decision_maker)
    typed = {
        "decision": "change",
        "amount": "25 000",
        "change_reason": "Lokalkostnaden är för hög.",
        "seen_version": seen_version(decider, application, "decision_form"),
    }
    with translation.override("en"):
        check = decider.post(decide_url(application), typed)
    assert check.status_code == 200
    assert check.templates[0].name == "grants/decision_confirm.html"
    page = check.content.decode()
    assert "25\u00a0000\u00a0kr" in page  # the amount
    assert "75\u00a0000\u00a0kr" in page  # the call's budget left afterwards
    assert "Lokalkostnaden är för hög." in page and "Bra projekt." in page
    assert 'name="confirmed"' in page and 'name="edit"' in page
    application.refresh_from_db()
    assert application.status == "proposed" and decisions_taken(application) == 0

    back = decider.post(decide_url(application), typed | {"edit": "1"})
    assert back.status_code == 200
    form = back.context["decision_form"]
    assert (form["decision"].value(), form["amount"].value()) == ("change", "25 000")
    assert "Lokalkostnaden är för hög." in back.content.decode()
    application.refresh_from_db()
    assert application.status == "proposed"

    with django_capture_on_commit_callbacks(execute=True):
        done = decider.post(decide_url(application), typed | {"confirmed": "1"})
    assert done.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.decided_amount, application.decided_by) == (
        "partly_approved",
        Decimal("25000"),
        g.decision_maker,
    )
    assert application.decision_change_reason == "Lokalkostnaden är för hög."
    assert decisions_taken(application) == 1


def test_a_decision_is_never_taken_twice(grants: Grants) -> None:
    g = grants
    application = proposed(g)
    first, second = logged_in(g.decision_maker), logged_in(g.other_decision_maker)
    choice = {"decision": "confirm"}
    first_choice = choice | {"seen_version": seen_version(first, application, "decision_form")}
    second_choice = choice | {"seen_version": seen_version(second, application, "decision_form")}
    # both reach the check page, then both confirm
    assert first.post(decide_url(application), first_choice).status_code == 200
    assert second.post(decide_url(application), second_choice).status_code == 200
    first.post(decide_url(application), first_choice | {"confirmed": "1"})
    refused = second.post(decide_url(application), second_choice | {"confirmed": "1"})
    again = first.post(decide_url(application), first_choice | {"confirmed": "1"})
    assert refused.status_code in {302, 403} and again.status_code in {302, 403}
    application.refresh_from_db()
    assert application.decided_by == g.decision_maker
    assert decisions_taken(application) == 1


def test_rejecting_a_proposal_to_grant_needs_a_reason(grants: Grants) -> None:
    application = proposed(grants)
    decider = logged_in(grants.decision_maker)
    data = {
        "decision": "reject",
        "seen_version": seen_version(decider, application, "decision_form"),
        "confirmed": "1",
    }
    response = decider.post(decide_url(application), data)
    assert "change_reason" in response.context["decision_form"].errors
    application.refresh_from_db()
    assert application.status == "proposed"
    decider.post(decide_url(application), data | {"change_reason": "Utanför syftet."})
    application.refresh_from_db()
    assert (application.status, application.decided_amount) == ("rejected", Decimal(0))


def test_the_decision_says_how_to_appeal_on_the_page_and_in_the_email(
    grants: Grants, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    g = grants
    application = proposed(g)
    decider = logged_in(g.decision_maker)
    choice = {
        "decision": "confirm",
        "seen_version": seen_version(decider, application, "decision_form"),
    }
    with translation.override("en"):
        check = decider.post(decide_url(application), choice).content.decode()
    assert "laglighetspr" in check  # the appeal text is shown before deciding, too
    with django_capture_on_commit_callbacks(execute=True):
        decider.post(decide_url(application), choice | {"confirmed": "1"})
    emails = emails_to(g.representative.email, "Beslut")
    assert emails and "laglighetsprövning" in emails[0].body and "kommunallagen" in emails[0].body
    page = (
        logged_in(g.viewer)
        .get(reverse("grants:application", args=[application.pk]))
        .content.decode()
    )
    assert "laglighetsprövning" in page and "kommunallagen" in page
    application.refresh_from_db()
    with translation.override("en"):
        assert application.appeal_text == str(DEFAULT_APPEAL_TEXT)
        assert "chapter 13 of the Local Government Act" in application.appeal_text


def test_a_programme_has_its_own_appeal_text_fixed_at_the_decision(grants: Grants) -> None:
    g = grants
    g.programme.appeal_text = "Överklaga hos förvaltningsrätten i Exempelstad inom tre veckor."
    g.programme.save()
    application = proposed(g)
    decider = logged_in(g.decision_maker)
    decider.post(
        decide_url(application),
        {
            "decision": "confirm",
            "seen_version": seen_version(decider, application, "decision_form"),
            "confirmed": "1",
        },
    )
    g.programme.appeal_text = "En senare text."
    g.programme.save()
    page = (
        logged_in(g.viewer)
        .get(reverse("grants:application", args=[application.pk]))
        .content.decode()
    )
    assert "förvaltningsrätten i Exempelstad" in page and "En senare text." not in page
    assert "laglighetsprövning" not in page


def test_a_decision_without_the_version_seen_is_refused(grants: Grants) -> None:
    application = proposed(grants)
    response = logged_in(grants.decision_maker).post(
        decide_url(application), {"decision": "confirm", "confirmed": "1"}
    )
    assert response.status_code == 302  # back to the page, with the message to reload
    application.refresh_from_db()
    assert application.status == "proposed"


def test_outsiders_get_no_confirmation_page(grants: Grants) -> None:
    application = proposed(grants)
    assert Client().post(decide_url(application), {"decision": "confirm"}).status_code in {
        302,
        403,
        404,
    }
    response = in_english(logged_in(grants.officer)).post(
        decide_url(application), {"decision": "confirm"}, follow=True
    )
    assert "Check the decision" not in response.content.decode()  # no confirmation page
    assert any(  # a case officer, told why
        "Only a decision maker of the public body" in m for m in shown_messages(response)
    )


def test_the_decision_email_records_the_reason_for_another_amount(
    grants: Grants, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    """What the decider chose, and why, reaches the association as it is recorded."""
    g = grants
    application = proposed(g)
    with django_capture_on_commit_callbacks(execute=True):
        decide_proposal(
            application,
            g.decision_maker,
            decision="change",
            amount=Decimal("12000"),
            change_reason="Budgeten för lokalhyra är för hög.",
        )
    [email] = emails_to(g.representative.email, "Beslut")
    assert "Budgeten för lokalhyra är för hög." in email.body
    assert "12\xa0000\xa0kr" in email.body
