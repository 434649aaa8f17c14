"""What grants put on a person's "To do" list at the top of My overview: for the association's
representative or editor, drafts of calls that close soon, completions asked for and follow-up
reports to send in or revise; for the case officer, new applications, completions that came
back and reports to review; for the decision maker, proposals someone else prepared. Each item
links to where the person acts, with its deadline; the list costs the same number of queries
however much waits."""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone, translation

from grants import services
from grants.models import FollowUpReport, ReportStatus
from organisations import services as organisation_services
from portal import formats, notifications
from tests.grants.conftest import Grants, add_applications, complete_draft, decided, proposed
from tests.grants.conftest import submitted as sent_in
from tests.grants.factories import ApplicationFactory, FollowUpReportFactory
from tests.helpers.clients import logged_in
from tests.helpers.queries import assert_same_query_count, count_queries

OVERVIEW = reverse("portal:dashboard")


def long_date(day: date) -> str:
    """As the Swedish page writes it."""
    with translation.override("sv"):
        return formats.long_date(day)


def todo_list(user: object) -> str:
    """The "To do" section of the person's overview, as text with its links."""
    page = logged_in(user).get(OVERVIEW).content.decode()  # type: ignore[arg-type]
    start = page.index('id="todo-heading"')
    return " ".join(page[start : page.index("</section>", start)].split())


def item(todos: str, text: str) -> str:
    """The one item of the list that says `text` ("" if none)."""
    found = [li for li in todos.split("<li ")[1:] if text in li]
    assert len(found) <= 1, found
    return found[0] if found else ""


def closing_in(g: Grants, days: int) -> None:
    g.call.closes_at = timezone.now() + timedelta(days=days, hours=1)
    g.call.save()


def test_a_draft_shows_when_its_call_closes_within_the_first_reminder(grants: Grants) -> None:
    g = grants
    draft = complete_draft(g)
    assert "Skicka in er ansökan" not in todo_list(g.editor)  # closes in 10 days: not yet
    closing_in(g, 5)
    todos = todo_list(g.editor)
    link = reverse("grants:application", args=[draft.pk])
    assert f'<a href="{link}">Skicka in er ansökan till ”Mötesplatser för unga”</a>' in todos
    assert "Idrottsföreningen Exempel" in todos
    assert f"Senast {long_date(timezone.localdate(g.call.closes_at))}" in todos
    assert "Skicka in er ansökan" in todo_list(g.representative)
    assert "Skicka in er ansökan" not in todo_list(g.viewer)  # reads, does not write
    assert "Skicka in er ansökan" not in todo_list(g.outsider)  # another organisation's draft


def test_a_completion_to_send_in_shows_with_its_date_and_overdue_is_marked(
    grants: Grants,
) -> None:
    g = grants
    application = sent_in(g)
    services.application_request_completion(
        application=application,
        actor=g.officer,
        message="Bifoga budgeten.",
        due=timezone.localdate() + timedelta(days=3),
    )
    todos = todo_list(g.editor)
    link = reverse("grants:application", args=[application.pk])
    assert f'<a href="{link}">Komplettera ansökan {application.registry_number}</a>' in todos
    completion = item(todos, "Komplettera ansökan")
    assert f"Senast {long_date(timezone.localdate() + timedelta(days=3))}" in completion
    assert "Försenad" not in completion
    application.refresh_from_db()
    application.completion_due = timezone.localdate() - timedelta(days=1)
    application.save()
    assert "Försenad" in item(todo_list(g.editor), "Komplettera ansökan")
    assert "Komplettera ansökan" not in todo_list(g.outsider)


def test_follow_up_reports_show_when_due_soon_or_sent_back(grants: Grants) -> None:
    g = grants
    application = decided(g)
    report = FollowUpReport.objects.get(application=application)
    link = reverse("grants:report", args=[application.pk])
    FollowUpReport.objects.filter(pk=report.pk).update(
        due_date=timezone.localdate() + timedelta(days=60)
    )
    assert link not in todo_list(g.editor)  # months away: the reminder has not started
    FollowUpReport.objects.filter(pk=report.pk).update(
        due_date=timezone.localdate() + timedelta(days=10)
    )
    todos = todo_list(g.representative)
    assert f'<a href="{link}">Lämna återrapportering för {application.registry_number}</a>' in todos
    FollowUpReport.objects.filter(pk=report.pk).update(
        status=ReportStatus.REVISION_REQUESTED, due_date=timezone.localdate() - timedelta(days=2)
    )
    revise = item(todo_list(g.editor), "Ändra återrapporteringen")
    assert f"Ändra återrapporteringen för {application.registry_number}" in revise
    assert "Försenad" in revise
    assert link not in todo_list(g.outsider)


