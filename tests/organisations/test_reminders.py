"""The year's annual documents are asked for some days after the annual meetings, from the
verified organisations that have not sent them in."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from organisations.models import ANNUAL_DOCUMENT_KINDS, AnnualDocument, OrganisationReminderSettings
from portal import notifications
from tests.organisations.factories import OrganisationFactory, OrganisationMembershipFactory

pytestmark = pytest.mark.django_db
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def scan_on(day: date) -> list[tuple[str, str]]:
    with time_machine.travel(
        datetime(day.year, day.month, day.day, 3, tzinfo=STOCKHOLM), tick=False
    ):
        notifications.scan()
    sent = sorted((m.to[0], m.subject) for m in mail.outbox)
    return sent


def test_missing_annual_documents_are_asked_for_30_days_after_the_meetings(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SITE_URL = "http://testserver"
    missing = OrganisationFactory(name="Schackklubben", status="verified")
    representative = OrganisationMembershipFactory(organisation=missing, role="representative").user
    OrganisationMembershipFactory(organisation=missing, role="viewer")
    complete = OrganisationFactory(name="Körföreningen", status="verified")
    OrganisationMembershipFactory(organisation=complete, role="representative")
    pending = OrganisationFactory(name="Nystartade", status="pending")
    OrganisationMembershipFactory(organisation=pending, role="representative")
    for kind in ANNUAL_DOCUMENT_KINDS:
        AnnualDocument.objects.create(organisation=complete, year=2026, kind=kind)
    AnnualDocument.objects.create(organisation=missing, year=2026, kind=ANNUAL_DOCUMENT_KINDS[0])
    AnnualDocument.objects.create(
        organisation=missing, year=2026, kind=ANNUAL_DOCUMENT_KINDS[1], status="returned"
    )

    assert scan_on(date(2026, 7, 29)) == []
    sent = scan_on(date(2026, 7, 30))  # 30 June + 30 days
    assert sent == [(representative.email, "Årshandlingar 2026 saknas för Schackklubben")]
    body = mail.outbox[0].body
    assert "Verksamhetsberättelse" in body  # sent back: still missing
    assert "Årsmötesprotokoll" not in body  # sent in
    assert f"http://testserver/foreningar/{missing.pk}/dokument/?ar=2026" in body
    mail.outbox.clear()
    assert scan_on(date(2026, 7, 30)) == []  # once


def test_the_administrator_moves_the_annual_meeting_deadline() -> None:
    OrganisationReminderSettings.objects.create(
        annual_meeting_month=4, annual_meeting_day=30, annual_documents_days="14"
    )
    organisation = OrganisationFactory(status="verified")
    OrganisationMembershipFactory(organisation=organisation, role="representative")
    assert scan_on(date(2026, 7, 30)) == []
    assert len(scan_on(date(2026, 5, 14))) == 1


def test_each_status_change_is_its_own_notification_to_the_representatives(
    world,  # type: ignore[no-untyped-def]
    officer,  # type: ignore[no-untyped-def]
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    from organisations import selectors, services
    from portal.models import Notification

    with django_capture_on_commit_callbacks(execute=True):  # both sent after the second
        services.organisation_transition(
            organisation=world.organisation,
            actor=officer,
            to="verified",
            seen_version=selectors.payment_details_version(world.organisation),
        )
        world.organisation.refresh_from_db()
        services.organisation_transition(
            organisation=world.organisation, actor=officer, to="needs_update", comment="Ny adress?"
        )
    subjects = [(m.to, m.subject) for m in mail.outbox]
    name = world.organisation.name
    assert subjects == [
        ([world.representative.email], f"{name}: Verifierad"),
        ([world.representative.email], f"{name}: Behöver kompletteras"),
    ]
    assert "Ny adress?" in mail.outbox[1].body and "Ny adress?" not in mail.outbox[0].body
    assert Notification.objects.filter(kind="organisation_status", status="sent").count() == 2
