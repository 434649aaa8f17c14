from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from agreements import services
from agreements.models import SCREENING_CRITERIA, Agreement, Party
from organisations import services as organisation_services
from organisations.models import StateAidSettings
from portal.models import PublicBody, PublicBodyRole, User
from tests.helpers.mfa import signing_code
from tests.organisations.factories import OrganisationFactory, OrganisationMembershipFactory
from tests.portal.factories import (
    CommitteeFactory,
    MembershipFactory,
    PublicBodyFactory,
    give_totp,
)


@dataclass
class Iop:
    body: PublicBody
    officer: User
    representative: User
    editor: User
    viewer: User
    agreement: Agreement
    org_party: Party
    body_party: Party
    chair: User  # signs for the public body: not the officer who prepared the agreement


INITIATIVE = {
    "title": "Mötesplats Norr",
    "challenge": "Unga i norra stadsdelen saknar trygga mötesplatser på kvällar.",
    "idea": "Föreningen driver en öppen mötesplats tre kvällar i veckan.",
    "target_group": "Unga 13–19 år i Norr.",
    "association_brings": "Ideella ledare och erfarenhet av öppen verksamhet.",
    "asks_of_public_side": "Lokal och del av ledarkostnaderna.",
    "proposed_start": date(2027, 1, 1),
    "proposed_end": date(2029, 12, 31),
}


@pytest.fixture
def iop(db: None) -> Iop:
    body = CommitteeFactory(name="Socialnämnden", registry_prefix="SN")
    officer = MembershipFactory(
        public_body=body, role=PublicBodyRole.CASE_OFFICER, user__name="Siri Socialsekreterare"
    ).user
    give_totp(officer)
    organisation = OrganisationFactory(name="Föreningen Mötesplats", status="verified")
    representative = OrganisationMembershipFactory(
        organisation=organisation, role="representative", user__name="Rolf Representant"
    ).user
    give_totp(representative)  # signing needs the second factor
    editor = OrganisationMembershipFactory(organisation=organisation, role="editor").user
    viewer = OrganisationMembershipFactory(organisation=organisation, role="viewer").user
    agreement = services.agreement_initiate(
        actor=representative, organisation=organisation, public_body=body, data=INITIATIVE
    )
    org_party = agreement.parties.get(organisation=organisation)
    body_party = agreement.parties.get(public_body=body)
    chair = MembershipFactory(
        public_body=body, role=PublicBodyRole.DECISION_MAKER, user__name="Ordförande Nämndsson"
    ).user
    give_totp(chair)
    return Iop(
        body, officer, representative, editor, viewer, agreement, org_party, body_party, chair
    )


def fresh(agreement: Agreement) -> Agreement:
    return Agreement.objects.get(pk=agreement.pk)


def to_signing(i: Iop) -> Agreement:
    """Screen, co-create, review and decide, with signatories set."""
    a = to_decision(i)
    declare_no_aid(i)  # de minimis aid: the association declares its aid from others first
    services.agreement_decide(
        agreement=fresh(a), actor=i.officer, decided_on=timezone.localdate(), reference="SN § 123"
    )
    return fresh(a)


def to_decision(
    i: Iop, *, route: str = "de_minimis", amount: str | None = "300000", public_kind: str = "money"
) -> Agreement:
    """Screen, co-create and review (the state-aid route and amount given), with signatories
    set: the agreement waits for the committee's decision. The public body brings
    `public_kind` (money, or premises: aid in kind)."""
    a = services.agreement_transition(agreement=fresh(i.agreement), to="screening", actor=i.officer)
    answers = {key: {"ok": True, "comment": "Ja."} for key, _label in SCREENING_CRITERIA}
    services.agreement_screen(
        agreement=fresh(a), actor=i.officer, answers=answers, is_iop=True, comment=""
    )
    services.agreement_section_save(
        agreement=fresh(a), actor=i.editor, section="background", text="Bakgrund från föreningen."
    )
    services.agreement_section_save(
        agreement=fresh(a), actor=i.officer, section="goals", text="Minst 40 unga i veckan."
    )
    services.contribution_add(
        agreement=fresh(a),
        actor=i.officer,
        party=i.body_party,
        year=2027,
        kind=public_kind,
        description="Bidrag",
        value=Decimal("300000"),
    )
    services.contribution_add(
        agreement=fresh(a),
        actor=i.editor,
        party=i.org_party,
        year=2027,
        kind="volunteer_hours",
        description="2 000 timmar",
        value=Decimal("400000"),
    )
    services.party_set_signatory(
        party=i.org_party, actor=i.representative, signatory=i.representative
    )
    services.party_set_signatory(party=i.body_party, actor=i.officer, signatory=i.chair)
    services.agreement_transition(agreement=fresh(a), to="legal_review", actor=i.officer)
    services.agreement_legal_review(
        agreement=fresh(a),
        actor=i.officer,
        procurement="Ingen upphandling: föreningens initiativ.",
        route=route,
        amount=None if amount is None else Decimal(amount),
    )
    return fresh(a)


