"""The header in a real browser: compact at 1280 px for an officer with several roles, and at
320 px a menu button that opens and closes the menu from the keyboard; without script the menu
is simply there."""

from __future__ import annotations

from typing import Any

import pytest

from portal.models import PublicBodyRole
from tests.helpers.browser import axe_violations, officer_page
from tests.organisations.factories import OrganisationMembershipFactory
from tests.portal.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _officer_with_every_role() -> Any:
    """A case officer at two committees, a decision maker at one, and an association's
    representative: the longest header there is."""
    officer = MembershipFactory(
        role=PublicBodyRole.CASE_OFFICER,
        public_body__name="Kultur- och fritidsnämnden",
        user__name="Hanna Handläggare",
    ).user
    MembershipFactory(
        user=officer, role=PublicBodyRole.CASE_OFFICER, public_body__name="Socialnämnden"
    )
    MembershipFactory(user=officer, role=PublicBodyRole.DECISION_MAKER)
    OrganisationMembershipFactory(user=officer, role="representative")
    return officer


def _overflow(page: Any) -> int:
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


def test_the_officer_header_is_two_rows_at_1280_px(browser: Any, live_server: Any) -> None:
    page = officer_page(browser, live_server, _officer_with_every_role())
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/oversikt/")
    header = page.locator(".site-header").bounding_box()
    brand = page.locator(".brand").bounding_box()
    account = page.locator(".account-nav").bounding_box()
    work = page.locator(".workspace-nav").bounding_box()
    # Two rows: the brand with the public menu and the account, then the person's own pages
    # and case handling, each one line high.
    first_row = max(brand["height"], account["height"])
    assert first_row < 72  # the roles beside the name take at most two short lines
    assert work["height"] < 40  # the second row does not wrap
    assert header["height"] <= first_row + work["height"] + 1
    assert page.get_by_role("navigation", name="Handläggning").is_visible()
    assert page.get_by_role("navigation", name="Mina sidor").is_visible()
    assert page.locator(".menu-button").is_hidden()
    assert axe_violations(page) == []
    page.context.close()


def test_at_320_px_the_menu_button_opens_and_closes_the_menu_by_keyboard(
    browser: Any, live_server: Any
) -> None:
    page = officer_page(browser, live_server, _officer_with_every_role())
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/oversikt/")
    button = page.get_by_role("button", name="Meny")
    menu = page.locator("#site-menu")
    assert button.get_attribute("aria-expanded") == "false"
    assert menu.is_hidden()
    header = page.locator(".site-header").bounding_box()
    assert header["height"] < 80  # a small bar, not a third of the screen

    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('menu-button')")
    page.keyboard.press("Enter")
    assert button.get_attribute("aria-expanded") == "true"
    assert menu.is_visible()
    assert page.get_by_role("link", name="Ansökningar", exact=True).is_visible()
    assert _overflow(page) <= 0
    assert axe_violations(page) == []

    page.keyboard.press("Tab")  # into the menu
    page.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false"
    assert menu.is_hidden()
    assert page.evaluate("document.activeElement.classList.contains('menu-button')")
    page.keyboard.press("Space")
    assert menu.is_visible()
    page.keyboard.press("Space")
    assert menu.is_hidden()
    assert _overflow(page) <= 0
    page.context.close()


def test_without_script_the_menu_is_shown_and_the_button_is_not(
    browser: Any, live_server: Any
) -> None:
    UserFactory(email="frida@forening.se")
    context = browser.new_context(
        locale="sv-SE", base_url=live_server.url, java_script_enabled=False
    )
    page = context.new_page()
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/")
    assert page.locator(".menu-button").is_hidden()
    assert page.get_by_role("link", name="Öppna utlysningar").first.is_visible()
    assert _overflow(page) <= 0
    context.close()


def test_a_long_unbroken_name_does_not_widen_the_directory_at_320_px(page: Any) -> None:
    """Names are what associations typed: one long word must wrap inside its card, not push
    the page wider than a phone."""
    from tests.organisations.factories import OrganisationFactory

    OrganisationFactory(
        name="Samverkansöverenskommelsesuppföljningsföreningen" * 3,
        status="verified",
        public_listing=True,
    )
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/katalog/")
    assert "Samverkansöverenskommelses" in page.locator("main").inner_text()
    assert _overflow(page) <= 0
