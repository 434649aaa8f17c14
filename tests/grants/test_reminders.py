"""The outbox: reminders derived by the scan, sent once, at the right time, retried on SMTP
errors. Time travels with time_machine; the scan runs every hour as beat runs it."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grants import services
from grants.models import Application, FollowUpReport, GrantReminderSettings
from organisations.models import OrganisationReminderSettings
from portal import notifications
from portal.models import Notification
from tests.grants.conftest import (
    Grants,
    complete_draft,
    decide_proposal,
    make_call,
    proposed,
    submitted,
)
from tests.helpers.clients import logged_in
from tests.helpers.queries import assert_same_query_count, count_queries
from tests.organisations.factories import OrganisationMembershipFactory

pytestmark = pytest.mark.django_db
STOCKHOLM = ZoneInfo("Europe/Stockholm")
SITE = "http://testserver"


@pytest.fixture(autouse=True)
def _site_url(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SITE_URL = SITE


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM)  # type: ignore[misc]


def hourly(start: datetime, end: datetime) -> Iterator[datetime]:
    """Every hour from start to end, as beat runs the scan (23 or 25 hours on DST days)."""
    moment = start
    while moment < end:
        yield moment
        moment += timedelta(hours=1)


def scan_hourly(
    start: datetime, end: datetime, bodies: list[str] | None = None
) -> list[tuple[str, str, str]]:
    """Run the scan every hour; (local time, recipient, subject) of every email it caused."""
    sent = []
    for moment in hourly(start, end):
        with time_machine.travel(moment, tick=False):
            notifications.scan()
        for message in mail.outbox:
            stamp = timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
            sent += [(stamp, address, message.subject) for address in message.to]
            if bodies is not None:
                bodies.append(message.body)
        mail.outbox.clear()
    return sorted(sent)


def test_a_call_closing_reminds_each_person_with_a_draft_7_days_and_1_day_before(
    grants: Grants,
) -> None:
    g = grants
    closes = local(2026, 10, 30, 12, 0)  # summer time ends on Sunday 25 October
    with time_machine.travel(local(2026, 10, 1, 9, 0), tick=False):
        call = make_call(g.programme, title="Hösten", closes_at=closes)
        complete_draft(g, call=call)
    sent = scan_hourly(local(2026, 10, 20, 0, 0), local(2026, 11, 2, 0, 0))
    people = sorted([g.representative.email, g.editor.email])
    assert sent == [
        ("2026-10-23 00:00", people[0], "”Hösten” stänger om 7 dagar"),
        ("2026-10-23 00:00", people[1], "”Hösten” stänger om 7 dagar"),
        ("2026-10-29 00:00", people[0], "”Hösten” stänger i morgon"),
        ("2026-10-29 00:00", people[1], "”Hösten” stänger i morgon"),
    ]
    rows = Notification.objects.order_by("kind", "recipient__email")
    assert [(r.kind, r.due_date, r.status, r.attempts) for r in rows] == [
        ("call_closing_1d", date(2026, 10, 30), "sent", 1),
        ("call_closing_1d", date(2026, 10, 30), "sent", 1),
        ("call_closing_7d", date(2026, 10, 30), "sent", 1),
        ("call_closing_7d", date(2026, 10, 30), "sent", 1),
    ]
    assert g.viewer.email not in {address for _t, address, _s in sent}  # viewers only read


def test_the_reminder_email_is_swedish_with_a_link_in_text_and_html(grants: Grants) -> None:
    g = grants
    with time_machine.travel(local(2026, 3, 1, 9, 0), tick=False):
        call = make_call(g.programme, title="Våren", closes_at=local(2026, 3, 8, 16, 0))
        complete_draft(g, call=call)
        notifications.scan()
    message = next(m for m in mail.outbox if m.to == [g.editor.email])
    link = f"{SITE}/utlysningar/{call.pk}/"
    assert "Din organisation har ett utkast" in message.body
    assert "8 mars 2026 kl. 16.00" in message.body and link in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert '<html lang="sv">' in html and f'href="{link}"' in html
    assert "Öppna i portalen" in html and f"{SITE}/konto/notiser/" in html


def test_a_call_or_its_programme_may_have_its_own_days(grants: Grants) -> None:
    g = grants
    g.programme.closing_reminder_days = "3"
    g.programme.save()
    with time_machine.travel(local(2026, 3, 1, 9, 0), tick=False):
        by_programme = make_call(g.programme, title="Programmets", closes_at=local(2026, 3, 20, 12))
        by_call = make_call(
            g.programme,
            title="Egen",
            closes_at=local(2026, 3, 20, 12),
            closing_reminder_days="10, 5",
        )
        complete_draft(g, call=by_programme)
        complete_draft(g, call=by_call)
    sent = scan_hourly(local(2026, 3, 5, 0, 0), local(2026, 3, 21, 0, 0))
    days = sorted({(stamp[:10], subject) for stamp, address, subject in sent})
    assert days == [
        ("2026-03-10", "”Egen” stänger om 10 dagar"),
        ("2026-03-15", "”Egen” stänger om 5 dagar"),
        ("2026-03-17", "”Programmets” stänger om 3 dagar"),
    ]


def reported_call(g: Grants) -> object:
    return make_call(
        g.programme,
        title="Med återrapport",
        budget=Decimal("1000000"),
        follow_up_required=True,
        follow_up_due_date=date(2027, 3, 28),  # the Sunday summer time begins: 23 hours
    )


def test_a_report_reminds_14_days_before_on_the_day_and_7_days_late(grants: Grants) -> None:
    g = grants
    with time_machine.travel(local(2027, 1, 10, 9, 0), tick=False):
        application = proposed(g, call=reported_call(g))  # due on 31 March: summer time begins
        decide_proposal(application, g.decision_maker)
    mail.outbox.clear()
    report = FollowUpReport.objects.get(application=application)
    assert report.due_date == date(2027, 3, 28)
    bodies: list[str] = []
    sent = scan_hourly(local(2027, 3, 10, 0, 0), local(2027, 4, 12, 0, 0), bodies)
    number = application.registry_number
    people = sorted([g.representative.email, g.editor.email])
    assert sent == [
        (stamp, person, subject)
        for stamp, subject in [
            (
                "2027-03-14 00:00",
                f"Återrapporteringen för ansökan {number} ska lämnas senast 28 mars 2027",
            ),
            ("2027-03-28 00:00", f"Återrapporteringen för ansökan {number} ska lämnas i dag"),
            ("2027-04-04 00:00", f"Återrapporteringen för ansökan {number} är försenad"),
        ]
        for person in people
    ]
    link = f"{SITE}/ansokningar/{application.pk}/aterrapportering/"
    assert len(bodies) == 6 and all(link in body and "28 mars 2027" in body for body in bodies)


def test_a_report_sent_in_is_not_reminded(grants: Grants) -> None:
    g = grants
    with time_machine.travel(local(2027, 1, 10, 9, 0), tick=False):
        application = proposed(g, call=reported_call(g))
        decide_proposal(application, g.decision_maker)
    FollowUpReport.objects.filter(application=application).update(status="submitted")
    mail.outbox.clear()
    sent = scan_hourly(local(2027, 3, 13, 12, 0), local(2027, 3, 15, 0, 0))
    assert [subject for _t, _a, subject in sent if "Återrapportering" in subject] == []
    assert not Notification.objects.filter(kind__startswith="report_due").exists()


def test_a_completion_request_is_sent_at_once_then_reminded_2_days_before_and_when_late(
    grants: Grants, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    g = grants
    with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
        call = make_call(g.programme, title="Mars", closes_at=local(2026, 3, 5, 12))
        application = submitted(g, call=call)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.application_request_completion(
                application=application,
                actor=g.officer,
                message="Bifoga en bättre budget.",
                due=date(2026, 3, 16),
            )
        asked = sorted((m.to[0], m.subject) for m in mail.outbox)
        number = application.registry_number
        assert asked == sorted(
            (person.email, f"Komplettera ansökan {number}")
            for person in [g.editor, g.representative]
        )
        assert "Bifoga en bättre budget." in mail.outbox[0].body
        mail.outbox.clear()
    sent = scan_hourly(local(2026, 3, 10, 0, 0), local(2026, 3, 20, 0, 0))
    people = sorted([g.representative.email, g.editor.email])
    assert sent == [
        (stamp, person, subject)
        for stamp, subject in [
            ("2026-03-14 00:00", f"Komplettera ansökan {number} senast 16 mars 2026"),
            ("2026-03-17 00:00", f"Kompletteringen av ansökan {number} är försenad"),
        ]
        for person in people
    ]


@time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=STOCKHOLM), tick=False)
def test_running_the_scan_twice_writes_each_row_once(grants: Grants) -> None:
    call = make_call(grants.programme, title="Snart", closes_at=timezone.now() + timedelta(days=7))
    complete_draft(grants, call=call)
    notifications.scan()
    notifications.scan()
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 2
    assert all(n.status == "sent" and n.attempts == 1 for n in Notification.objects.all())


def _due_things(g: Grants, count: int, today: date) -> None:
    """`count` more of every kind of grant deadline, each for an organisation of its own."""
    from tests.organisations.factories import OrganisationFactory

    closing = make_call(g.programme, title="Stänger", closes_at=timezone.now() + timedelta(days=7))
    for _ in range(count):
        organisation = OrganisationFactory(status="verified")
        OrganisationMembershipFactory(organisation=organisation, role="representative")
        common = {
            "organisation": organisation,
            "public_body": g.body,
            "created_by": g.representative,
        }
        Application.objects.create(call=closing, status="draft", **common)
        Application.objects.create(
            call=g.call,
            status="completion_requested",
            completion_due=today + timedelta(days=2),
            **common,
        )
        granted = Application.objects.create(call=g.call, status="approved", **common)
        FollowUpReport.objects.create(application=granted, due_date=today + timedelta(days=14))


@time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=STOCKHOLM), tick=False)
def test_the_scan_keeps_its_query_count_whatever_is_due(grants: Grants) -> None:
    today = timezone.localdate()

    def count() -> tuple[int, int]:
        Notification.objects.all().delete()
        with (
            mock.patch("portal.notifications.queue_pending", return_value=0),
            CaptureQueriesContext(connection) as queries,
        ):
            notifications.scan()
        return len(queries), Notification.objects.count()

    _due_things(grants, 1, today)
    count()  # content types cached
    small, rows = count()
    assert rows == 3  # one person each: the draft, the completion, the report
    _due_things(grants, 10, today)
    large, rows = count()
    assert rows == 3 + 30
    assert large == small


def test_smtp_failing_twice_then_succeeding_sends_one_email_after_three_attempts(
    grants: Grants, monkeypatch: pytest.MonkeyPatch
) -> None:
    tries = {"n": 0}
    real = notifications.send_templated_email

    def flaky(**kwargs: object) -> None:
        tries["n"] += 1
        if tries["n"] <= 2:
            raise smtplib.SMTPServerDisconnected("nere")
        real(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(notifications, "send_templated_email", flaky)
    monkeypatch.setattr(notifications, "backoff", lambda attempt: 0)
    call = make_call(grants.programme, title="Snart", closes_at=timezone.now() + timedelta(days=1))
    notifications._write([_row(call, grants)])
    row = Notification.objects.get()
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, "")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [grants.representative.email]


def _row(call: object, g: Grants) -> Notification:
    from django.contrib.contenttypes.models import ContentType

    from grants.models import Call

    return Notification(
        kind="call_closing_1d",
        content_type=ContentType.objects.get_for_model(Call),
        object_id=str(call.pk),  # type: ignore[attr-defined]
        due_date=timezone.localdate() + timedelta(days=1),
        recipient=g.representative,
    )


def test_smtp_failing_always_marks_the_row_failed_visible_in_the_admin(
    grants: Grants,
    staff,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    def broken(**kwargs: object) -> None:
        raise smtplib.SMTPConnectError(421, "ingen server")

    monkeypatch.setattr(notifications, "send_templated_email", broken)
    monkeypatch.setattr(notifications, "backoff", lambda attempt: 0)
    call = make_call(grants.programme, title="Snart", closes_at=timezone.now() + timedelta(days=1))
    notifications._write([_row(call, grants)])
    row = Notification.objects.get()
    assert (row.status, row.attempts) == ("failed", notifications.MAX_ATTEMPTS)
    assert "SMTPConnectError" in row.last_error
    assert mail.outbox == []
    admin = logged_in(staff)
    listing = admin.get(
        reverse("admin:portal_notification_changelist"), {"status__exact": "failed"}
    )
    assert "Rita Representant" in listing.content.decode()
    detail = admin.get(reverse("admin:portal_notification_change", args=[row.pk])).content.decode()
    assert "ingen server" in detail
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            reverse("admin:portal_notification_changelist"),
            {"action": "resend", "_selected_action": [row.pk]},
        )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == "sent" and [m.to for m in mail.outbox] == [[grants.representative.email]]


@time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=STOCKHOLM), tick=False)
def test_the_notifications_page_lists_only_what_was_sent_to_the_person(grants: Grants) -> None:
    call = make_call(grants.programme, title="Snart", closes_at=timezone.now() + timedelta(days=7))
    complete_draft(grants, call=call)
    notifications.scan()
    page = logged_in(grants.editor).get(reverse("portal:notifications")).content.decode()
    assert f'<a href="/utlysningar/{call.pk}/">”Snart” stänger om 7 dagar</a>' in page
    other = logged_in(grants.outsider).get(reverse("portal:notifications")).content.decode()
    assert "Snart" not in other


def test_the_notifications_page_is_paginated_in_a_fixed_number_of_queries(
    grants: Grants,
) -> None:
    from django.contrib.contenttypes.models import ContentType

    from grants.models import Call

    client = logged_in(grants.editor)
    call_type = ContentType.objects.get_for_model(Call)

    def rows(count: int) -> None:
        Notification.objects.bulk_create(
            Notification(
                kind=f"call_closing_{n}d",
                content_type=call_type,
                object_id=str(grants.call.pk),
                due_date=date(2026, 1, 1),
                recipient=grants.editor,
                status="sent",
                subject=f"Påminnelse {n}",
                sent_at=timezone.now(),
            )
            for n in range(count)
        )

    rows(3)
    with count_queries() as few:
        client.get(reverse("portal:notifications"))
    Notification.objects.all().delete()
    rows(60)
    with count_queries() as many:
        page = client.get(reverse("portal:notifications")).content.decode()
    assert_same_query_count(few, many)
    assert "Påminnelse 59" in page and "Påminnelse 0<" not in page  # newest first, one page
    assert "sida=2" in page


def test_notify_writes_each_row_once_on_commit_and_sends_it(
    grants: Grants,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    call = make_call(
        grants.programme, title="Händelse", closes_at=timezone.now() + timedelta(days=3)
    )
    due = timezone.localdate() + timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(
            kind="call_closing_3d", obj=call, recipients=[grants.editor], due_date=due
        )
        assert not Notification.objects.exists()  # nothing before the commit
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(
            kind="call_closing_3d", obj=call, recipients=[grants.editor], due_date=due
        )
    assert Notification.objects.get().status == "sent"
    assert [m.to for m in mail.outbox] == [[grants.editor.email]]
    with pytest.raises(KeyError):
        notifications.notify(
            kind="no_such_kind", obj=call, recipients=[grants.editor], due_date=due
        )


def test_the_administrator_changes_the_days_in_the_admin(
    grants: Grants,
    staff,  # type: ignore[no-untyped-def]
) -> None:
    admin = logged_in(staff)
    response = admin.get(reverse("admin:grants_grantremindersettings_changelist"))
    assert response.status_code == 302 and response["Location"].endswith("/add/")
    form = {"call_closing_days": "sju", "completion_days": "2, -1", "report_days": "14, 0, -7"}
    page = admin.post(reverse("admin:grants_grantremindersettings_add"), form).content.decode()
    assert "Ange hela dagar åtskilda med kommatecken" in page
    assert not GrantReminderSettings.objects.exists()
    annual = {
        "annual_meeting_month": "6",
        "annual_meeting_day": "31",
        "annual_documents_days": "30",
    }
    page = admin.post(
        reverse("admin:organisations_organisationremindersettings_add"), annual
    ).content.decode()
    assert "Den dagen finns inte i månaden." in page
    assert not OrganisationReminderSettings.objects.exists()
    form.update(call_closing_days="3")
    assert admin.post(reverse("admin:grants_grantremindersettings_add"), form).status_code == 302
    assert GrantReminderSettings.load().days("call_closing_days") == [3]
    response = admin.get(reverse("admin:grants_grantremindersettings_changelist"))
    assert response["Location"].endswith("/1/change/")  # one set of settings, never a second
    with time_machine.travel(local(2026, 3, 1, 9, 0), tick=False):
        call = make_call(grants.programme, title="Tre", closes_at=local(2026, 3, 10, 12))
        complete_draft(grants, call=call)
    sent = scan_hourly(local(2026, 3, 2, 0, 0), local(2026, 3, 11, 0, 0))
    assert {(stamp[:10], subject) for stamp, _address, subject in sent} == {
        ("2026-03-07", "”Tre” stänger om 3 dagar")
    }


def test_a_row_waiting_for_its_retry_is_not_sent_again_by_the_next_notification(
    grants: Grants, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    call = make_call(grants.programme, title="Snart", closes_at=timezone.now() + timedelta(days=1))
    waiting = _row(call, grants)
    waiting.attempts, waiting.claimed_at, waiting.last_error = 1, timezone.now(), "SMTP nere"
    waiting.save()
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(
            kind="call_closing_3d", obj=call, recipients=[grants.editor], due_date=date(2030, 1, 1)
        )
    assert [m.to for m in mail.outbox] == [[grants.editor.email]]  # only the new one
    waiting.refresh_from_db()
    assert (waiting.status, waiting.attempts) == ("pending", 1)  # left to its own retry
    with time_machine.travel(timezone.now() + notifications.RETRY_LOST + timedelta(minutes=1)):
        notifications.queue_pending()  # its retry was lost: the scan picks it up
    waiting.refresh_from_db()
    assert (waiting.status, waiting.attempts) == ("sent", 2)


def test_a_held_notification_about_something_deleted_is_marked_failed_not_sent(
    grants: Grants,
) -> None:
    grants.editor.notification_digest = True
    grants.editor.save()
    from django.contrib.contenttypes.models import ContentType

    Notification.objects.create(
        kind="decision",
        content_type=ContentType.objects.get_for_model(Application),
        object_id="999999",  # an application that is not there
        due_date=date(2026, 3, 2),
        recipient=grants.editor,
        status="held",
    )
    with time_machine.travel(local(2026, 3, 3, 7, 0), tick=False):
        notifications.scan()
    assert mail.outbox == []
    row = Notification.objects.get(kind="decision")
    assert (row.status, row.last_error) == ("failed", "The object no longer exists.")
    assert not Notification.objects.filter(kind="digest").exists()
