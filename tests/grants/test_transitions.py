"""The application's and the follow-up report's status as tables run by the portal's transition
helper: the pages offer exactly the moves the person may make, and a person or a page the table
refuses changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from grants import services
from grants.models import Application, FollowUpReport
from portal import transitions, versions
from portal.models import AuditEvent
from tests.grants.conftest import Grants, complete_draft, decided, form_post, submitted
from tests.grants.test_followup import report_post
from tests.helpers.clients import in_english, logged_in, shown_messages
from tests.helpers.forms import posted_state, state_of
from tests.portal.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def fresh(application: Application) -> Application:
    return Application.objects.get(pk=application.pk)


def assert_stale(error: ValidationError) -> None:
    assert error.message_dict == {versions.FIELD: [str(versions.STALE_MESSAGE)]}


def member_page(g: Grants, application: Application, user: object = None) -> str:
    client = logged_in(user or g.editor)  # type: ignore[arg-type]
    return client.get(reverse("grants:application", args=[application.pk])).content.decode()


def officer_page(g: Grants, application: Application) -> str:
    response = logged_in(g.officer).get(
        reverse("grants:officer_application", args=[application.pk])
    )
    return response.content.decode()


# --- the application ---------------------------------------------------------------------


def test_withdrawing_is_offered_exactly_where_the_table_lets_the_person_withdraw(
    grants: Grants,
) -> None:
    g = grants
    # a draft was never sent in: it is deleted, not withdrawn (the table has no such move)
    withdraw = reverse("grants:withdraw", args=[complete_draft(g).pk])
    application = Application.objects.get()
    assert withdraw not in member_page(g, application)
    assert reverse("grants:delete", args=[application.pk]) in member_page(g, application)
    assert not transitions.can(services.APPLICATION_MACHINE, application, g.editor, to="withdrawn")
    application = submitted(g)
    withdraw = reverse("grants:withdraw", args=[application.pk])
    assert withdraw in member_page(g, application)
    assert withdraw not in member_page(g, application, g.viewer)  # reads, may not withdraw
    assert transitions.can(services.APPLICATION_MACHINE, application, g.editor, to="withdrawn")
    services.application_start_review(application=application, actor=g.officer)
    assert withdraw not in member_page(g, application)
    assert not transitions.can(
        services.APPLICATION_MACHINE, fresh(application), g.editor, to="withdrawn"
    )


def test_a_withdrawal_clicked_on_a_stale_page_is_refused_and_changes_nothing(
    grants: Grants,
) -> None:
    g = grants
    application = submitted(g)
    withdraw = reverse("grants:withdraw", args=[application.pk])
    assert withdraw in member_page(g, application)  # the page the association has open
    page_object = fresh(application)
    services.application_start_review(application=application, actor=g.officer)

    response = in_english(logged_in(g.editor)).post(withdraw, follow=True)
    assert any("cannot go from “In review” to “Withdrawn”" in m for m in shown_messages(response))
    with pytest.raises(ValidationError) as refused:
        services.application_transition(application=page_object, to="in_review", actor=g.officer)
    assert_stale(refused.value)
    assert fresh(application).status == "in_review"
    assert not AuditEvent.objects.filter(to_state="withdrawn").exists()


def test_the_association_and_a_viewer_are_refused_what_is_not_theirs(grants: Grants) -> None:
    g = grants
    application = submitted(g)
    response = logged_in(g.viewer).post(reverse("grants:withdraw", args=[application.pk]))
    assert response.status_code == 403
    for person in (g.editor, g.representative, g.decision_maker):
        with pytest.raises(PermissionDenied) as refused:
            services.application_start_review(application=application, actor=person)
        assert not refused.value.args  # a bare refusal, as before
    with pytest.raises(PermissionDenied):
        services.application_withdraw(application=application, actor=g.officer)
    assert fresh(application).status == "submitted"


def test_the_officer_s_page_offers_starting_the_assessment_only_while_it_is_open(
    grants: Grants,
) -> None:
    g = grants
    application = submitted(g)
    start = reverse("grants:start_review", args=[application.pk])
    completion = reverse("grants:request_completion", args=[application.pk])
    page = officer_page(g, application)
    assert start in page and completion in page
    services.application_start_review(application=application, actor=g.officer)
    page = officer_page(g, application)
    assert start not in page and completion not in page


# --- the follow-up report ----------------------------------------------------------------


def sent_in(g: Grants) -> FollowUpReport:
    application = decided(g)
    logged_in(g.editor).post(
        reverse("grants:report", args=[application.pk]),
        {**report_post(g, application), "submit": "1"},
    )
    report = FollowUpReport.objects.get()
    assert report.status == "submitted"
    return report


def test_a_report_review_on_a_stale_page_is_refused_and_changes_nothing(grants: Grants) -> None:
    g = grants
    report = sent_in(g)
    url = reverse("grants:officer_report", args=[report.application_id])
    officer = in_english(logged_in(g.officer))
    page = officer.get(url)
    assert page.context["can_review"]
    seen = page.context["seen_version"]
    page_object = FollowUpReport.objects.get(pk=report.pk)
    services.report_review(report=report, actor=g.officer, approve=True, seen_version=seen)

    response = officer.post(
        url, {"decision": "revise", "comment": "Kvitton.", "seen_version": seen}, follow=True
    )
    assert any("cannot go from “Approved”" in m for m in shown_messages(response))
    assert not officer.get(url).context["can_review"]
    with pytest.raises(ValidationError) as refused:
        services.report_transition(
            report=page_object, to="revision_requested", actor=g.officer, comment="x"
        )
    assert_stale(refused.value)
    report.refresh_from_db()
    assert (report.status, report.review_comment) == ("approved", "")
    events = AuditEvent.objects.filter(action="report_status_changed", to_state="approved")
    assert events.count() == 1 and events.get().comment == f"[version {seen}]"


def test_a_report_review_is_refused_to_the_association_and_to_another_body(
    grants: Grants,
) -> None:
    g = grants
    report = sent_in(g)
    seen = services.report_version(report)
    for person in (g.editor, g.representative, g.other_body_officer):
        with pytest.raises(PermissionDenied):
            services.report_review(report=report, actor=person, approve=True, seen_version=seen)
        assert not transitions.can(services.REPORT_MACHINE, report, person, to="approved")
    with pytest.raises(ValidationError) as refused:  # a revision needs a comment
        services.report_review(report=report, actor=g.officer, approve=False, seen_version=seen)
    assert "comment" in refused.value.message_dict
    report.refresh_from_db()
    assert report.status == "submitted"
    assert not AuditEvent.objects.filter(action="report_status_changed", actor=g.officer).exists()


def test_a_move_from_a_page_drawn_before_the_case_changed_is_refused(grants: Grants) -> None:
    """The officer opened the case; a colleague has since taken it over. Her "Start the
    assessment" from that page changes nothing; from the page drawn now, it works."""
    g = grants
    application = submitted(g)
    client = in_english(logged_in(g.officer))
    start = reverse("grants:start_review", args=[application.pk])
    old_state = posted_state(officer_page(g, application), start)
    colleague = MembershipFactory(public_body=g.body, role="case_officer").user
    services.application_assign(application=fresh(application), actor=g.officer, assignee=colleague)

    response = client.post(start, {"seen_state": old_state}, follow=True)
    assert any("This has changed since you opened the page" in m for m in shown_messages(response))
    assert fresh(application).status == "submitted"
    client.post(start, {"seen_state": posted_state(officer_page(g, application), start)})
    assert fresh(application).status == "in_review"


