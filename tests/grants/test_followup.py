"""Payments, follow-up reports and recoveries."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from grants import selectors, services
from grants.models import Application, FollowUpReport, Payment, Recovery
from portal.models import AuditEvent
from tests.grants.conftest import Grants, decided, pay, proposed, seen_version
from tests.helpers.clients import logged_in
from tests.helpers.forms import state_of
from tests.helpers.queries import count_queries

pytestmark = pytest.mark.django_db
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def test_payments_go_to_the_verified_account_and_never_exceed_the_decision(grants: Grants) -> None:
    g = grants
    application = decided(g)
    client = logged_in(g.officer)
    response = client.post(
        reverse("grants:payment_add", args=[application.pk]),
        {
            "confirmed": "1",
            "amount": "25 000",
            "paid_on": timezone.localdate().isoformat(),
            "reference": "Utbetalning 1",
            "seen_version": seen_version(client, application, "payment_form"),
        },
    )
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert (payment.amount, payment.account) == (
        Decimal("25000"),
        g.organisation.payment_account_display,
    )
    response = client.post(
        reverse("grants:payment_add", args=[application.pk]),
        {
            "confirmed": "1",
            "amount": "15 001",
            "paid_on": timezone.localdate().isoformat(),
            "reference": "Utbetalning 2",
            "seen_version": seen_version(client, application, "payment_form"),
        },
        follow=True,
    )
    assert "15\u00a0000\u00a0kr" in response.content.decode()  # what is left to pay, in the message
    assert Payment.objects.count() == 1
    pay(g, application, "15000")
    assert services.amount_paid(application) == Decimal("40000")
    page = (
        logged_in(g.viewer)
        .get(reverse("grants:application", args=[application.pk]))
        .content.decode()
    )
    assert "25\u00a0000\u00a0kr" in page and "Utbetalning 1" in page


def test_an_unverified_account_blocks_payment_and_says_what_to_do(grants: Grants) -> None:
    g = grants
    application = decided(g)
    g.organisation.payment_details_verified = False
    g.organisation.save()
    with pytest.raises(ValidationError) as error:
        pay(g, application, "1000")
    assert "organisation" in error.value.messages[0].lower()
    page = (
        logged_in(g.officer)
        .get(reverse("grants:officer_application", args=[application.pk]))
        .content.decode()
    )
    assert reverse("organisations:officer_detail", args=[g.organisation.pk]) in page
    assert not Payment.objects.exists()


def test_only_decided_grants_are_paid(grants: Grants) -> None:
    application = proposed(grants)
    with pytest.raises(ValidationError):
        pay(grants, application, "1000")


def test_approval_creates_the_report_due_on_the_calls_date_or_after_the_activity(
    grants: Grants,
) -> None:
    g = grants
    fixed = decided(g, follow_up_due_date=date(2027, 9, 30))
    assert fixed.report.due_date == date(2027, 9, 30)
    g.call.follow_up_due_date = None
    g.call.follow_up_days_after_end = 30
    g.call.save()
    after = decided(g)
    assert after.report.due_date == after.planned_end + timedelta(days=30)


def test_no_report_when_the_call_does_not_require_one(grants: Grants) -> None:
    application = decided(grants, follow_up_required=False)
    assert not FollowUpReport.objects.filter(application=application).exists()


def report_post(g: Grants, application: Application, **extra: str) -> dict[str, str]:
    data = {
        "narrative": "Vi höll 20 träffar i stället för 24.",
        "activities": "20",
        "p_13–19_women": "12",
        "p_13–19_men": "9",
        "other_income": "2 000",
    }
    report = FollowUpReport.objects.filter(application=application).first()
    if report is not None:
        data["seen_state"] = state_of(report)  # the page as drawn now
    for line in application.budget_lines.filter(kind="cost"):
        data[f"cost_{line.pk}"] = "30 000"
    data.update(extra)
    return data


def test_the_report_cycle_with_a_revision_keeps_every_version(grants: Grants) -> None:
    g = grants
    application = decided(g)
    pay(g, application, "40000")
    member = logged_in(g.editor)
    url = reverse("grants:report", args=[application.pk])
    response = member.post(
        url, {"narrative": "", "submit": "1", "seen_state": state_of(FollowUpReport.objects.get())}
    )
    assert "Beskriv vad som genomfördes" in " ".join(response.context["problems"])
    member.post(url, {**report_post(g, application), "submit": "1"})
    report = FollowUpReport.objects.get()
    assert report.status == "submitted"
    assert report.participants["13–19"] == {"women": 12, "men": 9, "other": 0}
    assert services.report_unspent(report) == Decimal("12000")  # 40 000 paid − (30 000 − 2 000)

    officer = logged_in(g.officer)
    officer_url = reverse("grants:officer_report", args=[application.pk])

    def seen() -> str:  # the version the review form carries, as the officer's page shows it
        return officer.get(officer_url).context["seen_version"]

    officer.post(
        officer_url,
        {
            "decision": "revise",
            "comment": "",
            "seen_version": seen(),
            "seen_state": state_of(report),
        },
    )
    report.refresh_from_db()
    assert report.status == "submitted"  # a revision needs a comment
    officer.post(
        officer_url,
        {
            "decision": "revise",
            "comment": "Bifoga kvitton för materialet.",
            "seen_version": seen(),
            "seen_state": state_of(report),
        },
    )
    report.refresh_from_db()
    assert report.status == "revision_requested"
    page = member.get(url).content.decode()
    assert "Bifoga kvitton för materialet." in page
    member.post(
        url,
        {
            **report_post(g, application, narrative="Vi höll 20 träffar. Kvitton bifogade."),
            "submit": "1",
        },
    )
    officer.post(
        officer_url,
        {
            "decision": "approve",
            "confirmed": "1",
            "comment": "",
            "seen_version": seen(),
            "seen_state": state_of(report),
        },
    )
    report.refresh_from_db()
    assert report.status == "approved"
    versions = list(
        report.submissions.order_by("number").values_list("content__narrative", flat=True)
    )
    assert versions == [
        "Vi höll 20 träffar i stället för 24.",
        "Vi höll 20 träffar. Kvitton bifogade.",
    ]
    actions = list(
        AuditEvent.objects.filter(action="report_status_changed")
        .order_by("id")
        .values_list("to_state", flat=True)
    )
    assert actions == ["submitted", "revision_requested", "submitted", "approved"]
    # The case's history reads each step in Swedish, a report's statuses as a report's.
    history = officer.get(reverse("grants:officer_application", args=[application.pk]))
    history_text = " ".join(history.content.decode().split())
    assert "Utbetalning registrerad" in history_text
    assert "Återrapporteringens status ändrad</strong>: Inskickad → Godkänd" in history_text
    assert "Ska rapporteras" in history_text  # the report's first status, not the raw "due"
    for raw in ("paid<", "report_status_changed", "revision_requested", "due →"):
        assert raw not in history_text


def test_overdue_is_computed_around_midnight_in_stockholm(
    grants: Grants, monkeypatch: pytest.MonkeyPatch
) -> None:
    g = grants
    application = decided(g, follow_up_due_date=date(2027, 1, 31))
    report = application.report

    def overdue_at(local: datetime) -> bool:
        monkeypatch.setattr(timezone, "now", lambda: local.astimezone(ZoneInfo("UTC")))
        listed = report in selectors.reports_list(user=g.officer, state="overdue")
        assert report.is_overdue == listed  # one report's badge and the list agree
        return listed

    assert not overdue_at(datetime(2027, 1, 31, 23, 59, 59, tzinfo=STOCKHOLM))  # 22:59:59 UTC
    assert overdue_at(datetime(2027, 2, 1, 0, 0, 0, tzinfo=STOCKHOLM))  # still 31 January in UTC
    monkeypatch.undo()
    FollowUpReport.objects.filter(pk=report.pk).update(status="submitted")
    assert report not in selectors.reports_list(user=g.officer, state="overdue")
    report.refresh_from_db()
    assert not report.is_overdue


def test_a_recovery_is_opened_shown_and_paid_back(grants: Grants) -> None:
    g = grants
    application = decided(g)
    pay(g, application, "40000")
    client = logged_in(g.officer)
    client.post(
        reverse("grants:recovery_add", args=[application.pk]),
        {
            "confirmed": "1",
            "amount": "12 000",
            "reason": "Outnyttjade medel enligt återrapporteringen.",
            "due_date": "2027-03-31",
        },
    )
    recovery = Recovery.objects.get()
    assert (recovery.amount, recovery.status) == (Decimal("12000"), "open")
    page = (
        logged_in(g.viewer)
        .get(reverse("grants:application", args=[application.pk]))
        .content.decode()
    )
    assert "Outnyttjade medel enligt återrapporteringen." in page and "12\u00a0000\u00a0kr" in page
    with pytest.raises(ValidationError):
        services.recovery_open(
            application=application,
            actor=g.officer,
            amount=Decimal("30000"),
            reason="x",
            due_date=date(2027, 3, 31),
        )
    client.post(
        reverse("grants:recovery_paid", args=[application.pk, recovery.pk]),
        {"confirmed": "1", "paid_on": timezone.localdate().isoformat()},
    )
    recovery.refresh_from_db()
    assert (recovery.status, recovery.paid_on) == ("paid", timezone.localdate())


def test_officer_lists_filter_export_and_keep_their_query_count(grants: Grants) -> None:
    import csv

    from openpyxl import load_workbook

    g = grants
    client = logged_in(g.officer)
    first = decided(g)
    pay(g, first, "1000")
    services.recovery_open(
        application=first,
        actor=g.officer,
        amount=Decimal("500"),
        reason="x",
        due_date=date(2027, 1, 1),
    )
    counts = {}
    for name in ("payments", "reports", "recoveries"):
        client.get(reverse(f"grants:{name}"))
        with count_queries() as queries:
            assert client.get(reverse(f"grants:{name}")).status_code == 200
        counts[name] = len(queries)
    for _ in range(4):
        application = decided(g)
        pay(g, application, "1000")
        services.recovery_open(
            application=application,
            actor=g.officer,
            amount=Decimal("500"),
            reason="x",
            due_date=date(2027, 1, 1),
        )
    for name in ("payments", "reports", "recoveries"):
        with count_queries() as queries:
            page = client.get(reverse(f"grants:{name}"))
        assert len(queries) == counts[name], name
        assert page.context["page"].paginator.count >= 4

    response = client.get(reverse("grants:payments"), {"export": "csv"})
    rows = list(
        csv.reader(
            io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"
        )
    )
    assert len(rows) == 6 and rows[0][0] == "Diarienummer"
    assert rows[1][4] == "1000.00"
    response = client.get(reverse("grants:reports"), {"export": "xlsx", "state": "due"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 6
    other_call = reverse("grants:payments") + "?call=999999"
    assert client.get(other_call).context["page"].paginator.count == 5  # unknown call: no filter
    assert (
        client.get(reverse("grants:recoveries"), {"state": "paid"}).context["page"].paginator.count
        == 0
    )


def test_approving_a_report_that_was_sent_again_since_the_page_was_opened_is_refused(
    grants: Grants,
) -> None:
    """The officer opened the first sending; meanwhile a colleague asked for a revision and the
    association sent a new text. Approving from the old page approves nothing."""
    g = grants
    application = decided(g)
    url = reverse("grants:report", args=[application.pk])
    member = logged_in(g.editor)
    member.post(url, {**report_post(g, application), "submit": "1"})
    report = FollowUpReport.objects.get()
    officer_url = reverse("grants:officer_report", args=[application.pk])
    officer = logged_in(g.officer)
    stale = officer.get(officer_url).context["seen_version"]
    services.report_review(
        report=report,
        actor=g.officer,
        approve=False,
        comment="Bifoga kvitton.",
        seen_version=services.report_version(report),
    )
    member.post(url, {**report_post(g, application, narrative="Ny text."), "submit": "1"})
    report.refresh_from_db()
    assert report.status == "submitted"
    officer.post(
        officer_url,
        {
            "decision": "approve",
            "confirmed": "1",
            "comment": "",
            "seen_version": stale,
            "seen_state": state_of(report),
        },
    )
    report.refresh_from_db()
    assert report.status == "submitted"
    officer.post(
        officer_url,
        {
            "decision": "approve",
            "confirmed": "1",
            "comment": "",
            "seen_version": officer.get(officer_url).context["seen_version"],
            "seen_state": state_of(report),
        },
    )
    report.refresh_from_db()
    assert report.status == "approved"