def test_the_association_list_is_sorted_by_deadline_overdue_first(grants: Grants) -> None:
    g = grants
    closing_in(g, 5)
    complete_draft(g)
    late = sent_in(g)
    services.application_request_completion(
        application=late, actor=g.officer, message="Mer.", due=timezone.localdate() + timedelta(1)
    )
    late.refresh_from_db()
    late.completion_due = timezone.localdate() - timedelta(days=3)
    late.save()
    soon = sent_in(g)
    services.application_request_completion(
        application=soon, actor=g.officer, message="Mer.", due=timezone.localdate() + timedelta(2)
    )
    todos = todo_list(g.editor)
    order = [
        todos.index(f"Komplettera ansökan {late.registry_number}"),
        todos.index(f"Komplettera ansökan {soon.registry_number}"),
        todos.index("Skicka in er ansökan"),
    ]
    assert order == sorted(order)
    assert "Försenad" in item(todos, f"Komplettera ansökan {late.registry_number}")
    assert "Försenad" not in item(todos, f"Komplettera ansökan {soon.registry_number}")


def test_the_officer_sees_counts_that_link_to_the_lists(grants: Grants) -> None:
    g = grants
    sent_in(g)
    sent_in(g)
    completed = sent_in(g)
    services.application_request_completion(
        application=completed, actor=g.officer, message="Mer.", due=timezone.localdate()
    )
    completed.refresh_from_db()
    services.application_submit(application=completed, actor=g.editor)
    todos = todo_list(g.officer)
    inbox = reverse("grants:inbox")
    assert f'<a href="{inbox}?status=submitted">2 nya ansökningar att ta om hand</a>' in todos
    assert "1 komplettering har kommit in" in todos
    assert "beslutsförslag" not in todos  # not a decision maker
    assert "att ta om hand" not in todo_list(g.other_body_officer)  # another body's cases
    assert "att ta om hand" not in todo_list(g.editor)


def test_reports_to_review_use_the_one_rule_of_the_case_handling_page(grants: Grants) -> None:
    g = grants
    application = ApplicationFactory(call=g.call, organisation=g.organisation, status="approved")
    FollowUpReportFactory(application=application, status=ReportStatus.SUBMITTED)
    link = f"{reverse('grants:reports')}?state=submitted"
    assert f'<a href="{link}">1 återrapportering att granska</a>' in todo_list(g.officer)
    home = logged_in(g.officer).get(reverse("portal:officer_home")).content.decode()
    assert "1 återrapportering väntar på granskning." in " ".join(home.split())
    organisation_services.conflict_declare(actor=g.officer, case=application, reason="Jäv.")
    assert "återrapportering att granska" not in todo_list(g.officer)


def test_the_morning_digest_counts_the_reports_by_the_same_rule(grants: Grants) -> None:
    g = grants
    for _ in range(2):
        application = ApplicationFactory(
            call=g.call, organisation=g.organisation, status="approved"
        )
        FollowUpReportFactory(application=application, status=ReportStatus.SUBMITTED)
    assert notifications.digest_for(g.officer, timezone.localdate()).counts["reports"] == 2
    organisation_services.conflict_declare(actor=g.officer, case=application, reason="Jäv.")
    g.officer.refresh_from_db()
    assert notifications.digest_for(g.officer, timezone.localdate()).counts["reports"] == 1
    assert "1 återrapportering att granska" in todo_list(g.officer)


def test_the_decision_maker_sees_proposals_but_not_one_they_prepared(grants: Grants) -> None:
    g = grants
    proposed(g)
    todos = todo_list(g.decision_maker)
    link = reverse("grants:decisions")
    assert f'<a href="{link}">1 beslutsförslag väntar på ditt beslut</a>' in todos
    # A decision maker who is also the case officer who proposed: four eyes, not theirs.
    g.officer.public_body_memberships.create(public_body=g.body, role="decision_maker")
    assert "beslutsförslag väntar på ditt beslut" not in todo_list(g.officer)
    page = logged_in(g.officer).get(link).content.decode()
    assert "Inga beslutsförslag väntar på dig." in page or "0 beslutsförslag" in page


def test_the_overview_costs_the_same_queries_whatever_waits(grants: Grants) -> None:
    g = grants
    closing_in(g, 5)
    complete_draft(g)
    client = logged_in(g.editor)
    client.get(OVERVIEW)
    with count_queries() as few:
        client.get(OVERVIEW)
    for _ in range(5):
        complete_draft(g)
    for _ in range(3):
        application = sent_in(g)
        services.application_request_completion(
            application=application, actor=g.officer, message="Mer.", due=timezone.localdate()
        )
    with count_queries() as many:
        response = client.get(OVERVIEW)
    assert_same_query_count(few, many)
    assert response.content.decode().count("Skicka in er ansökan") == 6

    officer = logged_in(g.officer)
    officer.get(OVERVIEW)
    with count_queries() as few:
        officer.get(OVERVIEW)
    add_applications(g, 30)
    with count_queries() as many:
        officer.get(OVERVIEW)
    assert_same_query_count(few, many)
