"""The statistics of who gets the support in a real browser: the public page and the officers'
dashboard pass axe at 1280 and 320 px, without anything wider than the screen but the tables'
own scroll regions; every chart is an image with its title; a filter that is not offered is
named in the error summary, which takes focus; the yearly report is asked for with a button."""

from __future__ import annotations

from typing import Any

import pytest

from insights import store
from portal.models import PublicBodyRole
from tests.grants.factories import CallFactory, ProgrammeFactory
from tests.helpers.browser import axe_violations, officer_page
from tests.insights.conftest import applications
from tests.portal.factories import CommitteeFactory, MembershipFactory, PublicBodyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def statistics(db: None) -> dict[str, Any]:
    root = PublicBodyFactory(name="Provkommun")
    committee = CommitteeFactory(parent=root, name="Kulturnämnden")
    call = CallFactory(programme=ProgrammeFactory(public_body=committee, name="Projektbidrag"))
    applications(call, 14)
    applications(call, 3, district="Skogsbyn", seed=2)
    store.build()
    officer = MembershipFactory(public_body=committee, role=PublicBodyRole.CASE_OFFICER).user
    return {"officer": officer, "committee": committee}


def _overflow(page: Any) -> int:
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


def _charts_are_titled(page: Any) -> None:
    charts = page.locator("svg[role=img]")
    assert charts.count() >= 5
    for index in range(charts.count()):
        chart = charts.nth(index)
        labelled = chart.get_attribute("aria-labelledby") or ""
        title_id = labelled.split()[0]
        assert (chart.locator(f"title#{title_id}").text_content() or "").strip()


@pytest.mark.parametrize("width", [1280, 320])
def test_the_public_page_at_every_width(page: Any, statistics: dict[str, Any], width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/statistik/")
    assert page.get_by_role("heading", level=1, name="Vem får stödet").is_visible()
    assert page.locator("td", has_text="färre än 5").first.is_visible()
    _charts_are_titled(page)
    assert _overflow(page) == 0
    page.get_by_text("Hur räknas detta?").first.click()
    assert page.get_by_text("Beviljad betyder", exact=False).first.is_visible()
    violations = axe_violations(page)
    assert violations == [], violations


@pytest.mark.parametrize("width", [1280, 320])
def test_the_dashboard_at_every_width(
    browser: Any, live_server: Any, statistics: dict[str, Any], width: int
) -> None:
    page = officer_page(browser, live_server, statistics["officer"])
    page.set_viewport_size({"width": width, "height": 900})
    # found from the officers' own page
    page.goto("/handlaggning/")
    page.get_by_role("link", name="Statistik: vem får stödet").click()
    page.wait_for_url("**/handlaggning/statistik/")
    assert page.get_by_role("heading", level=1, name="Statistik: vem får stödet").is_visible()
    assert page.locator("main").get_by_text("Skogsbyn").first.is_visible()
    _charts_are_titled(page)
    assert _overflow(page) == 0
    assert axe_violations(page) == []
    # choose a year and a public body, as an officer does
    filters = page.get_by_role("search", name="Välj vad statistiken ska visa")
    filters.get_by_label("År", exact=True).select_option("2025")
    filters.get_by_label("Nämnd eller bidrag").select_option(f"body:{statistics['committee'].pk}")
    filters.get_by_role("button", name="Visa").click()
    assert page.get_by_text("Ansökningar inskickade 2025.").is_visible()
    # an address with a year not offered: the error summary says so and takes focus
    page.goto("/handlaggning/statistik/?ar=1999")
    summary = page.locator("[data-error-summary]")
    assert summary.get_by_role("link", name="Välj ett år i listan.").is_visible()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    # the yearly report is asked for with a button and listed when the worker has built it
    page.goto("/handlaggning/statistik/")
    page.get_by_role("button", name="Ta fram rapporten").click()
    assert page.get_by_text("Rapporten tas fram.").is_visible()
    assert page.get_by_role("link", name="Fördelning av föreningsstöd 2026 (PDF)").is_visible()
    page.context.close()
