"""A domain app plugs into the foundation through the registry, with no edit of portal: the
throwaway app of the test settings (tests/throwaway) registers a notification kind, a reminder
source and a digest section, and the hourly scan, the sender and the digest pick them up."""

from __future__ import annotations

from datetime import date, datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal import notifications, registry
from portal.models import Notification, NotificationStatus
from portal.registry import Kind
from tests.portal.factories import UserFactory
from tests.throwaway.models import Errand

pytestmark = pytest.mark.django_db
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def scan(moment: datetime) -> list[mail.EmailMessage]:
    with time_machine.travel(moment, tick=False):
        notifications.scan()
    sent = list(mail.outbox)
    mail.outbox.clear()
    return sent


def test_the_scan_sends_the_reminders_of_an_app_portal_has_never_heard_of() -> None:
    person = UserFactory(email="astrid@exempel.se")
    Errand.objects.create(title="Lämna in nycklarna", due=date(2026, 5, 4), person=person)
    Errand.objects.create(title="Senare", due=date(2026, 5, 20), person=person)

    sent = scan(datetime(2026, 5, 1, 3, tzinfo=STOCKHOLM))  # three days before, at night

    assert [(m.to, m.subject) for m in sent] == [
        (["astrid@exempel.se"], "Errand due: Lämna in nycklarna")
    ]
    assert "is due on 2026-05-04 (3 days): 4 maj 2026." in sent[0].body  # in Swedish
    row = Notification.objects.get()
    assert (row.kind, row.status, row.url) == (
        "errand_due_3d",
        NotificationStatus.SENT,
        f"/errands/{row.object_id}/",
    )
    assert row.kind_label == "An errand is due"
    assert scan(datetime(2026, 5, 1, 4, tzinfo=STOCKHOLM)) == []  # once, however often it runs
    assert len(scan(datetime(2026, 5, 3, 3, tzinfo=STOCKHOLM))) == 1  # the day before


def test_the_scan_reads_an_apps_due_objects_in_a_fixed_number_of_queries() -> None:
    """The scan itself (the sends are the workers' business, one task per row)."""

    def scan_queries(moment: datetime) -> int:
        ContentType.objects.clear_cache()  # each scan starts as a fresh worker's does
        with (
            mock.patch("portal.tasks.send_notification.delay"),
            time_machine.travel(moment, tick=False),
            CaptureQueriesContext(connection) as queries,
        ):
            notifications.scan()
        return len(queries)

    Errand.objects.create(title="En", due=date(2026, 5, 4), person=UserFactory())
    few = scan_queries(datetime(2026, 5, 1, 3, tzinfo=STOCKHOLM))
    for n in range(8):
        Errand.objects.create(title=f"Fler {n}", due=date(2026, 5, 5), person=UserFactory())
    many = scan_queries(datetime(2026, 5, 2, 3, tzinfo=STOCKHOLM))  # 8 due in 3 days
    assert many == few
    assert Notification.objects.count() == 1 + 8


def test_the_digest_lists_an_apps_section_for_whom_it_holds_something() -> None:
    person = UserFactory(email="bo@exempel.se", name="Bo")
    UserFactory(email="nobody@exempel.se")  # nothing waits for this one: no digest
    Errand.objects.create(
        title="Ring föreningen", due=date(2026, 6, 1), person=person, waiting=True
    )
    Errand.objects.create(title="Inte väntande", due=date(2026, 6, 1), person=person)

    sent = scan(datetime(2026, 3, 3, 7, tzinfo=STOCKHOLM))  # the digest hour

    assert [m.to for m in sent] == [["bo@exempel.se"]]
    assert "1 errands waiting:\n- Ring föreningen\n" in sent[0].body
    assert "Inte väntande" not in sent[0].body
    html = sent[0].alternatives[0][0]  # type: ignore[attr-defined]
    assert "<h2>1 errands waiting</h2><ul><li>Ring föreningen</li></ul>" in html
    digest = notifications.digest_for(person, date(2026, 3, 3))
    assert digest.counts["errands"] == 1
    Errand.objects.update(waiting=False)
    assert scan(datetime(2026, 3, 4, 7, tzinfo=STOCKHOLM)) == []  # nothing waits: nothing sent


def test_a_notification_of_an_unregistered_kind_is_refused() -> None:
    person = UserFactory.create()
    with pytest.raises(KeyError):
        notifications.notify(
            kind="no_such_kind", obj=person, recipients=[person], due_date=date(2026, 1, 1)
        )


def test_two_apps_cannot_register_the_same_name() -> None:
    twin = Kind("errand_due", "Another", "throwaway/email/errand_due", True, lambda o, r: {})
    with pytest.raises(ValueError, match="registered twice"):
        registry.register_kind(twin)
    with pytest.raises(ValueError, match="registered twice"):
        registry.register_audit_labels(actions={"registered": "Something else"})


def test_history_labels_come_from_the_app_that_records_them() -> None:
    # Registered by organisations, grants and agreements in their ready(); read by portal.
    assert registry.action_label("conflict_declared") == "Jäv anmält"
    assert registry.state_label("approved", "grants.application") == "Beviljad"
    assert registry.state_label("approved", "grants.followupreport") == "Godkänd"
    assert registry.state_label("signing", "agreements.agreement") == "Undertecknande"
    assert registry.state_label("no_such_state") == "no_such_state"
