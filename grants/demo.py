"""Demo data of the grants app for `manage.py seed_demo` (DEBUG only), idempotent by title.

Applications are made through the services, as the associations and officers would: the closed
call is opened, applied to and handled, and then its closing time is moved into the past."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from functools import partial

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from grants import demo_history, open_data_store, services
from grants.models import (
    Application,
    AttachmentType,
    BudgetLineKind,
    Call,
    Criterion,
    Programme,
    ProgrammeKind,
    Question,
    QuestionKind,
    StateAidClass,
)
from organisations import selectors as organisation_selectors
from organisations import services as organisation_services
from organisations import state_aid
from organisations.demo import MINIMAL_PDF, demo_member
from organisations.models import (
    AidInstrument,
    AidRegulation,
    DocumentKind,
    Organisation,
    OrganisationStatus,
)
from portal.models import PublicBody, User

OPEN_CALL = "Mötesplatser för unga 2027"
CLOSED_CALL = "Arrangemangsbidrag hösten 2026"
DE_MINIMIS_CALL = "Evenemang med publik 2027"


def _programme(body: PublicBody) -> Programme:
    programme, created = Programme.objects.get_or_create(
        public_body=body,
        name="Projektbidrag för kultur och fritid",
        defaults={
            "kind": ProgrammeKind.PROJECT,
            "rules": "Bidraget går till tidsbegränsade projekt som ger barn och unga nya mötesplatser. "
            "Föreningen ska vara verifierad och ha lämnat stadgar och verksamhetsberättelse.",
            "requires_verified": True,
            "required_document_kinds": [
                DocumentKind.STATUTES.value,
                DocumentKind.ACTIVITY_REPORT.value,
            ],
        },
    )
    if created:
        for position, (name, weight) in enumerate(
            [
                ("Nytta för målgruppen", 3),
                ("Genomförbarhet och budget", 2),
                ("Samverkan och delaktighet", 1),
            ]
        ):
            Criterion.objects.create(
                programme=programme, name=name, weight=weight, position=position
            )
    return programme


def _de_minimis_programme(body: PublicBody) -> Programme:
    """A programme whose grants are de minimis aid: events that sell tickets on a market."""
    programme, created = Programme.objects.get_or_create(
        public_body=body,
        name="Evenemangsbidrag för publika arrangemang",
        defaults={
            "kind": ProgrammeKind.EVENT,
            "rules": "Bidraget går till större publika evenemang i kommunen, till exempel "
            "festivaler och konserter med entréavgifter.",
            "requires_verified": True,
            "state_aid_class": StateAidClass.DE_MINIMIS,
            "state_aid_reasons": "Evenemangen säljer biljetter, mat och reklamplats på en marknad "
            "där också kommersiella arrangörer finns: det är ekonomisk verksamhet, och stödet "
            "ges som stöd av mindre betydelse enligt förordning (EU) 2023/2831. Handläggaren "
            "bedömer varje ansökan för sig; ett arrangemang utan entré och försäljning är "
            "vanligen inte ekonomisk verksamhet.",
        },
    )
    if created:
        for position, (name, weight) in enumerate(
            [("Betydelse för kommunens kulturliv", 2), ("Genomförbarhet och budget", 1)]
        ):
            Criterion.objects.create(
                programme=programme, name=name, weight=weight, position=position
            )
    return programme


def _call(
    programme: Programme,
    title: str,
    *,
    closes_in_days: int,
    budget: int,
    description: str = "Sök bidrag för projekt som skapar nya mötesplatser för barn och unga i "
    "kommunen. Beskriv vad ni vill göra, för vem och hur ni följer upp resultatet.",
) -> tuple[Call, bool]:
    existing = Call.objects.filter(title=title).first()
    if existing:
        return existing, False
    now = timezone.now()
    call = Call.objects.create(
        programme=programme,
        title=title,
        description=description,
        budget=Decimal(budget),
        opens_at=now - timedelta(days=20),
        closes_at=now + timedelta(days=max(closes_in_days, 1)),
        follow_up_required=True,
        follow_up_days_after_end=60,
    )
    for position, (text, kind, choices) in enumerate(
        [
            ("Beskriv projektet", QuestionKind.LONG_TEXT, []),
            ("Hur många deltagare räknar ni med?", QuestionKind.NUMBER, []),
            (
                "Var genomförs projektet?",
                QuestionKind.CHOICE,
                ["Centrum", "Norr", "Söder", "Hela kommunen"],
            ),
            ("Har ni sökt bidrag från andra för projektet?", QuestionKind.YES_NO, []),
        ]
    ):
        Question.objects.create(
            call=call, position=position, text=text, kind=kind, choices=choices, max_length=3000
        )
    AttachmentType.objects.create(call=call, name="Projektplan", required=True)
    return call, True


def _fill(application: Application, actor: User, amount: int, title: str = "") -> None:
    questions = list(application.call.questions.all())
    services.application_save(
        application=application,
        actor=actor,
        title=title or f"Projekt: {application.organisation.name}",
        answers={
            str(
                questions[0].pk
            ): "Vi vill starta en öppen verksamhet två kvällar i veckan med aktiviteter som ungdomarna själva väljer.",
            str(questions[1].pk): "40",
            str(questions[2].pk): "Hela kommunen",
            str(questions[3].pk): "no",
        },
        amount_requested=Decimal(amount),
        planned_start=timezone.localdate() - timedelta(days=40),
        planned_end=timezone.localdate() - timedelta(days=10),
        budget_lines=[
            {
                "kind": BudgetLineKind.COST,
                "description": "Ledararvoden",
                "amount": Decimal(amount) * Decimal("0.6"),
            },
            {
                "kind": BudgetLineKind.COST,
                "description": "Material och lokal",
                "amount": Decimal(amount) * Decimal("0.6"),
            },
            {
                "kind": BudgetLineKind.OWN_FINANCING,
                "description": "Egen insats",
                "amount": Decimal(amount) * Decimal("0.2"),
            },
        ],
    )
    services.attachment_add(
        application=application,
        actor=actor,
        attachment_type=application.call.attachment_types.first(),
        upload=SimpleUploadedFile("projektplan.pdf", MINIMAL_PDF, content_type="application/pdf"),
    )


def seed_grants(*, users: dict[str, User]) -> None:
    # The open-data files and the granted-money figures are built once the demo is committed,
    # also when a broker would only have queued the build (the quick start shows them at once).
    transaction.on_commit(partial(open_data_store.build, wait=120))
    body = PublicBody.objects.get(registry_prefix="KFN")
    programme = _programme(body)
    officer, decider = users["handlaggare@exempel.se"], users["beslutsfattare@exempel.se"]
    # earlier years, for the statistics of who gets the support
    demo_history.seed_history(officer=officer, decider=decider)

    open_call, created = _call(programme, OPEN_CALL, closes_in_days=30, budget=500_000)
    if created:
        sports = organisation_selectors.organisations_for(user=users["forening@exempel.se"]).get(
            organisation_number__isnull=False
        )
        draft = services.application_start(
            actor=users["forening@exempel.se"], call=open_call, organisation=sports
        )
        services.application_save(
            application=draft,
            actor=users["forening@exempel.se"],
            title="Läxhjälp och idrott efter skolan",
            answers={},
            amount_requested=Decimal(45_000),
            budget_lines=[],
        )

    _seed_de_minimis(body, users=users, officer=officer, decider=decider)

    closed_call, created = _call(programme, CLOSED_CALL, closes_in_days=1, budget=300_000)
    if not created:
        return
    # Associations of the directory, represented by one demo account that cannot log in.
    applicant = User.objects.filter(
        email="demo-foreningar@exempel.se"
    ).first() or User.objects.create_user(
        email="demo-foreningar@exempel.se", name="Demoföreningarnas företrädare"
    )
    applicant.set_unusable_password()
    applicant.save()
    organisations = list(
        Organisation.objects.filter(
            status=OrganisationStatus.VERIFIED, public_listing=True, memberships__isnull=True
        )
        .exclude(legal_form="natverk")
        .order_by("name")[:8]
    )
    states = [
        "submitted",
        "completion_requested",
        "in_review",
        "proposed",
        "approved",
        "partly_approved",
        "rejected",
        "withdrawn",
    ]
    for organisation in organisations:
        demo_member(organisation=organisation, user=applicant)
        for kind in (DocumentKind.STATUTES, DocumentKind.ACTIVITY_REPORT):
            from organisations import services as organisation_services

            version = organisation_services.document_upload(
                organisation=organisation,
                actor=applicant,
                year=timezone.localdate().year,
                kind=kind,
                upload=SimpleUploadedFile(
                    f"{kind}.pdf", MINIMAL_PDF, content_type="application/pdf"
                ),
            )
            organisation_services.document_review(
                document=version.document,
                actor=officer,
                approve=True,
                seen_version=organisation_selectors.document_version_of(version),
            )
    for index, (organisation, state) in enumerate(zip(organisations, states, strict=False)):
        application = services.application_start(
            actor=applicant, call=closed_call, organisation=organisation
        )
        _fill(application, applicant, 20_000 + index * 5_000)
        application.refresh_from_db()
        services.application_submit(application=application, actor=applicant)
        services.application_assign(application=application, actor=officer, assignee=officer)
        if state == "withdrawn":
            services.application_withdraw(application=application, actor=applicant)
        elif state == "completion_requested":
            services.application_request_completion(
                application=application,
                actor=officer,
                message="Bifoga en mer detaljerad budget för lokalkostnaderna.",
                due=timezone.localdate() + timedelta(days=14),
            )
        elif state != "submitted":
            services.application_start_review(application=application, actor=officer)
            for criterion in programme.criteria.all():
                services.review_save(
                    application=application, actor=officer, criterion=criterion, score=4, comment=""
                )
            if state != "in_review":
                outcome = {"rejected": "reject", "partly_approved": "partly"}.get(state, "approve")
                amount = (
                    (application.amount_requested or Decimal(0)) / 2
                    if outcome == "partly"
                    else None
                )
                application.refresh_from_db()
                services.application_propose(
                    application=application,
                    actor=officer,
                    outcome=outcome,
                    amount=amount,
                    motivation="Projektet når många unga och har en rimlig budget."
                    if outcome != "reject"
                    else "Projektet ligger utanför bidragets syfte.",
                    seen_version=services.proposal_version(application),
                )
                if state != "proposed":
                    # The demo's decisions were taken by another decision maker than the proposer.
                    application.refresh_from_db()
                    services.application_decide(
                        application=application,
                        actor=decider,
                        decision="confirm",
                        seen_version=services.decision_version(application),
                    )
    Call.objects.filter(pk=closed_call.pk).update(closes_at=timezone.now() - timedelta(days=2))
    _follow_up(officer=officer, applicant=applicant, call=closed_call)


def _seed_de_minimis(
    body: PublicBody, *, users: dict[str, User], officer: User, decider: User
) -> None:
    """The de minimis programme's call: Kulturföreningen Bryggan declares its aid from the
    region and is granted its festival (the decision enters the aid in its ledger and says so);
    the sports association's race waits for the decision maker, who sees the check of the
    ceiling. Every step through the services, as the people would take it."""
    call, created = _call(
        _de_minimis_programme(body),
        DE_MINIMIS_CALL,
        closes_in_days=40,
        budget=400_000,
        description="Sök bidrag för publika evenemang under 2027. Bidraget är stöd av mindre "
        "betydelse (de minimis): föreningen intygar först vilket sådant stöd den har fått "
        "från andra de senaste tre åren.",
    )
    if not created:
        return
    culture_rep, sports_rep = users["forening2@exempel.se"], users["forening@exempel.se"]
    culture = organisation_selectors.organisations_for(user=culture_rep).get(
        name="Kulturföreningen Bryggan"
    )
    sports = organisation_selectors.organisations_for(user=sports_rep).get(
        organisation_number__isnull=False
    )
    today = timezone.localdate()
    organisation_services.aid_declaration_sign(
        organisation=culture,
        actor=culture_rep,
        items=[
            organisation_services.DeclaredAid(
                granting_body="Region Exempel, kulturnämnden",
                decided_on=today - timedelta(days=400),
                regulation=AidRegulation.DE_MINIMIS,
                instrument=AidInstrument.GRANT,
                amount_sek=Decimal(450_000),
                reference="RK 2025/118",
            ),
            organisation_services.DeclaredAid(
                granting_body="Exempelstadens hamnbolag",
                decided_on=today - timedelta(days=200),
                regulation=AidRegulation.DE_MINIMIS,
                instrument=AidInstrument.IN_KIND,
                amount_sek=Decimal(120_000),
                gross_grant_equivalent_sek=Decimal(96_000),
                reference="Lokal i magasin 3, hyresfritt",
            ),
        ],
        none_received=False,
        certified=True,
    )
    if state_aid.latest_declaration(sports.pk) is None:  # the register's demo declares its aid
        organisation_services.aid_declaration_sign(
            organisation=sports, actor=sports_rep, items=[], none_received=True, certified=True
        )
    for organisation, actor, title, amount, decide in (
        (culture, culture_rep, "Hamnfestivalen 2027", 150_000, True),
        (sports, sports_rep, "Stadsloppet 2027", 60_000, False),
    ):
        application = services.application_start(actor=actor, call=call, organisation=organisation)
        _fill(application, actor, amount, title=title)
        application.refresh_from_db()
        services.application_submit(application=application, actor=actor)
        services.application_assign(application=application, actor=officer, assignee=officer)
        services.application_start_review(application=application, actor=officer)
        for criterion in call.programme.criteria.all():
            services.review_save(
                application=application, actor=officer, criterion=criterion, score=4, comment=""
            )
        application.refresh_from_db()
        services.application_propose(
            application=application,
            actor=officer,
            outcome="approve",
            amount=None,
            motivation="Evenemanget lockar en bred publik och har en rimlig budget.",
            seen_version=services.proposal_version(application),
            economic_activity=True,
            economic_activity_reasons="Evenemanget säljer biljetter och mat till allmänheten i "
            "konkurrens med kommersiella arrangörer: ekonomisk verksamhet.",
        )
        if decide:
            application.refresh_from_db()
            services.application_decide(
                application=application,
                actor=decider,
                decision="confirm",
                seen_version=services.decision_version(application),
            )


def _follow_up(*, officer: User, applicant: User, call: Call) -> None:
    """Pay the decided grants; one association reports (with unspent money, recovered)."""
    for application in Application.objects.filter(call=call, status__in=services.DECIDED).order_by(
        "pk"
    ):
        services.payment_register(
            application=application,
            actor=officer,
            amount=application.decided_amount or Decimal(0),
            paid_on=timezone.localdate(),  # not before the decision, taken just now
            reference=f"Utbetalning {application.registry_number}",
            seen_version=services.payment_version(application),
        )
        report = getattr(application, "report", None)
        if report is None or application.status != "approved":
            continue
        costs = {
            str(line.pk): (line.amount * Decimal("0.5"))
            for line in application.budget_lines.filter(kind="cost")
        }
        services.report_save(
            report=report,
            actor=applicant,
            narrative="Verksamheten genomfördes men med färre träffar än planerat.",
            activities=12,
            participants={"13–19": {"women": 14, "men": 11, "other": 1}},
            actual_costs=costs,
            other_income=Decimal(0),
        )
        report.refresh_from_db()
        services.report_submit(report=report, actor=applicant)
        report.refresh_from_db()
        unspent = services.report_unspent(report)
        if unspent > 0:
            services.recovery_open(
                application=application,
                actor=officer,
                amount=unspent,
                reason="Outnyttjade medel enligt återrapporteringen.",
                due_date=timezone.localdate() + timedelta(days=30),
            )
