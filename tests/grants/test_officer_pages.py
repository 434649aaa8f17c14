"""The case officer's and the decision maker's pages as they use them: the assessment with no
score chosen beforehand and its weighted total, forms sent back with what was typed, refusals
that say why, the history in words (no internal codes) and the payments list's filter."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from grants import selectors, services
from grants.models import Application, ApplicationStatus, FollowUpReport, Review
from portal.models import AuditEvent
from tests.grants.conftest import (
    Grants,
    decide_proposal,
    decided,
    pay,
    proposed,
    score_all,
    seen_version,
    submitted,
)
from tests.helpers.clients import logged_in, queued_messages
from tests.helpers.forms import state_of

pytestmark = pytest.mark.django_db


def in_review(g: Grants) -> Application:
    application = submitted(g)
    services.application_start_review(application=application, actor=g.officer)
    application.refresh_from_db()
    return application


def page_of(client: object, application: Application) -> str:
    response = client.get(reverse("grants:officer_application", args=[application.pk]))  # type: ignore[attr-defined]
    assert response.status_code == 200
    return str(response.content.decode())


# --- the assessment ----------------------------------------------------------------------


def test_the_weighted_total_is_each_score_times_its_weight(grants: Grants) -> None:
    g = grants  # Nytta weighs 3, Genomförbarhet 1
    application = in_review(g)
    nytta, genomforbarhet = g.criteria
    assessment = selectors.assessment_of(application=application)
    assert (assessment.weighted_total, assessment.weighted_max) == (0, 20)
    assert assessment.missing == [nytta, genomforbarhet] and not assessment.complete
    services.assessment_save(
        application=application, actor=g.officer, scores=[(nytta, 4, "Når många")]
    )
    assessment = selectors.assessment_of(application=application)
    assert assessment.weighted_total == 12 and assessment.missing == [genomforbarhet]
    services.assessment_save(
        application=application, actor=g.officer, scores=[(genomforbarhet, 2, "")]
    )
    assessment = selectors.assessment_of(application=application)
    assert (assessment.weighted_total, assessment.complete) == (14, True)
    assert assessment.reviewers == ["Hanna Handläggare"]
    assert [row.weighted for row in assessment.rows] == [12, 2]


def test_no_score_is_chosen_beforehand_and_the_page_says_what_is_missing(grants: Grants) -> None:
    g = grants
    application = in_review(g)
    officer = logged_in(g.officer)
    response = officer.get(reverse("grants:officer_application", args=[application.pk]))
    form = response.context["assessment_form"]
    assert all(score.value() in ("", None) for _row, score, _comment in form.rows())
    page = response.content.decode()
    for criterion in g.criteria:
        select = re.search(rf'<select name="c{criterion.pk}-score".*?</select>', page, re.S)
        assert select is not None
        assert re.search(r'<option value="" selected>', select.group(0))  # "Inte bedömd"
        assert '<option value="0" selected>' not in select.group(0)
    assert "Inte bedömda ännu:" in page and "Genomförbarhet" in page

    # one criterion scored, the other left empty: saved, and the message names what is left
    nytta, genomforbarhet = g.criteria
    response = officer.post(
        reverse("grants:assess", args=[application.pk]),
        {
            f"c{nytta.pk}-score": "5",
            f"c{nytta.pk}-comment": "Stor nytta",
            f"c{genomforbarhet.pk}-score": "",
        },
    )
    assert response.status_code == 302
    assert any("Genomförbarhet" in m for m in queued_messages(response))
    assert list(Review.objects.values_list("criterion__name", "score")) == [("Nytta", 5)]


def test_a_bad_score_keeps_what_was_typed(grants: Grants) -> None:
    g = grants
    application = in_review(g)
    nytta, genomforbarhet = g.criteria
    response = logged_in(g.officer).post(
        reverse("grants:assess", args=[application.pk]),
        {
            f"c{nytta.pk}-score": "9",
            f"c{nytta.pk}-comment": "Mycket bra förankring i området",
            f"c{genomforbarhet.pk}-score": "3",
        },
    )
    assert response.status_code == 400
    assert "Mycket bra förankring i området" in response.content.decode()
    assert f"c{nytta.pk}-score" in response.context["assessment_form"].errors
    assert not Review.objects.exists()


def test_a_proposal_needs_every_criterion_scored_and_keeps_the_typed_motivation(
    grants: Grants,
) -> None:
    g = grants
    application = in_review(g)
    services.assessment_save(
        application=application, actor=g.officer, scores=[(g.criteria[0], 4, "")]
    )
    officer = logged_in(g.officer)
    response = officer.post(
        reverse("grants:propose", args=[application.pk]),
        {
            "outcome": "approve",
            "motivation": "Projektet når unga som annars står utanför.",
            "seen_version": seen_version(officer, application, "proposal_form"),
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Projektet når unga som annars står utanför." in page  # the typed text is kept
    errors = " ".join(response.context["proposal_form"].non_field_errors())
    assert "Genomförbarhet" in errors and "Nytta" not in errors
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW and application.proposed_by is None


def test_the_decision_maker_sees_the_assessment_where_they_decide(grants: Grants) -> None:
    g = grants
    application = in_review(g)
    nytta, genomforbarhet = g.criteria
    services.assessment_save(
        application=application,
        actor=g.officer,
        scores=[(nytta, 4, "Når många unga"), (genomforbarhet, 3, "Rimlig plan")],
    )
    application.refresh_from_db()
    services.application_propose(
        application=application,
        actor=g.officer,
        outcome="approve",
        amount=None,
        motivation="Bra projekt.",
        seen_version=services.proposal_version(application),
    )
    decider = logged_in(g.decision_maker)
    page = page_of(decider, application)
    section = page[page.index('id="assessment-heading"') :]
    for text in ("Nytta", "Når många unga", "Rimlig plan", "Hanna Handläggare", "Viktad summa"):
        assert text in section, text
    assert re.search(r"<strong>15</strong>", section)  # 4 × 3 + 3 × 1
    assert "av högst 20" in section
    check = decider.post(
        reverse("grants:decide", args=[application.pk]),
        {
            "decision": "confirm",
            "seen_version": seen_version(decider, application, "decision_form"),
        },
    )
    assert check.status_code == 200
    text = check.content.decode()
    assert "Når många unga" in text and "<strong>15</strong>" in text


# --- forms sent back with what was typed --------------------------------------------------


def test_a_completion_request_with_a_past_date_keeps_the_message(grants: Grants) -> None:
    g = grants
    application = submitted(g)
    response = logged_in(g.officer).post(
        reverse("grants:request_completion", args=[application.pk]),
        {
            "message": "Bifoga en budget för lokalhyran.",
            "due": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "seen_state": state_of(application),
        },
    )
    assert response.status_code == 400
    assert "Bifoga en budget för lokalhyran." in response.content.decode()
    assert "due" in response.context["completion_form"].errors
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def report_sent_in(g: Grants) -> FollowUpReport:
    application = decided(g)
    pay(g, application)
    report = FollowUpReport.objects.get(application=application)
    services.report_save(
        report=report,
        actor=g.editor,
        narrative="Vi höll 20 träffar.",
        activities=20,
        participants={"13–19": {"women": 12, "men": 9, "other": 0}},
        actual_costs={
            str(line.pk): line.amount for line in application.budget_lines.filter(kind="cost")
        },
        other_income=None,
    )
    services.report_submit(report=report, actor=g.editor)
    report.refresh_from_db()
    return report


def test_a_report_review_without_a_known_decision_says_so_and_keeps_the_comment(
    grants: Grants,
) -> None:
    g = grants
    report = report_sent_in(g)
    url = reverse("grants:officer_report", args=[report.application_id])
    officer = logged_in(g.officer)
    data = {
        "comment": "Komplettera med kvitton.",
        "seen_version": services.report_version(report),
        "seen_state": state_of(report),
    }
    for decision in ("maybe", None):
        posted = data | ({"decision": decision} if decision else {})
        response = officer.post(url, posted)
        assert response.status_code == 400
        page = response.content.decode()
        assert "Komplettera med kvitton." in page
        assert "Välj ”Godkänn återrapporteringen” eller ”Begär komplettering”" in page or (
            "Choose “Approve the report” or “Request revision”" in page
        )
    # a revision without a comment: the field says so, and nothing changes
    response = officer.post(url, data | {"decision": "revise", "comment": ""})
    assert response.status_code == 400
    assert "comment" in response.context["form"].errors
    report.refresh_from_db()
    assert report.status == "submitted"


# --- refusals that say why ---------------------------------------------------------------


def test_a_direct_post_refused_by_four_eyes_says_why_and_changes_nothing(grants: Grants) -> None:
    g = grants
    from portal.models import PublicBodyMembership, PublicBodyRole

    PublicBodyMembership.objects.create(
        user=g.officer, public_body=g.body, role=PublicBodyRole.DECISION_MAKER
    )
    application = proposed(g)
    response = logged_in(g.officer).post(
        reverse("grants:decide", args=[application.pk]),
        {"decision": "confirm", "confirmed": "1"},
        follow=True,
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Eftersom du har tagit fram beslutsförslaget" in text
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PROPOSED


# --- the history in words ----------------------------------------------------------------


def history_html(page: str) -> str:
    match = re.search(r'<ol class="history">.*?</ol>', page, re.S)
    assert match is not None
    return match.group(0)


RAW = re.compile(r"\b(approve|partly|reject|confirm):")


def assert_no_codes(history: str, codes: set[str]) -> None:
    text = re.sub(r"<[^>]+>", " ", history)  # the words a person reads, not the markup
    assert not RAW.search(text), text
    for code in codes:
        assert not re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text), (code, text)


def test_the_history_of_an_application_reads_in_words_through_the_whole_flow(
    grants: Grants,
) -> None:
    g = grants
    g.call.follow_up_required = True
    g.call.budget = Decimal("1000000")
    g.call.save()
    application = submitted(g, amount="35000")
    services.application_assign(application=application, actor=g.officer, assignee=g.officer)
    services.application_request_completion(
        application=application, actor=g.officer, message="Mer underlag.", due=timezone.localdate()
    )
    application.refresh_from_db()
    services.application_submit(application=application, actor=g.editor)
    application.refresh_from_db()
    services.application_start_review(application=application, actor=g.officer)
    application.refresh_from_db()
    score_all(g, application)
    services.application_propose(
        application=application,
        actor=g.officer,
        outcome="approve",
        amount=None,
        motivation="Bra.",
        seen_version=services.proposal_version(application),
    )
    decide_proposal(application, g.decision_maker)
    pay(g, application, "10000")
    services.recovery_open(
        application=application,
        actor=g.officer,
        amount=Decimal("500"),
        reason="Outnyttjat",
        due_date=timezone.localdate() + timedelta(days=30),
    )
    rejected = proposed(g, outcome="reject")

    codes = (
        {value for value, _label in ApplicationStatus.choices}
        | set(AuditEvent.objects.values_list("action", flat=True))  # every action recorded
        | {"status_changed", "approve", "partly", "reject"}
    )
    officer = logged_in(g.officer)
    history = history_html(page_of(officer, application))
    assert "Förslag: bevilja 35\u00a0000\u00a0kr" in history
    assert_no_codes(history, codes)
    rejected_history = history_html(page_of(officer, rejected))
    assert "Förslag: avslag" in rejected_history
    assert_no_codes(rejected_history, codes)

    decider = logged_in(g.decision_maker)
    page = page_of(decider, rejected)
    assert "(avslå)" not in page and "Avslag" in page
    listed = decider.get(reverse("grants:decisions")).content.decode()
    row = re.search(
        rf"<tr>\s*<th scope=\"row\"><a [^>]*>{re.escape(rejected.registry_number or '')}</a>.*?</tr>",
        listed,
        re.S,
    )
    assert row is not None and "Avslag" in row.group(0) and "0\u00a0kr" not in row.group(0)
    organisation_page = officer.get(
        reverse("organisations:officer_detail", args=[g.organisation.pk])
    ).content.decode()
    assert_no_codes(history_html(organisation_page), codes)


def test_amounts_on_the_officer_page_read_as_kronor(grants: Grants) -> None:
    g = grants
    application = submitted(g, amount="35000")
    services.application_request_completion(
        application=application, actor=g.officer, message="Mer underlag.", due=timezone.localdate()
    )
    application.refresh_from_db()
    services.application_submit(application=application, actor=g.editor)
    page = page_of(logged_in(g.officer), application)
    assert "35000.00" not in page
    assert "35\u00a0000\u00a0kr" in page


# --- the payments list ---------------------------------------------------------------------


def test_the_payments_list_filters_by_what_has_been_paid(grants: Grants) -> None:
    g = grants
    whole = decided(g, amount="20000")
    pay(g, whole)  # the whole grant
    part = decided(g, amount="30000")
    pay(g, part, "10000", reference="D-1")
    client = logged_in(g.officer)
    url = reverse("grants:payments")
    response = client.get(url)
    choices = [value for value, _label in response.context["form"].fields["state"].choices]
    assert choices == ["", "made", "scheduled", "partly_paid", "fully_paid"]

    def listed(state: str) -> set[str]:
        page = client.get(url, {"state": state}).context["page"]
        return {payment.reference for payment in page}

    assert listed("") == {"F-1", "D-1"}
    assert listed("made") == {"F-1", "D-1"}
    assert listed("scheduled") == set()
    assert listed("fully_paid") == {"F-1"}
    assert listed("partly_paid") == {"D-1"}


def test_each_grant_keeps_what_has_been_paid_and_the_paid_lists_compare_it(
    grants: Grants,
) -> None:
    import importlib

    from django.db import connection

    from grants.models import Application
    from tests.helpers.queries import count_queries, sql_of

    g = grants
    part = decided(g, amount="30000")
    pay(g, part, "10000", reference="D-1")
    part.refresh_from_db()
    assert part.paid_amount == Decimal("10000")
    client = logged_in(g.officer)
    url = reverse("grants:payments")
    with count_queries() as queries:
        page = client.get(url, {"state": "fully_paid"}).context["page"]
    assert list(page) == []
    assert not [sql for sql in sql_of(queries) if "SUM(" in sql.upper()], sql_of(queries)
    rest = (part.decided_amount or Decimal(0)) - Decimal("10000")
    pay(g, part, str(rest), reference="D-2")
    part.refresh_from_db()
    assert part.paid_amount == part.decided_amount == services.amount_paid(part)
    assert {p.reference for p in client.get(url, {"state": "fully_paid"}).context["page"]} == {
        "D-1",
        "D-2",
    }
    # grants paid before the running total existed get theirs from their payments, once
    Application.objects.update(paid_amount=0)
    migration = importlib.import_module("grants.migrations.0014_application_paid_amount")
    backfill = migration.Migration.operations[1]
    with connection.cursor() as cursor:
        cursor.execute(backfill.sql)
    assert Application.objects.get(pk=part.pk).paid_amount == part.decided_amount
    unpaid = decided(g, amount="5000")
    assert Application.objects.get(pk=unpaid.pk).paid_amount == 0


def test_a_payment_scheduled_ahead_is_not_yet_paid_out(grants: Grants) -> None:
    from datetime import timedelta

    g = grants
    grant = decided(g, amount="30000")
    half = (grant.decided_amount or Decimal(0)) / 2
    pay(g, grant, str(half), reference="Nu")
    grant.refresh_from_db()
    services.payment_register(
        application=grant,
        actor=g.officer,
        amount=(grant.decided_amount or Decimal(0)) - half,
        paid_on=timezone.localdate() + timedelta(days=10),
        reference="Sedan",
        seen_version=services.payment_version(grant),
    )
    client = logged_in(g.officer)
    url = reverse("grants:payments")

    def listed(state: str) -> set[str]:
        return {p.reference for p in client.get(url, {"state": state}).context["page"]}

    # every krona is registered, but half of it goes out in ten days: partly paid until then
    assert listed("fully_paid") == set()
    assert listed("partly_paid") == {"Nu", "Sedan"}
    page = client.get(reverse("grants:officer_application", args=[grant.pk])).content.decode()
    payments = page[page.index('id="payments-heading"') :]
    footer = payments[payments.index("<tfoot>") : payments.index("</tfoot>")]
    assert "Utbetalt totalt" in footer and "Planerat, ännu inte utbetalt" in footer
    assert "(planerad)" in page
    with time_machine.travel(timezone.now() + timedelta(days=11)):
        client = logged_in(g.officer)  # a new day's session
        assert listed("fully_paid") == {"Nu", "Sedan"}
        assert listed("partly_paid") == set()


# --- confirmation before what cannot be undone --------------------------------------------


def confirm_fields(page: str) -> dict[str, str]:
    """The hidden fields the confirmation page posts again, as the browser sends them."""
    form = re.search(
        r'<form method="post" action="[^"]*" class="form" data-no-guard>(.*?)</form>', page, re.S
    )
    assert form is not None, page
    return {
        name: value.replace("&quot;", '"').replace("&amp;", "&")
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(1)
        )
        if name != "csrfmiddlewaretoken"
    }


def asked_then_done(client: object, url: str, data: dict[str, str], words: str) -> int:
    """Post as the page does: the confirmation page answers (saying `words`) and nothing is
    recorded; its own form then does it. Returns the audit events the confirmed post wrote."""
    before = AuditEvent.objects.count()
    response = client.post(url, data)  # type: ignore[attr-defined]
    assert response.status_code == 200
    page = response.content.decode()
    assert words in page, page
    assert AuditEvent.objects.count() == before  # nothing changed
    client.post(url, confirm_fields(page))  # type: ignore[attr-defined]
    return AuditEvent.objects.count() - before


def test_sending_the_proposal_asks_first(grants: Grants) -> None:
    g = grants
    application = in_review(g)
    score_all(g, application)
    officer = logged_in(g.officer)
    data = {
        "outcome": "reject",
        "motivation": "Ligger utanför bidragets syfte.",
        "seen_version": seen_version(officer, application, "proposal_form"),
    }
    url = reverse("grants:propose", args=[application.pk])
    response = officer.post(url, data)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW
    assert "Skicka beslutsförslaget ”Avslag”" in response.content.decode()
    assert asked_then_done(officer, url, data, "till beslutsfattaren") == 1
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PROPOSED


def test_payments_and_recoveries_ask_first(grants: Grants) -> None:
    g = grants
    application = decided(g, amount="20000")
    officer = logged_in(g.officer)
    today = timezone.localdate()
    payment = {
        "amount": "5 000",
        "paid_on": today.isoformat(),
        "reference": "F-9",
        "seen_version": seen_version(officer, application, "payment_form"),
    }
    url = reverse("grants:payment_add", args=[application.pk])
    assert (
        asked_then_done(officer, url, payment, "Registrera att 5\u00a0000\u00a0kr betalas ut") == 1
    )
    assert application.payments.get().reference == "F-9"

    recovery = {
        "amount": "1 000",
        "reason": "Outnyttjat",
        "due_date": (today + timedelta(days=30)).isoformat(),
    }
    url = reverse("grants:recovery_add", args=[application.pk])
    assert asked_then_done(officer, url, recovery, "betalar tillbaka 1\u00a0000\u00a0kr") == 1
    opened = application.recoveries.get()
    url = reverse("grants:recovery_paid", args=[application.pk, opened.pk])
    assert asked_then_done(officer, url, {"paid_on": today.isoformat()}, "betalades tillbaka") == 1
    opened.refresh_from_db()
    assert opened.status == "paid"


def test_a_payment_refused_by_four_eyes_is_not_offered_for_confirmation(grants: Grants) -> None:
    g = grants
    from portal.models import PublicBodyMembership, PublicBodyRole

    PublicBodyMembership.objects.create(
        user=g.decision_maker, public_body=g.body, role=PublicBodyRole.CASE_OFFICER
    )
    application = decided(g)  # decided by g.decision_maker
    response = logged_in(g.decision_maker).post(
        reverse("grants:payment_add", args=[application.pk]),
        {
            "amount": "1000",
            "paid_on": timezone.localdate().isoformat(),
            "reference": "Själv",
            "seen_version": services.payment_version(application),
        },
        follow=True,
    )
    page = response.content.decode()
    assert 'name="confirmed"' not in page and "fyra ögon" in page
    assert not application.payments.exists()


def test_declaring_a_conflict_of_interest_asks_first(grants: Grants) -> None:
    g = grants
    application = submitted(g)
    officer = logged_in(g.officer)
    url = reverse("grants:declare_conflict", args=[application.pk])
    assert asked_then_done(officer, url, {"reason": "Min bror är kassör."}, "Anmäla jäv") >= 1
    assert (
        officer.get(reverse("grants:officer_application", args=[application.pk])).status_code == 404
    )


def test_changing_a_report_after_it_was_sent_in_says_why(grants: Grants) -> None:
    g = grants
    report = report_sent_in(g)
    response = logged_in(g.editor).post(
        reverse("grants:report", args=[report.application_id]),
        {"narrative": "Ändrat i efterhand.", "save": "1", "seen_state": state_of(report)},
        follow=True,
    )
    assert response.status_code == 200
    assert "har skickats in och kan inte längre ändras" in response.content.decode()
    report.refresh_from_db()
    assert report.narrative == "Vi höll 20 träffar."


# --- found by testers: the officer's and decision maker's side ----------------------------


def test_approving_a_report_asks_first_and_says_what_happened(grants: Grants) -> None:
    g = grants
    report = report_sent_in(g)
    url = reverse("grants:officer_report", args=[report.application_id])
    officer = logged_in(g.officer)
    data = {
        "decision": "approve",
        "comment": "",
        "seen_version": services.report_version(report),
        "seen_state": state_of(report),
    }
    asked = officer.post(url, data)
    assert "Vill du godkänna återrapporteringen" in asked.content.decode()
    report.refresh_from_db()
    assert report.status == "submitted"  # one post without confirming changes nothing
    done = officer.post(url, confirm_fields(asked.content.decode()))
    report.refresh_from_db()
    assert report.status == "approved"
    assert "Återrapporteringen har godkänts." in queued_messages(done)


def test_a_revision_request_says_the_report_was_sent_back(grants: Grants) -> None:
    g = grants
    report = report_sent_in(g)
    url = reverse("grants:officer_report", args=[report.application_id])
    officer = logged_in(g.officer)
    response = officer.post(
        url,
        {
            "decision": "revise",
            "comment": "Bifoga kvitton.",
            "seen_version": services.report_version(report),
            "seen_state": state_of(report),
        },
    )
    report.refresh_from_db()
    assert report.status == "revision_requested"  # not final: no confirmation step
    assert "Återrapporteringen har skickats tillbaka för komplettering." in queued_messages(
        response
    )


def test_a_rejection_shows_no_granted_amount(grants: Grants) -> None:
    g = grants
    application = proposed(g, outcome="reject")
    decide_proposal(application, g.decision_maker)
    assert application.status == ApplicationStatus.REJECTED
    email = render_to_string("grants/email/decision.txt", {"application": application})
    assert email.splitlines()[0].endswith(": avslagen.")  # no "0 kr" granted
    for client in (logged_in(g.officer), logged_in(g.editor)):
        if (
            client.get(reverse("grants:officer_application", args=[application.pk])).status_code
            == 200
        ):
            page = page_of(client, application)
        else:
            page = client.get(reverse("grants:application", args=[application.pk])).content.decode()
        decision_box = re.search(r'<section class="status-panel.*?</section>', page, re.S)
        assert decision_box is not None
        assert "Avslag" in decision_box.group(0)
        assert "Beviljat belopp" not in decision_box.group(0)


def test_only_a_decision_maker_is_told_another_must_decide(grants: Grants) -> None:
    g = grants
    from portal.models import PublicBodyMembership, PublicBodyRole

    application = proposed(g)
    sentence = "Eftersom du har tagit fram beslutsförslaget"
    assert sentence not in page_of(logged_in(g.officer), application)
    PublicBodyMembership.objects.create(
        user=g.officer, public_body=g.body, role=PublicBodyRole.DECISION_MAKER
    )
    assert sentence in page_of(logged_in(g.officer), application)


def test_a_closed_call_says_it_closed(grants: Grants) -> None:
    g = grants
    application = submitted(g)
    assert "(stängs " in page_of(logged_in(g.officer), application)
    g.call.closes_at = timezone.now() - timedelta(days=1)
    g.call.save()
    page = page_of(logged_in(g.officer), application)
    assert "(stängdes " in page and "(stängs " not in page
    detail = logged_in(g.officer).get(reverse("grants:call", args=[g.call.pk])).content.decode()
    assert "<dt>Stängdes</dt>" in detail


def test_a_grant_without_a_recorded_decision_time_still_opens(grants: Grants) -> None:
    """A granted case from an import or an older system may lack the decision's time: its
    page opens with its money part instead of failing."""
    from tests.grants.conftest import decided

    application = decided(grants)
    Application.objects.filter(pk=application.pk).update(decided_at=None)
    response = logged_in(grants.officer).get(
        reverse("grants:officer_application", args=[application.pk])
    )
    assert response.status_code == 200
