from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

from portal.models import User
from tests.helpers.browser import axe_violations
from tests.helpers.mfa import totp_code
from tests.portal.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_confirm_by_emailed_link_log_in_and_see_your_name(
    page: Any, live_server: Any
) -> None:
    page.goto("/")
    page.get_by_role("link", name="Skapa konto").first.click()
    page.get_by_label("Namn").fill("Sara Sekreterare")
    page.get_by_label("E-post").fill("sara@forening.se")
    page.get_by_label("Lösenord", exact=True).fill(PASSWORD)
    page.get_by_label("Lösenord (igen)").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/konto/confirm-email/$"))

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/konto/confirm-email/\S+", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    page.goto(re.sub(r"^https?://[^/]+", live_server.url, link.group(0)))
    page.locator("main form button[type=submit]").click()

    page.goto("/konto/login/")
    page.get_by_label("E-post").fill("sara@forening.se")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/oversikt/$"))
    assert page.locator(".whoami-name").inner_text() == "Sara Sekreterare"
    assert User.objects.get(email="sara@forening.se").name == "Sara Sekreterare"

    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url(re.compile(r"/$"))
    assert page.locator(".whoami-name").count() == 0
    assert page.get_by_role("link", name="Logga in").count() >= 1


def test_officer_first_login_sets_up_the_app_and_goes_on_to_case_handling(
    page: Any, live_server: Any
) -> None:
    """Password once, then straight to the set-up (no second password prompt); the key can be
    copied; after the recovery codes the officer goes on to the page first asked for."""
    officer = MembershipFactory(user__name="Hanna Handläggare").user
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto("/handlaggning/")
    page.wait_for_url(re.compile(r"/konto/login/"))
    page.get_by_label("E-post").fill(officer.email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/konto/2fa/totp/activate/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Aktivera autentiseringsapp"
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 320, "height": 640})  # a phone: the key wraps, no overflow
    assert (
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        <= 0
    )
    page.set_viewport_size({"width": 1280, "height": 800})

    key = page.locator("#authenticator-secret")
    secret = key.inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    assert page.locator("input[disabled]").count() == 0
    copy = page.get_by_role("button", name="Kopiera")
    copy.focus()
    page.keyboard.press("Enter")
    page.get_by_text("Nyckeln är kopierad.").wait_for(state="attached")
    assert page.evaluate("navigator.clipboard.readText()") == secret

    page.get_by_label("Autentiseringskod").fill(totp_code(secret))
    page.get_by_role("button", name="Aktivera").click()
    page.wait_for_url(re.compile(r"/konto/2fa/recovery-codes/$"))
    assert axe_violations(page) == []
    onward = page.get_by_role("link", name="Jag har sparat koderna – fortsätt")
    assert "button-secondary" not in (onward.get_attribute("class") or "")
    new_codes = page.get_by_role("link", name="Skapa nya koder")
    assert "button-secondary" in (new_codes.get_attribute("class") or "")
    onward.click()
    page.wait_for_url(re.compile(r"/handlaggning/$"))
    assert page.get_by_role("heading", level=1).count() == 1


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/konto/login/",
        "/konto/signup/",
        "/tillganglighet/",
        "/konto/password/reset/",
        "/finns-inte/",
    ],
)
def test_public_pages_have_no_wcag_violations(page: Any, path: str) -> None:
    page.goto(path)
    assert axe_violations(page) == []


def test_sign_up_errors_have_no_wcag_violations(page: Any) -> None:
    page.goto("/konto/signup/")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".errors")
    assert axe_violations(page) == []


def test_logged_in_pages_have_no_wcag_violations(page: Any) -> None:
    UserFactory(email="frida@forening.se", name="Frida Förening")
    page.goto("/konto/login/")
    page.get_by_label("E-post").fill("frida@forening.se")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/oversikt/$"))
    for path in ("/oversikt/", "/konto/profil/", "/konto/email/", "/konto/password/change/"):
        page.goto(path)
        assert axe_violations(page) == [], path


def test_home_page_works_at_320_px(page: Any) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Hoppa till innehållet"
    # The focused skip link is on screen and has a visible outline.
    style = page.evaluate(
        """() => { const el = document.activeElement, s = getComputedStyle(el);
                   const box = el.getBoundingClientRect();
                   return {outline: s.outlineStyle, width: s.outlineWidth, top: box.top}; }"""
    )
    assert style["outline"] != "none" and style["width"] != "0px"
    assert style["top"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_axe_check_itself_catches_a_violation(page: Any) -> None:
    """The accessibility checks above can fail: an image without alt text is reported."""
    page.goto("/")
    page.evaluate(
        "document.querySelector('main')"
        ".insertAdjacentHTML('beforeend', '<img src=\"/static/favicon.svg\">')"
    )
    assert "image-alt" in {violation["id"] for violation in axe_violations(page)}
