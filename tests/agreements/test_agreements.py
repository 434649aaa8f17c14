from __future__ import annotations

import io
import logging
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django.utils.timezone import make_aware as aware
from pypdf import PdfReader

from agreements import de_minimis, services
from agreements.models import SCREENING_CRITERIA, Agreement, AgreementVersion, Signature
from agreements.pdf import render_agreement_pdf
from organisations.models import AidEntry
from tests.agreements.conftest import (
    INITIATIVE,
    Iop,
    declare_no_aid,
    fresh,
    rate_of_ten,
    sign,
    to_decision,
    to_signing,
)
from tests.helpers.audit import transitions

pytestmark = pytest.mark.django_db


def test_the_path_from_initiative_to_a_signed_version_with_its_pdf(
    iop: Iop, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    i = iop
    assert i.agreement.registry_number.startswith("SN ")
    a = to_signing(i)
    assert a.status == "signing"
    first = sign(agreement=a, actor=i.representative, party=i.org_party)
    assert isinstance(first, Signature) and fresh(a).status == "signing"
    with django_capture_on_commit_callbacks(execute=True):
        version = sign(agreement=fresh(a), actor=i.chair, party=i.body_party)
    assert isinstance(version, AgreementVersion) and version.number == 1
    version.refresh_from_db()
    assert fresh(a).status == "active"
    assert version.pdf and len(version.sha256) == 64 and version.pdf_created_at
    text = "".join(page.extract_text() for page in PdfReader(version.pdf.open("rb")).pages)
    assert "Föreningen Mötesplats" in text and i.org_party.organisation.organisation_number in text
    assert "Version 1" in text and "300 000" in text.replace("\u00a0", " ")
    assert [to for _from, to in transitions(a)] == [
        "screening",
        "co_creation",
        "legal_review",
        "decision",
        "signing",
        "active",
    ]


def test_an_amendment_needs_new_signatures_and_keeps_the_earlier_version(
    iop: Iop, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    i = iop
    a = to_signing(i)
    sign(agreement=a, actor=i.representative, party=i.org_party)
    with django_capture_on_commit_callbacks(execute=True):
        sign(agreement=fresh(a), actor=i.chair, party=i.body_party)
    services.agreement_transition(agreement=fresh(a), to="amendment", actor=i.officer)
    services.agreement_section_save(
        agreement=fresh(a), actor=i.editor, section="goals", text="Minst 60 unga i veckan."
    )
    services.agreement_transition(agreement=fresh(a), to="signing", actor=i.officer)
    sign(agreement=fresh(a), actor=i.representative, party=i.org_party)
    with django_capture_on_commit_callbacks(execute=True):
        v2 = sign(agreement=fresh(a), actor=i.chair, party=i.body_party)
    assert [v.number for v in fresh(a).versions.order_by("number")] == [1, 2]
    v1 = fresh(a).versions.get(number=1)
    assert (
        next(s["text"] for s in v1.content["sections"] if s["key"] == "goals")
        == "Minst 40 unga i veckan."
    )
    assert (
        next(s["text"] for s in v2.content["sections"] if s["key"] == "goals")
        == "Minst 60 unga i veckan."
    )


def test_only_the_partys_signatory_signs(iop: Iop) -> None:
    i = iop
    a = to_signing(i)
    with pytest.raises(PermissionDenied):
        sign(agreement=a, actor=i.viewer, party=i.org_party)
    with pytest.raises(PermissionDenied):
        sign(agreement=fresh(a), actor=i.editor, party=i.org_party)
    assert not Signature.objects.exists()


def test_the_text_cannot_change_outside_co_creation_and_other_people_cannot_edit(iop: Iop) -> None:
    i = iop
    with pytest.raises(ValidationError):
        services.agreement_section_save(
            agreement=i.agreement, actor=i.editor, section="goals", text="x"
        )
    a = to_signing(i)
    with pytest.raises(ValidationError):
        services.agreement_section_save(
            agreement=a, actor=i.officer, section="goals", text="Ändrat efter beslut"
        )
    from tests.organisations.factories import OrganisationMembershipFactory

    stranger = OrganisationMembershipFactory(role="representative").user
    services.agreement_transition(
        agreement=fresh(a), to="active", actor=i.officer
    ) if False else None
    with pytest.raises(PermissionDenied):
        services.agreement_section_save(
            agreement=fresh(a), actor=stranger, section="goals", text="x"
        )


def test_not_an_iop_needs_a_reason_and_ends_the_path(iop: Iop) -> None:
    from agreements.models import SCREENING_CRITERIA

    i = iop
    a = services.agreement_transition(agreement=i.agreement, to="screening", actor=i.officer)
    answers = {key: {"ok": False, "comment": ""} for key, _label in SCREENING_CRITERIA}
    with pytest.raises(ValidationError):
        services.agreement_screen(
            agreement=fresh(a), actor=i.officer, answers=answers, is_iop=False, comment=""
        )
    services.agreement_screen(
        agreement=fresh(a),
        actor=i.officer,
        answers=answers,
        is_iop=False,
        comment="Detta är ett vanligt bidrag.",
    )
    assert fresh(a).status == "not_iop"
    with pytest.raises(ValidationError):
        services.agreement_transition(agreement=fresh(a), to="co_creation", actor=i.officer)


def test_de_minimis_over_a_rolling_three_years_at_the_edges(iop: Iop) -> None:
    """An agreement decided on 15 March 2024 counts in the ledger for a legal review up to
    15 March 2027 (the day three years back included), and no longer on the 16th; an agreement
    that is not state aid puts nothing in the ledger."""
    rate_of_ten()
    i = iop
    a = to_decision(i, amount="2900000")  # 290 000 euro
    # an initiative registered in January 2024, decided in March
    Agreement.objects.filter(pk=a.pk).update(created_at=aware(datetime(2024, 1, 10)))
    declare_no_aid(i)
    services.agreement_decide(
        agreement=fresh(a), actor=i.chair, decided_on=date(2024, 3, 15), reference="SN § 1"
    )
    assert AidEntry.objects.get().decided_on == date(2024, 3, 15)
    second = services.agreement_initiate(
        actor=i.representative,
        organisation=i.org_party.organisation,
        public_body=i.body,
        data=dict(INITIATIVE, title="Sommarlovsaktiviteter"),
    )
    amount = Decimal("200000")  # 20 000 euro: over the ceiling while the first one counts
    refused = de_minimis.legal_review_refusal(
        second, route="de_minimis", amount=amount, at=date(2027, 3, 15)
    )
    assert "310\u00a0000\u00a0euro" in refused and "300\u00a0000\u00a0euro" in refused
    assert not de_minimis.legal_review_refusal(
        second, route="de_minimis", amount=amount, at=date(2027, 3, 16)
    )
    # dated before the first one, it must still fit with it: the first one's three years hold it
    assert de_minimis.legal_review_refusal(
        second, route="de_minimis", amount=amount, at=date(2024, 3, 14)
    )
    # not economic activity: not de minimis aid, nothing counted, nothing entered
    assert not de_minimis.legal_review_refusal(
        second, route="not_economic", amount=None, at=date(2025, 1, 1)
    )


@translation.override("en")
def test_the_legal_review_refuses_above_the_de_minimis_ceiling(iop: Iop) -> None:
    """All or nothing: 300 000 euro fits, one krona more is refused on the amount, with the
    reason in kronor and euro; the missing declaration is a warning, not a refusal."""
    rate_of_ten()
    i = iop
    a = services.agreement_transition(agreement=i.agreement, to="screening", actor=i.officer)
    services.agreement_screen(
        agreement=fresh(a),
        actor=i.officer,
        answers={k: {"ok": True, "comment": ""} for k, _l in SCREENING_CRITERIA},
        is_iop=True,
        comment="",
    )
    services.agreement_transition(agreement=fresh(a), to="legal_review", actor=i.officer)
    with pytest.raises(ValidationError) as refused:
        services.agreement_legal_review(
            agreement=fresh(a),
            actor=i.officer,
            procurement="Ingen upphandling.",
            route="de_minimis",
            amount=Decimal("3000001"),
        )
    message = refused.value.message_dict["amount"][0]
    assert "300\u00a0000,10\u00a0euro" in message and "300\u00a0000\u00a0euro" in message
    assert "not even in part" in message and "3\u00a0000\u00a0000\u00a0kr" in message
    assert fresh(a).status == "legal_review" and fresh(a).state_aid_route == ""
    warnings = services.agreement_legal_review(
        agreement=fresh(a),
        actor=i.officer,
        procurement="Ingen upphandling.",
        route="de_minimis",
        amount=Decimal("3000000"),
    )
    assert fresh(a).status == "decision"
    assert len(warnings) == 1 and "has not declared its de minimis aid" in warnings[0]
    assert "the agreement's initiative was registered" in warnings[0]
    assert not AidEntry.objects.exists()  # the legal review enters nothing


def content(**overrides: object) -> dict:  # type: ignore[type-arg]
    base = {
        "title": "Mötesplats Norr",
        "registry_number": "SN 2026/7",
        "version": 3,
        "challenge": "Utmaning",
        "idea": "Idé",
        "target_group": "Unga",
        "parties": [
            {
                "name": "Föreningen Mötesplats",
                "organisation_number": "802479-2249",
                "signatory": "Rolf",
            },
            {"name": "Socialnämnden", "organisation_number": "", "signatory": "Siri"},
        ],
        "sections": [{"key": "goals", "title": "Mål", "text": "Minst 40 unga."}],
        "contributions": [
            {
                "year": 2027,
                "party": "Socialnämnden",
                "kind": "Pengar",
                "description": "Bidrag",
                "value": "300 000 kr",
            }
        ],
        "contributions_total": "300 000 kr",
        "organisation_share": 0,
        "term": "",
        "state_aid": "",
        "procurement": "",
        "decision": "",
        "signatures": [],
    }
    base.update(overrides)
    return base


def test_the_pdf_is_pdf_a_with_embedded_fonts_and_its_content() -> None:
    pdf = render_agreement_pdf(content(), draft=False)
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    for expected in (
        "Föreningen Mötesplats",
        "802479-2249",
        "300 000 kr",
        "Version 3",
        "SN 2026/7",
        "Sida 1 av",
    ):
        assert expected in text.replace("\u00a0", " "), expected
    xmp = reader.xmp_metadata
    assert xmp is not None
    root: Any = reader.trailer["/Root"]
    raw = root["/Metadata"].get_object().get_data().decode()
    assert "pdfaid:part" in raw and "3" in raw.split("pdfaid:part")[1][:10]
    fonts = []
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for font in resources["/Font"].values():
            descriptor = (
                font.get_object().get("/FontDescriptor")
                or font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            )
            fonts.append(
                any(
                    key in descriptor.get_object()
                    for key in ("/FontFile", "/FontFile2", "/FontFile3")
                )
            )
    assert fonts and all(fonts)


def test_a_draft_is_watermarked() -> None:
    text = "".join(
        p.extract_text()
        for p in PdfReader(io.BytesIO(render_agreement_pdf(content(), draft=True))).pages
    )
    assert "UTKAST" in text and "Version 3" not in text


@pytest.fixture
def fonts_fetched(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URLs the agreement PDF's fetcher is asked for, with a fresh font configuration (the
    process keeps the fonts it fetched once, so a later render asks for nothing)."""
    from portal import pdf as pdf_module

    asked: list[str] = []
    original = pdf_module.static_font

    def spy(url: str) -> Path:
        asked.append(url)
        return original(url)

    monkeypatch.setattr(pdf_module, "static_font", spy)
    monkeypatch.setattr(pdf_module, "_font_config", None)
    return asked


def embedded_fonts(pdf: bytes) -> set[str]:
    """The fonts the PDF's pages use, without the subset prefix. WeasyPrint names a font after
    the family it is rendered as: an @font-face font after its `font-family` ("Portal-Sans"),
    a system font after its own ("DejaVu-Sans")."""
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources: Any = page["/Resources"]
        for font in resources["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


PORTAL_FONTS = {"portal-static:fonts/DejaVuSans.ttf", "portal-static:fonts/DejaVuSans-Bold.ttf"}


def test_the_pdf_is_set_in_the_portals_own_font_from_its_static_files(
    fonts_fetched: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="weasyprint")
    pdf = render_agreement_pdf(content(), draft=False)
    assert embedded_fonts(pdf) == {"Portal-Sans", "Portal-Sans-Bold"}
    assert set(fonts_fetched) == PORTAL_FONTS
    assert "cannot be loaded" not in caplog.text
    assert "Failed to load font" not in caplog.text


def test_later_renders_reuse_the_fetched_fonts_and_log_no_warning(
    fonts_fetched: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    render_agreement_pdf(content(), draft=False)
    fonts_fetched.clear()
    caplog.clear()
    caplog.set_level(logging.WARNING, logger="weasyprint")
    for draft in (True, False):
        names = embedded_fonts(render_agreement_pdf(content(), draft=draft))
        assert "Portal-Sans" in names and all(name.startswith("Portal-Sans") for name in names)
    assert fonts_fetched == []
    assert not [r for r in caplog.records if r.name.startswith("weasyprint")], caplog.text


def test_a_refused_font_shows_in_the_pdf_as_the_systems_font(
    fonts_fetched: list[str], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The control of the test above: its font names tell the shipped font from a fallback."""
    from portal import pdf as pdf_module

    def refuse(url: str) -> Path:
        raise ValueError("refused")

    monkeypatch.setattr(pdf_module, "static_font", refuse)
    caplog.set_level(logging.WARNING, logger="weasyprint")
    names = embedded_fonts(render_agreement_pdf(content(), draft=False))
    assert names and not any(name.startswith("Portal-Sans") for name in names)
    assert "Font-face 'Portal Sans' cannot be loaded" in caplog.text


def test_html_and_remote_urls_in_the_text_are_printed_and_never_fetched(
    fonts_fetched: list[str],
) -> None:
    evil = '<img src="http://127.0.0.1:9/tracker.png"><link rel="stylesheet" href="https://example.invalid/x.css"><b>fet</b>'
    fields = dict.fromkeys(
        (
            "title",
            "challenge",
            "idea",
            "target_group",
            "term",
            "state_aid",
            "de_minimis",
            "procurement",
            "decision",
        ),
        evil,
    )
    doc = content(
        **fields,
        sections=[{"key": "goals", "title": "Mål", "text": evil}],
        parties=[{"name": evil, "organisation_number": evil, "signatory": evil}],
    )
    text = "".join(
        p.extract_text()
        for p in PdfReader(io.BytesIO(render_agreement_pdf(doc, draft=False))).pages
    )
    assert "<img src=" in text and "tracker.png" in text and "<b>fet</b>" in text
    assert set(fonts_fetched) == PORTAL_FONTS


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "https://example.invalid/x.css",
        "ftp://example.invalid/x",
        "file:///etc/passwd",
        "data:font/ttf;base64,AAEAAA==",
        "portal-static:../../etc/passwd",
        "portal-static:fonts/../../../etc/passwd",
        "portal-static:fonts/../css/x.ttf",
        "portal-static:/etc/fonts/x.ttf",
        "portal-static:css/portal.css",
        "portal-static:fonts/LICENSE-DejaVu.txt",
        "portal-static:fonts/Missing.ttf",
        "portal-static:fonts/DejaVuSans.ttf?http://example.invalid/",
        "portal-static:fonts/%2e%2e%2fx.ttf",
        "portal-static://example.invalid/fonts/DejaVuSans.ttf",
    ],
)
def test_the_fetcher_refuses_every_url_but_a_portal_font(url: str) -> None:
    from weasyprint.urls import URLFetchingError, fetch

    from portal.pdf import url_fetcher

    with pytest.raises(ValueError):
        url_fetcher()(url)
    # As WeasyPrint calls it: an error it logs and renders without, never a crash.
    with pytest.raises(URLFetchingError), fetch(url_fetcher(), url):
        pass


