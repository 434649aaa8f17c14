"""IOP pages in a real browser: the initiative form, the agreement editor, the signing page and
the public register have no WCAG violations; signing produces the PDF."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from agreements import services
from agreements.models import Agreement
from tests.agreements.conftest import Iop, fresh, to_signing
from tests.helpers.browser import axe_violations, log_in, officer_page, sign_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def edit_section(page: Any, title: str, text: str) -> None:
    """Open the section's editor from the document, write, save: back at the section."""
    with page.expect_navigation():
        page.get_by_role("link", name=f"Redigera avsnittet ”{title}”").click()
    page.get_by_label(f"Text i avsnittet ”{title}”").fill(text)
    with page.expect_navigation():
        page.get_by_role("button", name="Spara avsnittet").click()


def confirm(page: Any) -> None:
    """Answer the confirmation page's question with its main button."""
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()


def test_iop_pages_are_accessible_and_signing_makes_the_pdf(
    page: Any, browser: Any, live_server: Any, iop: Iop
) -> None:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import generate_totp_secret

    from tests.portal.factories import give_totp

    secret = generate_totp_secret()
    Authenticator.objects.filter(user=iop.representative).delete()
    give_totp(iop.representative, secret)  # signing needs the second factor
    log_in(page, iop.representative.email, secret)
    page.goto("/iop/initiativ/")
    assert axe_violations(page) == []
    from tests.agreements.conftest import INITIATIVE

    other = services.agreement_initiate(
        actor=iop.representative,
        organisation=iop.org_party.organisation,
        public_body=iop.body,
        data={**INITIATIVE, "title": "Läxhjälp"},
    )
    a = services.agreement_transition(agreement=fresh(other), to="screening", actor=iop.officer)
    from agreements.models import SCREENING_CRITERIA

    services.agreement_screen(
        agreement=fresh(a),
        actor=iop.officer,
        answers={k: {"ok": True, "comment": ""} for k, _l in SCREENING_CRITERIA},
        is_iop=True,
        comment="",
    )
    page.goto(f"/iop/avtal/{a.pk}/")
    assert axe_violations(page) == []  # the document, in co-creation
    edit_section(page, "Bakgrund", "Skrivet i webbläsaren.")
    assert fresh(a).sections["background"] == "Skrivet i webbläsaren."
    page.goto(f"/iop/avtal/{a.pk}/avsnitt/background/")
    assert axe_violations(page) == []  # the section's editor

    a = to_signing(iop)
    page.goto(f"/iop/avtal/{a.pk}/")
    assert axe_violations(page) == []  # the signing page
    sign_in_browser(page, a, iop.org_party)  # with a fresh code from the app
    chair = officer_page(browser, live_server, iop.chair)  # not the officer who prepared it
    sign_in_browser(chair, a, iop.body_party)
    assert Agreement.objects.get(pk=a.pk).status == "active"
    version = Agreement.objects.get(pk=a.pk).versions.get()
    assert version.pdf and version.sha256
    chair.context.close()

    page.goto("/iop/")
    assert "Mötesplats Norr" in page.locator("main").inner_text()
    assert axe_violations(page) == []


def test_the_whole_iop_path_with_an_amendment(
    page: Any, browser: Any, live_server: Any, iop: Iop
) -> None:
    """Initiative, screening, co-creation by both sides, legal review, decision, both signatures
    and the PDF; then an amendment that is signed again."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import generate_totp_secret

    from tests.portal.factories import give_totp

    secret = generate_totp_secret()
    Authenticator.objects.filter(user=iop.representative).delete()
    give_totp(iop.representative, secret)
    log_in(page, iop.representative.email, secret)

    page.goto("/iop/initiativ/")
    page.locator("#id_public_body").select_option(label="Socialnämnden")
    page.locator("#id_title").fill("Kvällsfotboll i Norr")
    for name in ("challenge", "idea", "target_group", "association_brings", "asks_of_public_side"):
        page.locator(f"#id_{name}").fill(f"Text för {name}.")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/iop/avtal/*/")
    agreement = Agreement.objects.get(title="Kvällsfotboll i Norr")
    url = f"/iop/avtal/{agreement.pk}/"

    officer = officer_page(browser, live_server, iop.officer)
    officer.goto(url)
    officer.locator("button[name=to][value=screening]").click()
    for checkbox in officer.locator("input[name^=ok_]").all():
        checkbox.check()
    officer.locator("input[name=is_iop][value=yes]").check()
    officer.locator("form[action$='/provning/'] button[type=submit]").click()
    assert Agreement.objects.get(pk=agreement.pk).status == "co_creation"

    edit_section(officer, "Mål och hur de mäts", "Minst 40 unga i veckan.")
    page.goto(url)
    edit_section(page, "Bakgrund", "Föreningen har spelat fotboll i Norr sedan 1985.")
    page.get_by_role("button", name=re.compile("^Jag är firmatecknare för")).first.click()
    assert Agreement.objects.get(pk=agreement.pk).sections == {
        "goals": "Minst 40 unga i veckan.",
        "background": "Föreningen har spelat fotboll i Norr sedan 1985.",
    }

    officer.goto(url)
    officer.locator("button[name=to][value=legal_review]").click()
    confirm(officer)
    officer.locator("#id_procurement").fill("Föreningens initiativ; ingen marknad.")
    officer.locator("input[name=route][value=not_economic]").check()
    officer.locator("form[action$='/juridik/'] button[type=submit]").click()
    confirm(officer)
    officer.locator("#id_decided_on").fill(timezone.localdate().isoformat())
    officer.locator("#id_reference").fill("SN § 150")
    officer.locator("form[action$='/beslut/'] button[type=submit]").click()
    confirm(officer)
    assert Agreement.objects.get(pk=agreement.pk).status == "signing"

    # The officer chooses the committee's chair to sign for the public body: they are not
    # offered to declare themselves, and, having prepared the agreement, are not in the list
    # (four eyes).
    assert officer.get_by_role("button", name=re.compile("^Jag är firmatecknare för")).count() == 0
    chooser = officer.get_by_label("Firmatecknare för Socialnämnden")
    assert iop.officer.display_name not in chooser.inner_text()
    chooser.select_option(label=iop.chair.display_name)
    with officer.expect_navigation():
        officer.get_by_role("button", name="Välj firmatecknare för Socialnämnden").click()
    chair = officer_page(browser, live_server, iop.chair)
    org_party, body_party = (
        agreement.parties.get(organisation__isnull=False),
        agreement.parties.get(public_body__isnull=False),
    )
    sign_in_browser(page, agreement, org_party)
    sign_in_browser(chair, agreement, body_party)
    agreement = Agreement.objects.get(pk=agreement.pk)
    assert agreement.status == "active" and agreement.versions.get().pdf
    officer.reload()
    assert officer.locator("a[href$='.pdf']").count() >= 1

    officer.locator("button[name=to][value=amendment]").click()
    edit_section(officer, "Mål och hur de mäts", "Minst 60 unga i veckan.")
    officer.locator("button[name=to][value=signing]").click()
    confirm(officer)
    # A second signature of the same people needs codes of a later time step: move the clock
    # on by two steps (the live server runs in this process) rather than wait.
    with time_machine.travel(timezone.now() + timedelta(seconds=90), tick=True):
        sign_in_browser(page, agreement, org_party)
        sign_in_browser(chair, agreement, body_party)
    agreement = Agreement.objects.get(pk=agreement.pk)
    assert agreement.status == "active"
    assert sorted(agreement.versions.values_list("number", flat=True)) == [1, 2]
    officer.context.close()
    chair.context.close()
