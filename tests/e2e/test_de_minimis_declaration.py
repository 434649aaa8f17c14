"""The declaration of de minimis aid in a real browser, on a phone: a representative lists two
aids from other bodies (the second row added with "Add another row", without script), certifies
and signs, and the page shows the declaration's version 1; axe finds nothing at 320 and at
1280 px, and the page never scrolls sideways."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D
from typing import Any

import pytest
from django.utils import timezone

from organisations.models import AidDeclaration, OrganisationRole
from tests.helpers.browser import axe_violations, log_in
from tests.organisations.factories import OrganisationMembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 320, "height": 900}
WIDE = {"width": 1280, "height": 900}


def sideways(page: Any) -> int:
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


def test_a_representative_declares_two_aids_on_a_phone_and_signs(
    page: Any, live_server: Any
) -> None:
    membership = OrganisationMembershipFactory(
        role=OrganisationRole.REPRESENTATIVE,
        organisation__name="Idrottsföreningen Exempel",
        user__email="rita@exempel.se",
        user__name="Rita Representant",
    )
    organisation = membership.organisation
    page.set_viewport_size(NARROW)
    log_in(page, "rita@exempel.se")
    page.goto(f"/foreningar/{organisation.pk}/")
    page.locator(
        f"nav.subnav a[href='/foreningar/{organisation.pk}/stod-av-mindre-betydelse/']"
    ).click()
    page.wait_for_url(re.compile(r"/stod-av-mindre-betydelse/$"))
    assert axe_violations(page) == []
    assert sideways(page) == 0

    earlier = timezone.localdate() - dt.timedelta(days=200)
    page.locator("#id_aid-0-granting_body").fill("Region Exempel")
    page.locator("#id_aid-0-decided_on").fill(earlier.isoformat())
    page.locator("#id_aid-0-amount_sek").fill("120 000")
    page.locator("#id_aid-0-reference").fill("RS 2025/77")
    with page.expect_navigation():
        page.locator("button[name=add_row]").click()
    # what was typed is still there, and a second row waits
    assert page.locator("#id_aid-0-granting_body").input_value() == "Region Exempel"
    assert page.locator("#id_aid-0-amount_sek").input_value() == "120 000"
    assert page.locator("#id_aid-0-decided_on").input_value() == earlier.isoformat()
    assert page.locator("#id_aid-1-granting_body").input_value() == ""
    assert sideways(page) == 0

    page.locator("#id_aid-1-granting_body").fill("Tillväxtverket")
    page.locator("#id_aid-1-decided_on").fill((earlier - dt.timedelta(days=100)).isoformat())
    page.locator("#id_aid-1-instrument").select_option("loan")
    page.locator("#id_aid-1-amount_sek").fill("200 000")
    page.locator("#id_aid-1-gross_grant_equivalent_sek").fill("15 000")
    page.locator("#id_certified").check()
    with page.expect_navigation():
        page.locator("button[name=sign]").click()

    assert page.locator("#current-version").inner_text() == "1"
    main = page.locator("main").inner_text()
    assert "Rita Representant" in main and "Tillväxtverket" in main
    assert axe_violations(page) == []
    assert sideways(page) == 0
    page.set_viewport_size(WIDE)
    assert axe_violations(page) == []

    declaration = AidDeclaration.objects.get(organisation=organisation)
    assert declaration.number == 1
    assert declaration.entries.count() == 2

    # a new declaration starts from what the last one listed: nothing is typed again
    page.set_viewport_size(NARROW)
    assert page.locator("#id_aid-0-granting_body").input_value() == "Region Exempel"
    assert page.locator("#id_aid-1-granting_body").input_value() == "Tillväxtverket"
    assert page.locator("#id_aid-1-gross_grant_equivalent_sek").input_value() != ""
    assert page.locator("#id_aid-2-granting_body").input_value() == ""
    page.locator("#id_certified").check()
    with page.expect_navigation():
        page.locator("button[name=sign]").click()
    assert page.locator("#current-version").inner_text() == "2"
    newest = AidDeclaration.objects.get(organisation=organisation, number=2)
    assert sorted(newest.entries.values_list("granting_body", "gross_grant_equivalent_sek")) == [
        ("Region Exempel", D("120000")),
        ("Tillväxtverket", D("15000")),
    ]


def test_the_officers_aid_page_and_the_register_pass_axe(browser: Any, live_server: Any) -> None:
    from decimal import Decimal

    from organisations import services
    from organisations.models import AidEntry, AidOrigin
    from tests.helpers.browser import officer_page
    from tests.organisations.factories import OrganisationFactory
    from tests.portal.factories import MembershipFactory

    officer = MembershipFactory(user__name="Hanna Handläggare").user
    body = officer.public_body_memberships.get().public_body
    association = OrganisationFactory(name="Idrottsföreningen Exempel", sector="93.12")
    company = OrganisationFactory(name="Exempel Café AB")
    services.undertaking_link(
        actor=officer, organisation=association, other=company, reason="Föreningen äger bolaget."
    )
    for number, organisation in enumerate((association, company, association), start=1):
        AidEntry.objects.create(
            organisation=organisation,
            origin=AidOrigin.DECIDED,
            regulation="2023/2831",
            decided_on=timezone.localdate() - dt.timedelta(days=30 * number),
            granting_body=body.name,
            public_body=body,
            instrument="grant",
            amount_sek=Decimal("110000"),
            gross_grant_equivalent_sek=Decimal("110000"),
            sek_per_eur=Decimal("11"),
            rate_source="Europeiska kommissionens månadskurs (InforEuro)",
            amount_eur=Decimal("10000"),
            source_kind="tests.case",
            source_id=number,
            source_reference=f"KFN 2026/{number}",
            recorded_by=officer,
        )
    page = officer_page(browser, live_server, officer)
    page.goto(f"/handlaggning/organisationer/{association.pk}/")
    page.locator(
        f"a[href='/handlaggning/organisationer/{association.pk}/stod-av-mindre-betydelse/']"
    ).click()
    page.wait_for_url(re.compile(r"/stod-av-mindre-betydelse/$"))
    assert "KFN 2026/2" in page.locator("main").inner_text()
    assert axe_violations(page) == []
    # a number that is no one's: the error summary, beside the field
    page.locator("#id_organisation_number").fill("802999-9995")
    page.locator("#id_reason").fill("Äger bolaget.")
    with page.expect_navigation():
        page.locator("#id_reason").evaluate("(field) => field.form.requestSubmit()")
    assert page.locator(".error-summary").count() == 1
    assert axe_violations(page) == []
    page.set_viewport_size(NARROW)
    assert axe_violations(page) == []
    assert sideways(page) == 0

    page.set_viewport_size(WIDE)
    page.goto("/handlaggning/organisationer/")
    page.locator("a[href='/handlaggning/stod-av-mindre-betydelse/']").first.click()
    page.wait_for_url(re.compile(r"/handlaggning/stod-av-mindre-betydelse/"))
    assert axe_violations(page) == []
    page.set_viewport_size(NARROW)
    assert axe_violations(page) == []
    assert sideways(page) == 0
