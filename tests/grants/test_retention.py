"""Retention and disposal (gallring): the schedule with its defaults, the nightly disposal through
the years, legal holds that stop it, and the log it writes; safe twice and at the same time."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from grants.models import Application, Attachment, Submission
from portal import retention
from portal.models import AuditEvent, DisposalRecord, LegalHold, RetentionRule
from portal.tasks import dispose_due
from tests.grants.conftest import Grants, complete_draft, decide_proposal, decided, pay, proposed
from tests.helpers.concurrency import requires_postgresql, run_together

pytestmark = pytest.mark.django_db

BASIS = "Kultur- och fritidsnämndens dokumenthanteringsplan 2026-03-12 § 14"


def _rule(kind: str, days: int | None) -> None:
    retention.ensure_schedule()
    RetentionRule.objects.filter(kind=kind).update(keep_days=days, basis=BASIS)


def _rejected(g: Grants) -> Application:
    application = proposed(g, outcome="reject")
    return decide_proposal(application, g.decision_maker)


def test_the_schedule_has_every_kind_with_the_apps_defaults(db: None) -> None:
    rules = {rule.kind: rule for rule in retention.ensure_schedule()}
    assert set(rules) >= {
        "portal.sessions",
        "portal.notifications",
        "grants.drafts",
        "grants.rejected",
        "grants.withdrawn",
        "grants.closed_attachments",
    }
    # drafts never sent in and sessions expire by default; decided cases are kept
    assert rules["grants.drafts"].keep_days == 365
    assert rules["portal.sessions"].keep_days == 0
    assert rules["grants.rejected"].keep_days is None
    assert rules["grants.closed_attachments"].keep_days is None
    assert "RA-FS 2005:2" in rules["grants.rejected"].basis
    # made once: an administrator's change stays
    RetentionRule.objects.filter(kind="grants.drafts").update(keep_days=30)
    retention.ensure_schedule()
    assert RetentionRule.objects.get(kind="grants.drafts").keep_days == 30


def test_drafts_go_after_their_year_and_decided_cases_stay(
    grants: Grants, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    draft = complete_draft(grants)
    attachment = draft.attachments.get()
    stored = attachment.file.name
    rejected = _rejected(grants)
    start = timezone.now()
    with time_machine.travel(start + timedelta(days=300)):
        assert dispose_due.delay().get()["grants.drafts"] == 0
    assert Application.objects.filter(pk=draft.pk).exists()
    with (
        time_machine.travel(start + timedelta(days=400)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert dispose_due.delay().get()["grants.drafts"] == 1
    assert not Application.objects.filter(pk=draft.pk).exists()
    assert not attachment.file.storage.exists(stored)
    # a decided case is kept: its kind has no period until an administrator sets one
    with time_machine.travel(start + timedelta(days=4000)):
        dispose_due.delay().get()
    assert Application.objects.filter(pk=rejected.pk).exists()
    record = DisposalRecord.objects.get(kind="grants.drafts")
    assert (record.count, record.keep_days) == (1, 365)
    assert "Kvällsöppet" not in str(record.__dict__)  # what, how many, never the content


def test_a_rejected_case_goes_when_its_period_has_passed_unless_it_is_held(
    grants: Grants,
) -> None:
    first = _rejected(grants)
    second = _rejected(grants)
    assert Submission.objects.filter(application=first).exists()
    _rule("grants.rejected", 730)
    client = Client()
    client.force_login(grants.officer)
    response = client.post(
        reverse("portal:legal_holds"),
        {"number": second.registry_number.lower(), "reason": "Begäran om utlämnande 2027-01-10"},
    )
    assert response.status_code == 302
    hold = LegalHold.objects.get(object_id=second.pk)
    assert hold.kind == "grants.application" and hold.number == second.registry_number
    assert AuditEvent.objects.filter(action="legal_hold_set").exists()

    with time_machine.travel(timezone.now() + timedelta(days=731)):
        result = dispose_due.delay().get()
    assert result["grants.rejected"] == 1
    assert not Application.objects.filter(pk=first.pk).exists()
    assert not Submission.objects.filter(application_id=first.pk).exists()
    assert not Attachment.objects.filter(application_id=first.pk).exists()
    assert Application.objects.filter(pk=second.pk).exists()  # held
    record = DisposalRecord.objects.get(kind="grants.rejected")
    assert (record.count, record.keep_days, record.basis) == (1, 730, BASIS)

    # the hold lifted (after a confirmation, with a reason): the schedule applies again
    lift = reverse("portal:legal_hold_lift", args=[hold.pk])
    page = client.post(lift, {"reason": "Utlämnat"})
    assert page.status_code == 200 and "Häv gallringsstoppet" in page.content.decode()
    assert LegalHold.objects.get(pk=hold.pk).lifted_at is None
    client.post(lift, {"reason": "Utlämnat", "confirmed": "1"})
    assert LegalHold.objects.get(pk=hold.pk).lifted_at is not None
    with time_machine.travel(timezone.now() + timedelta(days=731)):
        assert dispose_due.delay().get()["grants.rejected"] == 1
    assert not Application.objects.filter(pk=second.pk).exists()


def test_cases_with_money_are_never_disposed_of(grants: Grants) -> None:
    paid = decided(grants)
    pay(grants, paid)
    _rule("grants.closed_attachments", 1)
    _rule("grants.rejected", 1)
    with time_machine.travel(timezone.now() + timedelta(days=10)):
        dispose_due.delay().get()
    assert Application.objects.filter(pk=paid.pk).exists()
    # the files of a decided case go when their period is set and has passed
    assert not Attachment.objects.filter(application=paid).exists()


def test_running_twice_disposes_once_and_logs_once(grants: Grants) -> None:
    _rejected(grants)
    _rule("grants.rejected", 10)
    with time_machine.travel(timezone.now() + timedelta(days=20)):
        assert dispose_due.delay().get()["grants.rejected"] == 1
        assert dispose_due.delay().get()["grants.rejected"] == 0
    assert DisposalRecord.objects.filter(kind="grants.rejected").count() == 1


def test_expired_sessions_go_by_default(db: None) -> None:
    store = SessionStore()
    store["x"] = 1
    store.set_expiry(1)
    store.create()
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert dispose_due.delay().get()["portal.sessions"] >= 1
    assert not Session.objects.filter(session_key=store.session_key).exists()


def test_only_the_bodys_case_officers_set_and_lift_holds(grants: Grants) -> None:
    application = _rejected(grants)
    other = Client()
    other.force_login(grants.other_body_officer)
    response = other.post(
        reverse("portal:legal_holds"),
        {"number": application.registry_number, "reason": "Nyfiken"},
    )
    assert response.status_code == 200
    assert "Inget dokument hos dina offentliga parter har diarienummer" in (
        response.content.decode()
    )
    assert not LegalHold.objects.exists()
    association = Client()
    association.force_login(grants.representative)
    assert association.get(reverse("portal:legal_holds")).status_code == 403
    # without a reason: says so, sets nothing
    officer = Client()
    officer.force_login(grants.officer)
    response = officer.post(
        reverse("portal:legal_holds"), {"number": application.registry_number, "reason": " "}
    )
    assert "Skriv varför handlingen ska sparas" in response.content.decode()
    assert not LegalHold.objects.exists()
    hold = retention.legal_hold_set(
        actor=grants.officer, number=application.registry_number, reason="Överklagande"
    )
    response = other.post(
        reverse("portal:legal_hold_lift", args=[hold.pk]), {"reason": "x", "confirmed": "1"}
    )
    assert response.status_code == 404
    assert LegalHold.objects.get(pk=hold.pk).lifted_at is None


def test_the_holds_page_reads_the_same_number_of_queries_whatever_the_holds(
    grants: Grants,
) -> None:
    from tests.helpers.queries import count_queries

    client = Client()
    client.force_login(grants.officer)
    url = reverse("portal:legal_holds")
    for _n in range(2):
        application = _rejected(grants)
        retention.legal_hold_set(
            actor=grants.officer, number=application.registry_number, reason="Revision"
        )
    client.get(url)
    with count_queries() as before:
        assert client.get(url).status_code == 200
    for _n in range(3):
        application = _rejected(grants)
        retention.legal_hold_set(
            actor=grants.officer, number=application.registry_number, reason="Revision"
        )
    with count_queries() as after:
        assert client.get(url).status_code == 200
    assert len(after) == len(before)


@requires_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_disposals_at_once_dispose_each_row_once(grants: Grants) -> None:
    for _n in range(3):
        _rejected(grants)
    _rule("grants.rejected", 10)
    results: list[int] = []
    later = timezone.now() + timedelta(days=20)

    def run() -> None:
        results.append(retention.dispose_kind(_kind("grants.rejected"), now=later))

    errors = run_together([run, run])
    assert errors == [None, None]
    assert sorted(results) == [0, 3]
    assert sum(DisposalRecord.objects.values_list("count", flat=True)) == 3
    assert not Application.objects.filter(status="rejected").exists()


def _kind(name: str):  # type: ignore[no-untyped-def]
    from portal import registry

    return registry.registry.disposal_kinds[name]


def test_routine_audit_events_go_only_with_a_period_and_only_their_kind(grants: Grants) -> None:
    from portal.services import audit_record

    routine = audit_record(actor=grants.editor, obj=grants.editor, action="notification_settings")
    kept = audit_record(actor=grants.editor, obj=grants.organisation, action="details_updated")
    with time_machine.travel(timezone.now() + timedelta(days=4000)):
        assert dispose_due.delay().get()["portal.audit_routine"] == 0  # kept by default
    _rule("portal.audit_routine", 365)
    with time_machine.travel(timezone.now() + timedelta(days=400)):
        assert dispose_due.delay().get()["portal.audit_routine"] >= 1
    assert not AuditEvent.objects.filter(pk=routine.pk).exists()
    assert AuditEvent.objects.filter(pk=kept.pk).exists()


@requires_postgresql
def test_the_audit_trail_refuses_deletes_without_a_disposals_permit(grants: Grants) -> None:
    from django.db import DatabaseError, transaction

    from portal.models import AuditRedaction
    from portal.services import audit_record

    event = audit_record(actor=grants.editor, obj=grants.editor, action="notification_settings")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    # an erasure's permit changes texts, and deletes nothing
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRedaction.objects.create(user_id=grants.editor.pk)
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_a_number_typed_loosely_is_found_and_a_lift_is_told_plainly(grants: Grants) -> None:
    application = _rejected(grants)
    prefix, rest = application.registry_number.split(" ")
    year, serial = rest.split("/")
    client = Client()
    client.force_login(grants.officer)
    client.post(
        reverse("portal:legal_holds"),
        {"number": f"{prefix.lower()}{year} / 0{serial}", "reason": "Revision"},
    )
    hold = LegalHold.objects.get(object_id=application.pk)
    lift = reverse("portal:legal_hold_lift", args=[hold.pk])
    # the address opened, not posted: back to the list
    assert client.get(lift)["Location"] == reverse("portal:legal_holds")
    # without a reason: the message names the document
    response = client.post(lift, {"reason": ""}, follow=True)
    assert f"Skriv varför stoppet för {hold.number} hävs." in response.content.decode()
    client.post(lift, {"reason": "Klar", "confirmed": "1"})
    # lifted in another tab meanwhile: said so, nothing breaks
    response = client.post(lift, {"reason": "Klar", "confirmed": "1"}, follow=True)
    assert f"Stoppet för {hold.number} är redan hävt." in response.content.decode()


def test_the_schedule_refuses_absurd_periods_and_warns_of_what_goes_tonight(
    grants: Grants,
) -> None:
    from portal.models import User

    rejected = _rejected(grants)
    Application.objects.filter(pk=rejected.pk).update(
        decided_at=timezone.now() - timedelta(days=20)
    )
    retention.ensure_schedule()
    rule = RetentionRule.objects.get(kind="grants.rejected")
    administrator = User.objects.create_superuser("arkiv@exempel.se", "x-langt-losenord-1")
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(user=administrator, type="totp", data={"secret": "X"})
    client = Client()
    client.force_login(administrator)
    url = reverse("admin:portal_retentionrule_change", args=[rule.pk])
    page = client.post(url, {"keep_days": "99999999", "basis": BASIS})
    assert "36500" in page.content.decode().replace("\xa0", "").replace(" ", "")
    page = client.post(url, {"keep_days": "10", "basis": " "})
    assert "Ange beslutet" in page.content.decode()
    assert RetentionRule.objects.get(pk=rule.pk).keep_days is None
    response = client.post(url, {"keep_days": "10", "basis": BASIS}, follow=True)
    assert "1 handlingar av slaget" in response.content.decode()


@requires_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_officers_holding_one_document_at_once_get_one_hold(grants: Grants) -> None:
    from django.core.exceptions import ValidationError

    application = _rejected(grants)
    outcomes: list[str] = []

    def hold() -> None:
        try:
            retention.legal_hold_set(
                actor=grants.officer, number=application.registry_number, reason="Revision"
            )
            outcomes.append("held")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))

    assert run_together([hold, hold]) == [None, None]
    assert outcomes.count("held") == 1
    assert any("redan gallringsstopp" in outcome for outcome in outcomes)
    assert LegalHold.objects.filter(object_id=application.pk).count() == 1
