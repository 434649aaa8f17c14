"""The whole grant path in a real browser: the association applies, the officer requests
completion, the association completes, the officer scores and proposes, the decision maker
approves, and the association sees the decision."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from grants.models import Application
from organisations.demo import MINIMAL_PDF
from tests.grants.conftest import Grants
from tests.helpers.browser import axe_violations, log_in, officer_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_apply_complete_assess_propose_decide_and_see_the_decision(
    page: Any, browser: Any, live_server: Any, grants: Grants, tmp_path: Path
) -> None:
    g = grants
    q = g.questions
    log_in(page, g.editor.email)
    page.get_by_role("link", name="Öppna utlysningar").click()
    page.get_by_role("link", name=g.call.title).click()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Påbörja en ansökan").click()
    page.wait_for_url(re.compile(r"/ansokningar/\d+/$"))
    assert axe_violations(page) == []

    page.get_by_label("Ansökans rubrik").fill("Kvällsöppet för unga")
    page.locator("#id_planned_start").fill("2027-03-01")
    page.locator("#id_planned_end").fill("2027-06-30")
    page.get_by_label(q[0].text).fill("Öppen verksamhet två kvällar i veckan.")
    page.get_by_label(q[1].text).fill("40")
    page.get_by_label(q[2].text).select_option("Norr")
    page.locator("#id_budget-0-description").fill("Ledare")
    page.locator("#id_budget-0-amount").fill("40 000")
    page.get_by_label("Sökt belopp i kronor").fill("40 000")
    page.get_by_role("button", name="Spara utkast").click()
    pdf = tmp_path / "projektplan.pdf"
    pdf.write_bytes(MINIMAL_PDF)
    page.get_by_label("Välj en fil för ”Projektplan”").set_input_files(str(pdf))
    page.get_by_role("button", name="Ladda upp Projektplan").click()
    assert "projektplan.pdf" in page.locator("#bilagor").inner_text()
    page.get_by_role("button", name="Spara och kontrollera ansökan").click()
    page.wait_for_url(re.compile(r"/kontrollera/"))
    assert axe_violations(page) == []
    page.get_by_role("button", name="Skicka in ansökan").click()
    page.wait_for_url(re.compile(r"/kvitto/"))
    assert "Ansökan är inskickad" in page.locator("main").inner_text()
    assert axe_violations(page) == []
    application = Application.objects.get()
    assert application.registry_number
    assert application.registry_number in page.locator("main").inner_text()

    officer = officer_page(browser, live_server, g.officer)
    officer.goto("/handlaggning/ansokningar/")
    assert axe_violations(officer) == []
    officer.get_by_role("link", name=application.registry_number).click()
    assert axe_violations(officer) == []
    officer.get_by_text("Begär komplettering").click()
    officer.get_by_label("Vad ska föreningen komplettera?").fill("Lägg till en rad för material.")
    officer.get_by_label("Komplettera senast").fill("2099-01-31")
    officer.get_by_role("button", name="Skicka begäran").click()
    assert "Komplettering begärd" in officer.locator(".status-panel").inner_text()

    page.goto(f"/ansokningar/{application.pk}/")
    assert "Lägg till en rad för material." in page.locator("main").inner_text()
    page.locator("#id_budget-1-description").fill("Material")
    page.locator("#id_budget-1-amount").fill("5 000")
    page.get_by_role("button", name="Spara och kontrollera ansökan").click()
    page.get_by_role("button", name="Skicka in igen").click()
    page.wait_for_url(re.compile(r"/kvitto/"))
    assert "Vi har tagit emot kompletteringen" in page.locator("main").inner_text()

    officer.reload()
    assert "Komplettering inkommen" in officer.locator(".status-panel").inner_text()
    officer.goto("/handlaggning/ansokningar/")
    assert "Komplettering inkommen" in officer.locator("main").inner_text()
    # the officer types the diarienummer as she has it (lower case) and lands on the case
    officer.get_by_label("Organisation, organisationsnummer eller diarienummer").fill(
        application.registry_number.lower()
    )
    officer.get_by_role("button", name="Filtrera").click()
    officer.wait_for_url(re.compile(rf"/handlaggning/ansokningar/{application.pk}/$"))
    officer.get_by_role("button", name="Påbörja bedömningen").click()
    for criterion in g.criteria:  # nothing is scored beforehand
        assert officer.locator(f"#id_c{criterion.pk}-score").input_value() == ""
        officer.locator(f"#id_c{criterion.pk}-score").select_option("4")
    officer.get_by_role("button", name="Spara bedömningen").click()
    assert (
        "Viktad summa av de sparade poängen: 16 av högst 20" in officer.locator("main").inner_text()
    )
    officer.get_by_label("Bevilja delvis").check()
    officer.get_by_label(re.compile("^Belopp om ansökan beviljas delvis")).fill("30 000")
    officer.get_by_label("Motivering").fill("Rimlig budget, delvis.")
    officer.get_by_role("button", name="Skicka beslutsförslaget").click()
    assert "Bevilja delvis 30\u00a0000\u00a0kr" in officer.locator("main").inner_text()
    assert axe_violations(officer) == []  # the confirmation page
    officer.get_by_role("button", name="Ja, skicka beslutsförslaget").click()
    assert "Beslutsförslag lämnat" in officer.locator(".status-panel").inner_text()
    officer.context.close()

    decider = officer_page(browser, live_server, g.decision_maker)
    decider.goto("/handlaggning/beslut/")
    decider.get_by_role("link", name=application.registry_number).click()
    assert axe_violations(decider) == []
    decider.get_by_label("Besluta enligt förslaget").check()  # nothing is chosen beforehand
    # (the new texts match in Swedish and, before the catalogue is merged, in English)
    decider.get_by_role(
        "button", name=re.compile("Gå vidare och granska beslutet|Continue to check the decision")
    ).click()
    check = decider.locator("main").inner_text()
    assert "Delvis beviljad" in check and "30\u00a0000\u00a0kr" in check
    assert "Viktad summa" in check  # the decision maker sees the assessment
    assert "laglighetsprövning" in check
    assert axe_violations(decider) == []
    decider.get_by_role(
        "button", name=re.compile("^(Fatta beslutet|Confirm and take the decision)$")
    ).click()
    assert "Delvis beviljad" in decider.locator(".status-panel").first.inner_text()
    assert "laglighetsprövning" in decider.locator("main").inner_text()
    decider.context.close()

    page.goto(f"/ansokningar/{application.pk}/")
    text = page.locator("main").inner_text()
    assert (
        "Delvis beviljad" in text
        and "30\u00a0000\u00a0kr" in text
        and "Rimlig budget, delvis." in text
    )
