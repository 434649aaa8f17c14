"""Segregation of duties in grants, from the attacker's side.

The attack this closes: one account with both officer and decision-maker roles joined an
association, applied in its name and decided its own grant at the amount it wanted. An officer
or decision maker who is affiliated with the applicant organisation (a member, a member within
SEGREGATION_FORMER_MEMBER_DAYS, with a pending join request, or who registered it) or who has
declared a conflict of interest (jäv) does not see the case in any officer list, cannot open it
(404), and every action is refused with nothing changed; a colleague who is not affiliated can.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from grants import selectors, services
from grants.models import Application, ApplicationStatus, Payment
from organisations import segregation
from organisations import services as organisation_services
from organisations.models import (
    ConflictOfInterest,
    JoinRequest,
    JoinRequestStatus,
    OrganisationMembership,
    OrganisationRole,
)
from portal.models import AuditEvent, User
from tests.grants.conftest import (
    SEGREGATION_QUERIES,
    Grants,
    add_applications,
    complete_draft,
    decide_proposal,
    proposed,
    score_all,
    seen_version,
    submitted,
)
from tests.grants.factories import (
    ApplicationFactory,
    FollowUpReportFactory,
    PaymentFactory,
    RecoveryFactory,
)
from tests.helpers.audit import audit_events
from tests.helpers.clients import logged_in, shown_messages
from tests.helpers.queries import assert_same_query_count, count_queries
from tests.organisations.factories import (
    OrganisationFactory,
    OrganisationMembershipFactory,
    PastMembershipFactory,
)
from tests.portal.factories import officer_and_decision_maker

pytestmark = pytest.mark.django_db


def _member(g: Grants, user: User) -> None:
    OrganisationMembershipFactory(
        organisation=g.organisation, user=user, role=OrganisationRole.EDITOR
    )


def _former_member(g: Grants, user: User) -> None:
    now = timezone.now()
    PastMembershipFactory(
        organisation=g.organisation,
        user=user,
        role=OrganisationRole.REPRESENTATIVE,
        started_at=now - timedelta(days=400),
        ended_at=now - timedelta(days=settings.SEGREGATION_FORMER_MEMBER_DAYS - 1),
    )


def _pending_join_request(g: Grants, user: User) -> None:
    organisation_services.join_request_create(organisation=g.organisation, actor=user)


def _registered_it(g: Grants, user: User) -> None:
    g.organisation.created_by = user
    g.organisation.save(update_fields=["created_by"])


AFFILIATIONS: dict[str, Callable[[Grants, User], None]] = {
    "member": _member,
    "former-member-within-the-period": _former_member,
    "pending-join-request": _pending_join_request,
    "registered-the-organisation": _registered_it,
}


def in_review(g: Grants) -> Application:
    application = submitted(g)
    services.application_start_review(application=application, actor=g.officer)
    application.refresh_from_db()
    return application


def decided_and_paid(g: Grants) -> Application:
    """A decided grant with a payment, a follow-up report and a recovery, made by colleagues."""
    g.call.follow_up_required = True
    g.call.save()
    application = decide_proposal(proposed(g), g.decision_maker)
    PaymentFactory(
        application=application,
        amount=Decimal("10000"),
        paid_on=timezone.localdate(),
        reference="F-1",
        account=g.organisation.payment_account_display,
        registered_by=g.officer,
    )
    FollowUpReportFactory(application=application, due_date=timezone.localdate())
    RecoveryFactory(
        application=application,
        amount=Decimal("500"),
        reason="Ej förbrukat.",
        due_date=timezone.localdate() + timedelta(days=30),
        opened_by=g.officer,
    )
    return application


def listed(client: Client, name: str) -> set[int]:
    """The application ids an officer list page shows on its first page."""
    response = client.get(reverse(f"grants:{name}"))
    assert response.status_code == 200
    return {
        item.pk if isinstance(item, Application | selectors.CaseRow) else item.application_id
        for item in response.context["page"].object_list
    }


def trail(application: Application) -> int:
    return audit_events(application).count()


@pytest.mark.parametrize("affiliation", AFFILIATIONS)
def test_an_affiliated_officer_does_not_see_the_case_in_any_list_but_a_colleague_does(
    grants: Grants, affiliation: str
) -> None:
    g = grants
    attacker = officer_and_decision_maker(g.body)
    AFFILIATIONS[affiliation](g, attacker)
    money = decided_and_paid(g)
    waiting = proposed(g, amount=Decimal("20000"), outcome="partly")
    other_organisation = OrganisationFactory(status="verified")
    control = ApplicationFactory(
        call=g.call,
        organisation=other_organisation,
        public_body=g.body,
        status=ApplicationStatus.SUBMITTED,
        title="En annan förening",
        registry_number="KFN 2026/900",
        submitted_at=timezone.now(),
        created_by=g.outsider,
    )

    attacker_client, colleague = logged_in(attacker), logged_in(g.officer)
    assert listed(attacker_client, "inbox") == {control.pk}
    # the list says why cases are missing (from what the request already read)
    assert attacker_client.get(reverse("grants:inbox")).context["segregated"] is True
    assert colleague.get(reverse("grants:inbox")).context["segregated"] is False
    assert listed(colleague, "inbox") >= {money.pk, waiting.pk, control.pk}
    assert listed(attacker_client, "decisions") == set()
    assert listed(logged_in(g.other_decision_maker), "decisions") == {waiting.pk}
    for name in ("payments", "reports", "recoveries"):
        assert listed(attacker_client, name) == set(), name
        assert listed(colleague, name) == {money.pk}, name
    # the exports are the same lists
    export = attacker_client.get(reverse("grants:payments"), {"export": "csv"})
    assert money.registry_number not in b"".join(export.streaming_content).decode("utf-8-sig")


@pytest.mark.parametrize("affiliation", AFFILIATIONS)
def test_an_affiliated_officer_cannot_open_the_case_or_act_on_it(
    grants: Grants, affiliation: str
) -> None:
    g = grants
    attacker = officer_and_decision_maker(g.body)
    AFFILIATIONS[affiliation](g, attacker)
    client = logged_in(attacker)
    fresh, reviewing, waiting = submitted(g), in_review(g), proposed(g)
    money = decided_and_paid(g)
    recovery = money.recoveries.get()
    before = {
        a.pk: (a.status, a.assigned_to_id, trail(a)) for a in (fresh, reviewing, waiting, money)
    }

    for application in (fresh, reviewing, waiting, money):
        page = client.get(reverse("grants:officer_application", args=[application.pk]))
        assert page.status_code == 404
        # nor does its registration number in the inbox's search open it (or list it)
        found = client.get(reverse("grants:inbox"), {"q": application.registry_number})
        assert found.status_code == 200 and list(found.context["page"].object_list) == []
    assert client.get(reverse("grants:officer_report", args=[money.pk])).status_code == 404

    today = timezone.localdate().isoformat()
    attempts = [
        ("assign", fresh, {"assignee": attacker.pk}),
        ("start_review", fresh, {}),
        ("request_completion", fresh, {"message": "Mer underlag.", "due": today}),
        ("propose", reviewing, {"outcome": "approve", "motivation": "Bra.", "seen_version": "x"}),
        ("decide", waiting, {"decision": "confirm", "seen_version": "x", "confirmed": "1"}),
        (
            "decide",
            waiting,
            {
                "decision": "change",
                "amount": "40000",
                "change_reason": "Jag vill ha allt.",
                "confirmed": "1",
            },
        ),
        ("payment_add", money, {"amount": "100", "paid_on": today, "reference": "X"}),
        ("recovery_add", money, {"amount": "100", "reason": "X", "due_date": today}),
        ("officer_report", money, {"decision": "approve", "comment": ""}),
    ]
    for name, application, data in attempts:
        response = client.post(reverse(f"grants:{name}", args=[application.pk]), data)
        assert response.status_code == 404, name
    response = client.post(
        reverse("grants:recovery_paid", args=[money.pk, recovery.pk]),
        {"confirmed": "1", "paid_on": today},
    )
    assert response.status_code == 404
    response = client.post(
        reverse("grants:assess", args=[fresh.pk]),
        {f"c{g.criteria[0].pk}-score": 5},
    )
    assert response.status_code == 404

    for application in (fresh, reviewing, waiting, money):
        application.refresh_from_db()
        assert (
            application.status,
            application.assigned_to_id,
            trail(application),
        ) == before[application.pk]
    assert money.payments.count() == 1 and money.recoveries.count() == 1
    recovery.refresh_from_db()
    assert recovery.status == "open"
    assert not fresh.reviews.exists()


def test_the_services_refuse_an_affiliated_officer_even_without_the_views(grants: Grants) -> None:
    """The rule is in the permission predicates the services call, not only in the selectors."""
    g = grants
    attacker = officer_and_decision_maker(g.body)
    _member(g, attacker)
    fresh, waiting = submitted(g), proposed(g)
    with pytest.raises(PermissionDenied):
        services.application_assign(application=fresh, actor=attacker, assignee=attacker)
    with pytest.raises(PermissionDenied):
        services.application_start_review(application=fresh, actor=attacker)
    with pytest.raises(PermissionDenied):
        decide_proposal(waiting, attacker)
    with pytest.raises(PermissionDenied):
        services.recovery_open(
            application=waiting,
            actor=attacker,
            amount=Decimal(1),
            reason="x",
            due_date=date(2030, 1, 1),
        )
    # nor may a colleague assign the case to the affiliated officer: not offered, and refused
    # with a message that says why
    page = logged_in(g.officer).get(reverse("grants:officer_application", args=[fresh.pk]))
    offered = {
        int(str(pk)) for pk, _label in page.context["assign_form"].fields["assignee"].choices if pk
    }
    assert attacker.pk not in offered and g.officer.pk in offered
    with pytest.raises(ValidationError, match="conflict of interest"), translation.override("en"):
        services.application_assign(application=fresh, actor=g.officer, assignee=attacker)
    fresh.refresh_from_db()
    waiting.refresh_from_db()
    assert (fresh.status, fresh.assigned_to_id, waiting.status) == ("submitted", None, "proposed")


def test_a_former_member_is_free_again_after_the_period(grants: Grants) -> None:
    g = grants
    officer = officer_and_decision_maker(g.body)
    now = timezone.now()
    PastMembershipFactory(
        organisation=g.organisation,
        user=officer,
        role=OrganisationRole.EDITOR,
        started_at=now - timedelta(days=3000),
        ended_at=now - timedelta(days=settings.SEGREGATION_FORMER_MEMBER_DAYS + 1),
    )
    application = submitted(g)
    client = logged_in(officer)
    assert application.pk in listed(client, "inbox")
    assert (
        client.get(reverse("grants:officer_application", args=[application.pk])).status_code == 200
    )


def test_a_colleague_who_is_not_affiliated_decides_the_case_the_attacker_could_not(
    grants: Grants,
) -> None:
    g = grants
    attacker = officer_and_decision_maker(g.body)
    _member(g, attacker)
    application = proposed(g)
    decider = logged_in(g.other_decision_maker)
    page = decider.get(reverse("grants:officer_application", args=[application.pk]))
    assert page.status_code == 200
    assert reverse("grants:decide", args=[application.pk]) in page.content.decode()
    decider.post(
        reverse("grants:decide", args=[application.pk]),
        {
            "decision": "confirm",
            "seen_version": seen_version(decider, application, "decision_form"),
            "confirmed": "1",
        },
    )
    application.refresh_from_db()
    assert (application.status, application.decided_by) == ("approved", g.other_decision_maker)


def test_declaring_a_conflict_of_interest_takes_the_officer_out_of_the_case(
    grants: Grants,
) -> None:
    g = grants
    application = proposed(g)
    client = logged_in(g.other_decision_maker)
    page_url = reverse("grants:officer_application", args=[application.pk])
    declare_url = reverse("grants:declare_conflict", args=[application.pk])
    page = client.get(page_url).content.decode()
    assert declare_url in page and reverse("grants:decide", args=[application.pk]) in page

    # without a reason: nothing is declared, the officer stays on the case
    response = client.post(declare_url, {"confirmed": "1", "reason": "  "})
    assert response.status_code == 302 and response["Location"] == page_url
    assert not ConflictOfInterest.objects.exists()
    assert client.get(page_url).status_code == 200

    response = client.post(
        declare_url, {"confirmed": "1", "reason": "Min bror är ordförande."}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("grants:inbox")
    assert any(application.registry_number in m for m in shown_messages(response))
    declaration = ConflictOfInterest.objects.get(
        object_id=str(application.pk), content_type__model="application"
    )
    assert declaration.user == g.other_decision_maker
    # A conflict in the application is a conflict with the applicant: the organisation's own
    # case (verification, documents) is out of bounds for the declarer too.
    assert ConflictOfInterest.objects.filter(
        user=g.other_decision_maker,
        object_id=str(g.organisation.pk),
        content_type__model="organisation",
    ).exists()
    assert segregation.is_excluded(g.other_decision_maker, organisation_ids=[g.organisation.pk])
    event = AuditEvent.objects.get(
        object_id=str(application.pk),
        content_type__model="application",
        action="conflict_declared",
    )
    assert (event.actor, event.comment) == (g.other_decision_maker, "Min bror är ordförande.")
    # the case history on a colleague's page shows the declaration
    colleague_page = logged_in(g.officer).get(page_url)
    assert event in colleague_page.context["history"]

    assert client.get(page_url).status_code == 404
    assert application.pk not in listed(client, "decisions")
    response = client.post(
        reverse("grants:decide", args=[application.pk]),
        {"decision": "confirm", "seen_version": "x", "confirmed": "1"},
    )
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        decide_proposal(application, g.other_decision_maker)
    assert client.post(declare_url, {"confirmed": "1", "reason": "Igen."}).status_code == 404
    application.refresh_from_db()
    assert application.status == "proposed"
    # the declaration is personal: another decision maker still decides
    decide_proposal(application, g.decision_maker)
    assert application.status == "approved"


def test_a_case_officer_who_declared_jav_is_out_of_the_inbox_and_the_lists(grants: Grants) -> None:
    g = grants
    money = decided_and_paid(g)
    client = logged_in(g.officer)
    attachment = reverse("grants:attachment", args=[money.pk, money.attachments.get().pk])
    assert money.pk in listed(client, "inbox") and money.pk in listed(client, "payments")
    assert client.get(attachment).status_code == 200
    client.post(
        reverse("grants:declare_conflict", args=[money.pk]), {"confirmed": "1", "reason": "Jäv."}
    )
    assert client.get(attachment).status_code == 404
    assert client.get(reverse("grants:officer_report", args=[money.pk])).status_code == 404
    assert client.get(reverse("grants:officer_application", args=[money.pk])).status_code == 404
    for name in ("inbox", "payments", "reports", "recoveries"):
        assert money.pk not in listed(client, name), name
    response = client.post(
        reverse("grants:payment_add", args=[money.pk]),
        {
            "confirmed": "1",
            "amount": "100",
            "paid_on": timezone.localdate().isoformat(),
            "reference": "X",
        },
    )
    assert response.status_code == 404
    assert money.payments.count() == 1


def test_the_attack_from_the_issue_is_refused_step_by_step(grants: Grants) -> None:
    """Join request → answer it oneself (refused) → a member by the association's own answer →
    apply → decide one's own grant at the amount one wants (refused) → pay it (refused)."""
    g = grants
    attacker = officer_and_decision_maker(g.body, name="Mallory Dubbelroll")
    client = logged_in(attacker)

    client.post(
        reverse("organisations:join_request_create"),
        {"organisation_number": g.organisation.organisation_number, "message": "Hej!"},
    )
    join_request = JoinRequest.objects.get(user=attacker)
    assert join_request.status == JoinRequestStatus.PENDING
    client.post(
        reverse(
            "organisations:officer_join_request_decide",
            args=[g.organisation.pk, join_request.pk],
        ),
        {"decision": "accept", "role": OrganisationRole.EDITOR},
    )
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.PENDING
    assert not OrganisationMembership.objects.filter(user=attacker).exists()

    # the association's representative lets them in; from now on they are a member
    organisation_services.join_request_decide(
        join_request=join_request,
        actor=g.representative,
        accept=True,
        role=OrganisationRole.EDITOR,
    )
    application = complete_draft(g, actor=attacker)
    services.application_submit(application=application, actor=attacker)
    application.refresh_from_db()
    assert application.pk not in listed(client, "inbox")
    assert client.post(reverse("grants:start_review", args=[application.pk])).status_code == 404

    # a colleague assesses and proposes less than applied for
    services.application_start_review(application=application, actor=g.officer)
    application.refresh_from_db()
    score_all(g, application)
    services.application_propose(
        application=application,
        actor=g.officer,
        outcome="partly",
        amount=Decimal("10000"),
        motivation="Delvis rimligt.",
        seen_version=services.proposal_version(application),
    )
    application.refresh_from_db()
    assert application.pk not in listed(client, "decisions")
    response = client.post(
        reverse("grants:decide", args=[application.pk]),
        {
            "decision": "change",
            "amount": "40000",
            "change_reason": "Full summa.",
            "seen_version": "x",
            "confirmed": "1",
        },
    )
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        decide_proposal(application, attacker, decision="change", amount=Decimal("40000"))
    application.refresh_from_db()
    assert (application.status, application.decided_amount) == ("proposed", None)

    # decided by someone else as proposed; the attacker cannot pay it either
    decide_proposal(application, g.decision_maker)
    assert (application.status, application.decided_amount) == (
        "partly_approved",
        Decimal("10000"),
    )
    response = client.post(
        reverse("grants:payment_add", args=[application.pk]),
        {
            "confirmed": "1",
            "amount": "10000",
            "paid_on": timezone.localdate().isoformat(),
            "reference": "X",
        },
    )
    assert response.status_code == 404
    assert not Payment.objects.filter(application=application).exists()