def test_the_fetcher_serves_the_shipped_font_file() -> None:
    from django.conf import settings

    from portal.pdf import url_fetcher

    response = url_fetcher()("portal-static:fonts/DejaVuSans.ttf")
    try:
        assert response.read() == (settings.BASE_DIR / "static/fonts/DejaVuSans.ttf").read_bytes()
        assert response.content_type == "font/ttf"
    finally:
        response.close()


def test_a_document_naming_other_urls_gets_none_of_them_through_the_fetcher(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Whatever a print template might one day name, WeasyPrint's every kind of fetch (image,
    stylesheet, @import, attachment, @font-face, background) goes to the fetcher, which
    refuses all but the portal's fonts."""
    from weasyprint import HTML

    from portal import pdf as pdf_module

    asked: list[str] = []
    served: list[str] = []
    original = pdf_module.static_font

    def spy(url: str) -> Path:
        asked.append(url)
        path = original(url)
        served.append(url)
        return path

    monkeypatch.setattr(pdf_module, "static_font", spy)
    secret = tmp_path / "secret.txt"
    secret.write_text("hemligt")
    foreign = [
        f"file://{secret}",
        "http://127.0.0.1:9/tracker.png",
        "https://example.invalid/x.css",
        "http://127.0.0.1:9/imported.css",
        "file:///usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
        "portal-static:css/portal.css",
    ]
    html = f"""<html><head><style>
        @import url("{foreign[3]}");
        @font-face {{ font-family: "Other"; src: url("{foreign[4]}"); }}
        body {{ font-family: "Other"; background: url("{foreign[5]}"); }}
        </style>
        <link rel="stylesheet" href="{foreign[2]}">
        <link rel="attachment" href="{foreign[0]}"></head>
        <body><img src="{foreign[1]}"><p>Text</p></body></html>"""
    pdf = HTML(
        string=html, base_url=pdf_module.STATIC_SCHEME, url_fetcher=pdf_module.url_fetcher()
    ).write_pdf()
    assert set(asked) == set(foreign) and served == []
    assert not PdfReader(io.BytesIO(pdf)).attachments
    assert not any(name.startswith("Other") for name in embedded_fonts(pdf))


