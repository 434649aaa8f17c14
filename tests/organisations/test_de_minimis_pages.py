"""The de minimis ledger's pages, from the side of the people who use them: the association's
page "De minimis aid" (any member reads it, a representative signs a declaration of the aid
received from others), and the case officer's page of an organisation's aid (where it stands
against the ceilings, its single undertaking, the ledger and the declarations)."""

from __future__ import annotations

import datetime as dt
import html
import itertools
import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from organisations import services, state_aid
from organisations.models import (
    AidDeclaration,
    AidEntry,
    AidOrigin,
    Organisation,
    OrganisationRole,
    StateAidSettings,
    UndertakingMember,
)
from portal.models import PublicBody, User
from tests.helpers.clients import context_value, in_english, logged_in, queued_messages
from tests.helpers.queries import assert_same_query_count, count_queries
from tests.organisations.conftest import World
from tests.organisations.factories import OrganisationFactory, OrganisationMembershipFactory
from tests.portal.factories import MembershipFactory

pytestmark = pytest.mark.django_db

D = Decimal
_case_ids = itertools.count(1)


@pytest.fixture
def rate(db: None) -> StateAidSettings:
    """Round numbers: 10 kronor to the euro."""
    settings = StateAidSettings.load()
    settings.sek_per_eur = D("10")
    settings.rate_date = dt.date(2026, 1, 1)
    settings.rate_source = "Europeiska kommissionens månadskurs (InforEuro)"
    settings.save()
    return settings


def decided(
    organisation: Organisation,
    sek: str,
    on: dt.date,
    *,
    by: User,
    body: PublicBody | None = None,
    reference: str = "",
) -> AidEntry:
    """A de minimis aid decided in the portal, as a decision's service enters it."""
    number = next(_case_ids)
    return AidEntry.objects.create(
        organisation=organisation,
        origin=AidOrigin.DECIDED,
        regulation="2023/2831",
        decided_on=on,
        granting_body=body.name if body else "Kultur- och fritidsnämnden",
        public_body=body,
        instrument="grant",
        amount_sek=D(sek),
        gross_grant_equivalent_sek=D(sek),
        sek_per_eur=D("10"),
        rate_date=dt.date(2026, 1, 1),
        rate_source="Europeiska kommissionens månadskurs (InforEuro)",
        amount_eur=D(sek) / 10,
        source_kind="tests.case",
        source_id=number,
        source_reference=reference or f"KFN 2026/{number}",
        recorded_by=by,
    )


ROW = {
    "granting_body": "",
    "decided_on": "",
    "regulation": "2023/2831",
    "instrument": "grant",
    "amount_sek": "",
    "gross_grant_equivalent_sek": "",
    "amount_eur": "",
    "reference": "",
}


def declaration_post(*rows: dict[str, str], **boxes: str) -> dict[str, str]:
    """The declaration form as the browser sends it: the rows, the boxes ticked, a button."""
    data = {
        "aid-TOTAL_FORMS": str(len(rows)),
        "aid-INITIAL_FORMS": "0",
        "aid-MIN_NUM_FORMS": "0",
        "aid-MAX_NUM_FORMS": "50",
    }
    for index, row in enumerate(rows):
        for name, value in {**ROW, **row}.items():
            data[f"aid-{index}-{name}"] = value
    data.update(boxes)
    return data


def some_days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def region_row(**more: str) -> dict[str, str]:
    return {
        "granting_body": "Region Exempel",
        "decided_on": some_days_ago(200).isoformat(),
        "amount_sek": "120 000",
        "reference": "RS 2025/77",
        **more,
    }


def aid_url(organisation: Organisation) -> str:
    return reverse("organisations:aid_declaration", args=[organisation.pk])


def officer_aid_url(organisation: Organisation) -> str:
    return reverse("organisations:officer_aid", args=[organisation.pk])


# --- the association's page ------------------------------------------------------------------


