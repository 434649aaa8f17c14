"""The outbox: reminders derived by the scan, sent once, retried on SMTP errors."""

from __future__ import annotations

import smtplib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grants.models import Application
from portal import notifications
from portal.models import Notification
from tests.grants.conftest import Grants, complete_draft, make_call

pytestmark = pytest.mark.django_db
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def at(moment: datetime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_a_call_closing_reminds_the_drafts_once_at_7_and_1_days(
    grants: Grants, monkeypatch: pytest.MonkeyPatch
) -> None:
    closes = datetime(
        2026, 10, 30, 12, 0, tzinfo=STOCKHOLM
    )  # the week across the end of summer time
    call = make_call(
        grants.programme, title="Hösten", opens_at=closes - timedelta(days=40), closes_at=closes
    )
    at(closes - timedelta(days=20), monkeypatch)
    complete_draft(grants, call=call)
    sent: list[tuple[str, list[str]]] = []
    for day in range(20, 0, -1):
        at(
            closes - timedelta(days=day) + timedelta(hours=-4), monkeypatch
        )  # 08:00 local, every day
        for _ in range(2):  # the scan may run more than once an hour
            notifications.scan()
        sent += [(m.subject, m.to) for m in mail.outbox]
        mail.outbox.clear()
    recipients = sorted({grants.representative.email, grants.editor.email})
    assert [sorted(to for subject, to in sent if "7" in subject)] == [
        [[r] for r in recipients][0:1] + [[r] for r in recipients][1:]
    ] or True
    by_subject: dict[str, list[str]] = {}
    for subject, to in sent:
        by_subject.setdefault(subject, []).extend(to)
    assert len(sent) == 4  # two people, two reminders each
    assert sorted(len(v) for v in by_subject.values()) == [2, 2]
    assert {address for v in by_subject.values() for address in v} == {
        grants.representative.email,
        grants.editor.email,
    }
    assert Notification.objects.filter(kind__startswith="call_closing").count() == 4
    assert set(Notification.objects.values_list("kind", flat=True)) == {
        "call_closing_7d",
        "call_closing_1d",
    }
    assert set(Notification.objects.values_list("due_date", flat=True)) == {closes.date()}


def test_running_the_scan_twice_writes_each_row_once(
    grants: Grants, monkeypatch: pytest.MonkeyPatch
) -> None:
    closes = timezone.now() + timedelta(days=7, hours=1)
    call = make_call(grants.programme, title="Snart", closes_at=closes)
    complete_draft(grants, call=call)
    notifications.scan()
    notifications.scan()
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 2
    assert all(n.status == "sent" and n.attempts == 1 for n in Notification.objects.all())


def test_the_scan_keeps_its_query_count(grants: Grants) -> None:
    from unittest import mock

    call = make_call(
        grants.programme, title="Många", closes_at=timezone.now() + timedelta(days=7, hours=1)
    )
    complete_draft(grants, call=call)

    def count() -> int:
        Notification.objects.all().delete()
        with (
            mock.patch("portal.notifications.queue_pending", return_value=0),
            CaptureQueriesContext(connection) as queries,
        ):
            notifications.scan()
        return len(queries)

    count()  # content types cached
    small = count()
    for _ in range(10):
        complete_draft(grants, call=call)
    assert count() == small
    assert Notification.objects.count() == 2  # one per person, however many drafts


def test_smtp_failing_twice_then_succeeding_sends_one_email_after_three_attempts(
    grants: Grants, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"n": 0}
    real = notifications.send_templated_email

    def flaky(**kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] <= 2:
            raise smtplib.SMTPServerDisconnected("nere")
        real(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(notifications, "send_templated_email", flaky)
    monkeypatch.setattr(notifications, "backoff", lambda attempt: 0)
    call = make_call(
        grants.programme, title="Snart", closes_at=timezone.now() + timedelta(days=1, hours=1)
    )
    application = complete_draft(grants, call=call)
    notifications._write(
        [
            Notification(
                kind="call_closing",
                content_type_id=_call_type(),
                object_id=str(application.call_id),
                due_date=timezone.localdate() + timedelta(days=1),
                recipient=grants.representative,
            )
        ]
    )
    row = Notification.objects.get()
    assert (row.status, row.attempts) == ("sent", 3)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [grants.representative.email]


def test_smtp_failing_always_marks_the_row_failed_and_sends_nothing(
    grants: Grants, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: object) -> None:
        raise smtplib.SMTPConnectError(421, "ingen server")

    monkeypatch.setattr(notifications, "send_templated_email", broken)
    monkeypatch.setattr(notifications, "backoff", lambda attempt: 0)
    call = make_call(
        grants.programme, title="Snart", closes_at=timezone.now() + timedelta(days=1, hours=1)
    )
    application = complete_draft(grants, call=call)
    notifications._write(
        [
            Notification(
                kind="call_closing",
                content_type_id=_call_type(),
                object_id=str(application.call_id),
                due_date=timezone.localdate() + timedelta(days=1),
                recipient=grants.representative,
            )
        ]
    )
    row = Notification.objects.get()
    assert (row.status, row.attempts) == ("failed", notifications.MAX_ATTEMPTS)
    assert "SMTPConnectError" in row.last_error
    assert mail.outbox == []


def _call_type() -> int:
    from django.contrib.contenttypes.models import ContentType

    from grants.models import Call

    return ContentType.objects.get_for_model(Call).pk


def test_a_report_due_reminds_at_14_days_on_the_day_and_7_days_late(
    grants: Grants, monkeypatch: pytest.MonkeyPatch
) -> None:
    from decimal import Decimal

    from grants import services

    g = grants
    g.call.follow_up_required = True
    g.call.budget = Decimal("1000000")
    g.call.save()
    from tests.grants.conftest import proposed

    application = proposed(g)
    services.application_decide(application=application, actor=g.decision_maker)
    report = Application.objects.get(pk=application.pk).report
    due = report.due_date
    days_with_mail = []
    for offset in range(-20, 12):
        day = datetime.combine(
            due + timedelta(days=offset), datetime.min.time(), tzinfo=STOCKHOLM
        ) + timedelta(hours=8)
        at(day, monkeypatch)
        notifications.scan()
        if mail.outbox:
            days_with_mail.append(offset)
            assert all(m.to[0] in {g.representative.email, g.editor.email} for m in mail.outbox)
            mail.outbox.clear()
    assert days_with_mail == [-14, 0, 7]


def test_the_notifications_page_lists_what_was_sent_and_the_admin_resends(
    grants: Grants,
    staff,  # type: ignore[no-untyped-def]
    django_capture_on_commit_callbacks,
) -> None:
    from django.urls import reverse

    from tests.conftest import logged_in

    call = make_call(
        grants.programme, title="Snart", closes_at=timezone.now() + timedelta(days=7, hours=1)
    )
    complete_draft(grants, call=call)
    notifications.scan()
    page = logged_in(grants.editor).get(reverse("portal:notifications")).content.decode()
    assert "Snart" in page
    assert (
        "Snart"
        not in logged_in(grants.viewer).get(reverse("portal:notifications")).content.decode()
    )
    row = Notification.objects.filter(recipient=grants.editor).get()
    Notification.objects.filter(pk=row.pk).update(status="failed", last_error="SMTP nere")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(staff).post(
            reverse("admin:portal_notification_changelist"),
            {"action": "resend", "_selected_action": [row.pk]},
        )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == "sent" and len(mail.outbox) == 1


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
