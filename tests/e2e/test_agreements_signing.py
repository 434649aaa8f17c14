"""A four-party IOP signed end to end in Chromium: a kommun and a region (two public bodies) and
two associations. Each signatory logs in with two factors and signs with a fresh code from their
authenticator app; after the fourth signature the agreement is in force with its PDF."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from agreements import services
from agreements.models import SCREENING_CRITERIA, Agreement, Signature
from portal.models import PublicBody, PublicBodyRole
from tests.agreements.conftest import INITIATIVE, fresh
from tests.helpers.browser import axe_violations, officer_page, sign_in_browser
from tests.organisations.factories import OrganisationFactory, OrganisationMembershipFactory
from tests.portal.factories import MembershipFactory, PublicBodyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_kommun_a_region_and_two_associations_sign_with_fresh_codes(
    browser: Any, live_server: Any
) -> None:
    kommun = PublicBodyFactory(
        name="Exempelstads kommun", kind=PublicBody.Kind.MUNICIPALITY, registry_prefix="EK"
    )
    region = PublicBodyFactory(
        name="Region Exempel", kind=PublicBody.Kind.REGION, registry_prefix="RE"
    )
    officer_k = MembershipFactory(
        public_body=kommun, role=PublicBodyRole.CASE_OFFICER, user__name="Karin Kommun"
    ).user
    officer_r = MembershipFactory(
        public_body=region, role=PublicBodyRole.CASE_OFFICER, user__name="Rasmus Region"
    ).user
    # The kommun's officer prepares the agreement and records the decision; its chair signs
    # (four eyes on the public side).
    chair_k = MembershipFactory(
        public_body=kommun, role=PublicBodyRole.DECISION_MAKER, user__name="Karl Kommunstyrelse"
    ).user
    # The region's officer chooses its signatory; nobody chooses themselves.
    chair_r = MembershipFactory(
        public_body=region, role=PublicBodyRole.DECISION_MAKER, user__name="Regina Regionråd"
    ).user
    first = OrganisationFactory(name="Föreningen Norrsken", status="verified")
    second = OrganisationFactory(name="Idrottsföreningen Hamnen", status="verified")
    rep_a = OrganisationMembershipFactory(organisation=first, user__name="Anna Norrsken").user
    rep_b = OrganisationMembershipFactory(organisation=second, user__name="Bo Hamnen").user

    # Each person's browser, logged in with password and a code from their app.
    pages = {
        user.pk: officer_page(browser, live_server, user)
        for user in (chair_k, officer_r, chair_r, rep_a, rep_b)
    }

    # The initiative through co-creation, with the region and the second association as parties.
    a = services.agreement_initiate(
        actor=rep_a, organisation=first, public_body=kommun, data=dict(INITIATIVE)
    )
    services.agreement_transition(agreement=fresh(a), to="screening", actor=officer_k)
    services.agreement_screen(
        agreement=fresh(a),
        actor=officer_k,
        answers={key: {"ok": True, "comment": ""} for key, _label in SCREENING_CRITERIA},
        is_iop=True,
        comment="",
    )
    services.party_add(agreement=fresh(a), actor=officer_k, public_body=region)
    services.party_add(agreement=fresh(a), actor=officer_k, organisation=second)
    parties = {
        "kommun": a.parties.get(public_body=kommun),
        "region": a.parties.get(public_body=region),
        "first": a.parties.get(organisation=first),
        "second": a.parties.get(organisation=second),
    }
    services.agreement_section_save(
        agreement=fresh(a), actor=officer_k, section="goals", text="Minst 60 unga i veckan."
    )
    for key, actor, kind, value in (
        ("kommun", officer_k, "money", "300000"),
        ("region", officer_r, "staff_hours", "150000"),
        ("first", rep_a, "volunteer_hours", "200000"),
        ("second", rep_b, "premises", "100000"),
    ):
        services.contribution_add(
            agreement=fresh(a),
            actor=actor,
            party=parties[key],
            year=2027,
            kind=kind,
            description="",
            value=Decimal(value),
        )

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
    services.party_set_signatory(party=parties["kommun"], actor=officer_k, signatory=chair_k)
    for key, user in (("first", rep_a), ("second", rep_b)):
        services.party_set_signatory(party=parties[key], actor=user, signatory=user)
    assert {p.signatory_id for p in fresh(a).parties.all()} == {
        chair_k.pk,
        chair_r.pk,
        rep_a.pk,
        rep_b.pk,
    }

    services.agreement_transition(agreement=fresh(a), to="legal_review", actor=officer_k)
    services.agreement_legal_review(
        agreement=fresh(a),
        actor=officer_k,
        procurement="Föreningarnas initiativ; ingen marknad.",
        route="not_economic",
        amount=None,
    )
    services.agreement_decide(
        agreement=fresh(a), actor=officer_k, decided_on=date(2026, 12, 10), reference="KS § 12"
    )
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