def rate_of_ten() -> StateAidSettings:
    """The administrator's exchange rate: 10 kr a euro (round numbers), the ceilings of the
    regulations."""
    saved = StateAidSettings.load()
    saved.sek_per_eur = Decimal("10")
    saved.rate_date = date(2026, 11, 1)
    saved.rate_source = "Europeiska kommissionens månadskurs (InforEuro)"
    saved.ceiling_eur, saved.sgei_ceiling_eur = 300_000, 750_000
    saved.save()
    return saved


def declare_no_aid(i: Iop) -> None:
    """The association's representative declares that it received no de minimis aid from
    others (what a de minimis decision needs, newer than the initiative)."""
    organisation_services.aid_declaration_sign(
        organisation=i.org_party.organisation,
        actor=i.representative,
        items=[],
        none_received=True,
        certified=True,
    )


def sign(*, agreement: Agreement, actor: User, party: Party) -> Any:
    """Sign as the views do: with a fresh code and the version of the text on the page."""
    return services.agreement_sign(
        agreement=fresh(agreement),
        actor=actor,
        party=party,
        code=signing_code(actor),
        seen_version=services.signing_version(fresh(agreement)),
    )


@dataclass
class FourParties:
    """A kommun and a region (two public bodies) and two associations in one IOP: each side's
    case officer, the public bodies' decision makers who sign (four eyes), the associations'
    representatives."""

    agreement: Agreement
    parties: dict[str, Party]  # "kommun", "region", "first", "second"
    officer_k: User
    chair_k: User
    officer_r: User
    chair_r: User
    rep_a: User
    rep_b: User


def four_parties(*, rep_a: str = "Anna Norrsken", rep_b: str = "Bo Hamnen") -> FourParties:
    """The four-party IOP through screening, with its parties, goals and each party's
    contribution, in co-creation: signatories not chosen yet."""
    kommun = PublicBodyFactory(
        name="Exempelstads kommun", kind=PublicBody.Kind.MUNICIPALITY, registry_prefix="EK"
    )
    region = PublicBodyFactory(
        name="Region Exempel", kind=PublicBody.Kind.REGION, registry_prefix="RE"
    )

    def member(body: PublicBody, role: str, name: str) -> User:
        return MembershipFactory(public_body=body, role=role, user__name=name).user

    officer_k = member(kommun, PublicBodyRole.CASE_OFFICER, "Karin Kommun")
    chair_k = member(kommun, PublicBodyRole.DECISION_MAKER, "Karl Kommunstyrelse")
    officer_r = member(region, PublicBodyRole.CASE_OFFICER, "Rasmus Region")
    chair_r = member(region, PublicBodyRole.DECISION_MAKER, "Regina Regionråd")
    first = OrganisationFactory(name="Föreningen Norrsken", status="verified")
    second = OrganisationFactory(name="Idrottsföreningen Hamnen", status="verified")
    person_a = OrganisationMembershipFactory(organisation=first, user__name=rep_a).user
    person_b = OrganisationMembershipFactory(organisation=second, user__name=rep_b).user

    a = services.agreement_initiate(
        actor=person_a, organisation=first, public_body=kommun, data=dict(INITIATIVE)
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
        ("first", person_a, "volunteer_hours", "200000"),
        ("second", person_b, "premises", "100000"),
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
    return FourParties(
        fresh(a), parties, officer_k, chair_k, officer_r, chair_r, person_a, person_b
    )


def four_parties_to_signing(f: FourParties) -> Agreement:
    """Every signatory not chosen yet is chosen (the public bodies' chairs, the associations'
    representatives), then the legal review and the kommun's decision send it for signing."""
    chosen = {
        "kommun": (f.officer_k, f.chair_k),
        "region": (f.officer_r, f.chair_r),
        "first": (f.rep_a, f.rep_a),
        "second": (f.rep_b, f.rep_b),
    }
    for key, (actor, signatory) in chosen.items():
        party = Party.objects.get(pk=f.parties[key].pk)
        if party.signatory_id is None:
            services.party_set_signatory(party=party, actor=actor, signatory=signatory)
    services.agreement_transition(
        agreement=fresh(f.agreement), to="legal_review", actor=f.officer_k
    )
    services.agreement_legal_review(
        agreement=fresh(f.agreement),
        actor=f.officer_k,
        procurement="Föreningarnas initiativ; ingen marknad.",
        route="not_economic",
        amount=None,
    )
    services.agreement_decide(
        agreement=fresh(f.agreement),
        actor=f.officer_k,
        decided_on=timezone.localdate(),
        reference="KS § 12",
    )
    return fresh(f.agreement)
