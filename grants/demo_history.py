"""Two earlier years of grants for the demo, so that the statistics of who gets the support
(insights) have something worth seeing: decided applications, payments and approved follow-up
reports of 2023 to 2025, written as the records of a finished year (the cases were handled
before the portal's demo begins; nothing here is a step a person takes).

Exempelkommun's skews, visible on the dashboard and the public page:
- Skogsbyn, where many young people live, applies a little and gets less;
- the activity grant's participants are mostly boys, the culture grant's are even;
- first-time applicants are mostly turned down, returning ones mostly granted.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from grants.models import (
    Application,
    ApplicationStatus,
    Call,
    FollowUpReport,
    Payment,
    Programme,
    ProgrammeKind,
    ReportStatus,
)
from organisations.demo import demo_bankgiro, demo_organisation_number
from organisations.models import (
    LegalForm,
    Organisation,
    OrganisationStatus,
    PaymentMethod,
    TargetGroup,
)
from portal.formats import registry_number
from portal.models import PublicBody, RegistryCounter, User

HISTORY_CALL = "Aktivitetsstöd 2023"
# the first year only the established associations apply; newcomers come after
YEARS = (2023, 2024, 2025)

# district: how many of the history's associations are there
DISTRICT_SIZES = {
    "Centrum": 12,
    "Norr": 9,
    "Söder": 8,
    "Väster": 8,
    "Öster": 7,
    "Hamnen": 6,
    "Skogsbyn": 6,
}
NAMES = [
    "Idrottsklubb",
    "Fotbollsförening",
    "Kulturförening",
    "Körsällskap",
    "Scoutkår",
    "Teaterförening",
    "Innebandyklubb",
    "Dansförening",
    "Hembygdsförening",
    "Brottarklubb",
    "Musikförening",
    "Friluftsförening",
]
LEGAL_FORMS = [
    LegalForm.NON_PROFIT,
    LegalForm.NON_PROFIT,
    LegalForm.NON_PROFIT,
    LegalForm.NON_PROFIT,
    LegalForm.FOUNDATION,
    LegalForm.ECONOMIC_ASSOCIATION,
    LegalForm.FAITH_COMMUNITY,
]


def _moment(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _organisations(creator: User, rng: random.Random) -> list[Organisation]:
    """The associations of the history: verified, not in the public directory."""
    groups = list(TargetGroup.objects.order_by("position", "name"))
    rows = []
    serial = 700
    for district, count in DISTRICT_SIZES.items():
        for n in range(count):
            serial += 1
            name = f"{district}s {NAMES[(serial + n) % len(NAMES)]}"
            total = rng.choice([12, 30, 45, 80, 120, 180, 260, 400])
            young = total * rng.randint(20, 70) // 100
            women = total * rng.randint(30, 60) // 100
            rows.append(
                Organisation(
                    name=f"{name} {n + 1}" if n else name,
                    organisation_number=demo_organisation_number(serial),
                    legal_form=LEGAL_FORMS[serial % len(LEGAL_FORMS)],
                    city="Exempelstad",
                    district=district,
                    contact_email=f"styrelsen{serial}@forening.exempel.se",
                    purpose="Verksamhet för barn, unga och vuxna i kommundelen.",
                    members_total=total if serial % 9 else None,
                    members_7_25=young if serial % 9 else None,
                    members_women=women if serial % 9 else None,
                    members_men=(total - women - 1) if serial % 9 else None,
                    members_other_gender=1 if serial % 9 else None,
                    payment_method=PaymentMethod.BANKGIRO,
                    payment_account=demo_bankgiro(serial),
                    payment_details_verified=True,
                    status=OrganisationStatus.VERIFIED,
                    public_listing=False,
                    created_by=creator,
                )
            )
    created = Organisation.objects.bulk_create(rows)
    through = Organisation.target_groups.through
    if groups:
        through.objects.bulk_create(
            through(organisation_id=organisation.pk, targetgroup_id=groups[index % 3].pk)
            for index, organisation in enumerate(created)
        )
    return list(Organisation.objects.filter(contact_email__endswith="@forening.exempel.se"))


def _programmes(body: PublicBody) -> list[Programme]:
    activity, _created = Programme.objects.get_or_create(
        public_body=body,
        name="Aktivitetsstöd för barn och unga",
        defaults={"kind": ProgrammeKind.ACTIVITY, "requires_verified": True},
    )
    culture, _created = Programme.objects.get_or_create(
        public_body=body,
        name="Kulturbidrag till föreningar",
        defaults={"kind": ProgrammeKind.BASIC, "requires_verified": True},
    )
    return [activity, culture]


def _participants(rng: random.Random, *, boys_share: float) -> dict[str, dict[str, int]]:
    bands = {"7–12": rng.randint(10, 40), "13–19": rng.randint(8, 35), "20–25": rng.randint(0, 8)}
    result: dict[str, dict[str, int]] = {}
    for band, count in bands.items():
        men = round(count * boys_share)
        other = 1 if count > 20 else 0
        result[band] = {"women": max(count - men - other, 0), "men": men, "other": other}
    return result


def seed_history(*, officer: User, decider: User) -> None:
    """Create the history once (by its first call's title)."""
    if Call.objects.filter(title=HISTORY_CALL).exists():
        return
    rng = random.Random(2024)  # noqa: S311 - the same demo every time, not security
    body = PublicBody.objects.get(registry_prefix="KFN")
    organisations = _organisations(officer, rng)
    programmes = _programmes(body)
    applications: list[Application] = []
    returning: set[int] = set()
    for year in YEARS:
        # the year's diarienummer go on from the body's counter, as if taken one by one
        counter, _created = RegistryCounter.objects.get_or_create(public_body=body, year=year)
        for programme in programmes:
            kind = "Aktivitetsstöd" if programme.kind == ProgrammeKind.ACTIVITY else "Kulturbidrag"
            closes = date(year, 3, 15)
            call = Call.objects.create(
                programme=programme,
                title=f"{kind} {year}",
                description=f"{kind} för verksamhetsåret {year}.",
                budget=Decimal(900_000),
                opens_at=_moment(date(year, 1, 15)),
                closes_at=_moment(closes, 23),
                follow_up_required=True,
                follow_up_due_date=date(year + 1, 2, 28),
            )
            for index, organisation in enumerate(organisations):
                # about two in three apply each year; Skogsbyn's associations seldom
                if organisation.district == "Skogsbyn":
                    if rng.random() > 0.45:
                        continue
                elif (year == YEARS[0] and index % 2) or (index + year + programme.pk) % 3 == 0:
                    continue
                counter.last_number += 1
                first = organisation.pk not in returning
                if organisation.district == "Skogsbyn":
                    granted = rng.random() < 0.3
                elif first and year > YEARS[0]:
                    granted = rng.random() < 0.15  # first-time applicants mostly fail
                else:
                    granted = rng.random() < 0.9
                applied = Decimal(rng.randint(10, 80) * 1_000)
                decided = (
                    (applied * Decimal(rng.choice(["1", "1", "0.8", "0.6"]))).quantize(Decimal(1))
                    if granted
                    else None
                )
                if organisation.district == "Skogsbyn" and decided:
                    decided = (decided / 3).quantize(Decimal(1))
                sent = _moment(closes - timedelta(days=rng.randint(1, 40)), 20)
                decided_at = _moment(date(year, 4, 20), 14)
                applications.append(
                    Application(
                        call=call,
                        public_body=body,
                        organisation=organisation,
                        status=ApplicationStatus.APPROVED
                        if granted and decided == applied
                        else ApplicationStatus.PARTLY_APPROVED
                        if granted
                        else ApplicationStatus.REJECTED,
                        title=f"{kind} {year}: {organisation.name}",
                        answers={},
                        amount_requested=applied,
                        decided_amount=decided if granted else None,
                        paid_amount=decided or Decimal(0),
                        decided_at=decided_at,
                        decided_by=decider,
                        proposed_by=officer,
                        proposed_at=decided_at - timedelta(days=7),
                        assigned_to=officer,
                        registry_number=registry_number(
                            body.registry_prefix, year, counter.last_number
                        ),
                        submitted_at=sent,
                        created_by=officer,
                        recipient_org_number=organisation.organisation_number or "",
                        recipient_name=organisation.name,
                        recipient_city=organisation.city,
                        planned_start=date(year, 5, 1),
                        planned_end=date(year, 12, 15),
                    )
                )
            counter.save(update_fields=["last_number"])
            returning |= {
                a.organisation_id for a in applications if a.call_id == call.pk and a.decided_amount
            }
    Application.objects.bulk_create(applications)
    decided_grants = [a for a in applications if a.decided_amount]
    Payment.objects.bulk_create(
        Payment(
            application=application,
            public_body=body,
            amount=application.decided_amount or Decimal(0),
            paid_on=date(application.call.opens_at.year, 5, 2),
            reference=f"Utbetalning {application.registry_number}",
            account=application.organisation.payment_account,
            registered_by=officer,
        )
        for application in decided_grants
    )
    reports = []
    for application in decided_grants:
        if rng.random() < 0.15:
            continue  # some reports were never approved: the statistics say how many
        activity = application.call.programme.kind == ProgrammeKind.ACTIVITY
        reports.append(
            FollowUpReport(
                application=application,
                public_body=body,
                due_date=date(application.call.opens_at.year + 1, 2, 28),
                status=ReportStatus.APPROVED,
                narrative="Verksamheten genomfördes enligt plan.",
                activities=rng.randint(10, 60),
                participants=_participants(rng, boys_share=0.72 if activity else 0.48),
                actual_costs={},
                other_income=Decimal(0),
                reviewed_by=officer,
                submitted_at=_moment(date(application.call.opens_at.year + 1, 2, 1)),
            )
        )
    FollowUpReport.objects.bulk_create(reports)
