"""Every figure of the statistics against a small case computed by hand: the applications of
three organisations over five years, at two committees of one municipality, with the year's
boundary at midnight in Stockholm and the three years counted from the same date."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from grants.models import ApplicationStatus, ReportStatus
from insights import presenting, store
from insights.aggregates import first_time
from insights.models import Audience, PopulationCell, PopulationTable, Summary
from organisations.models import District, LegalForm
from portal.registry import GrantFact
from tests.grants.factories import (
    ApplicationFactory,
    CallFactory,
    FollowUpReportFactory,
    PaymentFactory,
    ProgrammeFactory,
)
from tests.organisations.factories import OrganisationFactory, TargetGroupFactory
from tests.portal.factories import CommitteeFactory, PublicBodyFactory, UserFactory

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def local(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


def grant(
    programme: Any,
    organisation: Any,
    *,
    sent: datetime,
    status: str,
    applied: int,
    decided: int | None = None,
    decided_at: datetime | None = None,
) -> Any:
    call = CallFactory(programme=programme)
    return ApplicationFactory(
        call=call,
        organisation=organisation,
        status=status,
        submitted_at=sent,
        amount_requested=Decimal(applied),
        decided_amount=Decimal(decided) if decided is not None else None,
        decided_at=decided_at,
    )


@pytest.fixture
def case(db: None) -> dict[str, Any]:
    municipality = PublicBodyFactory(name="Provkommun")
    culture = CommitteeFactory(name="Kulturnämnden", parent=municipality)
    social = CommitteeFactory(name="Socialnämnden", parent=municipality)
    p1 = ProgrammeFactory(public_body=culture, name="Projektbidrag")
    p2 = ProgrammeFactory(public_body=culture, name="Aktivitetsstöd")
    p3 = ProgrammeFactory(public_body=social, name="Sociala insatser")
    young = TargetGroupFactory(name="Unga")
    o1 = OrganisationFactory(
        name="Ett",
        district="Centrum",
        members_total=30,
        members_7_25=12,
        members_women=10,
        members_men=18,
        members_other_gender=2,
    )
    o1.target_groups.set([young])
    o2 = OrganisationFactory(name="Två", district="Norr", legal_form=LegalForm.FOUNDATION)
    o3 = OrganisationFactory(name="Tre", district="", members_total=300)
    approved, partly = ApplicationStatus.APPROVED, ApplicationStatus.PARTLY_APPROVED
    rejected = ApplicationStatus.REJECTED
    grant(
        p1,
        o3,
        sent=local(2022, 5, 1),
        status=approved,
        applied=20_000,
        decided=20_000,
        decided_at=local(2022, 6, 15),
    )
    a1 = grant(
        p1,
        o1,
        sent=local(2023, 3, 1),
        status=approved,
        applied=10_000,
        decided=10_000,
        decided_at=local(2023, 4, 1),
    )
    PaymentFactory(application=a1, amount=Decimal(10_000), paid_on=date(2023, 4, 20))
    FollowUpReportFactory(
        application=a1,
        status=ReportStatus.APPROVED,
        participants={"7–12": {"women": 3, "men": 5, "other": 0}},
    )
    # three years to the day after O3's grant: still within the three years
    grant(
        p1,
        o3,
        sent=local(2025, 6, 15),
        status=rejected,
        applied=6_000,
        decided_at=local(2025, 7, 1),
    )
    # a day later: no grant in the three years before it
    grant(p2, o3, sent=local(2025, 6, 16), status=ApplicationStatus.IN_REVIEW, applied=7_000)
    # O2's first grant, decided ten minutes before midnight on New Year's Eve
    a9 = grant(
        p2,
        o2,
        sent=local(2025, 11, 1),
        status=partly,
        applied=3_000,
        decided=2_000,
        decided_at=local(2025, 12, 31, 23, 50),
    )
    PaymentFactory(application=a9, amount=Decimal(1_000), paid_on=date(2026, 1, 5))
    PaymentFactory(
        application=a9, amount=Decimal(1_000), paid_on=timezone.localdate() + timedelta(days=10)
    )  # scheduled, not paid
    # sent in half an hour before midnight: 2025's
    a2 = grant(
        p1,
        o1,
        sent=local(2025, 12, 31, 23, 30),
        status=partly,
        applied=8_000,
        decided=5_000,
        decided_at=local(2026, 1, 10),
    )
    FollowUpReportFactory(
        application=a2,
        status=ReportStatus.SUBMITTED,
        participants={"7–12": {"women": 50, "men": 50, "other": 0}},
    )
    # half an hour after midnight: 2026's, and O2 has been granted money before
    grant(
        p2,
        o2,
        sent=local(2026, 1, 1, 0, 30),
        status=rejected,
        applied=4_000,
        decided_at=local(2026, 2, 1),
    )
    a4 = grant(
        p3,
        o1,
        sent=local(2026, 4, 1),
        status=approved,
        applied=12_000,
        decided=12_000,
        decided_at=local(2026, 5, 1),
    )
    PaymentFactory(application=a4, amount=Decimal(12_000), paid_on=date(2026, 5, 10))
    FollowUpReportFactory(
        application=a4,
        status=ReportStatus.APPROVED,
        participants={"13–19": {"women": 4, "men": 1, "other": 2}},
    )
    grant(p1, o2, sent=local(2026, 3, 1), status=ApplicationStatus.WITHDRAWN, applied=1_000)
    # a draft is never counted
    grant(p1, o3, sent=local(2026, 3, 2), status=ApplicationStatus.DRAFT, applied=99_000)
    store.build()
    return {
        "root": municipality,
        "culture": culture,
        "social": social,
        "p1": p1,
        "p2": p2,
        "p3": p3,
        "young": young,
    }


def summary(
    case: dict[str, Any],
    scope: str = "all",
    year: int | None = None,
    audience: str = Audience.OFFICER,
) -> dict[str, Any]:
    row = Summary.objects.get(root=case["root"], scope=scope, year=year, audience=audience)
    return row.data


def rows(data: dict[str, Any], dimension: str) -> dict[str, dict[str, Any]]:
    return {row["key"]: row for row in data["rows"][dimension]}


def test_the_whole_municipality_every_year(case: dict[str, Any]) -> None:
    total = summary(case)["total"]
    assert total["orgs"] == 3
    assert total["applications"] == 8  # sent in and not withdrawn; no draft
    assert total["decided"] == 7
    assert total["granted_count"] == 5
    assert presenting.success_rate(total) == Decimal("71.4")
    assert Decimal(total["applied"]) == 70_000
    assert Decimal(total["granted"]) == 49_000
    assert Decimal(total["paid"]) == 23_000  # a payment scheduled ahead is not paid yet
    assert total["recipients"] == 3
    # participants only from approved reports: 8 + 7, for 22 000 kr of grants
    assert total["reports"] == 2
    assert total["participants_total"] == 15
    assert Decimal(total["granted_reported"]) == 22_000


def test_years_are_swedish_years(case: dict[str, Any]) -> None:
    by_year = rows(summary(case), "year")
    assert sorted(by_year) == ["2022", "2023", "2025", "2026"]
    assert by_year["2025"]["applications"] == 4  # O2's and O1's of New Year's Eve included
    assert Decimal(by_year["2025"]["granted"]) == 7_000
    assert by_year["2026"]["applications"] == 2
    assert by_year["2026"]["orgs"] == 2  # the withdrawn application's organisation counts
    y2025 = summary(case, year=2025)["total"]
    assert (y2025["orgs"], y2025["decided"], y2025["granted_count"]) == (3, 3, 2)
    assert Decimal(y2025["applied"]) == 24_000


def test_first_time_and_three_years(case: dict[str, Any]) -> None:
    data = summary(case)
    first = rows(data, "first_time")
    assert first["first"]["applications"] == 3
    assert Decimal(first["first"]["granted"]) == 32_000
    assert first["returning"]["applications"] == 5
    assert first["returning"]["decided"] == 4
    assert Decimal(first["returning"]["granted"]) == 17_000
    three = rows(data, "new_3y")
    assert three["new"]["applications"] == 4  # O3's application a day past the three years
    assert three["recent"]["applications"] == 4  # and the one on the very date


def test_first_time_rule_at_the_boundaries() -> None:
    def fact(
        org: int, sent: datetime, outcome: str = "open", decided: datetime | None = None
    ) -> GrantFact:
        return GrantFact(
            application_id=0,
            organisation_id=org,
            public_body_id=1,
            programme_id=1,
            programme_name="",
            submitted_at=sent,
            outcome=outcome,
            applied=Decimal(0),
            granted=Decimal(0),
            paid=Decimal(0),
            decided_at=decided,
        )

    granted = {1: [date(2025, 12, 31)], 2: [date(2022, 6, 15)]}
    # 00:30 on New Year's Day in Stockholm is still 31 December in UTC
    assert first_time(fact(1, local(2026, 1, 1, 0, 30)), granted) == (False, False)
    # a grant decided on the day the application is sent in does not count as earlier
    assert first_time(fact(1, local(2025, 12, 31, 23, 55)), granted) == (True, True)
    assert first_time(fact(2, local(2025, 6, 15)), granted) == (False, False)
    assert first_time(fact(2, local(2025, 6, 16)), granted) == (False, True)
    assert first_time(fact(3, local(2025, 6, 16)), granted) == (True, True)
    # 29 February: three years earlier is 28 February
    assert first_time(fact(2, local(2028, 2, 29)), {2: [date(2025, 2, 28)]}) == (False, False)
    assert first_time(fact(2, local(2028, 2, 29)), {2: [date(2025, 2, 27)]}) == (False, True)


def test_splits_by_the_register(case: dict[str, Any]) -> None:
    data = summary(case)
    district = rows(data, "district")
    assert (district["Centrum"]["applications"], Decimal(district["Centrum"]["granted"])) == (
        3,
        27_000,
    )
    assert district["Centrum"]["participants_total"] == 15
    assert (district["Norr"]["applications"], Decimal(district["Norr"]["granted"])) == (2, 2_000)
    assert (district[""]["applications"], Decimal(district[""]["granted"])) == (3, 20_000)
    legal = rows(data, "legal_form")
    assert legal[LegalForm.FOUNDATION]["orgs"] == 1
    assert legal[LegalForm.NON_PROFIT]["orgs"] == 2
    size = rows(data, "size")
    assert size["25–99"]["orgs"] == 1 and size["250+"]["orgs"] == 1 and size[""]["orgs"] == 1
    groups = rows(data, "target_group")
    assert groups[str(case["young"].pk)]["label"] == "Unga"
    assert groups[str(case["young"].pk)]["applications"] == 3
    assert groups[""]["applications"] == 5


def test_public_bodies_and_programmes(case: dict[str, Any]) -> None:
    data = summary(case)
    bodies = rows(data, "body")
    assert Decimal(bodies[str(case["culture"].pk)]["granted"]) == 37_000
    assert Decimal(bodies[str(case["social"].pk)]["granted"]) == 12_000
    programmes = rows(data, "programme")
    assert set(programmes) == {str(case["p1"].pk), str(case["p2"].pk), str(case["p3"].pk)}
    social = summary(case, scope=f"body:{case['social'].pk}")
    assert Decimal(social["total"]["granted"]) == 12_000
    assert [row["key"] for row in social["rows"]["programme"]] == [str(case["p3"].pk)]
    p2 = summary(case, scope=f"programme:{case['p2'].pk}", year=2026)["total"]
    assert (p2["applications"], p2["decided"], p2["granted_count"]) == (1, 1, 0)


def test_participants_and_members(case: dict[str, Any]) -> None:
    data = summary(case)
    participants = data["participants"]
    assert participants["cells"]["7–12"] == {"women": 3, "men": 5, "other": 0}
    assert participants["cells"]["13–19"] == {"women": 4, "men": 1, "other": 2}
    assert participants["gender"] == {"women": 7, "men": 6, "other": 2}
    assert participants["total"] == 15
    members = data["members"]
    assert (members["total"], members["reported_total"]) == (330, 2)
    assert (members["women"], members["reported_women"]) == (10, 1)
    assert members["7_25"] == 12
    section = presenting.find(presenting.sections(data), "deltagare")
    assert section is not None
    assert section.notes == [
        "3 av 5 beviljade ansökningar saknar godkänd återrapport med deltagare."
    ]


def test_kronor_per_participant_and_shares(case: dict[str, Any]) -> None:
    data = summary(case)
    section = presenting.find(presenting.sections(data), "kommundel")
    assert section is not None
    centrum = next(row for row in section.rows if row[0] == "Centrum")
    assert centrum[5] == Decimal("55.1")  # 27 000 of 49 000
    total_row = presenting.find(presenting.sections(data), "bidragsform").total  # type: ignore[union-attr]
    assert total_row is not None
    assert total_row[9] == Decimal("1467")  # 22 000 kr / 15 participants


def test_population_sets_districts_against_their_inhabitants(case: dict[str, Any]) -> None:
    centrum = District.objects.create(name="Centrum", code="9999R001")
    norr = District.objects.create(name="Norr", code="9999R002")
    table = PopulationTable.objects.create(
        root=case["root"],
        year=2025,
        file_name="befolkning.csv",
        total=0,
        imported_by=UserFactory(),
    )
    for district, band, gender, count in [
        (centrum, "7–12", "women", 60),
        (centrum, "7–12", "men", 40),
        (norr, "7–12", "women", 200),
        (norr, "13–19", "men", 100),
    ]:
        PopulationCell.objects.create(
            table=table, district=district, age_band=band, gender=gender, count=count
        )
    store.build()
    data = summary(case, year=2026)  # the latest table before the year
    assert data["population"]["year"] == 2025
    # 2023 has no table of its own: the earliest there is, 2025's
    y2023 = summary(case, year=2023)
    assert y2023["population"]["year"] == 2025
    section = presenting.find(presenting.sections(y2023), "kommundel")
    assert section is not None
    centrum_row = next(row for row in section.rows if row[0] == "Centrum")
    assert centrum_row[6] == 100  # inhabitants
    assert centrum_row[7] == Decimal("25.0")  # of 400
    assert centrum_row[9] == Decimal("8.0")  # 8 participants per 100 inhabitants
    # every year's participants against one year's inhabitants would say nothing
    every = presenting.find(presenting.sections(summary(case)), "kommundel")
    assert every is not None
    assert next(row for row in every.rows if row[0] == "Centrum")[9] is None
    participants = presenting.find(presenting.sections(y2023), "deltagare")
    assert participants is not None
    young = next(row for row in participants.rows if row[0].startswith("7–12"))
    assert young[5] == Decimal("1.2")  # 3 girls of 260
    assert young[6] == Decimal("12.5")  # 5 boys of 40
