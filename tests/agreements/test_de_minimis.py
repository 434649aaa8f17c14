"""An IOP agreement's de minimis aid in the register's one ledger: the legal review and the
decision count the organisation's grants and the aid it declared from others, show the
undertaking's standing, refuse aid that would cross the ceiling (all or nothing), and the
decision enters the aid once; the agreement and its PDF state the aid, its regulation and its
euro amount."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from agreements import de_minimis, services
from agreements.models import Agreement
from organisations import services as organisation_services
from organisations.models import AidEntry, AidInstrument, AidOrigin, AidRegulation
from portal.formats import long_date
from portal.models import AuditEvent
from tests.agreements.conftest import (
    INITIATIVE,
    Iop,
    declare_no_aid,
    fresh,
    rate_of_ten,
    to_decision,
    to_signing,
)
from tests.helpers.clients import in_english, logged_in, queued_messages
from tests.helpers.queries import assert_same_query_count, count_queries
from tests.organisations.factories import OrganisationFactory, OrganisationMembershipFactory

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
TITLE_2831 = (
    "Commission Regulation (EU) 2023/2831 of 13 December 2023 on the application of Articles "
    "107 and 108 of the Treaty on the Functioning of the European Union to de minimis aid"
)


@pytest.fixture(autouse=True)
def rate(db: None) -> Iterator[None]:
    rate_of_ten()  # 10 kr a euro: 3 000 000 kr is the general ceiling
    with translation.override("en"):  # the services' messages, as an English reader sees them
        yield


def plain(text: str) -> str:
    return text.replace(NBSP, " ")


def a_grant(i: Iop, sek: str, on: date, *, case: int = 1, organisation: object = None) -> None:
    """A de minimis grant decided by the grants side of the portal (a föreningsbidrag)."""
    organisation_services.aid_grant(
        organisation=organisation or i.org_party.organisation,  # type: ignore[arg-type]
        actor=i.officer,
        regulation=AidRegulation.DE_MINIMIS,
        decided_on=on,
        amount_sek=Decimal(sek),
        public_body=i.body,
        source_kind="grants.application",
        source_id=case,
        source_reference=f"KFN 2026/{case}",
        since=timezone.make_aware(timezone.datetime(2020, 1, 1)),
        since_label="the call opened",
    )


def declare(i: Iop, *items: organisation_services.DeclaredAid) -> None:
    organisation_services.aid_declaration_sign(
        organisation=i.org_party.organisation,
        actor=i.representative,
        items=list(items),
        none_received=not items,
        certified=True,
    )


def from_the_region(sek: str, on: date = date(2025, 5, 1)) -> organisation_services.DeclaredAid:
    return organisation_services.DeclaredAid(
        granting_body="Region Exempel",
        decided_on=on,
        regulation=AidRegulation.DE_MINIMIS,
        instrument=AidInstrument.GRANT,
        amount_sek=Decimal(sek),
    )


def decide(a: Agreement, i: Iop, on: date | None = None) -> Agreement:
    return services.agreement_decide(
        agreement=fresh(a),
        actor=i.chair,
        decided_on=on or timezone.localdate(),
        reference="SN § 7",
    )


def nothing_decided(a: Agreement) -> None:
    a = fresh(a)
    assert a.status == "decision" and a.decision_date is None and a.decision_reference == ""
    assert not AidEntry.objects.filter(source_kind="agreements.agreement").exists()
    assert not AuditEvent.objects.filter(
        action="de_minimis_granted", comment__contains="SN "
    ).exists()


# --- the decision ------------------------------------------------------------------------------


def test_a_decision_is_refused_when_a_grant_already_fills_the_headroom(iop: Iop) -> None:
    """The legal review found room for 30 000 euro; a föreningsbidrag of 280 000 euro decided
    since leaves 20 000: the decision is refused whole, and nothing is written."""
    a = to_decision(iop, amount="300000")
    declare_no_aid(iop)
    a_grant(iop, "2800000", date(2026, 11, 20))
    with pytest.raises(ValidationError) as refused:
        decide(a, iop)
    message = plain(" ".join(refused.value.messages))
    assert "310 000 euro" in message and "300 000 euro" in message
    assert "The room left is 20 000 euro (200 000 kr)" in message
    nothing_decided(a)
    assert AidEntry.objects.count() == 1  # the grant alone


def test_a_decision_is_refused_on_its_form_when_declared_aid_fills_the_headroom(
    iop: Iop,
) -> None:
    """The region's 280 000 euro, declared by the association, count: the decision maker is
    told on the decision form before confirming, and again if they confirm; what they typed
    stays, nothing is decided."""
    a = to_decision(iop, amount="300000")
    declare(iop, from_the_region("2800000"))
    url = reverse("agreements:decide", args=[a.pk])
    client = in_english(logged_in(iop.chair))
    decision = {"decided_on": timezone.localdate().isoformat(), "reference": "SN § 7"}
    for data in (decision, {**decision, "confirmed": "1"}):
        response = client.post(url, data)
        assert response.status_code == 400
        page = plain(response.content.decode())
        assert (
            "There is a problem" in page and "The aid cannot be granted as de minimis aid" in page
        )
        assert 'value="SN § 7"' in page and f'value="{timezone.localdate().isoformat()}"' in page
        assert "Record the decision and start the signing?" not in page  # no confirmation
    nothing_decided(a)


def test_the_decision_enters_the_aid_once_as_the_latest_decision_says(iop: Iop) -> None:
    i = iop
    a = to_decision(i, amount="300000")
    declare_no_aid(i)
    decide(a, i)
    entry = AidEntry.objects.get()
    assert (entry.origin, entry.regulation, entry.instrument) == (
        AidOrigin.DECIDED,
        AidRegulation.DE_MINIMIS,
        AidInstrument.GRANT,
    )
    assert entry.organisation == i.org_party.organisation and entry.public_body == i.body
    assert entry.decided_on == timezone.localdate() and entry.granting_body == "Socialnämnden"
    assert (entry.amount_sek, entry.amount_eur, entry.sek_per_eur) == (
        Decimal("300000"),
        Decimal("30000"),
        Decimal("10"),
    )
    assert (entry.source_kind, entry.source_id) == ("agreements.agreement", a.pk)
    assert entry.source_reference == a.registry_number and entry.recorded_by == i.chair
    assert AuditEvent.objects.filter(action="de_minimis_granted", actor=i.chair).count() == 1

    # taken back from signing, reviewed and decided anew: still one entry, the new decision's
    services.agreement_signing_withdraw(agreement=fresh(a), actor=i.officer, reason="Ny summa.")
    services.agreement_transition(agreement=fresh(a), to="legal_review", actor=i.officer)
    services.agreement_legal_review(
        agreement=fresh(a),
        actor=i.officer,
        procurement="Ingen upphandling.",
        route="de_minimis",
        amount=Decimal("500000"),
    )
    decide(a, i, on=timezone.localdate())
    entry = AidEntry.objects.get()
    assert (entry.decided_on, entry.amount_eur) == (timezone.localdate(), Decimal("50000"))


def test_premises_the_public_side_brings_are_aid_in_kind(iop: Iop) -> None:
    a = to_decision(iop, amount="120000", public_kind="premises")
    declare_no_aid(iop)
    decide(a, iop)
    assert AidEntry.objects.get().instrument == AidInstrument.IN_KIND


def test_the_sgei_route_counts_against_750_000_euro(iop: Iop) -> None:
    """250 000 euro of general de minimis aid already: 450 000 euro more is refused as general
    aid but fits as SGEI de minimis aid (700 000 of 750 000, every aid counted); after it,
    50 000 euro is the room left under either ceiling, all or nothing."""
    declare_no_aid(iop)
    a_grant(iop, "2500000", date(2026, 6, 1))
    second = services.agreement_initiate(
        actor=iop.representative,
        organisation=iop.org_party.organisation,
        public_body=iop.body,
        data=dict(INITIATIVE, title="Sommarlovsaktiviteter"),
    )

    def refusal(route: str, sek: str) -> str:
        return plain(
            de_minimis.legal_review_refusal(
                second, route=route, amount=Decimal(sek), at=date(2026, 12, 11)
            )
        )

    assert "above the ceiling of 300 000 euro" in refusal("de_minimis", "4500000")
    assert not refusal("sgei_de_minimis", "4500000")
    a = to_decision(iop, route="sgei_de_minimis", amount="4500000")
    decide(a, iop)
    entry = AidEntry.objects.get(source_kind="agreements.agreement")
    assert entry.regulation == AidRegulation.SGEI and entry.amount_eur == Decimal("450000")

    assert "above the ceiling of 750 000 euro" in refusal("sgei_de_minimis", "500001")
    assert not refusal("sgei_de_minimis", "500000")
    assert "above the ceiling of 750 000 euro" in refusal("de_minimis", "500001")
    assert not refusal("de_minimis", "500000")


def test_a_decision_needs_a_declaration_newer_than_the_initiative(iop: Iop) -> None:
    """The legal review only warns (the association may still declare); the decision is
    refused until a declaration signed since the initiative was registered is there."""
    declare_no_aid(iop)  # before the initiative (moved later below)
    Agreement.objects.filter(pk=iop.agreement.pk).update(created_at=timezone.now())
    a = to_decision(iop, amount="300000")
    assert fresh(a).status == "decision"
    with pytest.raises(ValidationError) as refused:
        decide(a, iop)
    assert "has not declared its de minimis aid from others since" in refused.value.messages[0]
    assert "the agreement's initiative was registered" in refused.value.messages[0]
    nothing_decided(a)
    declare_no_aid(iop)
    decide(a, iop)
    assert fresh(a).status == "signing" and AidEntry.objects.count() == 1


def test_not_economic_activity_enters_nothing(iop: Iop) -> None:
    a = to_decision(iop, route="not_economic", amount=None)
    decide(a, iop)  # no declaration needed either
    assert fresh(a).status == "signing" and not AidEntry.objects.exists()


# --- the pages ---------------------------------------------------------------------------------


def test_the_legal_review_form_refuses_an_amount_over_the_ceiling_before_the_confirmation(
    iop: Iop,
) -> None:
    declare_no_aid(iop)
    a_grant(iop, "2900000", date(2026, 6, 1))  # 290 000 euro: 10 000 left
    # the declaration is older than the initiative (registered after it, say)
    Agreement.objects.filter(pk=iop.agreement.pk).update(created_at=timezone.now())
    a = to_decision(iop, route="not_economic", amount=None)
    Agreement.objects.filter(pk=a.pk).update(status="legal_review")
    client = in_english(logged_in(iop.officer))
    url = reverse("agreements:legal_review", args=[a.pk])
    review = {"procurement": "Föreningens initiativ.", "route": "de_minimis", "amount": "100001"}
    response = client.post(url, review)
    assert response.status_code == 400
    page = plain(response.content.decode())
    assert "The aid cannot be granted as de minimis aid" in page
    assert 'href="#id_amount"' in page  # the error summary links to the amount
    assert "Föreningens initiativ." in page
    assert fresh(a).status == "legal_review"
    # 100 000 kr fits; the missing declaration is shown before confirming, not refused
    review["amount"] = "100000"
    page = client.post(url, review).content.decode()
    assert "send the agreement to decision?" in page
    assert "has not declared its de minimis aid from others" in page
    response = client.post(url, {**review, "confirmed": "1"})
    assert fresh(a).status == "decision" and fresh(a).state_aid_amount == Decimal("100000")
    assert any("has not declared" in m for m in queued_messages(response))


def test_the_legal_review_and_the_decision_show_the_undertakings_standing(iop: Iop) -> None:
    company = OrganisationFactory(name="Mötesplatsens Café AB")
    organisation_services.undertaking_link(
        actor=iop.officer,
        organisation=iop.org_party.organisation,
        other=company,
        reason="Föreningen äger bolaget.",
    )
    declare(iop, from_the_region("1200000", on=date(2025, 3, 14)))  # 120 000 euro
    organisation_services.aid_declaration_sign(
        organisation=company,
        actor=OrganisationMembershipFactory(organisation=company).user,
        items=[],
        none_received=True,
        certified=True,
    )
    a_grant(iop, "500000", date(2026, 6, 1), organisation=company)  # 50 000 euro
    a = to_decision(iop, route="not_economic", amount=None)
    Agreement.objects.filter(pk=a.pk).update(status="legal_review")
    page = plain(in_english(logged_in(iop.officer)).get(a_url(a)).content.decode())
    legal = page[page.index('id="legal-heading"') :]
    for expected in (
        "De minimis aid over three years",
        "Counted together with Mötesplatsens Café AB",
        "170 000 euro",  # counted
        "300 000 euro",  # the general ceiling
        "750 000 euro",  # the SGEI ceiling
        "130 000 euro",  # room left under the general ceiling
        "1 300 000 kr",  # the same in kronor
        "580 000 euro",  # room left under the SGEI ceiling
        "10,0000 SEK per euro (Europeiska kommissionens månadskurs (InforEuro), 1 November 2026)",
        "On 15 March 2028, 120 000 euro stops counting.",
        "Version 1, signed on",
        "Region Exempel",
    ):
        assert expected in legal, expected

    # the decision: the route's ceiling marked, the agreement's own aid and whether it fits
    Agreement.objects.filter(pk=a.pk).update(
        status="decision", state_aid_route="de_minimis", state_aid_amount=Decimal("1400000")
    )
    page = plain(in_english(logged_in(iop.chair)).get(a_url(a)).content.decode())
    decision = page[page.index('id="decision-heading"') :]
    assert "this agreement's route" in decision
    assert "1 400 000 kr, which is 140 000 euro." in decision
    assert "The aid cannot be granted as de minimis aid" in decision
    # the declaration is older than the initiative? No: signed after it, so no warning
    assert "has not declared" not in decision


def test_the_standing_is_not_shown_to_the_association(iop: Iop) -> None:
    """The association's people read the agreement, not the ledger beside the decision."""
    declare(iop, from_the_region("1200000"))
    a = to_decision(iop, amount="300000")
    for person in (iop.representative, iop.editor):
        page = in_english(logged_in(person)).get(a_url(a)).content.decode()
        assert "De minimis aid over three years" not in page and "Region Exempel" not in page


