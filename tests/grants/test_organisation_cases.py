"""An organisation number typed in the inbox's search opens the organisation, with its cases.

The officer looks an association up by its number to see who it is (verified? paid to which
account?) and what it has applied for: the organisation's page shows both, its applications in
the officer's own committees listed newest first, in pages of 25. Only a whole number opens it;
the start of a number still lists the cases it matches. Nobody sees a case through this list
that the inbox would not show them (another committee's, a draft, one they must stay out of).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from grants.models import Application, ApplicationStatus
from organisations import services as organisation_services
from tests.grants.conftest import Grants, submitted
from tests.grants.factories import ApplicationFactory
from tests.helpers.clients import logged_in
from tests.helpers.queries import assert_same_query_count, count_queries
from tests.portal.factories import CommitteeFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _organisation_page(g: Grants) -> str:
    return reverse("organisations:officer_detail", args=[g.organisation.pk]) + "#ansokningar"


@pytest.mark.parametrize(
    "typed",
    [
        lambda number: number,
        lambda number: number.replace("-", ""),
        lambda number: f" {number} ",
        lambda number: "16" + number.replace("-", ""),
    ],
    ids=["as written", "without the dash", "with spaces", "twelve digits"],
)
def test_an_organisation_number_opens_the_organisation(grants: Grants, typed) -> None:  # type: ignore[no-untyped-def]
    g = grants
    submitted(g)
    response = logged_in(g.officer).get(
        reverse("grants:inbox"), {"q": typed(g.organisation.organisation_number)}
    )
    assert response.status_code == 302
    assert response["Location"] == _organisation_page(g)


def test_the_start_of_a_number_or_an_unknown_number_lists_instead(grants: Grants) -> None:
    g = grants
    case = submitted(g)
    client = logged_in(g.officer)
    number = g.organisation.organisation_number or ""
    response = client.get(reverse("grants:inbox"), {"q": number[:6]})
    assert response.status_code == 200
    assert [a.pk for a in response.context["page"]] == [case.pk]

    response = client.get(reverse("grants:inbox"), {"q": "999999-9999"})
    assert response.status_code == 200 and list(response.context["page"]) == []
    assert "Ingen organisation har organisationsnumret 999999-9999." in response.content.decode()


def test_the_organisation_page_lists_its_cases_in_the_officers_committees(grants: Grants) -> None:
    g = grants
    first = submitted(g)
    second = submitted(g)
    draft = ApplicationFactory(call=g.call, organisation=g.organisation, status="draft")
    elsewhere = ApplicationFactory(
        organisation=g.organisation,
        status=ApplicationStatus.SUBMITTED,
        registry_number="SN 2026/1",
        submitted_at=timezone.now(),
    )
    response = logged_in(g.officer).get(_organisation_page(g))
    page = response.content.decode()
    assert response.status_code == 200
    assert [a.pk for a in response.context["applications"]] == [second.pk, first.pk]
    assert 'id="ansokningar"' in page
    # where the number led: the section names the organisation, and the way back to the inbox
    assert "Ansökningar från Idrottsföreningen Exempel till dina nämnder</h2>" in page
    assert ">2 ansökningar, nyaste först</caption>" in page
    assert f'<a href="{reverse("grants:inbox")}">Alla ansökningar i inkorgen</a>' in page
    for case in (first, second):
        link = reverse("grants:officer_application", args=[case.pk])
        assert f'<a href="{link}">{case.registry_number}</a>' in page
    assert elsewhere.registry_number not in page
    assert reverse("grants:officer_application", args=[draft.pk]) not in page

    # the other committee's officer sees the organisation, not this committee's cases
    response = logged_in(g.other_body_officer).get(_organisation_page(g))
    assert list(response.context["applications"]) == []
    assert "Organisationen har inga ansökningar till dina nämnder." in response.content.decode()
    assert first.registry_number not in response.content.decode()


def test_a_case_the_officer_must_stay_out_of_is_not_listed(grants: Grants) -> None:
    g = grants
    kept = submitted(g)
    declared = submitted(g)
    client = logged_in(g.officer)
    note = "ärenden där du har anmält jäv, visas inte här"
    assert note not in client.get(_organisation_page(g)).content.decode()
    organisation_services.conflict_declare(actor=g.officer, case=declared, reason="Jäv.")
    response = client.get(_organisation_page(g))
    assert [a.pk for a in response.context["applications"]] == [kept.pk]
    # the officer is told that a case is left out, not that there is none
    section = response.content.decode().split('id="ansokningar"')[1]
    assert note in " ".join(section.split())


def test_someone_who_is_not_an_officer_is_refused(grants: Grants) -> None:
    g = grants
    submitted(g)
    for person in (g.representative, g.outsider):
        client = logged_in(person)
        assert client.get(_organisation_page(g)).status_code == 404
        response = client.get(reverse("grants:inbox"), {"q": g.organisation.organisation_number})
        assert response.status_code == 404


def _more_cases(g: Grants, count: int) -> None:
    start = Application.objects.count()
    Application.objects.bulk_create(
        Application(
            call=g.call,
            public_body=g.body,
            organisation=g.organisation,
            status=ApplicationStatus.SUBMITTED,
            title=f"Ansökan {start + i}",
            amount_requested=Decimal(10000 + i),
            registry_number=f"KFN 2026/{start + i + 1}",
            submitted_at=timezone.now(),
            created_by=g.editor,
            assigned_to=g.officer if i % 2 else None,
        )
        for i in range(count)
    )


def test_the_cases_come_in_pages_with_a_fixed_number_of_queries(grants: Grants) -> None:
    g = grants
    _more_cases(g, 3)
    client = logged_in(g.officer)
    client.get(_organisation_page(g))
    with count_queries() as few:
        assert client.get(_organisation_page(g)).status_code == 200
    _more_cases(g, 40)
    with count_queries() as many:
        response = client.get(_organisation_page(g))
    assert_same_query_count(few, many)
    assert len(response.context["applications"]) == 25
    assert 'sida=2#ansokningar"' in response.content.decode()
    second = client.get(
        reverse("organisations:officer_detail", args=[g.organisation.pk]), {"sida": 2}
    )
    assert len(second.context["applications"]) == 18


def test_a_case_in_a_second_committee_of_the_officer_is_listed(grants: Grants) -> None:
    """An officer in two committees sees the organisation's cases in both, one list."""
    g = grants
    other = CommitteeFactory(name="Socialnämnden", registry_prefix="SN")
    MembershipFactory(public_body=other, user=g.officer, role="case_officer")
    here = submitted(g)
    there = ApplicationFactory(
        organisation=g.organisation,
        call__programme__public_body=other,
        status=ApplicationStatus.SUBMITTED,
        registry_number="SN 2026/7",
        submitted_at=timezone.now() - timedelta(days=1),
    )
    response = logged_in(g.officer).get(_organisation_page(g))
    assert [a.pk for a in response.context["applications"]] == [here.pk, there.pk]


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("802000-0017", "802000-0017"),
        ("8020000017", "802000-0017"),
        (" 16802000-0017 ", "802000-0017"),
        ("168020000017", "802000-0017"),
        ("802000 0017", "802000-0017"),
        ("802000\u20130017", "802000-0017"),  # an en dash, pasted from a document
        ("802000\u00a00017", "802000-0017"),
        ("802000", ""),
        ("802000--0017", "802000-0017"),  # the register's own rule strips every separator
        ("802000-001", ""),
        ("19802000-0017", ""),
        ("８０２０００-００１７", "802000-0017"),  # a phone's fullwidth digits, written 0–9
        ("802000-0017x", ""),
    ],
)
def test_what_counts_as_a_whole_organisation_number(typed: str, number: str) -> None:
    from organisations.selectors import whole_organisation_number

    assert whole_organisation_number(typed) == number
