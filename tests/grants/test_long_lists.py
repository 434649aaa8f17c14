"""The case officer's inbox at scale: it never counts every application (portal.pagination).
Above PAGINATION_COUNT_LIMIT it says "fler än …" instead of a number, pages on with Nästa, and
makes the same queries as a short inbox."""

from __future__ import annotations

import pytest
from django.urls import reverse

from grants.models import Application
from tests.grants.conftest import Grants, add_applications
from tests.helpers.clients import logged_in
from tests.helpers.queries import assert_same_query_count, count_queries, sql_of

pytestmark = pytest.mark.django_db

INBOX = reverse("grants:inbox")


@pytest.fixture
def limit_5(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PAGINATION_COUNT_LIMIT = 5


def test_a_long_inbox_says_more_than_the_limit_in_swedish(grants: Grants, limit_5: None) -> None:
    add_applications(grants, 60)
    client = logged_in(grants.officer)
    page = client.get(INBOX, {"sida": 2}).content.decode()
    assert ">Fler än 5 ansökningar</caption>" in page
    assert "Sida 2 (fler än 5 totalt)" in page
    assert 'href="?sida=1" rel="prev">Föregående</a>' in page
    assert 'href="?sida=3" rel="next">Nästa</a>' in page


def test_a_filtered_inbox_under_the_limit_is_counted_exactly(grants: Grants, limit_5: None) -> None:
    add_applications(grants, 60)
    # one of the 20 organisations: 3 of the 60 applications. Its number but the check digit
    # (a whole number opens the organisation instead of listing)
    number = Application.objects.order_by("pk").first().organisation.organisation_number  # type: ignore[union-attr]
    response = logged_in(grants.officer).get(INBOX, {"q": (number or "")[:-1]})
    assert response.context["page"].paginator.count == 3
    assert ">3 ansökningar</caption>" in response.content.decode()


def test_the_inbox_makes_the_same_queries_below_and_above_the_limit(
    grants: Grants, limit_5: None
) -> None:
    client = logged_in(grants.officer)
    add_applications(grants, 3)
    client.get(INBOX)
    with count_queries() as few:
        client.get(INBOX)
    add_applications(grants, 200)
    with count_queries() as many:
        response = client.get(INBOX, {"sida": 3})
    assert response.context["page"].paginator.count is None
    assert_same_query_count(few, many)
    counts = [sql for sql in sql_of(many) if "COUNT(" in sql and "grants_application" in sql]
    assert counts and all("LIMIT 6" in sql for sql in counts), counts
