"""IOP pages in a real browser: the initiative form, the agreement editor, the signing page and
the public register have no WCAG violations; signing produces the PDF."""

from __future__ import annotations

from typing import Any

import pytest

from agreements import services
from agreements.models import Agreement
from tests.agreements.conftest import Iop, fresh, to_signing
from tests.e2e.conftest import axe_violations
from tests.e2e.test_grants import officer_page
from tests.e2e.test_organisations import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_iop_pages_are_accessible_and_signing_makes_the_pdf(
    page: Any, browser: Any, live_server: Any, iop: Iop
) -> None:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import generate_totp_secret

    from tests.factories import give_totp

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
    assert axe_violations(page) == []  # the editor, in co-creation
    page.locator("#id_background-text").fill("Skrivet i webbläsaren.")
    page.get_by_role("button", name="Spara Bakgrund").click()
    assert fresh(a).sections["background"] == "Skrivet i webbläsaren."

    a = to_signing(iop)
    page.goto(f"/iop/avtal/{a.pk}/")
    assert axe_violations(page) == []  # the signing page
    page.get_by_role("button", name="Godkänn avtalet för Föreningen Mötesplats").click()
    officer = officer_page(browser, live_server, iop.officer)
    officer.goto(f"/iop/avtal/{a.pk}/")
    officer.get_by_role("button", name="Godkänn avtalet för Socialnämnden").click()
    assert Agreement.objects.get(pk=a.pk).status == "active"
    version = Agreement.objects.get(pk=a.pk).versions.get()
    assert version.pdf and version.sha256
    officer.context.close()

    page.goto("/iop/")
    assert "Mötesplats Norr" in page.locator("main").inner_text()
    assert axe_violations(page) == []
