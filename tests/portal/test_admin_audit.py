"""The Django admin leaves a trace and cannot rewrite what was submitted, decided or signed.

Every test goes through the admin's own pages as a superuser with a second factor would: it
reads the change form, edits what a person would edit (or what an attacker would smuggle into
the POST), and checks the database and the audit trail."""

from __future__ import annotations

from decimal import Decimal

import pytest
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from agreements.models import Agreement, AgreementStatus, Contribution
from grants.models import Criterion, Programme, Question, Review
from organisations.models import TargetGroup
from portal.admin_audit import AuditedAdmin, is_read_only
from portal.models import AuditEvent, User
from tests.agreements.conftest import Iop, iop  # noqa: F401 (fixture)
from tests.agreements.factories import ContributionFactory
from tests.grants.conftest import (  # noqa: F401 (fixture)
    Grants,
    decide_proposal,
    grants,
    proposed,
    submitted,
)
from tests.helpers.admin import admin_events, change_form
from tests.helpers.clients import logged_in
from tests.organisations.factories import TargetGroupFactory
from tests.portal.factories import UserFactory, give_totp

pytestmark = pytest.mark.django_db


# --- every admin is audited or read-only ---------------------------------------------------

RECORDS = [
    "portal.AuditEvent",
    "organisations.Organisation",
    "organisations.DocumentVersion",
    "organisations.JoinRequest",
    "organisations.PastMembership",
    "organisations.ConflictOfInterest",
    "grants.Application",
    "grants.BudgetLine",
    "grants.Attachment",
    "grants.Submission",
    "grants.Review",
    "grants.Payment",
    "grants.FollowUpReport",
    "grants.ReportSubmission",
    "grants.ReportAttachment",
    "grants.Recovery",
    "agreements.Agreement",
    "agreements.AgreementVersion",
    "agreements.Signature",
]


def test_every_admin_of_the_site_is_audited_or_read_only(staff: User) -> None:
    request = RequestFactory().get("/admin/")
    request.user = staff  # a superuser: has every permission the admin does not refuse
    unaudited = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, AuditedAdmin) and not is_read_only(model_admin, request)
    ]
    assert unaudited == [], f"admin changes these without an audit trail: {unaudited}"
    # What was submitted, decided, signed or recorded is never changed in the admin, audited or
    # not: should one of these be registered later, it must be read-only.
    for label in RECORDS:
        model_admin = admin.site._registry.get(apps.get_model(label))
        assert model_admin is None or is_read_only(model_admin, request), label
    # Inline rows are saved by their parent's admin: an editable inline needs an audited parent.
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, AuditedAdmin):
            continue
        for inline in model_admin.get_inline_instances(request, None):
            assert not (
                inline.has_add_permission(request, None)
                or inline.has_change_permission(request, None)
                or inline.has_delete_permission(request, None)
            ), f"{model._meta.label}: inline {type(inline).__name__} changes without audit"


# --- grants: programmes, calls and their questions -----------------------------------------


def test_changing_a_programme_records_the_changed_fields(grants: Grants, staff: User) -> None:  # noqa: F811
    client = logged_in(staff)
    url = reverse("admin:grants_programme_change", args=[grants.programme.pk])
    data, _names = change_form(client, url)
    data.update({"name": "Projektbidrag 2027", "minimum_members": "10"})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    programme = Programme.objects.get(pk=grants.programme.pk)
    assert programme.name == "Projektbidrag 2027" and programme.minimum_members == 10
    [event] = admin_events(programme, "admin_changed")
    assert event.actor == staff
    assert "name: Projektbidrag → Projektbidrag 2027" in event.comment
    assert "minimum_members: — → 10" in event.comment
    assert "rules" not in event.comment  # only what changed