def test_an_old_tab_cannot_answer_a_later_completion_request_over_newer_answers(
    grants: Grants,
) -> None:
    """Tab 1 was opened while a completion was asked for; tab 2 answered it; the officer asked
    again. Tab 1's old form sends nothing in and overwrites nothing."""
    g = grants
    application = submitted(g)
    ask = {"message": "Bifoga budgeten.", "due": timezone.localdate() + timedelta(days=7)}
    services.application_request_completion(application=fresh(application), actor=g.officer, **ask)
    member = in_english(logged_in(g.editor))
    tab_one = form_post(g, fresh(application), title="Gammal text från flik 1")
    member.post(
        reverse("grants:application", args=[application.pk]),
        form_post(g, fresh(application), title="Ny text från flik 2"),
    )
    member.post(
        reverse("grants:check", args=[application.pk]), {"seen_state": state_of(fresh(application))}
    )
    assert fresh(application).status == "submitted"
    services.application_request_completion(
        application=fresh(application), actor=g.officer, message="Ange deltagarna.", due=ask["due"]
    )

    response = member.post(reverse("grants:application", args=[application.pk]), tab_one)
    assert "The application has been saved by someone else" in response.content.decode()
    application = fresh(application)
    assert (application.status, application.title) == (
        "completion_requested",
        "Ny text från flik 2",
    )
