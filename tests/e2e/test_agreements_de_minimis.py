"""An IOP agreement's de minimis aid in a real browser: the legal review and the decision show
the undertaking's aid over three years and the room left, and refuse an amount that would cross
the ceiling with the reason in the form's error summary; no WCAG violations on either."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from agreements.models import Agreement
from organisations import services as organisation_services
from organisations.models import AidEntry, AidInstrument, AidRegulation
from tests.agreements.conftest import Iop, fresh, rate_of_ten
from tests.agreements.test_access import screened
from tests.helpers.browser import axe_violations, officer_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def confirm(page: Any) -> None:
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()


def text_of(page: Any, selector: str) -> str:
    return str(page.locator(selector).inner_text()).replace("\u00a0", " ")


def test_the_refusal_and_the_room_left_are_shown_at_the_review_and_the_decision(
    browser: Any, live_server: Any, iop: Iop
) -> None:
    rate_of_ten()  # 10 kr a euro
    organisation_services.aid_declaration_sign(
        organisation=iop.org_party.organisation,
        actor=iop.representative,
        items=[
            organisation_services.DeclaredAid(
                granting_body="Region Exempel",
                decided_on=date(2025, 5, 1),
                regulation=AidRegulation.DE_MINIMIS,
                instrument=AidInstrument.GRANT,
                amount_sek=Decimal("2800000"),  # 280 000 euro
            )
        ],
        none_received=False,
        certified=True,
    )
    a = screened(iop)
    Agreement.objects.filter(pk=a.pk).update(status="legal_review")
    officer = officer_page(browser, live_server, iop.officer)
    officer.goto(f"/iop/avtal/{a.pk}/")
    panel = text_of(officer, "#legal-de-minimis")
    assert "280 000 euro" in panel and "20 000 euro" in panel and "200 000 kr" in panel
    officer.locator("#legal-de-minimis summary").click()  # the aid counted, one by one
    assert "Region Exempel" in text_of(officer, "#legal-de-minimis")
    assert axe_violations(officer) == []

    officer.locator("#id_procurement").fill("Föreningens initiativ; ingen marknad.")
    officer.locator("input[name=route][value=de_minimis]").check()
    officer.locator("#id_amount").fill("300000")
    with officer.expect_navigation():
        officer.locator("form[action$='/juridik/'] button[type=submit]").click()
    summary = text_of(officer, "[data-error-summary]")
    assert "310 000 euro" in summary and "300 000 euro" in summary
    assert (
        officer.locator("#id_procurement").input_value() == "Föreningens initiativ; ingen marknad."
    )
    assert axe_violations(officer) == []
    assert fresh(a).status == "legal_review"

    officer.locator("#id_amount").fill("200000")
    with officer.expect_navigation():
        officer.locator("form[action$='/juridik/'] button[type=submit]").click()
    confirm(officer)
    assert fresh(a).status == "decision"

    # a föreningsbidrag of 10 000 euro is decided meanwhile: 10 000 euro left, not 20 000
    organisation_services.aid_grant(
        organisation=iop.org_party.organisation,
        actor=iop.officer,
        regulation=AidRegulation.DE_MINIMIS,
        decided_on=date(2026, 11, 30),
        amount_sek=Decimal("100000"),
        public_body=iop.body,
        source_kind="grants.application",
        source_id=1,
        source_reference="KFN 2026/1",
        since=timezone.make_aware(timezone.datetime(2020, 1, 1)),
        since_label="the call opened",
    )
    chair = officer_page(browser, live_server, iop.chair)
    chair.goto(f"/iop/avtal/{a.pk}/")
    panel = text_of(chair, "#decision-de-minimis")
    assert "290 000 euro" in panel and "10 000 euro" in panel and "200 000 kr" in panel
    assert axe_violations(chair) == []
    chair.locator("#id_decided_on").fill(timezone.localdate().isoformat())
    chair.locator("#id_reference").fill("SN § 150")
    with chair.expect_navigation():
        chair.locator("form[action$='/beslut/'] button[type=submit]").click()
    assert "310 000 euro" in text_of(chair, "[data-error-summary]")
    assert chair.locator("#id_reference").input_value() == "SN § 150"
    assert axe_violations(chair) == []
    assert fresh(a).status == "decision"
    assert not AidEntry.objects.filter(source_kind="agreements.agreement").exists()
