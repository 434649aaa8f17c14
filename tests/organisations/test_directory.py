from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from organisations.models import OrganisationStatus
from tests.helpers.clients import context_value
from tests.organisations.factories import (
    OrganisationFactory,
    OrganisationMembershipFactory,
    TargetGroupFactory,
)

pytestmark = pytest.mark.django_db


def test_the_directory_lists_only_verified_organisations_that_opted_in() -> None:
    listed = OrganisationFactory(
        name="Synliga Föreningen", status=OrganisationStatus.VERIFIED, public_listing=True
    )
    OrganisationFactory(
        name="Hemliga Föreningen", status=OrganisationStatus.VERIFIED, public_listing=False
    )
    OrganisationFactory(
        name="Overifierade Föreningen", status=OrganisationStatus.PENDING, public_listing=True
    )
    member = OrganisationMembershipFactory(
        organisation=listed, user__email="ordforande@privat.se", user__name="Olle Ordförande"
    ).user
    page = Client().get(reverse("organisations:directory")).content.decode()
    assert "Synliga Föreningen" in page
    assert "Hemliga Föreningen" not in page and "Overifierade Föreningen" not in page
    detail = (
        Client().get(reverse("organisations:directory_detail", args=[listed.pk])).content.decode()
    )
    assert listed.contact_email in detail
    for private in (member.email, member.name, listed.payment_account):
        assert private not in page and private not in detail


def test_unlisted_organisations_have_no_public_page() -> None:
    hidden = OrganisationFactory(status=OrganisationStatus.VERIFIED, public_listing=False)
    assert (
        Client().get(reverse("organisations:directory_detail", args=[hidden.pk])).status_code == 404
    )


def test_the_directory_is_searched_and_filtered() -> None:
    youth = TargetGroupFactory(name="Unga 13–25 år")
    chess = OrganisationFactory(
        name="Åby Schackklubb", district="Åby", status="verified", public_listing=True
    )
    rowing = OrganisationFactory(
        name="Hamnens Roddsällskap",
        district="Hamnen",
        purpose="Rodd",
        status="verified",
        public_listing=True,
    )
    rowing.target_groups.add(youth)
    client = Client()
    page = client.get(reverse("organisations:directory"), {"q": "schack"}).content.decode()
    assert chess.name in page and rowing.name not in page
    page = client.get(reverse("organisations:directory"), {"district": "Hamnen"}).content.decode()
    assert rowing.name in page and chess.name not in page
    page = client.get(
        reverse("organisations:directory"), {"target_group": youth.pk}
    ).content.decode()
    assert rowing.name in page and chess.name not in page


def test_a_search_too_long_to_be_a_name_is_refused_with_a_message() -> None:
    """A search of 60 000 characters was an error of the database (SQLite: "LIKE or GLOB pattern
    too complex"); it is refused in Swedish, and the directory still answers."""
    page = Client().get(reverse("organisations:directory"), {"q": "a" * 60_000})
    assert page.status_code == 200
    text = page.content.decode()
    assert "högst 200 tecken" in text
    assert text.split("<title>", 1)[1].startswith("Fel:")


def test_a_search_that_finds_nothing_says_so_and_how_to_see_all() -> None:
    OrganisationFactory(name="Åby Schackklubb", status="verified", public_listing=True)
    url = reverse("organisations:directory")
    page = Client().get(url, {"q": "xyzzy"}).content.decode()
    assert "Inga organisationer matchar sökningen." in page
    assert f'href="{url}">Visa alla organisationer</a>' in page
    assert "Inga organisationer matchar" not in Client().get(url).content.decode()


def test_the_directory_is_paginated() -> None:
    OrganisationFactory.create_batch(27, status="verified", public_listing=True)
    response = Client().get(reverse("organisations:directory"), {"sida": 2})
    assert len(context_value(response, "page").object_list) == 2


def test_the_directorys_target_groups_are_kept_and_follow_the_admin() -> None:
    """Every visitor's directory offered the same target groups: they are read once, and one
    added in the admin is offered on the next page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    TargetGroupFactory(name="Seniorer")
    client = Client()
    url = reverse("organisations:directory")
    client.get(url, {"q": "a"})  # a search: not the page kept for visitors
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url, {"q": "b"}).content.decode()
    assert ">Seniorer</option>" in page
    assert not any("organisations_targetgroup" in q["sql"] for q in queries.captured_queries)
    TargetGroupFactory(name="Familjer")
    assert ">Familjer</option>" in client.get(url, {"q": "c"}).content.decode()


def test_a_card_reads_what_it_shows_and_the_organisations_page_all_it_shows(settings) -> None:  # type: ignore[no-untyped-def]
    """The list reads a card's columns (name, district, purpose), not the register's whole row;
    the organisation's own public page reads it whole, in a fixed number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PUBLIC_PAGE_CACHE_SECONDS = 0  # built for each request, as for a logged-in visitor

    listed = OrganisationFactory(
        name="Roddsällskapet",
        website="https://rodd.exempel.se",
        founded_year=1921,
        status=OrganisationStatus.VERIFIED,
        public_listing=True,
    )
    listed.target_groups.add(TargetGroupFactory(name="Unga 13–25 år"))
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("organisations:directory"), {"q": "rodd"}).content.decode()
    assert "Roddsällskapet" in page and "Unga 13–25 år" in page
    listing = next(q["sql"] for q in queries.captured_queries if "LIMIT" in q["sql"])
    assert '"website"' not in listing and '"purpose"' in listing
    url = reverse("organisations:directory_detail", args=[listed.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        detail = client.get(url).content.decode()
    assert "https://rodd.exempel.se" in detail and "1921" in detail and "Unga 13–25 år" in detail
    assert 1 <= len(queries) <= 3, [q["sql"] for q in queries.captured_queries]


def test_a_card_names_its_target_groups_in_their_order_in_a_fixed_number_of_queries(
    settings,
) -> None:  # type: ignore[no-untyped-def]
    """The cards of a page name their target groups from one query for the whole page, in the
    order the administrators gave the groups, whatever the number of organisations."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    seniors = TargetGroupFactory(name="Seniorer", position=2)
    children = TargetGroupFactory(name="Barn", position=1)
    TargetGroupFactory(name="Familjer", position=3)  # no one's
    first = OrganisationFactory(name="A-föreningen", status="verified", public_listing=True)
    first.target_groups.add(seniors, children)
    client = Client()
    client.get(reverse("organisations:directory"))
    with CaptureQueriesContext(connection) as few:
        page = client.get(reverse("organisations:directory")).content.decode()
    card = page[page.index("A-föreningen") :]
    tag = '<span class="tag">{}</span>'.format
    assert card.index(tag("Barn")) < card.index(tag("Seniorer"))
    assert tag("Familjer") not in card
    for n in range(20):
        other = OrganisationFactory(name=f"Förening {n}", status="verified", public_listing=True)
        other.target_groups.add(seniors)
    client.get(reverse("organisations:directory"))  # the districts, kept, are read anew once
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("organisations:directory")).content.decode()
    assert len(many) == len(few) and page.count(tag("Seniorer")) == 21
