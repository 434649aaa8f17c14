"""The agreement pages from every side: who may see and do what, and list pages that keep their
query count."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from agreements import services
from agreements.models import Agreement, Signature
from agreements.urls import urlpatterns
from portal.models import AuditEvent, PublicBodyRole
from tests.agreements.conftest import INITIATIVE, Iop, fresh, sign, to_signing
from tests.helpers.audit import nothing_audited
from tests.helpers.clients import logged_in
from tests.helpers.queries import assert_same_query_count, count_queries
from tests.helpers.urls import answer_status, app_urls
from tests.organisations.factories import OrganisationFactory, OrganisationMembershipFactory
from tests.portal.factories import MembershipFactory, give_totp

pytestmark = pytest.mark.django_db
PUBLIC = {"register"}


def private_urls(agreement: Agreement) -> list[str]:
    values = {
        "pk": agreement.pk,
        "party_pk": agreement.parties.first().pk,
        "version_pk": 1,
        "point_pk": 1,
        "section": "goals",
    }
    skip = PUBLIC | {"mine", "initiative", "officer_list"}
    return [url for _name, url in app_urls("agreements", urlpatterns, values, skip=skip)]


def attempt(client: Client, url: str) -> int:
    return answer_status(client, url, {"to": "screening", "section": "goals", "text": "kapad"})


def test_outsiders_and_officers_of_other_bodies_get_404(iop: Iop) -> None:
    outsider = OrganisationMembershipFactory(role="representative").user
    other_officer = MembershipFactory(role=PublicBodyRole.CASE_OFFICER).user
    give_totp(other_officer)
    with nothing_audited():
        for user in (outsider, other_officer):
            client = logged_in(user)
            for url in private_urls(iop.agreement):
                assert attempt(client, url) == 404, (user, url)
            assert (
                iop.agreement.title not in client.get(reverse("agreements:mine")).content.decode()
            )


def test_anonymous_visitors_are_sent_to_login(iop: Iop) -> None:
    for url in [
        *private_urls(iop.agreement),
        reverse("agreements:mine"),
        reverse("agreements:initiative"),
    ]:
        response = Client().get(url)
        if "/version/" in url:
            assert response.status_code == 404  # not made public
            continue
        assert response.status_code in (302, 405), url
        if response.status_code == 302:
            assert response.url.startswith(reverse("account_login"))


def test_a_viewer_reads_but_cannot_sign_or_edit(iop: Iop) -> None:
    a = to_signing(iop)
    client = logged_in(iop.viewer)
    page = client.get(reverse("agreements:agreement", args=[a.pk])).content.decode()
    assert a.title in page
    assert reverse("agreements:sign", args=[a.pk, iop.org_party.pk]) not in page
    response = client.post(reverse("agreements:sign", args=[a.pk, iop.org_party.pk]))
    assert response.status_code == 403
    assert not Signature.objects.exists()


def test_the_association_files_an_initiative_in_the_browser_form(iop: Iop) -> None:
    client = logged_in(iop.representative)
    data = {
        **{k: v for k, v in INITIATIVE.items() if k not in ("proposed_start", "proposed_end")},
        "proposed_start": "2027-01-01",
        "proposed_end": "2029-12-31",
        "organisation": iop.org_party.organisation_id,
        "public_body": iop.body.pk,
        "title": "Läxhjälp i Söder",
    }
    response = client.post(reverse("agreements:initiative"), data)
    assert response.status_code == 302
    created = Agreement.objects.get(title="Läxhjälp i Söder")
    assert created.status == "initiative" and created.registry_number.startswith("SN ")


def test_both_sides_write_sections_and_the_officer_moves_it_on(iop: Iop) -> None:
    a = services.agreement_transition(
        agreement=fresh(iop.agreement), to="screening", actor=iop.officer
    )
    officer = logged_in(iop.officer)
    screening = {"is_iop": "yes", "comment": ""}
    from agreements.models import SCREENING_CRITERIA

    for key, _label in SCREENING_CRITERIA:
        screening[f"ok_{key}"] = "on"
        screening[f"comment_{key}"] = "Uppfyllt."
    officer.post(reverse("agreements:screen", args=[a.pk]), screening)
    assert fresh(a).status == "co_creation"
    logged_in(iop.editor).post(
        reverse("agreements:section_edit", args=[a.pk, "background"]),
        {"text": "Föreningens bakgrund.", "seen_revision": "0"},
    )
    officer.post(
        reverse("agreements:section_edit", args=[a.pk, "goals"]),
        {"text": "Minst 40 unga.", "seen_revision": "0"},
    )
    logged_in(iop.editor).post(
        reverse("agreements:comment_add", args=[a.pk]),
        {"section": "goals", "text": "Kan vi säga 30?"},
    )
    assert fresh(a).sections == {"background": "Föreningens bakgrund.", "goals": "Minst 40 unga."}
    page = officer.get(reverse("agreements:agreement", args=[a.pk])).content.decode()
    assert "Kan vi säga 30?" in page
    saves = AuditEvent.objects.filter(action="section_saved").values_list("actor_id", flat=True)
    assert set(saves) == {iop.editor.pk, iop.officer.pk}


@pytest.mark.parametrize("url_name", ["agreements:mine", "agreements:register"])
def test_agreement_lists_keep_their_query_count(iop: Iop, url_name: str) -> None:
    client = logged_in(iop.officer)

    def make(count: int) -> None:
        for n in range(count):
            organisation = OrganisationFactory()
            agreement = services.agreement_initiate(
                actor=iop.officer,
                organisation=organisation,
                public_body=iop.body,
                data={**INITIATIVE, "title": f"Avtal {n}"},
            )
            Agreement.objects.filter(pk=agreement.pk).update(status="active")

    make(2)
    client.get(reverse(url_name))
    with count_queries() as few:
        client.get(reverse(url_name))
    make(10)
    with count_queries() as many:
        response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert_same_query_count(few, many)


def test_the_signed_pdf_is_public_only_when_the_officer_says_so(
    iop: Iop, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    a = to_signing(iop)
    sign(agreement=a, actor=iop.representative, party=iop.org_party)
    with django_capture_on_commit_callbacks(execute=True):
        version = sign(agreement=fresh(a), actor=iop.chair, party=iop.body_party)
    url = reverse("agreements:version_pdf", args=[a.pk, version.pk])
    assert Client().get(url).status_code == 404
    assert logged_in(iop.viewer).get(url).status_code == 200
    assert (
        logged_in(iop.editor)
        .post(reverse("agreements:pdf_public", args=[a.pk]), {"public": "1"})
        .status_code
        == 403
    )
    logged_in(iop.officer).post(reverse("agreements:pdf_public", args=[a.pk]), {"public": "1"})
    response = Client().get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    register = Client().get(reverse("agreements:register")).content.decode()
    assert (
        f'<a href="{url}">Det undertecknade avtalet, version {version.number} (PDF)</a>' in register
    )


def test_an_officer_files_an_initiative_on_an_associations_behalf(iop: Iop) -> None:
    data = {
        **{k: v for k, v in INITIATIVE.items() if k not in ("proposed_start", "proposed_end")},
        "title": "Seniorträffar",
        "on_behalf_of": iop.org_party.organisation.organisation_number.replace("-", ""),
        "public_body": iop.body.pk,
    }
    response = logged_in(iop.officer).post(reverse("agreements:initiative"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Agreement.objects.get(title="Seniorträffar")
    assert (
        created.initiating_organisation == iop.org_party.organisation
        and created.created_by == iop.officer
    )
    # a member of the association cannot file for another organisation this way
    page = logged_in(iop.editor).get(reverse("agreements:initiative")).content.decode()
    assert 'name="on_behalf_of"' not in page


def test_seed_scale_agreements_gives_the_iop_lists_rows_once(iop: Iop, settings) -> None:  # type: ignore[no-untyped-def]
    """The benchmark's agreements: in every status, each with its two parties, once."""
    from django.core.management import call_command

    from agreements.models import Agreement

    settings.DEBUG = True
    call_command("seed_scale", organisations=20, calls=2, applications=40, reports=0)
    call_command("seed_scale_agreements", agreements=40)
    call_command("seed_scale_agreements", agreements=40)  # idempotent
    scaled = Agreement.objects.filter(title__startswith="Skalat partnerskap")
    assert scaled.count() == 40
    assert len(set(scaled.values_list("status", flat=True))) > 5
    assert all(a.parties.count() == 2 for a in scaled.prefetch_related("parties")[:10])


