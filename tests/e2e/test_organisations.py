"""The register in a real browser: an association registers and uploads its documents, a case
officer (with two-factor authentication) verifies it, and the association sees it verified."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import generate_totp_secret

from organisations.demo import MINIMAL_PDF, demo_bankgiro, demo_organisation_number
from organisations.models import Organisation
from tests.helpers.browser import axe_violations, log_in
from tests.organisations.factories import TargetGroupFactory
from tests.portal.factories import MembershipFactory, UserFactory, give_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_register_upload_verify_and_see_verified(
    page: Any, browser: Any, live_server: Any, tmp_path: Path
) -> None:
    TargetGroupFactory(name="Barn 0–12 år")
    UserFactory(email="ordforande@solstralen.se", name="Siv Solstråle")
    log_in(page, "ordforande@solstralen.se")

    page.get_by_role("link", name="Mina organisationer").click()
    page.get_by_role("link", name="Registrera en organisation").click()
    assert axe_violations(page) == []
    page.get_by_label("Namn", exact=True).fill("Föreningen Solstrålen")
    page.get_by_label("Webbplats (valfritt)").fill("solstralen.se")
    page.get_by_label("Associationsform").select_option("ideell_forening")
    page.get_by_label("Organisationsnummer", exact=True).fill(demo_organisation_number(424_242))
    page.get_by_label("Gatuadress (valfritt)").fill("Storgatan 1")
    page.get_by_label("Postnummer (valfritt)").fill("123 45")
    page.get_by_label("Ort (valfritt)").fill("Exempelstad")
    page.get_by_label("Kommundel (valfritt)").fill("Centrum")
    page.get_by_label("Ändamål").fill("Läger och fritidsaktiviteter för barn.")
    page.get_by_label("Barn 0–12 år").check()
    page.get_by_label("Antal medlemmar totalt (valfritt)").fill("120")
    page.get_by_label("Betalningssätt (valfritt)").select_option("bankgiro")
    page.get_by_label("Bankgiro- eller plusgironummer (valfritt)").fill(demo_bankgiro(4242))
    page.get_by_label("Visas i den offentliga föreningskatalogen").check()
    page.get_by_role("button", name="Registrera", exact=True).click()
    page.wait_for_url(re.compile(r"/foreningar/\d+/dokument/"))
    organisation = Organisation.objects.get(name="Föreningen Solstrålen")

    pdf = tmp_path / "stadgar.pdf"
    pdf.write_bytes(MINIMAL_PDF)
    for kind in ("stadgar", "arsmotesprotokoll"):
        page.get_by_label("Dokument", exact=True).select_option(kind)
        page.get_by_label("Fil", exact=True).set_input_files(str(pdf))
        page.get_by_role("button", name="Ladda upp").click()
        page.wait_for_load_state()
    assert organisation.documents.count() == 2
    assert axe_violations(page) == []
    # on a phone each document stands as a block, its file's link in view, nothing sideways
    page.set_viewport_size({"width": 320, "height": 800})
    link = page.get_by_role("link", name="stadgar.pdf").first
    box = link.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 320
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("link", name="Översikt", exact=True).click()
    assert "Väntar på verifiering" in page.locator("main").inner_text()
    assert axe_violations(page) == []

    secret = generate_totp_secret()
    officer = MembershipFactory(user__name="Hanna Handläggare").user
    give_totp(officer, secret)
    officer_context = browser.new_context(locale="sv-SE", base_url=live_server.url)
    officer_page = officer_context.new_page()
    log_in(officer_page, officer.email, secret)
    officer_page.get_by_role("link", name="Handläggning", exact=True).click()
    officer_page.locator("main").get_by_role("link", name="Organisationer", exact=True).click()
    assert axe_violations(officer_page) == []
    officer_page.get_by_role("link", name="Föreningen Solstrålen").click()
    assert axe_violations(officer_page) == []
    officer_page.get_by_role("button", name=re.compile("^Godkänn Stadgar")).click()
    officer_page.get_by_role("button", name="Ja, godkänn").click()  # the confirmation
    officer_page.get_by_role("button", name="Verifiera", exact=True).click()
    assert axe_violations(officer_page) == []  # the confirmation page
    officer_page.get_by_role("button", name="Ja, ändra status").click()
    assert "Verifierad" in officer_page.locator(".status-panel").inner_text()
    officer_context.close()

    page.reload()
    assert "Verifierad" in page.locator(".status-panel").inner_text()
    assert "Godkänd" in page.locator("main table").inner_text()

    page.goto("/katalog/")
    assert "Föreningen Solstrålen" in page.locator("main").inner_text()
    assert axe_violations(page) == []


def test_directory_and_its_search_have_no_wcag_violations(page: Any) -> None:
    page.goto("/katalog/?q=finns-inte")
    assert axe_violations(page) == []
