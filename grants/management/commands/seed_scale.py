"""A large, realistic data set for the benchmark (`make bench`): thousands of organisations,
dozens of calls, a hundred thousand applications in every status. DEBUG only, like seed_demo.
Rows are written in bulk (this is test data, not user actions); the registry counters are set
to the numbers given, so later submissions continue the series.

It also gives the reminder scan real work on the day of seeding: follow-up reports due in 14
days, today and 7 days ago (and spread over two years), drafts in two calls closing in 7 days
and tomorrow, and completions due in 2 days and yesterday. A data set seeded before the reminder
data existed gets it added on the next run."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery, Sum
from django.urls import reverse
from django.utils import timezone

from grants.models import (
    Application,
    ApplicationStatus,
    Call,
    Criterion,
    FollowUpReport,
    Payment,
    Programme,
    ProgrammeKind,
    Question,
    QuestionKind,
    Recovery,
    RecoveryStatus,
    ReportStatus,
)
from organisations.demo import DISTRICTS, demo_organisation_number, seed_members
from organisations.models import LegalForm, Organisation, OrganisationStatus
from portal import person_cache
from portal.formats import registry_number
from portal.models import (
    Notification,
    NotificationStatus,
    PublicBody,
    RegistryCounter,
    User,
)

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
# The days the reminder scan looks at with the default settings (ReminderSettings): reports due
# in 14 days, today and 7 days ago; calls closing in 7 days and tomorrow; completions due in 2
# days and yesterday.
REPORT_DAYS = (14, 0, -7)
CLOSING_DAYS = (7, 1)
COMPLETION_DAYS = (2, -1)


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
        parser.add_argument(
            "--reports",
            type=int,
            default=10_000,
            help="follow-up reports on approved grants, due around the day of seeding",
        )
        parser.add_argument(
            "--payments",
            type=int,
            default=40_000,
            help="approved grants paid out (one or two payments each), for the payments list",
        )
        parser.add_argument(
            "--recoveries", type=int, default=2_000, help="demands to pay back, for their list"
        )
        parser.add_argument(
            "--notifications",
            type=int,
            default=5_000,
            help="messages sent to the first case officer, for the Notiser page",
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
        reports: int = 10_000,
        payments: int = 40_000,
        recoveries: int = 2_000,
        notifications: int = 5_000,
        **options: Any,
    ) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_scale only runs with DEBUG on.")
        rng = random.Random(seed)  # noqa: S311 - test data, not security
        scaled = Application.objects.filter(title__startswith="Skalad ")
        if scaled.exists():
            # the reminder data and the money came later: add each once to a data set seeded
            # without it
            added = []
            with transaction.atomic():
                if reports and not FollowUpReport.objects.filter(application__in=scaled).exists():
                    added.append(self.reminders(reports, rng))
                if not Payment.objects.filter(application__in=scaled).exists():
                    added.append(self.money(payments, recoveries, rng))
                if (
                    notifications
                    and not Notification.objects.filter(
                        kind="decision", subject__startswith="Skalad "
                    ).exists()
                ):
                    added.append(self.notifications(notifications))
            if not added:
                self.stdout.write("The large data set is already there.")
                return
            self.analyze()
            self.stdout.write(
                self.style.SUCCESS(f"Added to the large data set: {'; '.join(added)}.")
            )
            return
        with transaction.atomic():
            orgs = self.organisations(organisations, rng)
            call_list = self.calls(calls, rng)
            self.applications(applications, orgs, call_list, rng)
            if granted:
                self.granted(granted, orgs, rng)
            summary = self.reminders(reports, rng) if reports else "no reminder data"
            summary += "; " + self.money(payments, recoveries, rng)
            if notifications:
                summary += "; " + self.notifications(notifications)
        person_cache.forget_all()  # organisations written in bulk name who registered them
        self.analyze()
        self.stdout.write(
            self.style.SUCCESS(
                f"{organisations} organisations, {calls} calls, {applications} applications; "
                f"{summary}."
            )
        )

    @staticmethod
    def analyze() -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # fresh planner statistics and visibility map after the bulk insert, as
                # autovacuum keeps them on a running portal (index-only counts need the map)
                # (VACUUM cannot run inside a transaction: the tests' own)
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")

    def reminders(self, count: int, rng: random.Random) -> str:
        """What the reminder scan finds on the day of seeding, on the scaled data set."""
        today = timezone.localdate()
        reports = self.reports(count, today, rng)
        drafts = self.closing_calls(max(1, count // 40), today, rng)
        completions = self.completions(today, rng)
        return (
            f"{reports} follow-up reports, {drafts} drafts in calls closing soon, "
            f"{completions} completion dates"
        )

    def reports(self, count: int, today: date, rng: random.Random) -> int:
        """Follow-up reports on approved grants: a tenth each due in 14 days, today and 7 days
        ago, the rest spread over a year either side. Most of those the scan looks at are still
        to be reported; some are sent in already, which the scan must leave alone."""
        decided = list(
            Application.objects.filter(
                title__startswith="Skalad ",
                status__in=[ApplicationStatus.APPROVED, ApplicationStatus.PARTLY_APPROVED],
                report__isnull=True,
            )
            .order_by("pk")
            .values_list("pk", "public_body_id")
        )
        chosen = sorted(rng.sample(decided, min(count, len(decided))))
        zone = timezone.get_current_timezone()
        rows = []
        for n, (application_id, body_id) in enumerate(chosen):
            bucket = n % 10
            if bucket < len(REPORT_DAYS):
                due = today + timedelta(days=REPORT_DAYS[bucket])
                weights = {
                    ReportStatus.DUE: 80,
                    ReportStatus.REVISION_REQUESTED: 10,
                    ReportStatus.SUBMITTED: 10,
                }
            else:
                due = today + timedelta(days=rng.randint(-365, 365))
                weights = (
                    {ReportStatus.DUE: 90, ReportStatus.SUBMITTED: 10}
                    if due >= today
                    else {
                        ReportStatus.APPROVED: 70,
                        ReportStatus.DUE: 15,
                        ReportStatus.SUBMITTED: 10,
                        ReportStatus.REVISION_REQUESTED: 5,
                    }
                )
            status = rng.choices(list(weights), weights=list(weights.values()))[0]
            sent = status != ReportStatus.DUE
            rows.append(
                FollowUpReport(
                    application_id=application_id,
                    public_body_id=body_id,
                    due_date=due,
                    status=status,
                    narrative="Vi genomförde aktiviteterna enligt planen." if sent else "",
                    activities=rng.randint(1, 40) if sent else None,
                    submitted_at=datetime.combine(
                        min(due, today) - timedelta(days=rng.randint(0, 20)), time(10), zone
                    )
                    if sent
                    else None,
                )
            )
        FollowUpReport.objects.bulk_create(rows, batch_size=BATCH)
        # the calls of these grants ask for a follow-up report
        Call.objects.filter(applications__report__isnull=False).update(follow_up_required=True)
        return len(rows)

    def money(self, payments: int, recoveries: int, rng: random.Random) -> str:
        """Payments on approved grants of the officers' own bodies (one or two each: the whole
        grant, or half now and half later, some dated ahead as scheduled), and demands to pay
        back on some of them, open or paid back."""
        grants = list(
            Application.objects.filter(
                title__startswith="Skalad ",
                status__in=[ApplicationStatus.APPROVED, ApplicationStatus.PARTLY_APPROVED],
            )
            .order_by("pk")
            .values_list("pk", "decided_amount", "public_body_id")
        )
        chosen = sorted(rng.sample(grants, min(payments, len(grants))))
        officers = list(
            User.objects.filter(public_body_memberships__role="case_officer")
            .distinct()
            .values_list("pk", flat=True)
        )
        if not officers:
            return "no payments (no case officer)"
        today = timezone.localdate()
        rows = []
        for n, (application_id, amount, body_id) in enumerate(chosen):
            amount = amount or Decimal(10_000)
            paid_on = today - timedelta(days=rng.randint(-30, 600))
            halves = n % 3 == 0
            parts = [amount / 2, amount - amount / 2] if halves else [amount]
            for part_number, part in enumerate(parts):
                rows.append(
                    Payment(
                        application_id=application_id,
                        public_body_id=body_id,
                        amount=part,
                        paid_on=paid_on + timedelta(days=120 * part_number),
                        reference=f"Skalad utbetalning {n + 1}:{part_number + 1}",
                        account="5050-1055",
                        registered_by_id=officers[n % len(officers)],
                    )
                )
        Payment.objects.bulk_create(rows, batch_size=BATCH)
        # each grant's running total, as payment_register keeps it
        Application.objects.filter(pk__in=Payment.objects.values("application_id")).update(
            paid_amount=Subquery(
                Payment.objects.filter(application_id=OuterRef("pk"))
                .order_by()
                .values("application_id")
                .annotate(total=Sum("amount"))
                .values("total")
            )
        )
        demands = []
        for n, (application_id, amount, body_id) in enumerate(
            rng.sample(chosen, min(recoveries, len(chosen)))
        ):
            paid_back = n % 3 == 0
            due = today + timedelta(days=rng.randint(-200, 60))
            demands.append(
                Recovery(
                    application_id=application_id,
                    public_body_id=body_id,
                    amount=max(Decimal(1_000), (amount or Decimal(10_000)) / 10),
                    reason="Delar av bidraget användes inte.",
                    due_date=due,
                    status=RecoveryStatus.PAID if paid_back else RecoveryStatus.OPEN,
                    opened_by_id=officers[n % len(officers)],
                    paid_on=due - timedelta(days=3) if paid_back else None,
                    recorded_by_id=officers[(n + 1) % len(officers)] if paid_back else None,
                )
            )
        Recovery.objects.bulk_create(demands, batch_size=BATCH)
        return f"{len(rows)} payments on {len(chosen)} grants, {len(demands)} recoveries"

    def notifications(self, count: int) -> str:
        """Messages sent to the first case officer over two years, for the Notiser page: each
        the decision on one of the scaled applications."""
        officer = (
            User.objects.filter(public_body_memberships__role="case_officer").order_by("pk").first()
        )
        if officer is None:
            return "no notifications (no case officer)"
        kind = ContentType.objects.get_for_model(Application)
        now = timezone.now()
        ids = Application.objects.filter(
            title__startswith="Skalad ",
            status__in=[ApplicationStatus.APPROVED, ApplicationStatus.REJECTED],
        ).values_list("pk", flat=True)[:count]
        rows = [
            Notification(
                kind="decision",
                content_type=kind,
                object_id=str(pk),
                due_date=(now - timedelta(hours=3 * n)).date(),
                recipient=officer,
                subject=f"Skalad notis: beslut om ansökan {pk}",
                url=reverse("grants:application", args=[pk]),
                status=NotificationStatus.SENT,
                created_at=now - timedelta(hours=3 * n),
                sent_at=now - timedelta(hours=3 * n),
            )
            for n, pk in enumerate(ids)
        ]
        Notification.objects.bulk_create(rows, batch_size=BATCH)
        return f"{len(rows)} notifications to {officer.email}"

    def closing_calls(self, per_call: int, today: date, rng: random.Random) -> int:
        """A call closing in 7 days and one closing tomorrow, each with drafts from different
        organisations: their representatives are reminded. The drafts are not titled "Skalad",
        so --applications stays the number of scaled applications."""
        programme = (
            Programme.objects.filter(name__startswith="Skalat ", calls__isnull=False)
            .order_by("pk")
            .first()
        )
        if programme is None:
            return 0
        orgs = list(
            Organisation.objects.filter(contact_email__endswith="@skala.exempel.se").values_list(
                "pk", flat=True
            )
        )
        creator_id = Organisation.objects.filter(pk=orgs[0]).values_list(
            "created_by_id", flat=True
        )[0]
        zone = timezone.get_current_timezone()
        rows = []
        for days in CLOSING_DAYS:
            closes = datetime.combine(today + timedelta(days=days), time(23, 59), zone)
            call = Call.objects.create(
                programme=programme,
                title=f"Skalad utlysning, stänger om {days} dagar",
                description="Bidrag för projekt i kommunen.",
                budget=Decimal(1_000_000),
                opens_at=closes - timedelta(days=60),
                closes_at=closes,
            )
            Question.objects.create(
                call=call, text="Beskriv projektet", kind=QuestionKind.LONG_TEXT
            )
            for n, organisation_id in enumerate(rng.sample(orgs, min(per_call, len(orgs)))):
                rows.append(
                    Application(
                        call=call,
                        public_body_id=programme.public_body_id,
                        organisation_id=organisation_id,
                        status=ApplicationStatus.DRAFT,
                        title=f"Utkast inför stängningen om {days} dagar {n + 1}",
                        answers={},
                        amount_requested=Decimal(rng.randint(5, 150) * 1_000),
                        created_by_id=creator_id,
                    )
                )
        Application.objects.bulk_create(rows, batch_size=BATCH)
        return len(rows)

    def completions(self, today: date, rng: random.Random) -> int:
        """Every scaled application waiting for a completion gets a date to complete by: a tenth
        in 2 days, a tenth yesterday, the rest within a month either side. One update per
        date."""
        ids = list(
            Application.objects.filter(
                title__startswith="Skalad ", status=ApplicationStatus.COMPLETION_REQUESTED
            ).values_list("pk", flat=True)
        )
        by_date: dict[date, list[int]] = {}
        for n, pk in enumerate(ids):
            bucket = n % 10
            days = (
                COMPLETION_DAYS[bucket] if bucket < len(COMPLETION_DAYS) else rng.randint(-20, 30)
            )
            by_date.setdefault(today + timedelta(days=days), []).append(pk)
        for due, pks in by_date.items():
            Application.objects.filter(pk__in=pks).update(
                completion_due=due, completion_message="Komplettera budgeten med fler rader."
            )
        return len(ids)

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
        # a decided grant was handled by a case officer (no grant is left unassigned)
        officer_id = (
            User.objects.filter(public_body_memberships__role="case_officer")
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        rows = []
        for n in range(count):
            amount = Decimal(rng.randint(5, 150) * 1_000)
            decided_at = now - timedelta(days=rng.randint(1, 290))
            recipient = orgs[rng.randrange(len(orgs))]
            rows.append(
                Application(
                    call=call,
                    public_body=body,
                    organisation=recipient,
                    recipient_org_number=recipient.organisation_number or "",
                    recipient_name=recipient.name,
                    recipient_city=recipient.city,
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
                    assigned_to_id=officer_id,
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
        seed_members(zip(orgs, users, strict=True), batch_size=BATCH)
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
            # sent in before the call closed, and never after today
            submitted_at = (
                min(
                    call.closes_at - timedelta(minutes=rng.randint(1, 60 * 24 * 50)),
                    timezone.now() - timedelta(minutes=rng.randint(1, 60 * 24 * 5)),
                )
                if submitted
                else None
            )
            number = None
            if submitted:
                body = body_of[call.pk]
                key = (body.pk, timezone.localtime(submitted_at).year)
                counters[key] = counters.get(key, 0) + 1
                number = registry_number(body.registry_prefix, key[1], counters[key])
            decided = status in (ApplicationStatus.APPROVED, ApplicationStatus.PARTLY_APPROVED)
            applicant = orgs[rng.randrange(len(orgs))]
            rows.append(
                Application(
                    call=call,
                    public_body=body_of[call.pk],
                    organisation=applicant,
                    # a decided grant names its recipient as at the decision (open data)
                    recipient_org_number=(applicant.organisation_number or "") if decided else "",
                    recipient_name=applicant.name if decided else "",
                    recipient_city=applicant.city if decided else "",
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
                    # a decision has its day (the open data's award date)
                    decided_at=min(
                        submitted_at + timedelta(days=rng.randint(1, 30)), timezone.now()
                    )
                    if decided and submitted_at
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
