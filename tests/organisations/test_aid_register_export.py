"""The register of de minimis aid (Art. 6 of Regulation (EU) 2023/2831): the aid the officer's
public bodies decided in the portal in a period, as a page and as CSV and XLSX. The CSV of a
fixed set of entries is `fixtures/aid_register.csv`, written by hand: it is the contract."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from organisations import services
from organisations.models import AidDeclaration, AidEntry, AidOrigin, Organisation
from portal.models import PublicBody, User
from tests.helpers.clients import context_value, in_english, logged_in
from tests.helpers.queries import assert_same_query_count, count_queries
from tests.organisations.factories import OrganisationFactory, OrganisationMembershipFactory
from tests.portal.factories import PublicBodyFactory

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).parent / "fixtures" / "aid_register.csv"
D = Decimal
INFOREURO = "Europeiska kommissionens månadskurs (InforEuro)"
PERIOD = {"start": "2026-01-01", "end": "2026-12-31"}
_case_ids = itertools.count(1000)


def entry(
    organisation: Organisation,
    *,
    on: str,
    sek: str,
    eur: str,
    by: User,
    body: PublicBody | None,
    gross: str | None = None,
    regulation: str = "2023/2831",
    instrument: str = "grant",
    rate: str = "11.2345",
    rate_date: str | None = "2026-03-01",
    source: str = INFOREURO,
    sector: str = "",
    reference: str = "",
    origin: str = AidOrigin.DECIDED,
    declaration: AidDeclaration | None = None,
    granting_body: str = "Kultur- och fritidsnämnden",
) -> AidEntry:
    """An aid in the ledger, as a decision's service enters it (the amounts as given)."""
    return AidEntry.objects.create(
        organisation=organisation,
        origin=origin,
        regulation=regulation,
        decided_on=dt.date.fromisoformat(on),
        granting_body=granting_body,
        public_body=body,
        instrument=instrument,
        amount_sek=D(sek),
        gross_grant_equivalent_sek=D(gross or sek),
        sek_per_eur=D(rate),
        rate_date=dt.date.fromisoformat(rate_date) if rate_date else None,
        rate_source=source,
        amount_eur=D(eur),
        sector=sector,
        source_kind="tests.case",
        source_id=next(_case_ids),
        source_reference=reference,
        declaration=declaration,
        recorded_by=by,
    )


@dataclass
class Register:
    body: PublicBody
    association: Organisation
    company: Organisation


@pytest.fixture
def register(officer: User) -> Register:
    body = officer.public_body_memberships.get().public_body
    association = OrganisationFactory(
        name="Idrottsföreningen Exempel", organisation_number="802700-0010", sector="93.12"
    )
    formula = OrganisationFactory(
        name="=1+2 Föreningen", organisation_number="802700-0028", sector="94.99"
    )
    company = OrganisationFactory(name="Exempel Café AB", organisation_number="802700-0036")
    property_company = OrganisationFactory(
        name="Exempel Fastigheter AB", organisation_number="802700-0044"
    )
    services.undertaking_link(
        actor=officer, organisation=association, other=company, reason="Äger bolaget."
    )
    services.undertaking_link(
        actor=officer, organisation=company, other=property_company, reason="Äger fastigheten."
    )
    # in the register, in this order
    entry(association, on="2026-03-15", sek="25000", eur="2225.31", by=officer, body=body,
          sector="93.12", reference="KFN 2026/12")  # fmt: skip
    entry(association, on="2026-01-01", sek="100000", gross="5000", eur="445.06",
          instrument="loan", rate_date="2025-12-01", by=officer, body=body,
          reference="KFN 2025/99")  # fmt: skip
    entry(formula, on="2026-06-01", sek="60000", gross="48000", eur="4363.64",
          regulation="2023/2832", instrument="in_kind", rate="11", rate_date=None,
          source="Fast kurs enligt beslut", by=officer, body=body,
          reference="KFN 2026/40")  # fmt: skip
    entry(company, on="2026-12-31", sek="1000.50", eur="89.06", rate_date="2026-12-01",
          sector="56.10", by=officer, body=body)  # fmt: skip
    # not in it: before the period, another body's, declared by the organisation
    entry(association, on="2025-12-31", sek="9000", eur="801.10", by=officer, body=body,
          reference="KFN 2025/98")  # fmt: skip
    region = PublicBodyFactory(name="Region Exempel")
    entry(association, on="2026-05-05", sek="7000", eur="623.08", by=officer, body=region,
          granting_body="Region Exempel", reference="RS 2026/1")  # fmt: skip
    representative = OrganisationMembershipFactory(organisation=association).user
    declaration = AidDeclaration.objects.create(
        organisation=association,
        number=1,
        period_start=dt.date(2023, 5, 1),
        none_received=False,
        declared_by=representative,
        declared_by_name="Rita Representant",
        declared_at=timezone.now(),
        text_sha256="0" * 64,
    )
    entry(association, on="2026-04-01", sek="3000", eur="267.04", by=representative, body=None,
          origin=AidOrigin.DECLARED, declaration=declaration, granting_body="Tillväxtverket",
          reference="TV 2026/2")  # fmt: skip
    return Register(body=body, association=association, company=company)


