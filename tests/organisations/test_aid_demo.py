"""The demo's de minimis ledger (`organisations.demo`, through `seed_demo`): the association
the demo account forening@exempel.se represents has declared its aid from others."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from organisations import state_aid
from organisations.models import AidDeclaration, AidOrigin, Organisation

pytestmark = pytest.mark.django_db


def test_the_demo_association_has_declared_its_aid_from_the_region(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent: still one first version
    association = Organisation.objects.get(
        memberships__user__email="forening@exempel.se", memberships__role="representative"
    )
    first = AidDeclaration.objects.get(organisation=association, number=1)
    assert first.declared_by.email == "forening@exempel.se" and not first.none_received
    entry = first.entries.get()
    assert (entry.origin, entry.granting_body, entry.regulation) == (
        AidOrigin.DECLARED,
        "Region Exempel",
        "2023/2831",
    )
    assert entry.amount_sek == Decimal("120000")
    today = timezone.localdate()  # 14 March 2025, while that is within the three years
    assert state_aid.window_start(today) <= entry.decided_on <= today
    assert entry.decided_on == date(2025, 3, 14) or today >= date(2028, 3, 14)
    assert entry.amount_eur == Decimal("10909.09")  # at the default 11 kr a euro
