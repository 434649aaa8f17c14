"""A grant that is de minimis aid, in a real browser: the decision maker sees the undertaking's
room under the ceiling, is refused (with the error summary) an amount that would cross it,
decides one that fits, and the decision says it is de minimis aid. Every page at 320 and
1280 px, without axe violations."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from grants.models import Application
from organisations.models import AidEntry
from tests.grants.aid import declare, from_the_region, in_review, propose
from tests.grants.conftest import Grants, de_minimis  # noqa: F401 - the de minimis world
from tests.helpers.browser import axe_violations, officer_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 320, "height": 900}
WIDE = {"width": 1280, "height": 900}
NBSP = "\u00a0"


def fits_and_passes(page: Any, where: str) -> None:
    """At 320 and 1280 px: no horizontal overflow, and no axe violations."""
    for size in (NARROW, WIDE):
        page.set_viewport_size(size)
        width = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert width[0] <= width[1], f"{where} at {size['width']} px: {width[0]} px wide"
        assert axe_violations(page) == [], f"{where} at {size['width']} px"


def test_the_decision_maker_sees_the_room_is_refused_over_the_ceiling_and_decides_within_it(
    browser: Any,
    live_server: Any,
    de_minimis: Grants,  # noqa: F811
) -> None:
    g = de_minimis
    declare(g, from_the_region("299000"))  # 1 000 euro (11 000 kr) left under the ceiling
    application = propose(g, in_review(g), outcome="partly", amount=Decimal("5000"))

    decider = officer_page(browser, live_server, g.decision_maker)
    decider.goto(f"/handlaggning/ansokningar/{application.pk}/")
    panel = decider.locator("#de-minimis").inner_text()
    assert f"299{NBSP}000{NBSP}euro" in panel  # counted over three years
    assert f"1{NBSP}000{NBSP}euro" in panel and f"11{NBSP}000{NBSP}kr" in panel  # the room
    assert f"454,55{NBSP}euro" in panel  # the proposed 5 000 kr in euro
    fits_and_passes(decider, "the decision page with the de minimis panel")

    # another amount, over the ceiling: refused, with the error summary, nothing decided
    decider.locator("input[name=decision][value=change]").check()
    decider.locator("#id_amount").fill("20 000")
    decider.locator("#id_change_reason").fill("Hela kostnaden för scenen.")
    decider.get_by_role(
        "button", name=re.compile("Gå vidare och granska beslutet|Continue to check the decision")
    ).click()
    summary = decider.locator("[data-error-summary]")
    assert summary.is_visible()
    assert summary.evaluate("node => node === document.activeElement")  # it takes the focus
    assert f"1{NBSP}000{NBSP}euro" in summary.inner_text()  # the room, in the refusal
    fits_and_passes(decider, "the refusal over the ceiling")
    assert Application.objects.get(pk=application.pk).status == "proposed"
    assert not AidEntry.objects.filter(origin="decided").exists()

    # the proposal, which fits: checked, then taken
    decider.locator("input[name=decision][value=confirm]").check()
    decider.locator("#id_amount").fill("")
    decider.get_by_role(
        "button", name=re.compile("Gå vidare och granska beslutet|Continue to check the decision")
    ).click()
    assert f"454,55{NBSP}euro" in decider.locator("#de-minimis").inner_text()
    fits_and_passes(decider, "the check of a de minimis decision")
    decider.get_by_role(
        "button", name=re.compile("^(Fatta beslutet|Confirm and take the decision)$")
    ).click()
    statement = decider.locator(".de-minimis-statement").inner_text()
    assert "2023/2831" in statement and f"454,55{NBSP}euro" in statement
    fits_and_passes(decider, "the decision with its de minimis statement")
    decider.context.close()
    assert AidEntry.objects.get(origin="decided").amount_eur == Decimal("454.55")

    member = officer_page(browser, live_server, g.representative)
    member.goto(f"/ansokningar/{application.pk}/")
    assert "2023/2831" in member.locator(".de-minimis-statement").inner_text()
    assert member.locator("#de-minimis").count() == 0  # the officers' panel is theirs
    fits_and_passes(member, "the association's decision")
    member.context.close()
