"""The portal in a real browser (Playwright's page): logging in as a person does, with the
second factor where asked; signing an agreement; and axe-core's accessibility check of a page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import generate_totp_secret

from agreements.models import Agreement, Party
from tests.helpers.mfa import signing_code, totp_code
from tests.portal.factories import PASSWORD, give_totp

AXE = Path(__file__).resolve().parents[1] / "e2e" / "vendor" / "axe-core" / "axe.min.js"


def log_in(page: Any, email: str, secret: str | None = None) -> None:
    """Log in through the login page; with `secret`, answer the second-factor step too."""
    page.goto("/konto/login/")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in", exact=True).click()
    if secret:
        page.wait_for_url(re.compile(r"/konto/2fa/authenticate/"))
        page.get_by_label("Kod", exact=True).fill(totp_code(secret))
        page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(re.compile(r"/oversikt/$"))


def officer_page(browser: Any, live_server: Any, user: Any) -> Any:
    """A browser of its own for `user`, logged in with password and a code from an
    authenticator app set up anew (officers and signatories need the second factor)."""
    secret = generate_totp_secret()
    Authenticator.objects.filter(user=user).delete()  # a secret this test knows
    give_totp(user, secret)
    context = browser.new_context(locale="sv-SE", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, user.email, secret)
    return page


def sign_in_browser(page: Any, agreement: Agreement, party: Party, code: str | None = None) -> None:
    """Open the agreement, type the app's code into the party's signing form and sign. The code
    is one the portal has not seen (login used the current step's code; this is the next one,
    which the portal accepts within its tolerance of one step): no waiting for the clock."""
    signatory = Party.objects.select_related("signatory").get(pk=party.pk).signatory
    assert signatory is not None
    page.goto(f"/iop/avtal/{agreement.pk}/")
    form = page.locator(f"form[action$='/parter/{party.pk}/underskrift/']")
    form.locator("input[name=code]").fill(code or signing_code(signatory))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the page for WCAG 2.0/2.1 A and AA; return the violations, and also
    any colour contrast axe could not decide (text it cannot measure is text nobody checked)."""
    # Evaluated through the browser's debugging protocol, not added as an inline <script>: the
    # portal's Content-Security-Policy (rightly) refuses inline scripts.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text() + "\n;undefined")
    # A table cell scrolled out of sight inside a table's scroll region is "partially obscured"
    # for axe, which then cannot measure it (or, for a one-digit cell, does not try); its colours
    # are the table's own, measured where the table fits (1280 px). Every other undecided
    # contrast still counts.
    result = page.evaluate(
        """async () => {
            const result = await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}
            });
            const scrolledAway = (node) => {
                const keys = node.any.map((check) => check.data && check.data.messageKey);
                const unmeasured = ['elmPartiallyObscured', 'shortTextContent'];
                if (!keys.some((key) => unmeasured.includes(key)) || node.target.length !== 1) {
                    return false;
                }
                const element = document.querySelector(node.target[0]);
                return Boolean(element && element.closest('.table-scroll'));
            };
            // Text drawn inside a chart (an SVG image of the statistics, insights.charts) is
            // text in an image for axe, which does not measure it (nor a one-character value);
            // its colours are fixed by the chart and measured against the page's white in
            // tests/insights/test_charts.py.
            const inChart = (node) => {
                const keys = node.any.map((check) => check.data && check.data.messageKey);
                const element = document.querySelector(node.target[0]);
                const unmeasured = ['imgNode', 'shortTextContent'];
                return keys.some((key) => unmeasured.includes(key)) && node.target.length === 1
                    && Boolean(element && element.closest('figure.chart svg[role=img]'));
            };
            for (const item of result.incomplete) {
                if (item.id === 'color-contrast') {
                    item.nodes = item.nodes.filter((node) => !scrolledAway(node) && !inChart(node));
                }
            }
            result.incomplete = result.incomplete.filter((item) => item.nodes.length > 0);
            return result;
        }"""
    )
    return [
        {
            "id": violation["id"],
            "help": violation["help"],
            "targets": [node["target"] for node in violation["nodes"]],
        }
        for violation in result["violations"]
        + [item for item in result["incomplete"] if item["id"] == "color-contrast"]
    ]
