from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from grants import services
from grants.models import (
    Application,
    ApplicationStatus,
    AttachmentType,
    BudgetLineKind,
    Call,
    Criterion,
    Payment,
    Programme,
    ProgrammeKind,
    Question,
    QuestionKind,
)
from organisations import selectors as organisation_selectors
from organisations import services as organisation_services
from organisations.models import DocumentKind, Organisation, OrganisationRole, OrganisationStatus
from portal.models import PublicBody, PublicBodyRole, User
from tests.grants.factories import (
    AttachmentTypeFactory,
    CallFactory,
    CriterionFactory,
    ProgrammeFactory,
    QuestionFactory,
)
from tests.helpers.forms import state_of
from tests.organisations.factories import (
    OrganisationFactory,
    OrganisationMembershipFactory,
    pdf_upload,
)
from tests.portal.factories import CommitteeFactory, MembershipFactory, give_totp


@dataclass
class Grants:
    body: PublicBody
    programme: Programme
    call: Call
    questions: list[Question]
    attachment_type: AttachmentType
    criteria: list[Criterion]
    organisation: Organisation
    representative: User
    editor: User
    viewer: User
    officer: User
    decision_maker: User
    other_decision_maker: User
    other_body_officer: User
    outsider: User  # representative of another organisation


def make_call(programme: Programme, **overrides: object) -> Call:
    """A call of `programme` open for ten more days, with four questions (long text, number,
    choice, and an optional yes or no) and one required attachment; `overrides` for the call."""
    call = CallFactory(programme=programme, **overrides)
    QuestionFactory(
        call=call, position=0, text="Beskriv projektet", kind=QuestionKind.LONG_TEXT, max_length=500
    )
    QuestionFactory(call=call, position=1, text="Antal deltagare", kind=QuestionKind.NUMBER)
    QuestionFactory(
        call=call, position=2, text="Var?", kind=QuestionKind.CHOICE, choices=["Norr", "Söder"]
    )
    QuestionFactory(
        call=call, position=3, text="Andra bidrag?", kind=QuestionKind.YES_NO, required=False
    )
    AttachmentTypeFactory(call=call, name="Projektplan", required=True)
    return call


@pytest.fixture
def grants(db: None) -> Grants:
    body = CommitteeFactory(name="Kultur- och fritidsnämnden", registry_prefix="KFN")
    officer = MembershipFactory(
        public_body=body, role=PublicBodyRole.CASE_OFFICER, user__name="Hanna Handläggare"
    ).user
    give_totp(officer)
    decision_maker = MembershipFactory(
        public_body=body, role=PublicBodyRole.DECISION_MAKER, user__name="Bengt Beslut"
    ).user
    give_totp(decision_maker)
    other_decision_maker = MembershipFactory(
        public_body=body, role=PublicBodyRole.DECISION_MAKER, user__name="Berit Beslut"
    ).user
    give_totp(other_decision_maker)
    other_body_officer = MembershipFactory(
        role=PublicBodyRole.CASE_OFFICER, user__name="Sune Socialnämnd"
    ).user
    give_totp(other_body_officer)
    programme = ProgrammeFactory(
        public_body=body,
        name="Projektbidrag",
        kind=ProgrammeKind.PROJECT,
        required_document_kinds=[DocumentKind.STATUTES.value],
    )
    criteria = [
        CriterionFactory(programme=programme, name="Nytta", weight=3, position=0),
        CriterionFactory(programme=programme, name="Genomförbarhet", weight=1, position=1),
    ]
    call = make_call(programme)
    organisation = OrganisationFactory(
        name="Idrottsföreningen Exempel",
        status=OrganisationStatus.VERIFIED,
        payment_details_verified=True,
    )
    representative = OrganisationMembershipFactory(
        organisation=organisation,
        role=OrganisationRole.REPRESENTATIVE,
        user__name="Rita Representant",
    ).user
    editor = OrganisationMembershipFactory(
        organisation=organisation, role=OrganisationRole.EDITOR
    ).user
    viewer = OrganisationMembershipFactory(
        organisation=organisation, role=OrganisationRole.VIEWER
    ).user
    version = organisation_services.document_upload(
        organisation=organisation,
        actor=representative,
        year=timezone.localdate().year,
        kind=DocumentKind.STATUTES,
        upload=pdf_upload(),
    )
    organisation_services.document_review(
        document=version.document,
        actor=officer,
        approve=True,
        seen_version=organisation_selectors.document_version_of(version),
    )
    outsider = OrganisationMembershipFactory(organisation__status=OrganisationStatus.VERIFIED).user
    return Grants(
        body=body,
        programme=programme,
        call=call,
        questions=list(call.questions.all()),
        attachment_type=call.attachment_types.get(),
        criteria=criteria,
        organisation=organisation,
        representative=representative,
        editor=editor,
        viewer=viewer,
        officer=officer,
        decision_maker=decision_maker,
        other_decision_maker=other_decision_maker,
        other_body_officer=other_body_officer,
        outsider=outsider,
    )