def test_the_inbox_of_an_officer_with_exclusions_keeps_a_fixed_number_of_queries(
    grants: Grants,
) -> None:
    g = grants
    officer = officer_and_decision_maker(g.body)
    _former_member(g, officer)
    add_applications(g, 5)
    declared = Application.objects.exclude(organisation=g.organisation).first()
    assert declared is not None
    organisation_services.conflict_declare(actor=officer, case=declared, reason="Jäv.")
    client = logged_in(officer)
    url = reverse("grants:inbox")
    client.get(url)
    with count_queries() as few:
        first = client.get(url)
    add_applications(g, 195)
    with count_queries() as many:
        response = client.get(url)
    assert_same_query_count(few, many)
    assert len(many) <= 10 + SEGREGATION_QUERIES
    assert declared.pk not in {a.pk for a in first.context["page"].object_list}
    assert response.context["page"].paginator.count == 199


def test_the_question_before_jav_says_the_officer_leaves_the_organisations_other_cases(
    grants: Grants,
) -> None:
    """Declaring jäv on one application takes the officer out of every case of the applicant:
    the confirmation says so before they agree, and a reason left empty is named."""
    g = grants
    application = proposed(g)
    client = logged_in(g.other_decision_maker)
    declare_url = reverse("grants:declare_conflict", args=[application.pk])
    page = client.post(declare_url, {"reason": "Min bror är ordförande."}).content.decode()
    assert "du lämnar också dess andra ärenden" in page
    assert g.organisation.name in page
    assert not ConflictOfInterest.objects.exists()
    response = client.post(declare_url, {"confirmed": "1", "reason": "  "}, follow=True)
    assert "Skriv varför du är jävig i det här ärendet." in shown_messages(response)
