"""Follow-up in a real browser: the officer pays, the association reports, the officer asks for
a revision, the association revises, the officer approves."""

from __future__ import annotations

from typing import Any

import pytest

from grants.models import FollowUpReport
from tests.grants.conftest import Grants, decided
from tests.helpers.browser import axe_violations, log_in, officer_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pay_report_revise_and_approve(
    page: Any, browser: Any, live_server: Any, grants: Grants
) -> None:
    g = grants
    application = decided(g)

    officer = officer_page(browser, live_server, g.officer)
    officer.goto(f"/handlaggning/ansokningar/{application.pk}/")
    officer.get_by_label("Belopp (kr)").fill("40 000")
    officer.get_by_label("Referens").fill("Utbetalning 2026-12")
    officer.get_by_role("button", name="Registrera utbetalningen").click()
    assert "En registrerad utbetalning kan inte ändras" in officer.locator("main").inner_text()
    officer.get_by_role("button", name="Ja, registrera utbetalningen").click()
    assert "Utbetalning 2026-12" in officer.locator("main").inner_text()

    log_in(page, g.editor.email)
    page.goto(f"/ansokningar/{application.pk}/aterrapportering/")
    assert axe_violations(page) == []
    page.get_by_label("Vad genomfördes, jämfört med det som planerades?").fill(
        "Vi höll 20 träffar."
    )
    page.get_by_label("Antal aktiviteter").fill("20")
    page.get_by_label("Kvinnor och flickor, 13–19 år").fill("12")
    page.get_by_label("Män och pojkar, 13–19 år").fill("9")
    for line in application.budget_lines.filter(kind="cost"):
        page.get_by_label(line.description, exact=True).fill("30 000")
    page.get_by_role("button", name="Skicka in återrapporteringen").click()
    assert "Inskickad" in page.locator(".status-panel").inner_text()

    officer.goto(f"/handlaggning/ansokningar/{application.pk}/aterrapportering/")
    officer.get_by_label("Kommentar till föreningen").fill("Bifoga kvitton.")
    officer.get_by_role("button", name="Begär komplettering").click()
    assert FollowUpReport.objects.get().status == "revision_requested"

    page.reload()
    assert "Bifoga kvitton." in page.locator("main").inner_text()
    page.get_by_label("Vad genomfördes, jämfört med det som planerades?").fill(
        "Vi höll 20 träffar. Kvitton finns."
    )
    page.get_by_role("button", name="Skicka in återrapporteringen").click()

    officer.reload()
    officer.get_by_role("button", name="Godkänn återrapporteringen").click()
    officer.get_by_role("button", name="Ja, godkänn återrapporteringen").click()
    assert FollowUpReport.objects.get().status == "approved"
    for path in (
        "/handlaggning/utbetalningar/",
        "/handlaggning/aterrapporteringar/",
        "/handlaggning/aterkrav/",
    ):
        officer.goto(path)
        assert axe_violations(officer) == [], path
    officer.context.close()

    page.reload()
    assert "Godkänd" in page.locator(".status-panel").inner_text()
