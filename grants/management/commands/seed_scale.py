"""A large, realistic data set for the benchmark (`make bench`): thousands of organisations,
dozens of calls, a hundred thousand applications in every status. DEBUG only, like seed_demo.
Rows are written in bulk (this is test data, not user actions); the registry counters are set
to the numbers given, so later submissions continue the series."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from grants.models import (
    Application,
    ApplicationStatus,
    Call,
    Criterion,
    Programme,
    ProgrammeKind,
    Question,
    QuestionKind,
)
from organisations.demo import DISTRICTS, demo_organisation_number
from organisations.models import (
    LegalForm,
    Organisation,
    OrganisationMembership,
    OrganisationRole,
    OrganisationStatus,
)
from portal.models import PublicBody, RegistryCounter, User

FIRST = [
    "Idrottsföreningen",
    "Kulturföreningen",
    "Föreningen",
    "Scoutkåren",
    "Musikföreningen",
    "Hembygdsföreningen",
    "Teaterföreningen",
    "Pensionärsföreningen",
]
SECOND = [
    "Framåt",
    "Gemenskap",
    "Norrsken",
    "Solstrålen",
    "Vågen",
    "Eken",
    "Bryggan",
    "Lyktan",
    "Kompassen",
    "Ankaret",
]
BATCH = 5_000


class Command(BaseCommand):
    help = "Generate a large data set for the benchmark (DEBUG only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisations", type=int, default=5_000)
        parser.add_argument("--calls", type=int, default=50)
        parser.add_argument("--applications", type=int, default=100_000)
        parser.add_argument(
            "--granted",
            type=int,
            default=0,
            help="extra approved grants (for the open-data benchmark), under a public body of their own",
        )
        parser.add_argument("--seed", type=int, default=2026)

    def handle(
        self,
        *args: Any,
        organisations: int,
        calls: int,
        applications: int,
        seed: int,
        granted: int = 0,
        **options: Any,
    ) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_scale only runs with DEBUG on.")
        if Application.objects.filter(title__startswith="Skalad ").exists():
            self.stdout.write("The large data set is already there.")
            return
        rng = random.Random(seed)  # noqa: S311 - test data, not security
        with transaction.atomic():
            orgs = self.organisations(organisations, rng)
            call_list = self.calls(calls, rng)
            self.applications(applications, orgs, call_list, rng)
            if granted:
                self.granted(granted, orgs, rng)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # fresh planner statistics after the bulk insert
        self.stdout.write(
            self.style.SUCCESS(
                f"{organisations} organisations, {calls} calls, {applications} applications."
            )
        )

    def granted(self, count: int, orgs: list[Organisation], rng: random.Random) -> None:
        """Approved grants of a region's committee of their own, for the open-data benchmark."""
        region, _created = PublicBody.objects.get_or_create(
            registry_prefix="RGN", defaults={"name": "Exempelregionen", "kind": "region"}
        )
        body, _created = PublicBody.objects.get_or_create(
            registry_prefix="RKN",
            defaults={"name": "Regionens kulturnämnd", "kind": "namnd", "parent": region},
        )
        programme, _created = Programme.objects.get_or_create(
            public_body=body,
            name="Skalat verksamhetsbidrag",
            defaults={"kind": ProgrammeKind.BASIC},
        )
        now = timezone.now()
        call = Call.objects.create(
            programme=programme,
            title="Skalade beviljade bidrag",
            description="För mätning av öppna data.",
            budget=Decimal(count) * 200_000,
            opens_at=now - timedelta(days=400),
            closes_at=now - timedelta(days=300),
        )
        creator_id = orgs[0].created_by_id
        rows = []
        for n in range(count):
            amount = Decimal(rng.randint(5, 150) * 1_000)
            decided_at = now - timedelta(days=rng.randint(1, 290))
            rows.append(
                Application(
                    call=call,
                    public_body=body,
                    organisation=orgs[rng.randrange(len(orgs))],
                    status=ApplicationStatus.APPROVED,
                    title=f"Skalad beviljad ansökan {n + 1}",
                    answers={},
                    amount_requested=amount,
                    decided_amount=amount,
                    decided_at=decided_at,
                    registry_number=f"RKN {timezone.localtime(decided_at).year}/S{n + 1}",
                    submitted_at=decided_at - timedelta(days=30),
                    planned_start=(decided_at + timedelta(days=10)).date(),
                    planned_end=(decided_at + timedelta(days=100)).date(),
                    created_by_id=creator_id,
                )
            )
            if len(rows) == BATCH:
                Application.objects.bulk_create(rows)
                rows = []
        Application.objects.bulk_create(rows)

    def organisations(self, count: int, rng: random.Random) -> list[Organisation]:
        creator = User.objects.filter(is_staff=True).order_by(
            "pk"
        ).first() or User.objects.create_user(email="skala@exempel.se")
        start = 500_000
        Organisation.objects.bulk_create(
            (
                Organisation(
                    name=f"{rng.choice(FIRST)} {rng.choice(SECOND)} {n}",
                    organisation_number=demo_organisation_number(start + n),
                    legal_form=LegalForm.NON_PROFIT,
                    district=rng.choice(DISTRICTS),
                    contact_email=f"info{n}@skala.exempel.se",
                    purpose="Verksamhet för barn, unga och vuxna i kommunen.",
                    members_total=rng.randint(10, 900),
                    status=OrganisationStatus.VERIFIED if n % 10 else OrganisationStatus.PENDING,
                    payment_details_verified=bool(n % 10),
                    public_listing=n % 3 == 0,
                    created_by=creator,
                )
                for n in range(count)
            ),
            batch_size=BATCH,
        )
        orgs = list(
            Organisation.objects.filter(contact_email__endswith="@skala.exempel.se").order_by("pk")
        )
        unusable = make_password(None)  # nobody logs in as these
        users = User.objects.bulk_create(
            (
                User(
                    email=f"ordforande{n}@skala.exempel.se",
                    name=f"Ordförande {n}",
                    password=unusable,
                )
                for n in range(count)
            ),
            batch_size=BATCH,
        )
        OrganisationMembership.objects.bulk_create(
            (
                OrganisationMembership(organisation=o, user=u, role=OrganisationRole.REPRESENTATIVE)
                for o, u in zip(orgs, users, strict=True)
            ),
            batch_size=BATCH,
        )
        return orgs

    def calls(self, count: int, rng: random.Random) -> list[Call]:
        bodies = list(PublicBody.objects.filter(kind__in=["namnd", "forvaltning"])) or list(
            PublicBody.objects.all()
        )
        now = timezone.now()
        result = []
        for n in range(count):
            body = bodies[n % len(bodies)]
            programme, _created = Programme.objects.get_or_create(
                public_body=body,
                name=f"Skalat {ProgrammeKind.PROJECT.label}",
                defaults={"kind": ProgrammeKind.PROJECT},
            )
            if _created:
                Criterion.objects.create(programme=programme, name="Nytta", weight=2)
            closes = now + timedelta(days=rng.randint(-300, 60))
            call = Call.objects.create(
                programme=programme,
                title=f"Utlysning {n + 1}: {rng.choice(SECOND)}",
                description="Bidrag för projekt i kommunen.",
                budget=Decimal(rng.randint(20, 200) * 10_000),
                opens_at=closes - timedelta(days=60),
                closes_at=closes,
            )
            Question.objects.create(
                call=call, text="Beskriv projektet", kind=QuestionKind.LONG_TEXT
            )
            result.append(call)
        return result

    def applications(
        self, count: int, orgs: list[Organisation], calls: list[Call], rng: random.Random
    ) -> None:
        statuses = [s for s, _label in ApplicationStatus.choices]
        officers: list[User | None] = list(
            User.objects.filter(public_body_memberships__role="case_officer").distinct()
        ) or [None]
        # continue the series the demo data started, so numbers stay unique and gapless
        counters = {
            (c.public_body_id, c.year): c.last_number for c in RegistryCounter.objects.all()
        }
        body_of = {call.pk: call.programme.public_body for call in calls}
        rows = []
        for n in range(count):
            call = calls[n % len(calls)]
            status = statuses[n % len(statuses)]
            amount = Decimal(rng.randint(5, 150) * 1_000)
            submitted = status != ApplicationStatus.DRAFT
            submitted_at = (
                call.closes_at - timedelta(minutes=rng.randint(1, 60 * 24 * 50))
                if submitted
                else None
            )
            number = None
            if submitted:
                body = body_of[call.pk]
                key = (body.pk, timezone.localtime(submitted_at).year)
                counters[key] = counters.get(key, 0) + 1
                number = f"{body.registry_prefix} {key[1]}/{counters[key]}"
            decided = status in (ApplicationStatus.APPROVED, ApplicationStatus.PARTLY_APPROVED)
            rows.append(
                Application(
                    call=call,
                    public_body=body_of[call.pk],
                    organisation=orgs[rng.randrange(len(orgs))],
                    status=status,
                    title=f"Skalad ansökan {n + 1}",
                    answers={},
                    amount_requested=amount,
                    registry_number=number,
                    submitted_at=submitted_at,
                    created_by_id=orgs[0].created_by_id,
                    assigned_to=rng.choice(officers) if submitted else None,
                    decided_amount=(amount if status == ApplicationStatus.APPROVED else amount / 2)
                    if decided
                    else None,
                )
            )
            if len(rows) == BATCH:
                Application.objects.bulk_create(rows)
                rows = []
        Application.objects.bulk_create(rows)
        for (body_id, year), last in counters.items():
            counter, _created = RegistryCounter.objects.get_or_create(
                public_body_id=body_id, year=year
            )
            counter.last_number = max(counter.last_number, last)
            counter.save(update_fields=["last_number"])
