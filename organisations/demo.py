"""Demo data of the register for `manage.py seed_demo` (DEBUG only). Idempotent: an
organisation that exists (by organisation number) is left as it is."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from stdnum import luhn

from organisations import segregation, selectors, services, state_aid
from organisations.models import (
    AidInstrument,
    AidRegulation,
    DocumentKind,
    LegalForm,
    Organisation,
    OrganisationMembership,
    OrganisationRole,
    OrganisationStatus,
    PaymentMethod,
    StateAidSettings,
    TargetGroup,
)
from portal.models import User

TARGET_GROUPS = [
    "Barn 0–12 år",
    "Unga 13–25 år",
    "Vuxna",
    "Äldre",
    "Personer med funktionsnedsättning",
    "Nyanlända",
    "Familjer",
    "Alla",
]

DISTRICTS = ["Centrum", "Norr", "Söder", "Väster", "Öster", "Hamnen", "Skogsbyn", "Åby"]

# name, legal form, district, purpose, target group indexes
DIRECTORY = [
    (
        "Åby Schackklubb",
        LegalForm.NON_PROFIT,
        "Åby",
        "Schack för alla åldrar med träning varje tisdag och turneringar året runt.",
        [0, 1, 7],
    ),
    (
        "Hamnens Roddsällskap",
        LegalForm.NON_PROFIT,
        "Hamnen",
        "Rodd och paddling för ungdomar och vuxna från hamnen.",
        [1, 2],
    ),
    (
        "Söders Pensionärsförening",
        LegalForm.NON_PROFIT,
        "Söder",
        "Gemenskap, studiecirklar och resor för pensionärer.",
        [3],
    ),
    (
        "Kvinnojouren Exempelkommun",
        LegalForm.NON_PROFIT,
        "Centrum",
        "Stöd till kvinnor och barn som utsatts för våld.",
        [0, 2],
    ),
    (
        "Norra Scoutkåren",
        LegalForm.NON_PROFIT,
        "Norr",
        "Scouting med friluftsliv, ledarskap och äventyr.",
        [0, 1],
    ),
    (
        "Föreningen Läxhjälpen",
        LegalForm.NON_PROFIT,
        "Öster",
        "Frivilliga läxhjälpare för grundskoleelever.",
        [0, 1],
    ),
    (
        "Stiftelsen Kulturhuset Magasinet",
        LegalForm.FOUNDATION,
        "Hamnen",
        "Driver kulturhus med scen, ateljéer och öppen verkstad.",
        [7],
    ),
    (
        "Exempelkommuns Pingstförsamling",
        LegalForm.FAITH_COMMUNITY,
        "Väster",
        "Församlingsliv, öppet café och stöd till nyanlända.",
        [5, 6],
    ),
    (
        "Väster Boxningsklubb",
        LegalForm.NON_PROFIT,
        "Väster",
        "Boxning och fys för tjejer och killar från tio år.",
        [0, 1],
    ),
    (
        "Föreningen Vänskap Utan Gränser",
        LegalForm.NON_PROFIT,
        "Öster",
        "Språkcaféer och mötesplatser för nya och gamla invånare.",
        [5, 7],
    ),
    (
        "Skogsbyns Bygdegårdsförening",
        LegalForm.NON_PROFIT,
        "Skogsbyn",
        "Förvaltar bygdegården och ordnar fester, kurser och marknader.",
        [6, 7],
    ),
    (
        "Centrums Konstförening",
        LegalForm.NON_PROFIT,
        "Centrum",
        "Utställningar, konstlotteri och konstvandringar.",
        [2, 3],
    ),
    (
        "Handikappidrott Exempelkommun",
        LegalForm.NON_PROFIT,
        "Söder",
        "Idrott för personer med funktionsnedsättning.",
        [4],
    ),
    (
        "Kooperativet Gröna Händer",
        LegalForm.ECONOMIC_ASSOCIATION,
        "Norr",
        "Arbetsintegrerande trädgårdskooperativ.",
        [2, 4],
    ),
    (
        "Hamnens Musikförening",
        LegalForm.NON_PROFIT,
        "Hamnen",
        "Konserter, replokaler och musikläger för unga.",
        [1],
    ),
    (
        "Föräldranätverket Öster",
        LegalForm.NETWORK,
        "Öster",
        "Föräldrar som nattvandrar och ordnar aktiviteter för barn.",
        [0, 6],
    ),
    (
        "Exempelkommuns Hembygdsförening",
        LegalForm.NON_PROFIT,
        "Centrum",
        "Vårdar hembygdens historia och hembygdsgården.",
        [3, 7],
    ),
    (
        "Söders Fotbollsklubb",
        LegalForm.NON_PROFIT,
        "Söder",
        "Fotboll för flickor och pojkar från sex år.",
        [0, 1],
    ),
    (
        "Sociala Företaget Omstart AB",
        LegalForm.LIMITED_PROFIT_COMPANY,
        "Centrum",
        "Second hand-butik som ger arbete åt personer långt från arbetsmarknaden.",
        [2, 4],
    ),
    (
        "Teaterföreningen Ridån",
        LegalForm.NON_PROFIT,
        "Väster",
        "Amatörteater och teaterkurser för barn och vuxna.",
        [0, 2],
    ),
]

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def demo_organisation_number(serial: int) -> str:
    """A valid, made-up organisationsnummer: 802 and a serial, with its Luhn check digit."""
    base = f"802{serial:06d}"
    return f"{base[:6]}-{base[6:]}{luhn.calc_check_digit(base)}"


def demo_bankgiro(serial: int) -> str:
    base = f"5{serial:05d}"
    digits = base + luhn.calc_check_digit(base)
    return f"{digits[:-4]}-{digits[-4:]}"


def _register(
    *,
    actor: User,
    serial: int,
    name: str,
    legal_form: str,
    district: str,
    purpose: str,
    groups: list[TargetGroup],
    listed: bool,
) -> tuple[Organisation, bool]:
    number = None if legal_form == LegalForm.NETWORK else demo_organisation_number(serial)
    existing = (
        Organisation.objects.filter(organisation_number=number).first()
        if number
        else Organisation.objects.filter(name=name).first()
    )
    if existing:
        return existing, False
    slug = name.lower().replace(" ", "")[:20]
    organisation = services.organisation_register(
        actor=actor,
        data={
            "name": name,
            "organisation_number": number,
            "legal_form": legal_form,
            "street_address": f"Föreningsgatan {serial}",
            "postal_code": f"123 {serial % 100:02d}",
            "city": "Exempelstad",
            "district": district,
            "contact_email": f"info@{slug}.exempel.se",
            "contact_phone": f"010-123 {serial:02d} 00",
            "website": "",
            "purpose": purpose,
            "members_total": 40 + serial * 7,
            "members_7_25": 10 + serial * 3,
            "members_women": 20 + serial * 3,
            "members_men": 20 + serial * 4,
            "members_other_gender": None,
            "founded_year": 1930 + serial * 4,
            "umbrella_organisation": "",
            "kammarkollegiet_registered": serial % 3 == 0,
            "payment_method": PaymentMethod.BANKGIRO,
            "payment_account": demo_bankgiro(serial),
            "public_listing": listed,
        },
        target_groups=groups,
    )
    return organisation, True


def demo_member(
    *, organisation: Organisation, user: User, role: str = OrganisationRole.REPRESENTATIVE
) -> None:
    """Make a demo account a member of an organisation, once (demo data only: nobody is invited
    and nothing is recorded; people join through `services.invitation_accept` and
    `services.join_request_decide`)."""
    OrganisationMembership.objects.get_or_create(
        organisation=organisation, user=user, defaults={"role": role}
    )


def seed_members(
    pairs: Iterable[tuple[Organisation, User]],
    *,
    role: str = OrganisationRole.REPRESENTATIVE,
    batch_size: int,
) -> None:
    """Make each person a member of their organisation, in bulk (the benchmark's data set)."""
    OrganisationMembership.objects.bulk_create(
        (OrganisationMembership(organisation=o, user=u, role=role) for o, u in pairs),
        batch_size=batch_size,
    )


def _upload_documents(*, organisation: Organisation, actor: User, kinds: list[str]) -> None:
    year = timezone.localdate().year
    for kind in kinds:
        services.document_upload(
            organisation=organisation,
            actor=actor,
            year=year,
            kind=kind,
            upload=SimpleUploadedFile(
                f"{kind}-{year}.pdf", MINIMAL_PDF, content_type="application/pdf"
            ),
        )


def _verify(*, organisation: Organisation, officer: User) -> None:
    for document in organisation.documents.all():
        services.document_review(
            document=document,
            actor=officer,
            approve=True,
            seen_version=selectors.document_version_of(document.current_version),
        )
    if organisation.status == OrganisationStatus.PENDING:
        services.organisation_transition(
            organisation=organisation,
            to=OrganisationStatus.VERIFIED,
            actor=officer,
            seen_version=selectors.payment_details_version(organisation),
        )


def _state_aid_settings() -> None:
    """The exchange rate as an administrator keeps it: dated and with its source, so that the
    demo's decisions and the register say which rate they used."""
    saved = StateAidSettings.load()
    if saved.rate_date is None:
        saved.rate_date = timezone.localdate().replace(day=1)
        saved.save()


def _declare_aid(*, organisation: Organisation, representative: User) -> None:
    """The demo association's declaration of de minimis aid from others, once (version 1):
    one grant from the region, signed by its representative through the service. (The demo has
    no company an association owns, so no two organisations are linked as one undertaking.)"""
    if organisation.aid_declarations.exists():
        return
    decided_on = date(2025, 3, 14)
    start = state_aid.window_start(timezone.localdate())
    if decided_on < start:  # a demo seeded years later: still within the three years
        decided_on = timezone.localdate() - timedelta(days=200)
    services.aid_declaration_sign(
        organisation=organisation,
        actor=representative,
        items=[
            services.DeclaredAid(
                granting_body="Region Exempel",
                decided_on=decided_on,
                regulation=AidRegulation.DE_MINIMIS,
                instrument=AidInstrument.GRANT,
                amount_sek=Decimal("120000"),
                reference="RS 2025/142",
            )
        ],
        none_received=False,
        certified=True,
    )


def seed_organisations(*, users: dict[str, User]) -> None:
    groups = []
    for position, name in enumerate(TARGET_GROUPS):
        group, _created = TargetGroup.objects.update_or_create(
            name=name, defaults={"position": position}
        )
        groups.append(group)

    officer = users["handlaggare@exempel.se"]
    all_kinds = [kind.value for kind in DocumentKind]

    sports, created = _register(
        actor=users["forening@exempel.se"],
        serial=1,
        name="Exempelstadens Idrottsförening",
        legal_form=LegalForm.NON_PROFIT,
        district="Centrum",
        purpose="Friidrott, orientering och innebandy för barn, unga och vuxna. Vi vill att alla ska kunna röra på sig oavsett förutsättningar.",
        groups=[groups[0], groups[1], groups[2]],
        listed=True,
    )
    if created:
        _upload_documents(organisation=sports, actor=users["forening@exempel.se"], kinds=all_kinds)
        _verify(organisation=sports, officer=officer)
    _state_aid_settings()
    _declare_aid(organisation=sports, representative=users["forening@exempel.se"])

    culture, created = _register(
        actor=users["forening2@exempel.se"],
        serial=2,
        name="Kulturföreningen Bryggan",
        legal_form=LegalForm.NON_PROFIT,
        district="Hamnen",
        purpose="Mötesplats för kultur i hamnen: konserter, läsecirklar och skapande verkstad för unga.",
        groups=[groups[1], groups[7]],
        listed=True,
    )
    if created:
        _upload_documents(
            organisation=culture, actor=users["forening2@exempel.se"], kinds=all_kinds
        )
        _verify(organisation=culture, officer=officer)

    pending, created = _register(
        actor=users["forening2@exempel.se"],
        serial=3,
        name="Grannsamverkan Norr",
        legal_form=LegalForm.NON_PROFIT,
        district="Norr",
        purpose="Trygghetsvandringar och grannfester i norra stadsdelen.",
        groups=[groups[6], groups[7]],
        listed=False,
    )
    if created:
        _upload_documents(
            organisation=pending,
            actor=users["forening2@exempel.se"],
            kinds=[DocumentKind.STATUTES.value, DocumentKind.ANNUAL_MEETING_MINUTES.value],
        )

    admin = users["admin@exempel.se"]
    for serial, (name, legal_form, district, purpose, indexes) in enumerate(DIRECTORY, start=10):
        organisation, created = _register(
            actor=admin,
            serial=serial,
            name=name,
            legal_form=legal_form,
            district=district,
            purpose=purpose,
            groups=[groups[i] for i in indexes],
            listed=True,
        )
        if created:
            services.organisation_transition(
                organisation=organisation,
                to=OrganisationStatus.VERIFIED,
                actor=officer,
                seen_version=selectors.payment_details_version(organisation),
            )
            # The administrator registered these on the associations' behalf; they are not members.
            for membership in organisation.memberships.filter(user=admin):
                segregation.record_past_membership(membership)
                membership.delete()
