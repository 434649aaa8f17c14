"""The statistics' shared cases: a municipality with one committee, one programme and fourteen
applicants over two years."""

from __future__ import annotations

import random
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from grants.models import ApplicationStatus
from insights import store
from portal.models import PublicBodyRole
from tests.grants.factories import ApplicationFactory, CallFactory, ProgrammeFactory
from tests.organisations.factories import OrganisationFactory
from tests.portal.factories import CommitteeFactory, MembershipFactory, PublicBodyFactory, give_totp

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def applications(call: Any, count: int, *, district: str = "Centrum", seed: int = 1) -> None:
    rng = random.Random(seed)  # noqa: S311 - test data, not security
    for n in range(count):
        granted = n % 3 != 0
        ApplicationFactory(
            call=call,
            organisation=OrganisationFactory(district=district),
            status=ApplicationStatus.APPROVED if granted else ApplicationStatus.REJECTED,
            submitted_at=datetime(2025 + n % 2, 3, 1 + n % 27, tzinfo=STOCKHOLM),
            amount_requested=Decimal(rng.randint(1, 9) * 1000),
            decided_amount=Decimal(1000) if granted else None,
            decided_at=datetime(2025 + n % 2, 5, 1, tzinfo=STOCKHOLM),
        )


@pytest.fixture
def kommun(db: None) -> dict[str, Any]:
    root = PublicBodyFactory(name="Provkommun")
    committee = CommitteeFactory(parent=root, name="Kulturnämnden")
    programme = ProgrammeFactory(public_body=committee, name="Projektbidrag")
    call = CallFactory(programme=programme)
    applications(call, 12)
    applications(call, 2, district="Skogsbyn", seed=2)  # too few to show in public
    store.build()
    officer = MembershipFactory(public_body=committee, role=PublicBodyRole.CASE_OFFICER).user
    give_totp(officer)
    return {
        "root": root,
        "committee": committee,
        "programme": programme,
        "call": call,
        "officer": officer,
    }