def test_the_organisations_pages_link_to_the_de_minimis_page(world: World) -> None:
    page = logged_in(world.viewer).get(
        reverse("organisations:detail", args=[world.organisation.pk])
    )
    assert aid_url(world.organisation) in page.content.decode()


def test_a_member_reads_the_declaration_the_aid_decided_and_what_de_minimis_aid_is(
    world: World, rate: StateAidSettings, officer: User
) -> None:
    services.aid_declaration_sign(
        organisation=world.organisation,
        actor=world.representative,
        items=[
            services.DeclaredAid(
                granting_body="Region Exempel",
                decided_on=some_days_ago(300),
                regulation="2023/2831",
                instrument="grant",
                amount_sek=D("50000"),
            )
        ],
        none_received=False,
        certified=True,
    )
    decided(world.organisation, "80000", some_days_ago(30), by=officer, reference="KFN 2026/12")
    decided(world.organisation, "70000", some_days_ago(4 * 365), by=officer, reference="KFN 2021/3")

    page = in_english(logged_in(world.viewer)).get(aid_url(world.organisation))
    assert page.status_code == 200
    text = page.content.decode()
    assert "De minimis aid is public support of a limited amount" in text  # what it is, and why
    current = re.search(r'id="current-version">(\d+)<', text)
    assert current is not None and current.group(1) == "1"
    assert "Rita Representant" in text and "Region Exempel" in text
    assert "KFN 2026/12" in text  # decided in the last three years
    assert "KFN 2021/3" not in text  # no longer counts
    # a viewer reads it; a representative signs
    assert 'name="sign"' not in text
    assert "A representative (firmatecknare) of the organisation signs the declaration" in text


def test_a_representative_sees_the_period_the_declaration_covers(world: World) -> None:
    page = in_english(logged_in(world.representative)).get(aid_url(world.organisation))
    text = page.content.decode()
    start = state_aid.window_start(timezone.localdate())
    assert context_value(page, "period_start") == start
    assert "The declaration covers aid decided from" in text
    assert 'name="sign"' in text and 'name="add_row"' in text


@pytest.mark.parametrize("who", ["viewer", "editor"])
def test_a_viewer_or_an_editor_cannot_sign_a_declaration(world: World, who: str) -> None:
    client = logged_in(getattr(world, who))
    response = client.post(
        aid_url(world.organisation), declaration_post(region_row(), certified="on", sign="1")
    )
    assert response.status_code == 403
    assert not AidDeclaration.objects.exists()
    assert not AidEntry.objects.exists()


def test_a_representative_of_another_organisation_cannot_open_this_ones_page(
    world: World,
) -> None:
    client = logged_in(world.outsider)  # a representative elsewhere
    assert client.get(aid_url(world.organisation)).status_code == 404
    response = client.post(
        aid_url(world.organisation), declaration_post(certified="on", none_received="on", sign="1")
    )
    assert response.status_code == 404
    assert not AidDeclaration.objects.exists()


