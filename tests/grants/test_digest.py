"""The officer's day starts with one digest; a person may take non-urgent messages once a day
too. Urgent deadline reminders always go at once."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants import services
from grants.models import FollowUpReport
from portal import notifications
from portal.models import Notification
from tests.grants.conftest import Grants, decide_proposal, make_call, proposed, submitted
from tests.helpers.clients import logged_in

pytestmark = pytest.mark.django_db
STOCKHOLM = ZoneInfo("Europe/Stockholm")
SITE = "http://testserver"


@pytest.fixture(autouse=True)
def _site_url(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SITE_URL = SITE


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM)  # type: ignore[misc]


def scan_at(moment: datetime) -> dict[str, list[mail.EmailMessage]]:
    with time_machine.travel(moment, tick=False):
        notifications.scan()
    sent: dict[str, list[mail.EmailMessage]] = {}
    for message in mail.outbox:
        sent.setdefault(message.to[0], []).append(message)
    mail.outbox.clear()
    return sent


def yesterdays_work(g: Grants, django_capture_on_commit_callbacks) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """On Monday 2 March 2026: a new application, a completion sent back in, a proposal for the
    decision maker and a follow-up report to review."""
    with time_machine.travel(local(2026, 3, 1, 12, 0), tick=False):
        call = make_call(g.programme, title="Mars", closes_at=local(2026, 3, 20, 12))
        earlier = submitted(g, call=call)
        services.application_request_completion(
            application=earlier, actor=g.officer, message="Budget saknas.", due=date(2026, 3, 9)
        )
        granted = proposed(g, call=call)
        decide_proposal(granted, g.decision_maker)
        FollowUpReport.objects.create(
            application=granted, due_date=date(2026, 3, 1), status="submitted"
        )
    with time_machine.travel(local(2026, 3, 2, 10, 0), tick=False):
        new = submitted(g, call=call)
        earlier.refresh_from_db()
        services.application_submit(application=earlier, actor=g.editor)
        waiting = proposed(g, call=call)
    mail.outbox.clear()
    return {"new": new, "completed": earlier, "report": granted, "waiting": waiting}


def test_the_officer_gets_one_digest_at_seven_with_everything_waiting(
    grants: Grants, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    g = grants
    work = yesterdays_work(g, django_capture_on_commit_callbacks)
    assert scan_at(local(2026, 3, 3, 6, 0)) == {}  # before seven: nothing
    sent = scan_at(local(2026, 3, 3, 7, 0))
    assert sorted(sent) == sorted(
        [g.officer.email, g.decision_maker.email, g.other_decision_maker.email]
    )
    assert all(len(messages) == 1 for messages in sent.values())  # one email each
    digest = sent[g.officer.email][0]
    assert digest.subject == "Samverkansportalen: ditt sammandrag för 3 mars 2026"
    new, completed, report, waiting = (
        work["new"],
        work["completed"],
        work["report"],
        work["waiting"],
    )
    body = digest.body
    assert "2 nya ansökningar sedan i går" in body  # the new one and the one to be decided
    assert (
        f"{new.registry_number} {g.organisation.name}: {SITE}/handlaggning/ansokningar/{new.pk}/"
        in body
    )  # type: ignore[attr-defined]
    assert "1 ansökan har kompletterats och skickats in igen" in body
    assert completed.registry_number in body.split("kompletterats")[1]  # type: ignore[attr-defined]
    assert "1 återrapportering att granska" in body
    assert f"{SITE}/handlaggning/ansokningar/{report.pk}/aterrapportering/" in body  # type: ignore[attr-defined]
    assert "väntar på ditt beslut" not in body  # the case officer does not decide
    html = digest.alternatives[0][0]
    assert f'href="{SITE}/handlaggning/ansokningar/{new.pk}/"' in html  # type: ignore[attr-defined]
    decider = sent[g.decision_maker.email][0].body
    assert "1 beslutsförslag väntar på ditt beslut" in decider
    assert waiting.registry_number in decider  # type: ignore[attr-defined]
    assert "nya ansökningar" not in decider  # a decision maker gets the decisions only
    assert scan_at(local(2026, 3, 3, 8, 0)) == {}  # once a day
    assert g.other_body_officer.email not in sent  # another body's officer: nothing of this


def test_nobody_gets_a_digest_on_a_day_with_nothing_waiting(grants: Grants) -> None:
    assert scan_at(local(2026, 3, 3, 7, 0)) == {}
    assert not Notification.objects.exists()


def test_the_digest_is_built_in_a_fixed_number_of_queries(
    grants: Grants, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    g = grants
    yesterdays_work(g, django_capture_on_commit_callbacks)
    day = date(2026, 3, 3)
    with CaptureQueriesContext(connection) as few:
        notifications.digest_for(g.officer, day)
    with time_machine.travel(local(2026, 3, 2, 11, 0), tick=False):
        call = make_call(g.programme, title="Fler", closes_at=local(2026, 3, 20, 12))
        for _ in range(4):
            submitted(g, call=call)
    with CaptureQueriesContext(connection) as many:
        digest = notifications.digest_for(g.officer, day)
    assert digest.counts["new"] == 6
    assert len(many) == len(few)


def test_a_person_chooses_the_daily_digest_and_urgent_messages_still_go_at_once(
    grants: Grants, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    g = grants
    client = logged_in(g.editor)
    page = client.get(reverse("portal:notifications")).content.decode()
    assert "Skicka varje meddelande direkt med e-post" in page
    assert "om dagen, klockan 07.00" in page
    response = client.post(reverse("portal:notifications"), {"delivery": "bredband"})
    assert (
        response.status_code == 200 and "Välj ett giltigt alternativ" in response.content.decode()
    )
    g.editor.refresh_from_db()
    assert g.editor.notification_digest is False
    response = client.post(reverse("portal:notifications"), {"delivery": "digest"}, follow=True)
    assert "ett e-postmeddelande om dagen" in response.content.decode()
    g.editor.refresh_from_db()
    assert g.editor.notification_digest is True

    with time_machine.travel(local(2026, 3, 2, 10, 0), tick=False):
        call = make_call(g.programme, title="Mars", closes_at=local(2026, 3, 20, 12))
        with django_capture_on_commit_callbacks(execute=True):
            application = submitted(g, call=call)  # a receipt: not urgent
        assert sorted(m.to[0] for m in mail.outbox) == [g.representative.email]
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.application_request_completion(
                application=application, actor=g.officer, message="Budget.", due=date(2026, 3, 9)
            )
        assert sorted(m.to[0] for m in mail.outbox) == sorted(
            [g.representative.email, g.editor.email]
        )  # urgent: at once for everyone
        mail.outbox.clear()
    held = Notification.objects.get(recipient=g.editor, status="held")
    assert held.kind == "receipt"
    page = client.get(reverse("portal:notifications")).content.decode()
    assert "Väntar på det dagliga sammandraget" in page

    sent = scan_at(local(2026, 3, 3, 7, 0))
    digest = sent[g.editor.email]
    assert len(digest) == 1
    number = application.registry_number
    assert f"Mottagningsbekräftelse: ansökan {number}" in digest[0].body
    assert f"{SITE}/ansokningar/{application.pk}/" in digest[0].body
    held.refresh_from_db()
    assert held.status == "sent" and held.subject == f"Mottagningsbekräftelse: ansökan {number}"
    assert held.url == f"/ansokningar/{application.pk}/"
    assert scan_at(local(2026, 3, 3, 9, 0)) == {}


def test_switching_back_sends_what_waited_at_once(
    grants: Grants, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    g = grants
    g.editor.notification_digest = True
    g.editor.save()
    with time_machine.travel(local(2026, 3, 2, 10, 0), tick=False):
        call = make_call(g.programme, title="Mars", closes_at=local(2026, 3, 20, 12))
        with django_capture_on_commit_callbacks(execute=True):
            submitted(g, call=call)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        logged_in(g.editor).post(reverse("portal:notifications"), {"delivery": "immediate"})
    assert [m.to for m in mail.outbox] == [[g.editor.email]]
    assert not Notification.objects.filter(status="held").exists()


def test_the_digest_names_no_case_the_person_may_not_act_on(
    grants: Grants, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    """The digest follows the rules of the lists it points to: an officer who declared jäv on
    the applicant hears nothing of its new application, and a decision maker is not asked to
    decide a proposal they prepared themselves (four eyes)."""
    from grants.models import Application
    from organisations.services import conflict_declare

    g = grants
    work = yesterdays_work(g, django_capture_on_commit_callbacks)
    new, waiting = work["new"], work["waiting"]
    conflict_declare(
        actor=g.officer,
        case=new,
        reason="Min bror är ordförande.",
        organisations=[g.organisation],
    )
    Application.objects.filter(pk=waiting.pk).update(proposed_by=g.decision_maker)  # type: ignore[attr-defined]
    sent = scan_at(local(2026, 3, 3, 7, 0))
    officer = sent.get(g.officer.email, [])
    assert all(new.registry_number not in message.body for message in officer)  # type: ignore[attr-defined]
    decider = sent.get(g.decision_maker.email, [])
    assert all(waiting.registry_number not in message.body for message in decider)  # type: ignore[attr-defined]
    other = sent[g.other_decision_maker.email][0].body
    assert waiting.registry_number in other  # type: ignore[attr-defined]
