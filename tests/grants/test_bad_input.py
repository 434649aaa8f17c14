from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from grants import services
from grants.models import Application
from tests.grants.conftest import Grants, complete_draft, form_post, proposed, score_all
from tests.helpers.audit import nothing_audited
from tests.helpers.clients import logged_in
from tests.helpers.forms import state_of

pytestmark = pytest.mark.django_db


def snapshot(application: Application) -> tuple[object, ...]:
    application.refresh_from_db()
    return (
        application.status,
        application.title,
        application.answers,
        application.amount_requested,
        list(application.budget_lines.values_list("kind", "description", "amount")),
        application.registry_number,
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"amount_requested": "-500"}, "amount_requested", "kan inte vara mindre än 0"),
        ({"amount_requested": "mycket"}, "amount_requested", "ska vara ett belopp i kronor"),
        ({"question_LONG": "x" * 501}, "question_LONG", "500 tecken"),
        ({"question_NUMBER": "fyrtio"}, "question_NUMBER", "ska vara ett tal"),
        ({"question_NUMBER": "1e999999"}, "question_NUMBER", "inte är mer än 15 siffror"),
        ({"question_CHOICE": "Mars"}, "question_CHOICE", "Välj ett giltigt alternativ"),
    ],
    ids=[
        "negative-amount",
        "text-amount",
        "too-long-answer",
        "text-number",
        "huge-number",
        "unknown-choice",
    ],
)
def test_bad_input_is_refused_in_swedish_and_changes_nothing(
    grants: Grants, overrides: dict[str, str], field: str | None, message: str
) -> None:
    g = grants
    application = complete_draft(g)
    before = snapshot(application)
    names = {"LONG": g.questions[0].pk, "NUMBER": g.questions[1].pk, "CHOICE": g.questions[2].pk}
    data = form_post(g, application, submit="1")
    for key, value in overrides.items():
        for token, pk in names.items():
            key = key.replace(token, str(pk))
        data[key] = value
    field = field and next(
        (field.replace(t, str(pk)) for t, pk in names.items() if t in field), field
    )
    editor = logged_in(g.editor)
    with nothing_audited():
        response = editor.post(reverse("grants:application", args=[application.pk]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page, message
    if field:
        assert field in response.context["form"].errors
    assert snapshot(application) == before


def test_a_negative_budget_line_is_refused_and_the_budget_is_not_saved(grants: Grants) -> None:
    """A budget error keeps the saved budget as it was and says so; the rest of the draft is
    saved (nothing typed is lost), the page names the error."""
    g = grants
    application = complete_draft(g)
    before = snapshot(application)
    data = form_post(g, application, submit="1", **{"budget-0-amount": "-1"})
    response = logged_in(g.editor).post(reverse("grants:application", args=[application.pk]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "kan inte vara mindre än 0" in page and "Budgeten har inte sparats" in page
    after = snapshot(application)
    assert after[4] == before[4]  # the budget lines as they were
    assert (after[0], after[5]) == ("draft", None)  # and nothing was sent in


def test_a_missing_required_answer_is_named_on_the_check_page(grants: Grants) -> None:
    g = grants
    application = complete_draft(g)
    data = form_post(g, application, check="1")
    data[f"question_{g.questions[0].pk}"] = ""
    editor = logged_in(g.editor)
    response = editor.post(reverse("grants:application", args=[application.pk]), data)
    assert response.url == reverse("grants:check", args=[application.pk])
    page = editor.get(response.url).content.decode()
    assert "Besvara frågan ”Beskriv projektet”." in page
    application.refresh_from_db()
    editor.post(
        reverse("grants:check", args=[application.pk]), {"seen_state": state_of(application)}
    )
    application.refresh_from_db()
    assert application.status == "draft" and application.registry_number is None


def test_submitting_after_closing_is_refused_with_a_clear_message(grants: Grants) -> None:
    g = grants
    application = complete_draft(g)
    g.call.closes_at = timezone.now() - timedelta(seconds=1)
    g.call.save()
    response = logged_in(g.editor).post(
        reverse("grants:check", args=[application.pk]), {"seen_state": state_of(application)}
    )
    assert "Det går inte längre att skicka in ansökningar" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "draft"


def test_decided_amounts_stay_within_applied_and_budget(grants: Grants) -> None:
    g = grants
    application = proposed(g, amount="40000")
    with pytest.raises(ValidationError):
        services.application_decide(
            application=application,
            actor=g.decision_maker,
            decision="change",
            amount=Decimal("40001"),
            change_reason="Mer",
            seen_version=services.decision_version(application),
        )
    g.call.budget = Decimal("30000")
    g.call.save()
    with pytest.raises(ValidationError) as error:
        services.application_decide(
            application=application,
            actor=g.decision_maker,
            decision="confirm",
            seen_version=services.decision_version(application),
        )
    assert "30\u00a0000\u00a0kr" in " ".join(error.value.messages)
    application.refresh_from_db()
    assert application.status == "proposed" and application.decided_amount is None


def test_a_partial_proposal_must_be_below_the_applied_amount(grants: Grants) -> None:
    g = grants
    application = proposed(g, outcome="reject")
    assert application.proposal_amount == Decimal(0)
    other = complete_draft(g)
    services.application_submit(application=other, actor=g.editor)
    other.refresh_from_db()
    services.application_start_review(application=other, actor=g.officer)
    other.refresh_from_db()
    score_all(g, other)
    for amount in (Decimal("0"), Decimal("40000"), Decimal("50000"), None):
        with pytest.raises(ValidationError):
            services.application_propose(
                application=other,
                actor=g.officer,
                outcome="partly",
                amount=amount,
                motivation="x",
                seen_version=services.proposal_version(other),
            )