def test_the_decision_page_reads_the_same_queries_whatever_the_aid_counted(iop: Iop) -> None:
    a = to_decision(iop, amount="100000")
    declare(iop, from_the_region("10000"))
    client = logged_in(iop.chair)
    with count_queries() as few:
        assert client.get(a_url(a)).status_code == 200
    declare(iop, *(from_the_region("10000", on=date(2025, 1, day)) for day in range(1, 9)))
    for case in range(2, 7):
        a_grant(iop, "10000", date(2026, 2, case), case=case)
    with count_queries() as many:
        page = client.get(a_url(a)).content.decode()
    assert page.count("KFN 2026/") == 5
    assert_same_query_count(few, many)


def test_the_agreement_and_its_pdf_state_the_de_minimis_aid(iop: Iop) -> None:
    a = to_signing(iop)  # 300 000 kr as de minimis aid, decided today
    page = plain(in_english(logged_in(iop.representative)).get(a_url(a)).content.decode())
    statement = page[page.index('id="state-aid-heading"') :]
    assert TITLE_2831 in statement
    assert (
        "It amounts to 300 000 kr, which is 30 000 euro at the exchange rate 10,0000" in statement
    )
    assert f"granted on {plain(long_date(timezone.localdate()))}" in statement

    snapshot = services.agreement_snapshot(fresh(a))
    assert "2023/2831" in snapshot["de_minimis"] and "30 000 euro" in plain(snapshot["de_minimis"])
    response = logged_in(iop.representative).get(reverse("agreements:draft_pdf", args=[a.pk]))
    text = plain(
        "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    )
    assert "2023/2831" in text and "30 000 euro" in text and "InforEuro" in text


def a_url(a: Agreement) -> str:
    return reverse("agreements:agreement", args=[a.pk])
