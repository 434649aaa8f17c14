"""Demo IOP agreements for `manage.py seed_demo` (DEBUG only), idempotent by title."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from agreements import services
from agreements.models import SCREENING_CRITERIA, Agreement
from organisations import selectors as organisation_selectors
from organisations.demo import demo_member
from portal.models import PublicBody, PublicBodyRole, User
from portal.services import public_body_membership_grant

BASE = {
    "challenge": "Många unga i Centrum saknar en trygg plats efter skolan, och föräldrar efterfrågar stöd.",
    "idea": "Föreningen driver en öppen mötesplats med läxhjälp och idrott fyra kvällar i veckan, tillsammans med socialtjänstens fältassistenter.",
    "target_group": "Unga 12–18 år i Centrum och deras familjer.",
    "association_brings": "Ideella ledare, lokalkännedom och erfarenhet av öppen verksamhet.",
    "asks_of_public_side": "Bidrag till personal och lokal, samt fältassistenter två kvällar i veckan.",
    "proposed_start": date(2027, 1, 1),
    "proposed_end": date(2029, 12, 31),
}


def _current_code(user: User) -> str:
    """The demo signatory's authenticator app: the current code of its stored secret (demo only;
    the portal itself never computes a person's code)."""
    import time

    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
    from allauth.mfa.utils import decrypt

    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    secret = decrypt(authenticator.data["secret"])
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def seed_agreements(*, users: dict[str, User]) -> None:
    body = PublicBody.objects.get(registry_prefix="SN")
    officer, representative = users["handlaggare@exempel.se"], users["forening@exempel.se"]
    organisation = (
        organisation_selectors.organisations_for(user=representative)
        .filter(status="verified")
        .first()
    )
    pending_org = (
        organisation_selectors.organisations_for(user=users["forening2@exempel.se"])
        .order_by("pk")
        .first()
    )
    if organisation is None or pending_org is None:
        return
    answers = {key: {"ok": True, "comment": "Uppfyllt."} for key, _label in SCREENING_CRITERIA}
    # The association's signatory: a second representative of the association (signing needs a
    # second factor, which the demo login of forening@exempel.se does not ask for).
    signatory = User.objects.filter(email="firmatecknare@exempel.se").first()
    if signatory is None:
        signatory = User.objects.create_user(
            email="firmatecknare@exempel.se", name="Fredrik Firmatecknare"
        )
        signatory.set_unusable_password()
        signatory.save()
        TOTP.activate(signatory, generate_totp_secret())
    demo_member(organisation=organisation, user=signatory)
    # The committee's signatory, likewise a demo account with a second factor that nobody uses.
    chair = User.objects.filter(email="ordforande.sn@exempel.se").first()
    if chair is None:
        chair = User.objects.create_user(email="ordforande.sn@exempel.se", name="Stina Ordförande")
        chair.set_unusable_password()
        chair.save()
        TOTP.activate(chair, generate_totp_secret())
    public_body_membership_grant(
        actor=officer, user=chair, public_body=body, role=PublicBodyRole.CASE_OFFICER
    )

    def fresh(agreement: Agreement) -> Agreement:
        return Agreement.objects.get(pk=agreement.pk)

    if not Agreement.objects.filter(title="Kvällsöppet i Centrum").exists():
        a = services.agreement_initiate(
            actor=representative,
            organisation=organisation,
            public_body=body,
            data={**BASE, "title": "Kvällsöppet i Centrum"},
        )
        services.agreement_transition(agreement=fresh(a), to="screening", actor=officer)
        services.agreement_screen(
            agreement=fresh(a), actor=officer, answers=answers, is_iop=True, comment=""
        )
        for key, text in {
            "background": "Föreningen har drivit läxhjälp sedan 2019 och tog initiativ till partnerskapet.",
            "values": "Ömsesidig respekt, dialog och långsiktighet. Föreningens självständighet respekteras.",
            "goals": "Minst 60 unga i veckan; fler unga som klarar skolan; färre orosanmälningar i området.",
            "governance": "Styrgrupp med två från varje part, fyra möten per år. Arbetsgrupp varje månad.",
            "term": "Avtalet gäller 2027–2029 med sex månaders uppsägningstid.",
            "follow_up": "Gemensam uppföljning varje halvår: deltagare, aktiviteter, måluppfyllelse.",
            "changes": "Ändringar görs skriftligt och godkänns av båda parter. Tvister löses i dialog i styrgruppen.",
        }.items():
            services.agreement_section_save(
                agreement=fresh(a), actor=officer, section=key, text=text
            )
        parties = {("public" if p.public_body_id else "org"): p for p in fresh(a).parties.all()}
        for year in (2027, 2028, 2029):
            services.contribution_add(
                agreement=fresh(a),
                actor=officer,
                party=parties["public"],
                year=year,
                kind="money",
                description="Bidrag till personal och lokal",
                value=Decimal("450000"),
            )
            services.contribution_add(
                agreement=fresh(a),
                actor=representative,
                party=parties["org"],
                year=year,
                kind="volunteer_hours",
                description="1 500 ideella timmar",
                value=Decimal("375000"),
            )
        services.party_set_signatory(
            party=parties["org"], actor=representative, signatory=signatory
        )
        services.party_set_signatory(party=parties["public"], actor=officer, signatory=chair)
        services.agreement_transition(agreement=fresh(a), to="legal_review", actor=officer)
        services.agreement_legal_review(
            agreement=fresh(a),
            actor=officer,
            procurement="Föreningens eget initiativ; ingen marknad; ingen ersättning för tjänster som kommunen köper.",
            route="not_economic",
            amount=None,
        )
        services.agreement_decide(
            agreement=fresh(a), actor=officer, decided_on=date(2026, 11, 20), reference="SN § 142"
        )
        for person, party in ((signatory, parties["org"]), (chair, parties["public"])):
            services.agreement_sign(
                agreement=fresh(a),
                actor=person,
                party=party,
                code=_current_code(person),
                seen_version=services.signing_version(fresh(a)),
            )
        Agreement.objects.filter(pk=a.pk).update(pdf_public=True)

    if not Agreement.objects.filter(title="Familjecentral i Hamnen").exists():
        b = services.agreement_initiate(
            actor=representative,
            organisation=organisation,
            public_body=body,
            data={**BASE, "title": "Familjecentral i Hamnen"},
        )
        services.agreement_transition(agreement=fresh(b), to="screening", actor=officer)
        services.agreement_screen(
            agreement=fresh(b), actor=officer, answers=answers, is_iop=True, comment=""
        )
        services.agreement_section_save(
            agreement=fresh(b),
            actor=representative,
            section="background",
            text="Utkast från föreningen.",
        )

    if not Agreement.objects.filter(title="Grannstöd i Norr").exists():
        services.agreement_initiate(
            actor=users["forening2@exempel.se"],
            organisation=pending_org,
            public_body=body,
            data={**BASE, "title": "Grannstöd i Norr"},
        )