def test_a_criterion_added_inline_is_recorded_on_the_programme(
    grants: Grants,  # noqa: F811
    staff: User,
) -> None:
    client = logged_in(staff)
    url = reverse("admin:grants_programme_change", args=[grants.programme.pk])
    data, _names = change_form(client, url)
    new = int(data["criteria-TOTAL_FORMS"]) - 1  # the empty extra row
    data.update({f"criteria-{new}-name": "Jämställdhet", f"criteria-{new}-weight": "2"})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    criterion = Criterion.objects.get(programme=grants.programme, name="Jämställdhet")
    [event] = admin_events(grants.programme, "admin_added")
    assert f"(id {criterion.pk})" in event.comment and "weight: 2" in event.comment
    assert admin_events(grants.programme, "admin_changed") == []  # nothing else changed


def test_a_question_of_an_answered_call_cannot_be_deleted_or_edited(
    grants: Grants,  # noqa: F811
    staff: User,
) -> None:
    submitted(grants)
    question = grants.questions[0]
    client = logged_in(staff)
    url = reverse("admin:grants_call_change", args=[grants.call.pk])
    data, names = change_form(client, url)
    # Not offered: no delete box and no editable question fields.
    assert "questions-0-DELETE" not in names and "questions-0-text" not in names
    assert "attachment_types-0-DELETE" not in names
    # Smuggled into the POST anyway, together with an allowed change of the call itself:
    data.update(
        {
            "title": "Projektbidrag hösten",
            "questions-0-id": str(question.pk),
            "questions-0-call": str(grants.call.pk),
            "questions-0-DELETE": "on",
            "questions-0-text": "Något helt annat",
            "questions-0-kind": "short_text",
            "questions-0-position": "0",
            "questions-0-max_length": "2000",
            "questions-0-choices": "[]",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    kept = Question.objects.get(pk=question.pk)
    assert kept.text == question.text
    assert Question.objects.filter(call=grants.call).count() == len(grants.questions)
    grants.call.refresh_from_db()
    assert grants.call.title == "Projektbidrag hösten"
    [event] = admin_events(grants.call, "admin_changed")
    assert "title:" in event.comment and f"(id {question.pk})" not in event.comment
    assert admin_events(grants.call, "admin_deleted") == []


def test_a_call_budget_cannot_go_below_what_was_granted_from_it(
    grants: Grants,  # noqa: F811
    staff: User,
) -> None:
    decide_proposal(proposed(grants, amount=Decimal("40000")), grants.decision_maker)
    client = logged_in(staff)
    url = reverse("admin:grants_call_change", args=[grants.call.pk])
    data, _names = change_form(client, url)
    before = grants.call.budget
    response = client.post(url, {**data, "budget": "1000"})
    assert response.status_code == 200  # the form again, with the error at the budget
    assert response.context["adminform"].form.errors["budget"]
    grants.call.refresh_from_db()
    assert grants.call.budget == before
    assert admin_events(grants.call, "admin_changed") == []
    response = client.post(url, {**data, "budget": "40000"})
    assert response.status_code == 302
    grants.call.refresh_from_db()
    assert grants.call.budget == Decimal("40000")


def test_a_call_with_applications_cannot_be_deleted(grants: Grants, staff: User) -> None:  # noqa: F811
    submitted(grants)
    client = logged_in(staff)
    response = client.post(
        reverse("admin:grants_call_delete", args=[grants.call.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Question.objects.filter(call=grants.call).count() == len(grants.questions)


def test_questions_of_an_unanswered_call_change_with_an_audit_event_on_the_call(
    grants: Grants,  # noqa: F811
    staff: User,
) -> None:
    first, second = grants.questions[0], grants.questions[1]
    client = logged_in(staff)
    url = reverse("admin:grants_call_change", args=[grants.call.pk])
    data, names = change_form(client, url)
    assert "questions-0-DELETE" in names
    index = {data[f"questions-{i}-id"]: i for i in range(len(grants.questions))}
    data[f"questions-{index[str(first.pk)]}-text"] = "Vad vill ni göra?"
    data[f"questions-{index[str(second.pk)]}-DELETE"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Question.objects.get(pk=first.pk).text == "Vad vill ni göra?"
    assert not Question.objects.filter(pk=second.pk).exists()
    [changed] = admin_events(grants.call, "admin_changed")
    assert f"(id {first.pk})" in changed.comment
    assert f"text: {first.text} → Vad vill ni göra?" in changed.comment
    [deleted] = admin_events(grants.call, "admin_deleted")
    assert f"(id {second.pk})" in deleted.comment and second.text[:30] in deleted.comment


def test_criteria_of_a_scored_programme_are_locked(grants: Grants, staff: User) -> None:  # noqa: F811
    application = submitted(grants)
    criterion = grants.criteria[0]
    Review.objects.create(
        application=application, criterion=criterion, score=4, reviewer=grants.officer
    )
    client = logged_in(staff)
    url = reverse("admin:grants_programme_change", args=[grants.programme.pk])
    data, names = change_form(client, url)
    assert "criteria-0-weight" not in names and "criteria-0-DELETE" not in names
    data.update(
        {
            "criteria-0-id": str(criterion.pk),
            "criteria-0-programme": str(grants.programme.pk),
            "criteria-0-name": criterion.name,
            "criteria-0-weight": "9",
            "criteria-0-position": "0",
            "criteria-0-DELETE": "on",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Criterion.objects.get(pk=criterion.pk).weight == criterion.weight


def test_applications_are_read_only_in_the_admin(grants: Grants, staff: User) -> None:  # noqa: F811
    application = submitted(grants)
    client = logged_in(staff)
    url = reverse("admin:grants_application_change", args=[application.pk])
    assert client.post(url, {"status": "draft", "title": "Ändrad"}).status_code == 403
    delete = reverse("admin:grants_application_delete", args=[application.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    application.refresh_from_db()
    assert application.status == "submitted" and application.title != "Ändrad"


# --- agreements: contributions -------------------------------------------------------------


def _contribution(i: Iop) -> Contribution:
    return ContributionFactory(
        party=i.body_party, year=2027, kind="money", description="Bidrag", value=Decimal("300000")
    )


@pytest.mark.parametrize("status", [AgreementStatus.ACTIVE, AgreementStatus.SIGNING])
def test_a_contribution_of_a_signed_or_signing_agreement_cannot_be_changed_or_deleted(
    iop: Iop,  # noqa: F811
    staff: User,
    status: str,
) -> None:
    contribution = _contribution(iop)
    Agreement.objects.filter(pk=iop.agreement.pk).update(status=status)
    client = logged_in(staff)
    change = reverse("admin:agreements_contribution_change", args=[contribution.pk])
    page = client.get(change).content.decode()
    assert 'name="value"' not in page  # shown read-only
    response = client.post(
        change, {"year": "2027", "kind": "money", "description": "Bidrag", "value": "1"}
    )
    assert response.status_code == 403
    delete = reverse("admin:agreements_contribution_delete", args=[contribution.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    # nor by the changelist's bulk delete action
    response = client.post(
        reverse("admin:agreements_contribution_changelist"),
        {"action": "delete_selected", "_selected_action": [contribution.pk], "post": "yes"},
    )
    assert response.status_code == 403
    contribution.refresh_from_db()
    assert contribution.value == Decimal("300000")
    assert AuditEvent.objects.filter(action__startswith="admin_").count() == 0


def test_a_contribution_in_co_creation_is_corrected_with_an_audit_event(
    iop: Iop,  # noqa: F811
    staff: User,
) -> None:
    contribution = _contribution(iop)
    Agreement.objects.filter(pk=iop.agreement.pk).update(status=AgreementStatus.CO_CREATION)
    client = logged_in(staff)
    url = reverse("admin:agreements_contribution_change", args=[contribution.pk])
    data, _names = change_form(client, url)
    data["value"] = "250000"
    assert client.post(url, data).status_code == 302
    # recorded in the agreement's history
    [event] = admin_events(iop.agreement, "admin_changed")
    assert f"(id {contribution.pk})" in event.comment
    assert "value: 300000.00 → 250000" in event.comment
    delete = reverse("admin:agreements_contribution_delete", args=[contribution.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not Contribution.objects.filter(pk=contribution.pk).exists()
    [deleted] = admin_events(iop.agreement, "admin_deleted")
    assert f"(id {contribution.pk})" in deleted.comment
    assert "value: 250000.00" in deleted.comment and deleted.actor == staff


def test_an_agreement_is_read_only_in_the_admin(iop: Iop, staff: User) -> None:  # noqa: F811
    client = logged_in(staff)
    url = reverse("admin:agreements_agreement_change", args=[iop.agreement.pk])
    assert client.post(url, {"title": "Annat"}).status_code == 403
    delete = reverse("admin:agreements_agreement_delete", args=[iop.agreement.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403


# --- bulk actions, reference data, people ----------------------------------------------------


def test_bulk_delete_writes_one_audit_event_per_object(staff: User) -> None:
    groups = [TargetGroupFactory(name=f"Grupp {n}") for n in range(3)]
    client = logged_in(staff)
    response = client.post(
        reverse("admin:organisations_targetgroup_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [group.pk for group in groups],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert TargetGroup.objects.filter(pk__in=[g.pk for g in groups]).count() == 0
    recorded = AuditEvent.objects.filter(action="admin_deleted", content_type__model="targetgroup")
    assert sorted(e.object_id for e in recorded) == sorted(str(g.pk) for g in groups)
    assert all(e.actor == staff and "name: Grupp" in e.comment for e in recorded)


def test_adding_reference_data_is_audited(staff: User) -> None:
    response = logged_in(staff).post(
        reverse("admin:organisations_targetgroup_add"), {"name": "Seniorer", "position": "3"}
    )
    assert response.status_code == 302
    group = TargetGroup.objects.get(name="Seniorer")
    [event] = admin_events(group, "admin_added")
    assert "name: Seniorer" in event.comment


def test_join_requests_cannot_be_deleted_in_the_admin(staff: User) -> None:
    # A pending request to join counts as an affiliation in the segregation of duties.
    from organisations.models import JoinRequest
    from tests.organisations.factories import JoinRequestFactory, OrganisationFactory

    request = JoinRequestFactory(organisation=OrganisationFactory(), user=UserFactory())
    delete = reverse("admin:organisations_joinrequest_delete", args=[request.pk])
    assert logged_in(staff).post(delete, {"post": "yes"}).status_code == 403
    assert JoinRequest.objects.filter(pk=request.pk).exists()


def test_a_persons_password_and_staff_flag_changes_are_recorded_on_the_person(
    staff: User,
) -> None:
    person = UserFactory(name="Petra Person")
    client = logged_in(staff)
    url = reverse("admin:portal_user_change", args=[person.pk])
    data, _names = change_form(client, url)
    data["is_staff"] = "on"
    assert client.post(url, data).status_code == 302
    [event] = admin_events(person, "admin_changed")
    assert "is_staff: no → yes" in event.comment
    response = client.post(
        reverse("admin:auth_user_password_change", args=[person.pk]),
        {"password1": "ett-långt-lösenord-123", "password2": "ett-långt-lösenord-123"},
    )
    assert response.status_code == 302
    assert any("password: changed" in e.comment for e in admin_events(person, "admin_changed"))
    assert not any("ett-långt" in e.comment for e in AuditEvent.objects.all())


def test_removing_a_persons_second_factor_is_recorded_on_the_person(staff: User) -> None:
    person = UserFactory(name="Olle Officer")
    authenticator = give_totp(person)
    client = logged_in(staff)
    change = reverse("admin:mfa_authenticator_change", args=[authenticator.pk])
    assert client.post(change, {"type": "totp", "data": "{}"}).status_code == 403
    delete = reverse("admin:mfa_authenticator_delete", args=[authenticator.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not Authenticator.objects.filter(pk=authenticator.pk).exists()
    [event] = admin_events(person, "admin_deleted")
    assert event.actor == staff and f"(id {authenticator.pk})" in event.comment
    assert str(authenticator.data.get("secret")) not in event.comment
