"""The grant path through the web pages: apply, complete, assess, propose, decide."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from grants import selectors, services
from grants.models import Application, Review
from tests.grants.conftest import (
    Grants,
    complete_draft,
    decide_proposal,
    form_post,
    proposed,
    seen_version,
    submitted,
)
from tests.helpers.audit import transitions
from tests.helpers.clients import in_english, logged_in, shown_messages
from tests.helpers.forms import state_of

pytestmark = pytest.mark.django_db


def test_the_association_applies_through_the_pages(
    grants: Grants, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    g = grants
    client = logged_in(g.editor)
    page = client.get(reverse("grants:call", args=[g.call.pk])).content.decode()
    assert "Påbörja en ansökan" in page
    response = client.post(
        reverse("grants:start", args=[g.call.pk]), {"organisation": g.organisation.pk}
    )
    application = Application.objects.get()
    assert response.url == reverse("grants:application", args=[application.pk])

    # save a draft
    response = client.post(
        reverse("grants:application", args=[application.pk]), form_post(g, application, save="1")
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.amount_requested == Decimal("40000")
    assert application.status == "draft"
    assert sorted(application.budget_lines.values_list("amount", flat=True)) == [
        Decimal("5000"),
        Decimal("10000.50"),
        Decimal("35000"),
    ]

    # the check-answers page names what is missing, and sends nothing in
    check = reverse("grants:check", args=[application.pk])
    response = client.post(check, {"seen_state": state_of(application)})
    assert response.status_code == 200
    assert "Bifoga ”Projektplan”" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "draft" and application.registry_number is None

    from tests.organisations.factories import pdf_upload

    client.post(
        reverse("grants:attachment_add", args=[application.pk]),
        {"attachment_type": g.attachment_type.pk, "file": pdf_upload("plan.pdf")},
    )
    application.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(check, {"seen_state": state_of(application)})
    assert response.url == reverse("grants:receipt", args=[application.pk])
    application.refresh_from_db()
    year = timezone.localdate().year
    assert application.status == "submitted"
    assert application.registry_number == f"KFN {year}/1"
    assert application.submissions.count() == 1
    receipts = {m.to[0]: m for m in mail.outbox if "Mottagningsbekräftelse" in m.subject}
    assert application.registry_number in receipts[g.editor.email].subject
    assert g.representative.email in receipts  # one email each, to everyone of the association
    page = client.get(reverse("grants:application", args=[application.pk])).content.decode()
    assert "40\u00a0000\u00a0kr" in page
    assert "Inskickad" in page


def test_completion_is_requested_done_and_the_changes_are_visible(
    grants: Grants, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    g = grants
    application = submitted(g)
    officer = logged_in(g.officer)
    due = (timezone.localdate() + timezone.timedelta(days=7)).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        officer.post(
            reverse("grants:request_completion", args=[application.pk]),
            {
                "message": "Bifoga en bättre budget.",
                "due": due,
                "seen_state": state_of(application),
            },
        )
    application.refresh_from_db()
    assert application.status == "completion_requested"
    completion = [m for m in mail.outbox if "Komplettera" in m.subject]
    assert {m.to[0] for m in completion} >= {g.representative.email, g.editor.email}
    member = logged_in(g.editor)
    page = member.get(reverse("grants:application", args=[application.pk])).content.decode()
    assert "Bifoga en bättre budget." in page
    member.post(
        reverse("grants:application", args=[application.pk]),
        form_post(g, application, check="1", amount_requested="38000"),
    )
    application.refresh_from_db()
    member.post(
        reverse("grants:check", args=[application.pk]), {"seen_state": state_of(application)}
    )
    application.refresh_from_db()
    assert application.status == "submitted"
    assert application.registry_number.endswith("/1")  # same number after completion
    assert application.submissions.count() == 2
    first, second = application.submissions.order_by("number")
    assert (
        first.content["amount_requested"] == "40000.00"
        and second.content["amount_requested"] == "38000.00"
    )
    page = officer.get(
        reverse("grants:officer_application", args=[application.pk])
    ).content.decode()
    assert "Sökt belopp" in page  # named among the changes


def test_submission_changes_name_what_a_completion_changed(grants: Grants) -> None:
    g = grants
    application = submitted(g)
    assert selectors.submission_changes(application=application) == []
    services.application_request_completion(
        application=application, actor=g.officer, message="Mer underlag.", due=timezone.localdate()
    )
    application.refresh_from_db()
    number_question = g.call.questions.order_by("id")[1]
    services.application_save(
        application=application,
        actor=g.editor,
        title=application.title,
        answers={**application.answers, str(number_question.pk): "45"},
        amount_requested=application.amount_requested,
        planned_start=application.planned_start,
        planned_end=application.planned_end,
        budget_lines=[
            {"kind": "cost", "description": "Ledare", "amount": Decimal("40000")},
            {"kind": "own", "description": "Egen insats", "amount": Decimal("6000")},
        ],
    )
    services.application_submit(application=application, actor=g.editor)
    assert selectors.submission_changes(application=application) == [
        number_question.text,
        gettext("Budget"),
    ]


def test_officer_scores_and_proposes_and_another_decides(
    grants: Grants, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    g = grants
    application = submitted(g)
    officer = logged_in(g.officer)
    officer.post(reverse("grants:assign", args=[application.pk]), {"assignee": g.officer.pk})
    officer.post(
        reverse("grants:start_review", args=[application.pk]),
        {"seen_state": state_of(application)},
    )
    officer.post(
        reverse("grants:assess", args=[application.pk]),
        {
            key: value
            for criterion in g.criteria
            for key, value in ((f"c{criterion.pk}-score", "4"), (f"c{criterion.pk}-comment", "Bra"))
        },
    )
    assert Review.objects.filter(application=application).count() == 2
    officer.post(
        reverse("grants:propose", args=[application.pk]),
        {
            "confirmed": "1",
            "outcome": "partly",
            "amount": "30 000",
            "motivation": "Delvis rimlig budget.",
            "conditions": "Redovisa senast 2027-06-30.",
            "seen_version": seen_version(officer, application, "proposal_form"),
        },
    )
    application.refresh_from_db()
    assert (application.status, application.proposal_amount, application.assigned_to) == (
        "proposed",
        Decimal("30000"),
        g.officer,
    )

    decider = logged_in(g.decision_maker)
    assert application.registry_number in decider.get(reverse("grants:decisions")).content.decode()
    choice = {
        "decision": "confirm",
        "seen_version": seen_version(decider, application, "decision_form"),
    }
    check = decider.post(reverse("grants:decide", args=[application.pk]), choice)
    assert check.status_code == 200 and "Delvis beviljad" in check.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        decider.post(reverse("grants:decide", args=[application.pk]), {**choice, "confirmed": "1"})
    application.refresh_from_db()
    assert (application.status, application.decided_amount, application.decided_by) == (
        "partly_approved",
        Decimal("30000"),
        g.decision_maker,
    )
    decisions = [m for m in mail.outbox if "Beslut" in m.subject]
    assert {m.to[0] for m in decisions} >= {g.representative.email, g.editor.email}
    page = (
        logged_in(g.viewer)
        .get(reverse("grants:application", args=[application.pk]))
        .content.decode()
    )
    assert (
        "Delvis beviljad" in page
        and "30\u00a0000\u00a0kr" in page
        and "Delvis rimlig budget." in page
    )
    assert transitions(application) == [
        ("draft", "submitted"),
        ("submitted", "in_review"),
        ("in_review", "proposed"),
        ("proposed", "partly_approved"),
    ]


def test_the_decision_maker_changes_the_amount_with_a_reason_or_rejects(grants: Grants) -> None:
    g = grants
    application = proposed(g)
    decider = logged_in(g.decision_maker)
    version = seen_version(decider, application, "decision_form")
    response = decider.post(
        reverse("grants:decide", args=[application.pk]),
        {"decision": "change", "amount": "20000", "seen_version": version, "confirmed": "1"},
        follow=True,
    )
    assert "Ange skälet" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "proposed"
    decider.post(
        reverse("grants:decide", args=[application.pk]),
        {
            "decision": "change",
            "amount": "20000",
            "change_reason": "Budgeten räcker inte.",
            "seen_version": version,
            "confirmed": "1",
        },
    )
    application.refresh_from_db()
    assert (application.status, application.decided_amount, application.decision_change_reason) == (
        "partly_approved",
        Decimal("20000"),
        "Budgeten räcker inte.",
    )


def test_four_eyes_the_proposer_cannot_decide(grants: Grants) -> None:
    g = grants
    from portal.models import PublicBodyMembership, PublicBodyRole

    PublicBodyMembership.objects.create(
        user=g.officer, public_body=g.body, role=PublicBodyRole.DECISION_MAKER
    )
    application = proposed(g)
    response = in_english(logged_in(g.officer)).post(
        reverse("grants:decide", args=[application.pk]), {"decision": "confirm"}, follow=True
    )
    assert any(  # refused with the reason, not a bare 403
        "You prepared this proposal" in m for m in shown_messages(response)
    )
    application.refresh_from_db()
    assert application.status == "proposed"
    page = (
        logged_in(g.officer)
        .get(reverse("grants:officer_application", args=[application.pk]))
        .content.decode()
    )
    assert "en annan beslutsfattare" in page
    decide_proposal(application, g.decision_maker)
    assert application.status == "approved"


def test_withdraw_before_a_decision_but_not_after(grants: Grants) -> None:
    g = grants
    application = submitted(g)
    logged_in(g.editor).post(
        reverse("grants:withdraw", args=[application.pk]),
        {"seen_state": state_of(application), "confirmed": "1"},
    )
    application.refresh_from_db()
    assert application.status == "withdrawn"
    decided = proposed(g)
    decide_proposal(decided, g.decision_maker)
    response = logged_in(g.editor).post(
        reverse("grants:withdraw", args=[decided.pk]),
        {"seen_state": state_of(decided), "confirmed": "1"},
        follow=True,
    )
    decided.refresh_from_db()
    assert decided.status == "approved"
    assert "kan inte" in response.content.decode()


def test_an_ineligible_organisation_is_told_why(grants: Grants) -> None:
    g = grants
    g.organisation.documents.all().update(status="returned")
    g.programme.minimum_members = 50
    g.programme.save()
    page = logged_in(g.editor).get(reverse("grants:call", args=[g.call.pk])).content.decode()
    assert "Stadgar" in page
    assert "minst 50 medlemmar" in page
    assert "Påbörja en ansökan" not in page
    documents = reverse("organisations:documents", args=[g.organisation.pk])
    assert f'Ladda upp den under <a href="{documents}">organisationens dokument</a>.' in page
    response = logged_in(g.editor).post(
        reverse("grants:start", args=[g.call.pk]), {"organisation": g.organisation.pk}
    )
    assert response.status_code == 302
    assert not Application.objects.exists()


def test_the_public_sees_open_calls_by_deadline(grants: Grants) -> None:
    from django.test import Client

    from tests.grants.conftest import make_call

    soon = make_call(
        g := grants.programme,
        title="Snart stängd",
        closes_at=timezone.now() + timezone.timedelta(hours=5),
    )
    make_call(
        g,
        title="Redan stängd",
        opens_at=timezone.now() - timezone.timedelta(days=30),
        closes_at=timezone.now() - timezone.timedelta(days=1),
    )
    page = Client().get(reverse("grants:calls")).content.decode()
    assert page.index(soon.title) < page.index(grants.call.title)
    assert "Redan stängd" not in page
    assert "5 timmar kvar" in page or "4 timmar kvar" in page
    detail = Client().get(reverse("grants:call", args=[grants.call.pk])).content.decode()
    assert "Beskriv projektet" in detail and "Projektplan" in detail


def test_diarienummer_counts_per_body_and_year(grants: Grants) -> None:
    g = grants
    first = submitted(g)
    second = submitted(g)
    year = timezone.localdate().year
    assert [first.registry_number, second.registry_number] == [f"KFN {year}/1", f"KFN {year}/2"]
    draft = complete_draft(g)
    assert draft.registry_number is None


def test_the_officer_sees_the_history_in_words(grants: Grants) -> None:
    application = submitted(grants)
    page = (
        logged_in(grants.officer)
        .get(reverse("grants:officer_application", args=[application.pk]))
        .content.decode()
    )
    assert "Utkast → Inskickad" in page
    assert "Bilaga tillagd" in page and "Ansökan påbörjad" in page
    assert "Väntar på granskning" not in page  # a document status, not an application's


def test_deciding_as_proposed_on_a_proposal_to_reject_rejects(grants: Grants) -> None:
    application = proposed(grants, outcome="reject")
    decider = logged_in(grants.decision_maker)
    decider.post(
        reverse("grants:decide", args=[application.pk]),
        {
            "decision": "confirm",
            "seen_version": seen_version(decider, application, "decision_form"),
            "confirmed": "1",
        },
    )
    application.refresh_from_db()
    assert (application.status, application.decided_amount) == ("rejected", Decimal(0))
