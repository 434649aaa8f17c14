"""Dates that money hangs on are checked against what they relate to: a payment not before the
decision nor years ahead (1900-01-01 was accepted), a recovery not paid back before it was opened
or in the future, a follow-up report never due before the grant could be used. A clear message
names the field; nothing changes."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from grants import services
from grants.models import Application, Payment, Recovery
from tests.grants.conftest import Grants, decide_proposal, pay, proposed, seen_version
from tests.helpers.clients import in_english, logged_in, queued_messages

pytestmark = pytest.mark.django_db


def decided(g: Grants, **call_changes: object) -> Application:
    for field, value in call_changes.items():
        setattr(g.call, field, value)
    g.call.save()
    return decide_proposal(proposed(g), g.decision_maker)


def shown(response: object) -> str:
    return " ".join(queued_messages(response))


def form_errors(response: Any, form: str, field: str) -> str:
    """The errors the page shows at a field of a form sent back with what was typed."""
    assert response.status_code == 400
    return " ".join(response.context[form].errors.get(field, []))


@pytest.mark.parametrize(
    ("paid_on", "words"),
    [
        ("1900-01-01", "1 January 2000"),
        ("0202-05-01", "1 January 2000"),
        ("yesterday", "before the date of the decision"),
        ("in two months", "after 30 days from today"),
    ],
)
def test_a_payment_date_out_of_bounds_is_refused_with_the_field_named(
    grants: Grants, paid_on: str, words: str
) -> None:
    g = grants
    application = decided(g)
    today = timezone.localdate()
    value = {
        "yesterday": (today - timedelta(days=1)).isoformat(),
        "in two months": (today + timedelta(days=61)).isoformat(),
    }.get(paid_on, paid_on)
    officer = in_english(logged_in(g.officer))
    with translation.override("en"):
        response = officer.post(
            reverse("grants:payment_add", args=[application.pk]),
            {
                "confirmed": "1",
                "amount": "1000",
                "paid_on": value,
                "reference": "U1",
                "seen_version": seen_version(officer, application, "payment_form"),
            },
        )
        text = form_errors(response, "payment_form", "paid_on")
    assert "The payment date" in text and words in text, text
    assert 'value="U1"' in response.content.decode()  # what was typed is kept
    assert not Payment.objects.exists()


def test_a_payment_on_the_day_of_the_decision_is_registered(grants: Grants) -> None:
    application = decided(grants)
    officer = in_english(logged_in(grants.officer))
    officer.post(
        reverse("grants:payment_add", args=[application.pk]),
        {
            "confirmed": "1",
            "amount": "1000",
            "paid_on": timezone.localdate(application.decided_at).isoformat(),
            "reference": "U1",
            "seen_version": seen_version(officer, application, "payment_form"),
        },
    )
    assert Payment.objects.get().paid_on == timezone.localdate(application.decided_at)


def test_a_recovery_is_not_paid_back_before_it_was_opened_nor_in_the_future(
    grants: Grants,
) -> None:
    g = grants
    application = decided(g)
    pay(g, application, reference="U1")
    today = timezone.localdate()
    recovery = services.recovery_open(
        application=application,
        actor=g.officer,
        amount=Decimal("500"),
        reason="Outnyttjat",
        due_date=today + timedelta(days=30),
    )
    officer = in_english(logged_in(g.officer))
    url = reverse("grants:recovery_paid", args=[application.pk, recovery.pk])
    for value, words in [
        ("1900-01-01", "1 January 2000"),
        ((today - timedelta(days=1)).isoformat(), "before the day the recovery was opened"),
        ((today + timedelta(days=3)).isoformat(), "after today"),
    ]:
        with translation.override("en"):
            text = shown(officer.post(url, {"confirmed": "1", "paid_on": value}))
        assert "The date it was paid back" in text and words in text, text
        recovery.refresh_from_db()
        assert (recovery.status, recovery.paid_on) == ("open", None)
    officer.post(url, {"confirmed": "1", "paid_on": today.isoformat()})
    recovery.refresh_from_db()
    assert (recovery.status, recovery.paid_on) == ("paid", today)


def test_a_recovery_is_not_due_in_the_past_or_decades_ahead(grants: Grants) -> None:
    g = grants
    application = decided(g)
    pay(g, application, reference="U1")
    today = timezone.localdate()
    officer = in_english(logged_in(g.officer))
    for value in ("1900-01-01", (today - timedelta(days=1)).isoformat(), "2099-01-01"):
        with translation.override("en"):
            text = form_errors(
                officer.post(
                    reverse("grants:recovery_add", args=[application.pk]),
                    {"confirmed": "1", "amount": "500", "reason": "x", "due_date": value},
                ),
                "recovery_form",
                "due_date",
            )
        assert "The date to pay back by" in text, text
    assert not Recovery.objects.exists()
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.recovery_open(
            application=application,
            actor=g.officer,
            amount=Decimal("500"),
            reason="x",
            due_date=date(1900, 1, 1),
        )
    assert "due_date" in error.value.message_dict


def test_a_report_is_never_due_before_the_grant_could_be_used(grants: Grants) -> None:
    """A call's fixed report date that has already passed does not make a new grant's report
    overdue on the day it is decided."""
    g = grants
    application = decided(
        g, follow_up_required=True, follow_up_due_date=timezone.localdate() - timedelta(days=10)
    )
    decided_on = timezone.localdate(application.decided_at)
    assert application.report.due_date == decided_on + timedelta(days=30)
    later = decided(g, follow_up_due_date=decided_on + timedelta(days=200))
    assert later.report.due_date == decided_on + timedelta(days=200)


def test_an_unreadable_date_is_named_too(grants: Grants) -> None:
    application = decided(grants)
    officer = in_english(logged_in(grants.officer))
    with translation.override("en"):
        text = form_errors(
            officer.post(
                reverse("grants:payment_add", args=[application.pk]),
                {"confirmed": "1", "amount": "1000", "paid_on": "31/31/2026", "reference": "U1"},
            ),
            "payment_form",
            "paid_on",
        )
    assert text  # the error stands at the payment date
    assert not Payment.objects.exists()