def test_signing_needs_the_second_factor(iop: Iop) -> None:
    from allauth.mfa.models import Authenticator

    a = to_signing(iop)
    Authenticator.objects.filter(user=iop.representative).delete()
    with pytest.raises(ValidationError) as error:
        sign(agreement=a, actor=iop.representative, party=iop.org_party)
    assert (
        "tvåfaktor" in error.value.messages[0].lower()
        or "two-factor" in error.value.messages[0].lower()
    )
    assert not Signature.objects.exists()


def test_ending_terminating_and_follow_up(iop: Iop, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    i = iop
    a = to_signing(i)
    sign(agreement=a, actor=i.representative, party=i.org_party)
    with django_capture_on_commit_callbacks(execute=True):
        sign(agreement=fresh(a), actor=i.chair, party=i.body_party)
    point = services.follow_up_plan(
        agreement=fresh(a),
        actor=i.officer,
        due=date(2027, 6, 30),
        text="Deltagare och måluppfyllelse",
    )
    with pytest.raises(PermissionDenied):
        services.follow_up_plan(agreement=fresh(a), actor=i.editor, due=date(2027, 6, 30), text="x")
    services.follow_up_record(point=point, actor=i.editor, text="52 unga i veckan i snitt.")
    with pytest.raises(PermissionDenied):
        services.follow_up_review(point=point, actor=i.editor)
    services.follow_up_review(point=point, actor=i.officer)
    point.refresh_from_db()
    assert point.reviewed_by == i.officer and point.text == "52 unga i veckan i snitt."
    with pytest.raises(ValidationError):
        services.agreement_end(
            agreement=fresh(a), actor=i.officer, on=date(2028, 1, 31), terminate=True
        )
    services.agreement_end(
        agreement=fresh(a),
        actor=i.officer,
        on=date(2028, 1, 31),
        reason="Föreningen upphör.",
        terminate=True,
    )
    assert (fresh(a).status, fresh(a).end_reason) == ("terminated", "Föreningen upphör.")


def test_the_officer_adds_more_parties_during_co_creation(iop: Iop) -> None:
    from agreements.models import SCREENING_CRITERIA
    from tests.organisations.factories import OrganisationFactory
    from tests.portal.factories import CommitteeFactory

    i = iop
    a = services.agreement_transition(agreement=fresh(i.agreement), to="screening", actor=i.officer)
    services.agreement_screen(
        agreement=fresh(a),
        actor=i.officer,
        answers={k: {"ok": True, "comment": ""} for k, _l in SCREENING_CRITERIA},
        is_iop=True,
        comment="",
    )
    second_body = CommitteeFactory(name="Kultur- och fritidsnämnden")
    second_org = OrganisationFactory(name="Fotbollsklubben Norr")
    services.party_add(agreement=fresh(a), actor=i.officer, public_body=second_body)
    services.party_add(agreement=fresh(a), actor=i.officer, organisation=second_org)
    with pytest.raises(ValidationError):
        services.party_add(agreement=fresh(a), actor=i.officer, organisation=second_org)
    with pytest.raises(PermissionDenied):
        services.party_add(agreement=fresh(a), actor=i.editor, organisation=OrganisationFactory())
    assert fresh(a).parties.count() == 4
    assert "Fotbollsklubben Norr" in [
        p["name"] for p in services.agreement_snapshot(fresh(a))["parties"]
    ]
