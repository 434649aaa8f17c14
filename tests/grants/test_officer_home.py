"""The case handling page says what waits for the officer: the cards of grants count the
applications sent in and not yet taken up, the follow-up reports sent in and, for a decision
maker, the proposals; each links to the list that holds them. Counts leave out the cases the
person must stay out of, and the page costs the same number of queries however many there are."""

from __future__ import annotations

from django.urls import reverse

from organisations import services as organisation_services
from tests.grants.conftest import Grants, add_applications, proposed, submitted
from tests.helpers.clients import logged_in
from tests.helpers.queries import assert_same_query_count, count_queries

HOME = reverse("portal:officer_home")


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(response.content.decode().split())


def test_the_officer_sees_how_many_applications_wait_and_goes_to_them(grants: Grants) -> None:
    g = grants
    submitted(g)
    submitted(g)
    page = text_of(logged_in(g.officer).get(HOME))
    assert "2 inskickade ansökningar väntar på att tas om hand." in page
    assert f'href="{reverse("grants:inbox")}?status=submitted"' in page
    assert "0 återrapporteringar väntar på granskning." in page
    assert "beslutsförslag väntar på ditt beslut" not in page  # not a decision maker


def test_the_decision_maker_sees_the_proposals_waiting(grants: Grants) -> None:
    g = grants
    proposed(g)
    page = text_of(logged_in(g.decision_maker).get(HOME))
    assert "1 beslutsförslag väntar på ditt beslut" in page
    assert "väntar på att tas om hand" not in page  # not a case officer


def test_a_case_the_officer_must_stay_out_of_is_not_counted(grants: Grants) -> None:
    g = grants
    first = submitted(g)
    submitted(g)
    organisation_services.conflict_declare(actor=g.officer, case=first, reason="Jäv.")
    page = text_of(logged_in(g.officer).get(HOME))
    assert "1 inskickad ansökan väntar på att tas om hand." in page
    other = text_of(logged_in(g.other_body_officer).get(HOME))
    assert "0 inskickade ansökningar väntar" in other  # another body's cases are not hers


def test_the_page_costs_the_same_queries_whatever_waits(grants: Grants) -> None:
    g = grants
    submitted(g)
    client = logged_in(g.officer)
    client.get(HOME)
    with count_queries() as few:
        client.get(HOME)
    add_applications(g, 30)
    with count_queries() as many:
        response = client.get(HOME)
    assert_same_query_count(few, many)
    assert "inskickade ansökningar väntar på att tas om hand" in text_of(response)


def test_the_numbers_waiting_are_kept_a_short_while_for_each_person(grants, settings):  # type: ignore[no-untyped-def]
    """As a list's count (portal.pagination): a busy officer opens the page often, the
    numbers may be PAGINATION_COUNT_CACHE_SECONDS old, and no one is shown another's."""
    from django.core.cache import cache

    settings.PAGINATION_COUNT_CACHE_SECONDS = 30
    cache.clear()
    g = grants
    first = submitted(g)
    client = logged_in(g.officer)
    assert "1 inskickad ansökan väntar på att tas om hand." in text_of(client.get(HOME))
    with count_queries() as kept:
        client.get(HOME)
    submitted(g)
    assert "1 inskickad ansökan väntar på att tas om hand." in text_of(client.get(HOME))
    assert not [q for q in kept.captured_queries if "COUNT" in q["sql"]]
    # the same body, another person: counted for her, now
    colleague = g.other_body_officer
    colleague.public_body_memberships.create(public_body=g.body, role="case_officer")
    assert "2 inskickade ansökningar väntar" in text_of(logged_in(colleague).get(HOME))
    # a declaration of jäv is counted at once, not after the while: the person's own scope
    organisation_services.conflict_declare(actor=colleague, case=first, reason="Jäv.")
    assert "1 inskickad ansökan väntar" in text_of(logged_in(colleague).get(HOME))
    # and once the while has passed, for the first officer too
    settings.PAGINATION_COUNT_CACHE_SECONDS = 0
    assert "2 inskickade ansökningar väntar" in text_of(client.get(HOME))
    cache.clear()


def test_a_number_counted_inside_a_transaction_is_not_kept(grants: Grants, settings) -> None:  # type: ignore[no-untyped-def]
    """What is counted inside a transaction may yet be rolled back: it is counted, not kept."""
    from django.core.cache import cache
    from django.db import transaction

    from portal.pagination import kept_count

    settings.PAGINATION_COUNT_CACHE_SECONDS = 30
    cache.clear()
    with transaction.atomic():
        assert kept_count("test-count", lambda: 1) == 1
    assert kept_count("test-count", lambda: 2) == 2  # not the 1 of the transaction
    assert kept_count("test-count", lambda: 3) == 2  # kept from outside one
    counts = kept_count("test-counts", lambda: {"a": 1})
    counts["a"] = 99  # the caller's own copy
    assert kept_count("test-counts", lambda: {"a": 5}) == {"a": 1}
    cache.clear()