@pytest.fixture
def de_minimis(grants: Grants) -> Grants:
    """The grants world with its programme classed as de minimis aid (`tests.grants.aid`)."""
    from tests.grants import aid

    return aid.set_up(grants)


def complete_draft(
    g: Grants, *, amount: str = "40000", call: Call | None = None, actor: User | None = None
) -> Application:
    """A draft with everything a submit needs."""
    call = call or g.call
    actor = actor or g.editor
    application = services.application_start(actor=actor, call=call, organisation=g.organisation)
    questions = list(call.questions.all())
    services.application_save(
        application=application,
        actor=actor,
        title="Kvällsöppet för unga",
        answers={
            str(questions[0].pk): "Öppen verksamhet två kvällar i veckan.",
            str(questions[1].pk): "40",
            str(questions[2].pk): "Norr",
        },
        amount_requested=Decimal(amount),
        planned_start=timezone.localdate() + timedelta(days=30),
        planned_end=timezone.localdate() + timedelta(days=120),
        budget_lines=[
            {"kind": BudgetLineKind.COST, "description": "Ledare", "amount": Decimal(amount)},
            {
                "kind": BudgetLineKind.OWN_FINANCING,
                "description": "Egen insats",
                "amount": Decimal("5000"),
            },
        ],
    )
    services.attachment_add(
        application=application,
        actor=actor,
        attachment_type=call.attachment_types.first(),
        upload=pdf_upload("plan.pdf"),
    )
    application.refresh_from_db()
    return application


def submitted(g: Grants, **kwargs: object) -> Application:
    application = complete_draft(g, **kwargs)  # type: ignore[arg-type]
    services.application_submit(application=application, actor=g.editor)
    application.refresh_from_db()
    return application


def score_all(g: Grants, application: Application, score: int = 4) -> None:
    """The officer scores every criterion of the programme (a proposal needs them all)."""
    services.assessment_save(
        application=application,
        actor=g.officer,
        scores=[(criterion, score, "") for criterion in g.criteria],
    )
    application.refresh_from_db()


def proposed(
    g: Grants, *, outcome: str = "approve", amount: Decimal | None = None, **kwargs: object
) -> Application:
    application = submitted(g, **kwargs)
    services.application_start_review(application=application, actor=g.officer)
    application.refresh_from_db()
    score_all(g, application)
    services.application_propose(
        application=application,
        actor=g.officer,
        outcome=outcome,
        amount=amount,
        motivation="Bra projekt.",
        seen_version=services.proposal_version(application),
    )
    application.refresh_from_db()
    return application


def decide_proposal(
    application: Application, actor: User, decision: str = "confirm", **kwargs: object
) -> Application:
    """Decide as a decision maker who has seen the proposal as it stands now."""
    application.refresh_from_db()
    services.application_decide(
        application=application,
        actor=actor,
        decision=decision,
        seen_version=services.decision_version(application),
        **kwargs,  # type: ignore[arg-type]
    )
    application.refresh_from_db()
    return application