def test_add_another_row_keeps_everything_typed(world: World) -> None:
    client = in_english(logged_in(world.representative))
    typed = region_row(gross_grant_equivalent_sek="9 500", amount_eur="1 000,50")
    response = client.post(
        aid_url(world.organisation), declaration_post(typed, certified="on", add_row="1")
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert 'name="aid-TOTAL_FORMS" value="2"' in text
    for name, value in typed.items():
        assert f'name="aid-0-{name}" value="{value}"' in text, name
    assert 'name="aid-1-granting_body"' in text  # one more empty row
    assert re.search(r'<input type="checkbox" name="certified"[^>]* checked', text)
    assert "error-summary" not in text  # nothing is checked yet
    assert not AidDeclaration.objects.exists()

    # and once more: the typed row stays, the new row's text too
    data = declaration_post(typed, {"granting_body": "Arbetsförmedlingen"}, add_row="1")
    text = client.post(aid_url(world.organisation), data).content.decode()
    assert 'name="aid-TOTAL_FORMS" value="3"' in text
    assert 'name="aid-1-granting_body" value="Arbetsförmedlingen"' in text
    assert 'name="aid-0-reference" value="RS 2025/77"' in text


def test_signing_writes_the_declaration_and_its_aid_in_the_ledger(
    world: World, rate: StateAidSettings
) -> None:
    client = in_english(logged_in(world.representative))
    data = declaration_post(
        region_row(),
        {
            "granting_body": "Tillväxtverket",
            "decided_on": some_days_ago(400).isoformat(),
            "instrument": "loan",
            "amount_sek": "200 000",
            "gross_grant_equivalent_sek": "15 000",
            "amount_eur": "",
        },
        {},  # an empty row is left out
        certified="on",
        sign="1",
    )
    response = client.post(aid_url(world.organisation), data)
    assert response.status_code == 302
    assert any("version 1" in message for message in queued_messages(response))
    declaration = AidDeclaration.objects.get()
    assert declaration.number == 1 and not declaration.none_received
    assert declaration.declared_by == world.representative
    entries = {e.granting_body: e for e in declaration.entries.all()}
    assert set(entries) == {"Region Exempel", "Tillväxtverket"}
    assert entries["Region Exempel"].amount_eur == D("12000.00")
    assert entries["Region Exempel"].source_reference == "RS 2025/77"
    loan = entries["Tillväxtverket"]
    assert loan.amount_sek == D("200000") and loan.gross_grant_equivalent_sek == D("15000")
    assert loan.amount_eur == D("1500.00")  # counted at its gross grant equivalent

    text = client.get(aid_url(world.organisation)).content.decode()
    assert re.search(r'id="current-version">1<', text)
    assert "Tillväxtverket" in text


def test_no_aid_received_then_a_new_version_lists_the_earlier_one(
    world: World, rate: StateAidSettings
) -> None:
    client = in_english(logged_in(world.representative))
    url = aid_url(world.organisation)
    client.post(url, declaration_post({}, none_received="on", certified="on", sign="1"))
    first = AidDeclaration.objects.get()
    assert first.none_received and not first.entries.exists()
    client.post(url, declaration_post(region_row(), certified="on", sign="1"))
    text = client.get(url).content.decode()
    assert re.search(r'id="current-version">2<', text)
    assert "Earlier versions" in text and "No aid received" in text
    assert AidDeclaration.objects.count() == 2


@pytest.mark.parametrize(
    ("rows", "boxes", "message", "anchor"),
    [
        (
            [
                region_row(
                    decided_on=(timezone.localdate() - dt.timedelta(days=4 * 365)).isoformat()
                )
            ],
            {"certified": "on"},
            "no longer counts: leave it out of the declaration",
            "id_aid-0-decided_on",
        ),
        (
            [region_row(decided_on=(timezone.localdate() + dt.timedelta(days=3)).isoformat())],
            {"certified": "on"},
            "The decision date cannot be in the future.",
            "id_aid-0-decided_on",
        ),
        (
            [region_row(amount_sek="-500")],
            {"certified": "on"},
            "cannot be less than 0",
            "id_aid-0-amount_sek",
        ),
        (
            [region_row(amount_sek="")],
            {"certified": "on"},
            "Give the amount in kronor.",
            "id_aid-0-amount_sek",
        ),
        (
            [region_row(decided_on="15/3")],
            {"certified": "on"},
            "must be a date",
            "id_aid-0-decided_on",
        ),
        (
            [region_row(instrument="loan", gross_grant_equivalent_sek="200 000")],
            {"certified": "on"},
            "The gross grant equivalent is more than 0 and at most the amount",
            "id_aid-0-gross_grant_equivalent_sek",
        ),
        (  # a grant of money counted as nothing would slip past the ceiling
            [region_row(gross_grant_equivalent_sek="0")],
            {"certified": "on"},
            "For a grant of money the gross grant equivalent is the amount itself",
            "id_aid-0-gross_grant_equivalent_sek",
        ),
        (  # 120 000 kr stated as 1 euro
            [region_row(amount_eur="1")],
            {"certified": "on"},
            "The amount in euro does not match the amount in kronor",
            "id_aid-0-amount_eur",
        ),
        (
            [{}],
            {"certified": "on"},
            "List the aid received, or tick that the organisation received none.",
            "id_none_received",
        ),
        (
            [region_row()],
            {"certified": "on", "none_received": "on"},
            "You have listed aid: remove it",
            "id_none_received",
        ),
        ([region_row()], {}, "Certify that the declaration is true and complete.", "id_certified"),
    ],
)
def test_bad_input_says_what_to_correct_beside_it_and_writes_nothing(
    world: World,
    rate: StateAidSettings,
    rows: list[dict[str, str]],
    boxes: dict[str, str],
    message: str,
    anchor: str,
) -> None:
    client = in_english(logged_in(world.representative))
    response = client.post(aid_url(world.organisation), declaration_post(*rows, **boxes, sign="1"))
    assert response.status_code == 200
    text = response.content.decode()
    summary = re.search(r'<div class="error-summary".*?</div>', text, re.S)
    assert summary is not None, text
    assert message in html.unescape(summary.group(0))
    assert f'href="#{anchor}"' in summary.group(0)  # the summary links to the field
    assert "<title>Error: " in text
    assert not AidDeclaration.objects.exists()
    assert not AidEntry.objects.exists()
    # what was typed is still there
    for name, value in (rows[0] if rows else {}).items():
        if value:
            assert f'name="aid-0-{name}" value="{value}"' in text or name in (
                "regulation",
                "instrument",
            )


def test_the_association_page_makes_the_same_queries_however_many_versions_and_aids(
    world: World, rate: StateAidSettings, officer: User
) -> None:
    def sign(count: int) -> None:
        services.aid_declaration_sign(
            organisation=world.organisation,
            actor=world.representative,
            items=[
                services.DeclaredAid(
                    granting_body=f"Region {number}",
                    decided_on=some_days_ago(10 + number),
                    regulation="2023/2831",
                    instrument="grant",
                    amount_sek=D("1000"),
                )
                for number in range(count)
            ],
            none_received=not count,
            certified=True,
        )

    client = logged_in(world.viewer)
    url = aid_url(world.organisation)
    sign(1)
    decided(world.organisation, "1000", some_days_ago(3), by=officer)
    client.get(url)
    with count_queries() as few:
        client.get(url)
    for count in range(6):
        sign(count)
    for days in range(10):
        decided(world.organisation, "1000", some_days_ago(20 + days), by=officer)
    with count_queries() as many:
        response = client.get(url)
    assert len(context_value(response, "earlier")) == 6
    assert_same_query_count(few, many)


# --- the case officer's page -------------------------------------------------------------------


@pytest.fixture
def body(officer: User) -> PublicBody:
    return officer.public_body_memberships.get().public_body


def test_the_officers_organisation_page_links_to_the_aid_page(world: World, officer: User) -> None:
    page = logged_in(officer).get(
        reverse("organisations:officer_detail", args=[world.organisation.pk])
    )
    assert officer_aid_url(world.organisation) in page.content.decode()


def test_the_officer_sees_the_standing_the_undertaking_the_ledger_and_the_declarations(
    world: World, rate: StateAidSettings, officer: User, body: PublicBody
) -> None:
    services.aid_declaration_sign(
        organisation=world.organisation,
        actor=world.representative,
        items=[],
        none_received=True,
        certified=True,
    )
    decided(
        world.organisation,
        "100000",
        some_days_ago(100),
        by=officer,
        body=body,
        reference="KFN 2026/5",
    )
    company = OrganisationFactory(name="Exempel Café AB")
    decided(company, "400000", some_days_ago(50), by=officer, body=body, reference="KFN 2026/9")
    services.undertaking_link(
        actor=officer,
        organisation=world.organisation,
        other=company,
        reason="Föreningen äger bolaget.",
    )

    text = in_english(logged_in(officer)).get(officer_aid_url(world.organisation)).content.decode()
    nbsp = "\u00a0"
    # 10 000 + 40 000 euro counted together; the room under 300 000 euro is 250 000 euro
    assert f"50{nbsp}000{nbsp}euro of 300{nbsp}000{nbsp}euro" in text
    assert f"250{nbsp}000{nbsp}euro (2{nbsp}500{nbsp}000{nbsp}kr)" in text
    assert f"700{nbsp}000{nbsp}euro (7{nbsp}000{nbsp}000{nbsp}kr)" in text  # SGEI room
    assert "stops counting" in text  # when room frees up
    assert "Exempel Café AB" in text and "Föreningen äger bolaget." in text
    assert "Hanna Handläggare" in text  # who linked
    assert "KFN 2026/5" in text and "KFN 2026/9" in text  # the undertaking's ledger
    assert 'id="declarations-heading"' in text and "No aid received" in text
    assert 'name="organisation_number"' in text  # the officer may link


def test_the_officers_page_makes_the_same_queries_however_long_the_ledger(
    world: World, rate: StateAidSettings, officer: User, body: PublicBody
) -> None:
    client = logged_in(officer)
    url = officer_aid_url(world.organisation)
    company = OrganisationFactory()
    services.undertaking_link(
        actor=officer, organisation=world.organisation, other=company, reason="Äger bolaget."
    )
    for days in range(3):
        decided(world.organisation, "1000", some_days_ago(10 + days), by=officer, body=body)
    client.get(url)
    with count_queries() as few:
        client.get(url)
    for days in range(40):
        decided(company, "1000", some_days_ago(100 + days), by=officer, body=body)
    with count_queries() as many:
        response = client.get(url)
    assert len(context_value(response, "page").object_list) == 25
    assert_same_query_count(few, many)


def test_an_association_member_cannot_open_the_officers_pages(world: World) -> None:
    client = logged_in(world.representative)
    assert client.get(officer_aid_url(world.organisation)).status_code == 404
    assert client.get(reverse("organisations:aid_register")).status_code == 404
    response = client.post(
        reverse("organisations:officer_aid_link", args=[world.organisation.pk]),
        {"organisation_number": "802700-0010", "reason": "Kapad"},
    )
    assert response.status_code == 404
    assert not UndertakingMember.objects.exists()


def link(client: Any, organisation: Organisation, other: Organisation, reason: str = "Äger") -> Any:
    return client.post(
        reverse("organisations:officer_aid_link", args=[organisation.pk]),
        {"organisation_number": other.organisation_number.replace("-", ""), "reason": reason},
    )


def test_linking_a_to_b_then_b_to_c_makes_one_undertaking_of_three(officer: User) -> None:
    a, b, c = (
        OrganisationFactory(name="A-föreningen"),
        OrganisationFactory(name="B Bolaget AB"),
        OrganisationFactory(name="C Fastigheter AB"),
    )
    client = logged_in(officer)
    response = link(client, a, b, "Föreningen äger alla aktier i bolaget.")
    assert response.status_code == 302
    assert response.url == officer_aid_url(a)
    assert link(client, b, c, "Bolaget äger fastighetsbolaget.").status_code == 302
    undertakings = set(UndertakingMember.objects.values_list("undertaking_id", flat=True))
    assert len(undertakings) == 1
    assert UndertakingMember.objects.count() == 3
    assert state_aid.undertaking_ids(a.pk) == sorted([a.pk, b.pk, c.pk])
    text = client.get(officer_aid_url(a)).content.decode()
    assert "C Fastigheter AB" in text and "Bolaget äger fastighetsbolaget." in text


@pytest.mark.parametrize(
    ("number", "reason", "message", "field"),
    [
        (
            "802999-9995",
            "Äger bolaget.",
            "No organisation in the register has the organisation number 802999-9995",
            "organisation_number",
        ),
        ("802999-9990", "Äger bolaget.", "check the last digit", "organisation_number"),
        ("12345", "Äger bolaget.", "10 digits", "organisation_number"),
        (
            "",
            "Äger bolaget.",
            "Give the other organisation's organisation number.",
            "organisation_number",
        ),
        ("OTHER", "", "Write why the two organisations are one undertaking.", "reason"),
        (
            "SELF",
            "Äger sig själv.",
            "Choose another organisation than this one.",
            "organisation_number",
        ),
    ],
)
def test_a_link_that_cannot_be_made_says_why_in_swedish_words_and_writes_nothing(
    world: World, officer: User, number: str, reason: str, message: str, field: str
) -> None:
    other = OrganisationFactory()
    typed = {
        "OTHER": str(other.organisation_number),
        "SELF": str(world.organisation.organisation_number),
    }.get(number, number)
    client = in_english(logged_in(officer))
    response = client.post(
        reverse("organisations:officer_aid_link", args=[world.organisation.pk]),
        {"organisation_number": typed, "reason": reason},
    )
    assert response.status_code == 200
    text = response.content.decode()
    summary = re.search(r'<div class="error-summary".*?</div>', text, re.S)
    assert summary is not None and message in html.unescape(summary.group(0)), text
    assert f'href="#id_{field}"' in summary.group(0)
    assert not UndertakingMember.objects.exists()


def test_an_officer_excluded_by_segregation_cannot_link(world: World, officer: User) -> None:
    OrganisationMembershipFactory(
        organisation=world.organisation, user=officer, role=OrganisationRole.VIEWER
    )
    other = OrganisationFactory()
    client = in_english(logged_in(officer))
    text = client.get(officer_aid_url(world.organisation)).content.decode()
    assert "You may not handle this case" in text
    assert 'name="organisation_number"' not in text
    response = link(client, world.organisation, other)
    assert response.status_code == 302
    assert queued_messages(response)  # why, on the page
    # nor from the other organisation's page
    response = link(client, other, world.organisation)
    assert response.status_code == 302
    assert not UndertakingMember.objects.exists()


def test_ending_a_link_asks_to_confirm_then_ends_it(officer: User) -> None:
    a, b = OrganisationFactory(name="A-föreningen"), OrganisationFactory(name="B Bolaget AB")
    client = in_english(logged_in(officer))
    link(client, a, b)
    url = reverse("organisations:officer_aid_unlink", args=[a.pk, b.pk])
    field = f"unlink-{b.pk}-reason"

    # no reason: said beside the field, nothing changed
    response = client.post(url, {field: ""})
    assert response.status_code == 200
    assert "Write why the link has ended." in response.content.decode()
    assert UndertakingMember.objects.count() == 2

    # a reason: first the confirmation page, nothing changed yet
    response = client.post(url, {field: "Bolaget är sålt."})
    assert response.status_code == 200
    text = response.content.decode()
    assert 'name="confirmed" value="1"' in text and "B Bolaget AB" in text
    assert UndertakingMember.objects.count() == 2

    response = client.post(url, {field: "Bolaget är sålt.", "confirmed": "1"})
    assert response.status_code == 302
    assert not UndertakingMember.objects.exists()  # a lone organisation is linked to no one
    assert state_aid.undertaking_ids(a.pk) == [a.pk]


def test_an_organisation_outside_the_undertaking_cannot_be_unlinked_from_this_page(
    officer: User,
) -> None:
    a, b, c = OrganisationFactory(), OrganisationFactory(), OrganisationFactory()
    client = logged_in(officer)
    link(client, b, c)
    url = reverse("organisations:officer_aid_unlink", args=[a.pk, b.pk])
    response = client.post(url, {f"unlink-{b.pk}-reason": "Fel", "confirmed": "1"})
    assert response.status_code == 404
    assert UndertakingMember.objects.count() == 2


def test_an_excluded_officer_cannot_unlink(officer: User) -> None:
    a, b = OrganisationFactory(), OrganisationFactory()
    link(logged_in(officer), a, b)
    other_officer = MembershipFactory(user__name="Olle Annan").user
    from tests.portal.factories import give_totp

    give_totp(other_officer)
    OrganisationMembershipFactory(organisation=b, user=other_officer)
    response = logged_in(other_officer).post(
        reverse("organisations:officer_aid_unlink", args=[a.pk, b.pk]),
        {f"unlink-{b.pk}-reason": "Sålt.", "confirmed": "1"},
    )
    assert response.status_code == 302
    assert queued_messages(response)
    assert UndertakingMember.objects.count() == 2


# --- the admin -------------------------------------------------------------------------------


def test_the_administrator_keeps_the_rate_and_the_ceilings_in_one_settings_row(
    staff: User,
) -> None:
    from tests.helpers.admin import admin_events, change_form

    client = logged_in(staff)
    listing = client.get(reverse("admin:organisations_stateaidsettings_changelist"))
    assert listing.status_code == 302  # straight to the one row
    url = listing.url
    data, _names = change_form(client, url)
    data.update(sek_per_eur="11.2345", rate_date="2026-11-01", rate_source="Riksbanken")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    saved = StateAidSettings.load()
    assert saved.sek_per_eur == D("11.2345") and saved.rate_source == "Riksbanken"
    assert StateAidSettings.objects.count() == 1
    assert admin_events(saved, "admin_added") or admin_events(saved, "admin_changed")  # audited
    assert (
        client.get(
            reverse("admin:organisations_stateaidsettings_delete", args=[saved.pk])
        ).status_code
        == 403
    )


def test_the_ledger_and_the_declarations_are_read_only_in_the_admin(
    world: World, staff: User, officer: User
) -> None:
    services.aid_declaration_sign(
        organisation=world.organisation,
        actor=world.representative,
        items=[
            services.DeclaredAid(
                granting_body="Region Exempel",
                decided_on=some_days_ago(30),
                regulation="2023/2831",
                instrument="grant",
                amount_sek=D("5000"),
            )
        ],
        none_received=False,
        certified=True,
    )
    aid = decided(world.organisation, "1000", some_days_ago(5), by=officer, reference="KFN 2026/1")
    declaration = AidDeclaration.objects.get()
    client = logged_in(staff)
    for model, obj in (("aidentry", aid), ("aiddeclaration", declaration)):
        listing = client.get(reverse(f"admin:organisations_{model}_changelist"))
        assert listing.status_code == 200
        change = client.get(reverse(f"admin:organisations_{model}_change", args=[obj.pk]))
        assert change.status_code == 200
        assert 'name="_save"' not in change.content.decode()
        assert client.get(reverse(f"admin:organisations_{model}_add")).status_code == 403
        delete = reverse(f"admin:organisations_{model}_delete", args=[obj.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
    assert (
        "Region Exempel"
        in client.get(
            reverse("admin:organisations_aiddeclaration_change", args=[declaration.pk])
        ).content.decode()
    )  # its aid, inline
    assert AidEntry.objects.count() == 2 and AidDeclaration.objects.count() == 1


def test_the_organisation_stays_read_only_in_the_admin(world: World, staff: User) -> None:
    from tests.helpers.admin import change_form

    client = logged_in(staff)
    url = reverse("admin:organisations_organisation_change", args=[world.organisation.pk])
    _data, names = change_form(client, url)
    assert "sector" not in names and "name" not in names  # its own pages change it


def test_the_association_gives_its_sector_with_its_details(world: World) -> None:
    from tests.organisations.conftest import edit_organisation

    client = in_english(logged_in(world.editor))
    response: Any = edit_organisation(client, world.organisation, sector="9499")
    assert response.status_code == 200
    world.organisation.refresh_from_db()
    assert world.organisation.sector == "94.99"
    assert "94.99" in response.content.decode()  # the details show it

    response = edit_organisation(client, world.organisation, sector="idrott")
    assert "Write the sector as its NACE (SNI) code" in html.unescape(response.content.decode())
    world.organisation.refresh_from_db()
    assert world.organisation.sector == "94.99"


def test_every_reason_is_shown_in_one_round(world: World, rate: StateAidSettings) -> None:
    """A row the form cannot read (an amount in words), a row dated in the future, no
    certification: all three at once, the date's reason beside the date."""
    client = in_english(logged_in(world.representative))
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = client.post(
        aid_url(world.organisation),
        declaration_post(
            region_row(amount_sek="tolv tusen"), region_row(decided_on=future), sign="1"
        ),
    )
    text = html.unescape(response.content.decode())
    summary = re.search(r'<div class="error-summary".*?</div>', text, re.S)
    assert summary is not None
    for reason, anchor in (
        ("kronor", "id_aid-0-amount_sek"),
        ("The decision date cannot be in the future.", "id_aid-1-decided_on"),
        ("Certify that the declaration is true and complete.", "id_certified"),
    ):
        assert reason in summary.group(0) and f'href="#{anchor}"' in summary.group(0)
    assert not AidDeclaration.objects.exists()


def test_a_date_out_of_the_period_is_said_in_the_same_round_as_an_unreadable_amount(
    world: World, rate: StateAidSettings
) -> None:
    client = in_english(logged_in(world.representative))
    future = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    response = client.post(
        aid_url(world.organisation),
        declaration_post(region_row(decided_on=future, amount_sek="tolv tusen"), sign="1"),
    )
    summary = re.search(
        r'<div class="error-summary".*?</div>', html.unescape(response.content.decode()), re.S
    )
    assert summary is not None
    assert "The decision date cannot be in the future." in summary.group(0)
    assert 'href="#id_aid-0-decided_on"' in summary.group(0)
    assert 'href="#id_aid-0-amount_sek"' in summary.group(0)
    assert not AidDeclaration.objects.exists()


def test_a_row_emptied_of_what_was_typed_is_left_out_whatever_its_choices(
    world: World, rate: StateAidSettings
) -> None:
    client = in_english(logged_in(world.representative))
    emptied = {
        "granting_body": "",
        "decided_on": "",
        "amount_sek": "",
        "reference": "",
        "instrument": "loan",
        "regulation": "2023/2832",
    }
    response = client.post(
        aid_url(world.organisation),
        declaration_post(region_row(), emptied, certified="on", sign="1"),
    )
    assert response.status_code == 302
    assert AidDeclaration.objects.get().entries.count() == 1


def test_a_new_declaration_starts_from_the_aid_the_last_one_listed_as_it_was_stated(
    world: World, rate: StateAidSettings
) -> None:
    services.aid_declaration_sign(
        organisation=world.organisation,
        actor=world.representative,
        items=[
            services.DeclaredAid(
                granting_body="Exempelby kommun",
                decided_on=some_days_ago(60),
                regulation="2023/2831",
                instrument="grant",
                amount_sek=D("90000"),
                amount_eur=D("10000"),
                reference="EK 2026/1",
            ),
            services.DeclaredAid(
                granting_body="Region Exempel",
                decided_on=some_days_ago(90),
                regulation="2023/2831",
                instrument="grant",
                amount_sek=D("20000"),
            ),
        ],
        none_received=False,
        certified=True,
    )
    page = logged_in(world.representative).get(aid_url(world.organisation)).content.decode()
    # newest decision first: the euro amount the decision stated comes back, the other is empty
    assert 'name="aid-0-granting_body" value="Exempelby kommun"' in page
    assert 'name="aid-0-amount_eur" value="10 000 euro"' in page
    assert 'name="aid-0-amount_sek" value="90 000 kr"' in page
    assert 'name="aid-1-granting_body" value="Region Exempel"' in page
    assert re.search(r'name="aid-1-amount_eur"(?! value=)', page)
