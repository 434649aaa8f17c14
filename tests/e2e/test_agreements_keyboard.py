"""The IOP agreement with the keyboard alone and on a 320 px screen: the officer chooses the
public body's signatory and both parties sign without a mouse; the agreement page, its section
editor and its comparison pages are no wider than the screen and have no axe violations in each
of the agreement's main states."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from agreements import services
from agreements.models import SCREENING_CRITERIA, Agreement
from tests.agreements.conftest import Iop, fresh, sign, to_signing
from tests.helpers.browser import axe_violations, officer_page
from tests.helpers.mfa import signing_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 320, "height": 900}


def tab_to(page: Any, selector: str, *, limit: int = 400) -> None:
    """Press Tab until the element matching `selector` has the focus, as a keyboard user
    moves through the page (fails if it is never reached)."""
    for _ in range(limit):
        if page.evaluate(
            "s => document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} is never reached with the Tab key")


def fits_and_passes(page: Any, where: str) -> None:
    """No horizontal overflow at the page's width, and no axe violations."""
    overflow = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert overflow[0] <= overflow[1], f"{where}: {overflow[0]} px wide in {overflow[1]} px"
    assert axe_violations(page) == [], where


def test_the_officer_chooses_the_signatory_and_both_parties_sign_with_the_keyboard_alone(
    browser: Any, live_server: Any, iop: Iop
) -> None:
    a = to_signing(iop)
    # The officer chooses the public body's signatory by keyboard: type to pick in the list.
    officer = officer_page(browser, live_server, iop.officer)
    officer.goto(f"/iop/avtal/{a.pk}/")
    tab_to(officer, f"#id_signatory_{iop.body_party.pk}_signatory")
    assert (
        iop.officer.display_name
        not in officer.locator(f"#id_signatory_{iop.body_party.pk}_signatory").inner_text()
    )  # who prepared the agreement is not offered (four eyes)
    officer.keyboard.type("Ordf")
    officer.keyboard.press("Tab")  # on to the form's button
    with officer.expect_navigation():
        officer.keyboard.press("Enter")
    assert (
        "Ordförande Nämndsson är firmatecknare för Socialnämnden"
        in officer.locator("main").inner_text()
    )
    officer.context.close()

    for user, party in ((iop.representative, iop.org_party), (iop.chair, iop.body_party)):
        page = officer_page(browser, live_server, user)
        page.goto(f"/iop/avtal/{a.pk}/")
        # From the table of contents to the parties, then on to the signing form.
        tab_to(page, "a[href='#parties-heading']")
        page.keyboard.press("Enter")
        tab_to(page, f"#sign-code-{party.pk}")
        page.keyboard.type(signing_code(user))
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert fresh(a).signatures.filter(party=party, voided_at__isnull=True).exists(), user
        page.context.close()
    agreement = Agreement.objects.get(pk=a.pk)
    assert agreement.status == "active" and agreement.versions.count() == 1


def test_the_agreement_fits_320_px_and_passes_axe_in_each_main_state(
    browser: Any, live_server: Any, iop: Iop, django_capture_on_commit_callbacks: Any
) -> None:
    a = iop.agreement
    url = f"/iop/avtal/{a.pk}/"
    rep = officer_page(browser, live_server, iop.representative)
    officer = officer_page(browser, live_server, iop.officer)
    for page in (rep, officer):
        page.set_viewport_size(NARROW)

    rep.goto(url)
    fits_and_passes(rep, "initiative")
    officer.goto("/iop/handlaggning/")
    fits_and_passes(officer, "the officer's IOP list")

    services.agreement_transition(agreement=fresh(a), to="screening", actor=iop.officer)
    officer.goto(url)
    fits_and_passes(officer, "screening, with its form")

    services.agreement_screen(
        agreement=fresh(a),
        actor=iop.officer,
        answers={key: {"ok": True, "comment": ""} for key, _label in SCREENING_CRITERIA},
        is_iop=True,
        comment="",
    )
    long_word = "Samverkansöverenskommelsesuppföljningsansvarig " * 3
    for actor, text in (
        (iop.editor, "Minst 40 unga i veckan.\n\n" + long_word),
        (iop.officer, "Minst 60 unga i veckan.\n\n" + long_word),
    ):
        services.agreement_section_save(agreement=fresh(a), actor=actor, section="goals", text=text)
    services.section_comment_add(
        agreement=fresh(a), actor=iop.officer, section="goals", text="Räcker 60?"
    )
    services.contribution_add(
        agreement=fresh(a),
        actor=iop.officer,
        party=iop.body_party,
        year=2027,
        kind="money",
        description="Bidrag till ledarkostnader och lokalhyra för hela verksamhetsåret",
        value=Decimal("300000"),
    )
    rep.goto(url)
    fits_and_passes(rep, "co-creation, the document with comments")
    officer.goto(url)
    fits_and_passes(officer, "co-creation, the officer's view")
    rep.goto(f"{url}avsnitt/goals/")
    fits_and_passes(rep, "the section editor")
    rep.goto(f"{url}avsnitt/goals/andringar/")
    fits_and_passes(rep, "the changes in a section")
    assert rep.locator("main del").count() >= 1 and rep.locator("main ins").count() >= 1
    rep.goto(f"{url}jamfor/")
    fits_and_passes(rep, "the comparison of the whole agreement")

    # Confirmations are pages of their own, at 320 px too.
    officer.goto(url)
    officer.locator("button[name=to][value=legal_review]").click()
    officer.wait_for_url(re.compile(r"/steg/$"))
    fits_and_passes(officer, "the confirmation page")
    with officer.expect_navigation():
        officer.locator("main form button[type=submit]").first.click()
    assert fresh(a).status == "legal_review"
    fits_and_passes(officer, "legal review, with its form")

    services.party_set_signatory(
        party=iop.org_party, actor=iop.representative, signatory=iop.representative
    )
    services.party_set_signatory(party=iop.body_party, actor=iop.officer, signatory=iop.chair)
    services.agreement_legal_review(
        agreement=fresh(a),
        actor=iop.officer,
        procurement="Idéburet.",
        route="not_economic",
        amount=None,
    )
    officer.goto(url)
    fits_and_passes(officer, "decision, with its form")
    services.agreement_decide(
        agreement=fresh(a), actor=iop.officer, decided_on=timezone.localdate(), reference="SN § 7"
    )
    rep.goto(url)
    fits_and_passes(rep, "signing, with the signing form")
    officer.goto(url)
    fits_and_passes(officer, "signing, the officer's view")

    sign(agreement=a, actor=iop.representative, party=iop.org_party)
    with django_capture_on_commit_callbacks(execute=True):
        sign(agreement=fresh(a), actor=iop.chair, party=iop.body_party)
    assert fresh(a).status == "active"
    officer.goto(url)
    fits_and_passes(officer, "active, with follow-up and ending")
    rep.goto(url)
    fits_and_passes(rep, "active, the association's view")
    for page in (rep, officer):
        page.context.close()