def test_a_register_row_shows_the_parties_the_term_and_the_public_sides_money(settings) -> None:  # type: ignore[no-untyped-def]
    """A row of the public register: the title, number and status, the parties in the order
    they joined, the term, and what the public side contributes per year (the association's
    own contributions are not summed in); no PDF link while the PDF is not public."""
    from datetime import date

    from tests.agreements.factories import AgreementFactory, ContributionFactory, PartyFactory
    from tests.portal.factories import CommitteeFactory

    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    organisation = OrganisationFactory(name="Föreningen Gläntan")
    agreement = AgreementFactory(
        title="Kvällsöppet i Gläntan",
        registry_number="KFN 2026/40",
        status="active",
        initiating_organisation=organisation,
        proposed_start=date(2027, 1, 1),
        proposed_end=date(2028, 12, 31),
    )
    body = PartyFactory(agreement=agreement, public_body=CommitteeFactory(name="Fritidsnämnden"))
    association = PartyFactory(agreement=agreement, public_body=None, organisation=organisation)
    ContributionFactory(party=body, year=2027, value=Decimal("100000"))
    ContributionFactory(party=body, year=2027, value=Decimal("50000"))
    ContributionFactory(party=body, year=2028, value=Decimal("120000"))
    ContributionFactory(party=association, year=2027, value=Decimal("999000"))
    page = Client().get(reverse("agreements:register")).content.decode().replace("\xa0", " ")
    card = page[page.index("Kvällsöppet i Gläntan") :]
    card = card[: card.index("</li>")]
    assert "KFN 2026/40" in card and '<span class="status status-active">' in card
    assert "Fritidsnämnden, Föreningen Gläntan" in card
    assert "1 januari 2027 – 31 december 2028" in card
    assert "2027: 150 000 kr; 2028: 120 000 kr" in card
    assert "999 000" not in card and "(PDF)" not in card