def csv_of(response: Any) -> str:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # so that Excel reads UTF-8
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def test_the_csv_is_the_fixture(register: Register, officer: User) -> None:
    """The file as a Swedish officer downloads it: the contract with the register."""
    client = logged_in(officer)
    response = client.get(reverse("organisations:aid_register"), {**PERIOD, "export": "csv"})
    assert (
        'filename="stod-av-mindre-betydelse-2026-01-01-2026-12-31.csv"'
        in (response["Content-Disposition"])
    )
    assert csv_of(response) == FIXTURE.read_text(encoding="utf-8")


def test_a_name_that_starts_a_formula_is_neutralised_in_both_formats(
    register: Register, officer: User
) -> None:
    client = in_english(logged_in(officer))
    url = reverse("organisations:aid_register")
    text = csv_of(client.get(url, {**PERIOD, "export": "csv"}))
    assert ";'=1+2 Föreningen;" in text and ";=1+2" not in text

    response = client.get(url, {**PERIOD, "export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Organisation number" and len(rows) == 5
    assert rows[3][1] == "'=1+2 Föreningen"
    assert rows[1][4] == "2026-01-01" and rows[1][7] == 100000  # amounts stay numbers


def test_another_bodys_and_declared_aid_are_not_in_the_register(
    register: Register, officer: User
) -> None:
    client = in_english(logged_in(officer))
    url = reverse("organisations:aid_register")
    text = csv_of(client.get(url, {**PERIOD, "export": "csv"}))
    assert "Region Exempel" not in text and "RS 2026/1" not in text  # another body's decision
    assert "Tillväxtverket" not in text  # declared by the organisation, not decided here
    assert "KFN 2025/98" not in text  # before the period
    page = client.get(url, PERIOD)
    assert page.status_code == 200
    html = page.content.decode()
    assert "KFN 2026/12" in html and "RS 2026/1" not in html and "Tillväxtverket" not in html


def test_the_other_bodys_officer_sees_only_its_own(register: Register) -> None:
    region = PublicBody.objects.get(name="Region Exempel")
    from tests.portal.factories import MembershipFactory, give_totp

    region_officer = MembershipFactory(public_body=region).user
    give_totp(region_officer)
    client = in_english(logged_in(region_officer))
    text = csv_of(client.get(reverse("organisations:aid_register"), {**PERIOD, "export": "csv"}))
    assert text.count("\n") == 2  # the header and its one decision
    assert "RS 2026/1" in text and "KFN" not in text


def test_the_period_is_the_current_year_unless_chosen(register: Register, officer: User) -> None:
    client = logged_in(officer)
    response = client.get(reverse("organisations:aid_register"))
    year = timezone.localdate().year
    assert context_value(response, "start") == dt.date(year, 1, 1)
    assert context_value(response, "end") == dt.date(year, 12, 31)


def test_a_period_that_ends_before_it_starts_says_so_and_lists_nothing(officer: User) -> None:
    client = in_english(logged_in(officer))
    url = reverse("organisations:aid_register")
    for params in ({"start": "2026-12-31", "end": "2026-01-01"}, {"start": "31/12"}):
        response = client.get(url, {**params, "export": "csv"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert "error-summary" in response.content.decode()
        assert context_value(response, "page") is None


@pytest.mark.parametrize("fmt", ["", "csv"])
def test_the_query_count_does_not_grow_with_the_rows(
    register: Register, officer: User, fmt: str
) -> None:
    client = logged_in(officer)
    url = reverse("organisations:aid_register")
    params = {**PERIOD, **({"export": fmt} if fmt else {})}

    def fetch() -> Any:
        response = client.get(url, params)
        if fmt:
            b"".join(response.streaming_content)
        return response

    fetch()
    with count_queries() as few:
        fetch()
    for number in range(40):
        other = OrganisationFactory()
        if number % 4 == 0:
            services.undertaking_link(
                actor=officer, organisation=other, other=register.company, reason="Ägs."
            )
        entry(other, on="2026-08-01", sek="1000", eur="89.01", by=officer, body=register.body)
    with count_queries() as many:
        response = fetch()
    if not fmt:
        assert len(context_value(response, "page").object_list) == 25
    assert_same_query_count(few, many)


def test_an_association_member_is_refused_the_register(register: Register) -> None:
    representative = register.association.memberships.get().user
    client = logged_in(representative)
    url = reverse("organisations:aid_register")
    assert client.get(url).status_code == 404
    assert client.get(url, {**PERIOD, "export": "csv"}).status_code == 404
