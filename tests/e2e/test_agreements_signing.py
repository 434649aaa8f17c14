"""A four-party IOP signed end to end in Chromium: a kommun and a region (two public bodies) and
two associations. Each signatory logs in with two factors and signs with a fresh code from their
authenticator app; after the fourth signature the agreement is in force with its PDF."""

from __future__ import annotations

import re
from typing import Any

import pytest

from agreements.models import Agreement, Signature
from tests.agreements.conftest import four_parties, four_parties_to_signing, fresh
from tests.helpers.browser import axe_violations, officer_page, sign_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_kommun_a_region_and_two_associations_sign_with_fresh_codes(
    browser: Any, live_server: Any
) -> None:
    # The kommun's officer prepares the agreement and records the decision; its chair signs
    # (four eyes on the public side). The region's officer chooses its signatory; nobody
    # chooses themselves.
    f = four_parties()
    a, parties = f.agreement, f.parties
    officer_r, chair_k, chair_r, rep_a, rep_b = f.officer_r, f.chair_k, f.chair_r, f.rep_a, f.rep_b

    # Each person's browser, logged in with password and a code from their app.
    pages = {
        user.pk: officer_page(browser, live_server, user)
        for user in (chair_k, officer_r, chair_r, rep_a, rep_b)
    }

    # The region's officer sees the agreement (a party's public body) and chooses its
    # signatory in the browser (a colleague, from the list: not themselves, who are not
    # offered); the kommun's officer chooses its chair; the associations name themselves.
    region_page = pages[officer_r.pk]
    region_page.goto(f"/iop/avtal/{a.pk}/")
    assert "Region Exempel" in region_page.locator("main").inner_text()
    form = region_page.locator(
        f"form[action$='/parter/{parties['region'].pk}/valj-firmatecknare/']"
    )
    assert form.locator(f"option[value='{officer_r.pk}']").count() == 0
    form.locator("select").select_option(str(chair_r.pk))
    with region_page.expect_navigation():
        form.locator("button").click()
    a = four_parties_to_signing(f)
    assert {p.signatory_id for p in fresh(a).parties.all()} == {
        chair_k.pk,
        chair_r.pk,
        rep_a.pk,
        rep_b.pk,
    }
    assert fresh(a).status == "signing"

    # The signing page is accessible, and a wrong code signs nothing.
    page_b = pages[rep_b.pk]
    page_b.goto(f"/iop/avtal/{a.pk}/")
    assert axe_violations(page_b) == []
    sign_in_browser(page_b, a, parties["second"], code="12345")
    assert not Signature.objects.filter(agreement=a).exists()
    assert page_b.locator("main").get_by_text(re.compile("wrong|fel", re.I)).count() >= 1

    # Each of the four signs in their own browser with a fresh code.
    for key, user in (
        ("first", rep_a),
        ("region", chair_r),
        ("second", rep_b),
        ("kommun", chair_k),
    ):
        assert fresh(a).status == "signing"
        sign_in_browser(pages[user.pk], a, parties[key])
        assert Signature.objects.filter(
            agreement=a, party=parties[key], signed_by=user, voided_at__isnull=True
        ).exists(), key

    agreement = Agreement.objects.get(pk=a.pk)
    assert agreement.status == "active"
    version = agreement.versions.get()
    assert version.pdf and version.sha256
    assert {s["name"] for s in version.content["signatures"]} == {
        "Karl Kommunstyrelse",
        "Regina Regionråd",
        "Anna Norrsken",
        "Bo Hamnen",
    }
    for page in pages.values():
        page.context.close()
