"""IOP agreements at scale for the benchmark (`make bench`, after `seed_scale`): thousands of
agreements in every status between the scaled associations and the public bodies, each with its
two parties and the public side's contributions, so the officer's IOP list and the public
register are measured on a realistic number of rows. DEBUG only; written in bulk (test data,
not user actions); run twice, it adds nothing."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from agreements.models import Agreement, AgreementStatus, Contribution, ContributionKind, Party
from organisations.models import Organisation
from portal.models import PublicBody, PublicBodyMembership, PublicBodyRole

BATCH = 2_000
TITLE = "Skalat partnerskap"


class Command(BaseCommand):
    help = "Generate IOP agreements for the benchmark (DEBUG only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agreements", type=int, default=3_000)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, agreements: int, seed: int, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_scale_agreements only runs with DEBUG on.")
        if Agreement.objects.filter(title__startswith=TITLE).exists():
            self.stdout.write("The scaled agreements are already there.")
            return
        rng = random.Random(seed)  # noqa: S311 - test data, not security
        organisations = list(
            Organisation.objects.filter(contact_email__endswith="@skala.exempel.se")
            .order_by("pk")
            .values_list("pk", "created_by_id")
        )
        bodies = list(
            PublicBody.objects.filter(
                pk__in=PublicBodyMembership.objects.filter(role=PublicBodyRole.CASE_OFFICER).values(
                    "public_body"
                )
            ).values_list("pk", "registry_prefix")
        )
        if not organisations or not bodies:
            raise CommandError("Run seed_demo and seed_scale first.")
        statuses = [s for s, _label in AgreementStatus.choices]
        today = date.today()
        with transaction.atomic():
            rows = []
            for n in range(agreements):
                organisation_id, creator_id = organisations[rng.randrange(len(organisations))]
                body_id, prefix = bodies[n % len(bodies)]
                status = statuses[n % len(statuses)]
                # ended and terminated agreements began in the past; the others may start ahead
                ended = status in {AgreementStatus.ENDED, AgreementStatus.TERMINATED}
                start = today + timedelta(
                    days=rng.randint(-1500, -1100) if ended else rng.randint(-900, 200)
                )
                decided = status in {
                    AgreementStatus.SIGNING,
                    AgreementStatus.ACTIVE,
                    AgreementStatus.AMENDMENT,
                    AgreementStatus.ENDED,
                    AgreementStatus.TERMINATED,
                }
                rows.append(
                    Agreement(
                        title=f"{TITLE} {n + 1}",
                        challenge="Unga saknar en trygg plats efter skolan.",
                        idea="En öppen mötesplats med läxhjälp, tillsammans med fältassistenter.",
                        target_group="Unga 12–18 år.",
                        association_brings="Ideella ledare och lokalkännedom.",
                        asks_of_public_side="Lokal och personal två kvällar i veckan.",
                        proposed_start=start,
                        proposed_end=start + timedelta(days=3 * 365),
                        initiating_organisation_id=organisation_id,
                        public_body_id=body_id,
                        status=status,
                        # every agreement has its number from the day it is filed
                        registry_number=f"{prefix} IOP {start.year}/S{n + 1}",
                        decision_date=start - timedelta(days=30) if decided else None,
                        created_by_id=creator_id,
                    )
                )
            Agreement.objects.bulk_create(rows, batch_size=BATCH)
            created = list(
                Agreement.objects.filter(title__startswith=TITLE)
                .order_by("pk")
                .values_list("pk", "public_body_id", "initiating_organisation_id")
            )
            parties = []
            for pk, body_id, organisation_id in created:
                parties.append(Party(agreement_id=pk, public_body_id=body_id))
                parties.append(Party(agreement_id=pk, organisation_id=organisation_id))
            Party.objects.bulk_create(parties, batch_size=BATCH)
            contributions = [
                Contribution(
                    party_id=party_id,
                    year=year,
                    kind=ContributionKind.MONEY,
                    description="Bidrag till verksamheten",
                    value=Decimal(rng.randint(50, 900) * 1_000),
                )
                for party_id in Party.objects.filter(
                    agreement__title__startswith=TITLE, public_body__isnull=False
                ).values_list("pk", flat=True)
                for year in (today.year, today.year + 1)
            ]
            Contribution.objects.bulk_create(contributions, batch_size=BATCH)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # as autovacuum keeps a running portal (VACUUM cannot run in a transaction)
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(created)} agreements, {len(parties)} parties, "
                f"{len(contributions)} contributions."
            )
        )