def seen_version(client: Client, application: Application, form: str) -> str:
    """The version a form on the officer's page carries (what the person saw), as a browser
    would send it: `form` is "proposal_form", "decision_form" or "payment_form"."""
    from django.urls import reverse

    response = client.get(reverse("grants:officer_application", args=[application.pk]))
    assert response.status_code == 200
    return str(response.context[form]["seen_version"].value())


# Segregation of duties reads, once per request, the organisations the officer is affiliated
# with and the conflicts of interest they declared (one query for both), and keeps them on the
# user object: an officer page costs at most this 1 query more, whatever the number of rows.
SEGREGATION_QUERIES = 1


def add_applications(g: Grants, count: int) -> None:
    """`count` more submitted-or-later applications to the call, from up to 20 organisations."""
    statuses = [s for s, _label in ApplicationStatus.choices if s != "draft"]
    organisations = OrganisationFactory.create_batch(min(count, 20), status="verified")
    start = Application.objects.count()
    Application.objects.bulk_create(
        Application(
            call=g.call,
            public_body=g.body,
            organisation=organisations[i % len(organisations)],
            status=statuses[i % len(statuses)],
            title=f"Ansökan {start + i}",
            amount_requested=Decimal(10000 + i),
            registry_number=f"KFN 2026/{start + i + 1}",
            submitted_at=timezone.now(),
            # some sent in again after a completion: the inbox marks them, from the row
            completed_at=timezone.now() if i % 3 == 0 else None,
            created_by=g.editor,
            assigned_to=g.officer if i % 2 else None,
        )
        for i in range(count)
    )


def form_post(g: Grants, application: Application, **extra: str) -> dict[str, str]:
    """The application form as a member fills it in on the page (`extra` added or replacing)."""
    q = g.questions
    data = {
        "title": "Kvällsöppet för unga",
        f"question_{q[0].pk}": "Öppen verksamhet två kvällar i veckan.",
        f"question_{q[1].pk}": "40",
        f"question_{q[2].pk}": "Norr",
        f"question_{q[3].pk}": "no",
        "amount_requested": "40 000",
        "planned_start": "2027-03-01",
        "planned_end": "2027-06-30",
        "budget-TOTAL_FORMS": "3",
        "budget-INITIAL_FORMS": "0",
        "budget-MIN_NUM_FORMS": "0",
        "budget-MAX_NUM_FORMS": "60",
        "budget-0-kind": "cost",
        "budget-0-description": "Ledare",
        "budget-0-amount": "35 000",
        "budget-1-kind": "cost",
        "budget-1-description": "Material",
        "budget-1-amount": "10000,50",
        "budget-2-kind": "own",
        "budget-2-description": "Egen insats",
        "budget-2-amount": "5 000",
    }
    data["seen_state"] = state_of(application)  # the page as drawn now
    data.update(extra)
    return data


def decided(g: Grants, amount: str = "40000", **call_changes: object) -> Application:
    """An application proposed and decided as proposed, to a call that asks for a follow-up
    report and has the budget for it (`call_changes` to the call first)."""
    for field, value in {
        "follow_up_required": True,
        "budget": Decimal("1000000"),
        **call_changes,
    }.items():
        setattr(g.call, field, value)
    g.call.save()
    application = proposed(g, amount=amount)
    return decide_proposal(application, g.decision_maker)


def pay(
    g: Grants, application: Application, amount: str | None = None, reference: str = "F-1"
) -> Payment:
    """The officer pays `amount` today (the whole decided amount unless given), having seen the
    application as it is now."""
    return services.payment_register(
        application=application,
        actor=g.officer,
        amount=Decimal(amount) if amount is not None else application.decided_amount or Decimal(0),
        paid_on=timezone.localdate(),
        reference=reference,
        seen_version=services.payment_version(application),
    )
