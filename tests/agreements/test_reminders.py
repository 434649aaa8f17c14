"""IOP reminders and events: follow-up points due, agreements ending, ready to sign, signed."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from agreements import services
from agreements.models import Agreement
from portal import notifications
from tests.agreements.conftest import Iop, fresh, sign, to_signing

pytestmark = pytest.mark.django_db
STOCKHOLM = ZoneInfo("Europe/Stockholm")
SITE = "http://testserver"


@pytest.fixture(autouse=True)
def _site_url(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SITE_URL = SITE


def daily(start: date, end: date) -> list[tuple[str, str, str]]:
    """The scan at 06:00 each day from start to end: (date, recipient, subject) of each email."""
    sent = []
    day = start
    while day <= end:
        with time_machine.travel(
            datetime(day.year, day.month, day.day, 6, tzinfo=STOCKHOLM), tick=False
        ):
            notifications.scan()
        sent += [(day.isoformat(), m.to[0], m.subject) for m in mail.outbox]
        mail.outbox.clear()
        day += timedelta(days=1)
    return sorted(sent)


def active(i: Iop) -> Agreement:
    Agreement.objects.filter(pk=i.agreement.pk).update(status="active")
    return fresh(i.agreement)


def test_a_follow_up_point_is_reminded_14_days_before_to_both_sides(iop: Iop) -> None:
    i = iop
    agreement = active(i)
    services.follow_up_plan(
        agreement=agreement, actor=i.officer, due=date(2027, 5, 20), text="Antal unga i veckan"
    )
    sent = daily(date(2027, 5, 1), date(2027, 5, 21))
    number = agreement.registry_number
    subject = f"Uppföljning av {number} den 20 maj 2027"
    people = sorted([i.representative.email, i.editor.email, i.officer.email])
    assert sent == [("2027-05-06", person, subject) for person in people]
    assert i.viewer.email not in {address for _d, address, _s in sent}


def test_a_recorded_follow_up_point_is_not_reminded(iop: Iop) -> None:
    i = iop
    agreement = active(i)
    point = services.follow_up_plan(
        agreement=agreement, actor=i.officer, due=date(2027, 5, 20), text="Antal unga"
    )
    services.follow_up_record(point=point, actor=i.editor, text="42 unga i veckan.")
    assert daily(date(2027, 5, 5), date(2027, 5, 7)) == []


def test_an_agreement_ending_is_reminded_90_and_30_days_before(iop: Iop) -> None:
    i = iop
    agreement = active(i)
    assert agreement.proposed_end == date(2029, 12, 31)
    sent = daily(date(2029, 10, 1), date(2029, 12, 31))
    number = agreement.registry_number
    people = sorted([i.representative.email, i.editor.email, i.officer.email])
    assert sent == [
        ("2029-10-02", person, f"{number} löper ut om 90 dagar") for person in people
    ] + [("2029-12-01", person, f"{number} löper ut om 30 dagar") for person in people]


def test_an_ended_agreement_is_not_reminded(iop: Iop) -> None:
    Agreement.objects.filter(pk=iop.agreement.pk).update(status="terminated")
    assert daily(date(2029, 10, 1), date(2029, 10, 3)) == []


def test_the_signatories_are_told_to_sign_and_everyone_when_it_is_signed(
    iop: Iop, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    i = iop
    with django_capture_on_commit_callbacks(execute=True):
        a = to_signing(i)
    number = a.registry_number
    to_sign = sorted((m.to[0], m.subject) for m in mail.outbox if "undertecknas" in m.subject)
    people = sorted([i.representative.email, i.editor.email, i.officer.email, i.chair.email])
    assert to_sign == [(person, f"{number} är klart att undertecknas") for person in people]
    body = next(m.body for m in mail.outbox if m.to == [i.representative.email])
    assert f"{SITE}/iop/avtal/{a.pk}/" in body
    mail.outbox.clear()
    sign(agreement=a, actor=i.representative, party=i.org_party)
    with django_capture_on_commit_callbacks(execute=True):
        sign(agreement=fresh(a), actor=i.chair, party=i.body_party)
    signed = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert signed == [(person, f"{number} är undertecknat (version 1)") for person in people]
