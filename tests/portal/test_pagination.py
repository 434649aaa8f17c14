"""A list never counts all its rows (`portal.pagination`): exact up to PAGINATION_COUNT_LIMIT,
counted with a LIMIT; above it the page says "fler än …" and names no number of pages, and knows
its next page from one row more. Shown here on the Notiser page, which every person has."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from portal.models import Notification, NotificationStatus, User
from portal.pagination import Page, paginate
from tests.helpers.cache import CountingCache
from tests.helpers.clients import in_english, logged_in
from tests.helpers.queries import count_queries, sql_of

pytestmark = pytest.mark.django_db

NOTICES = reverse("portal:notifications")
NBSP = "\u00a0"


def notices(person: User, count: int) -> None:
    """`count` more messages sent to the person, the newest `Notis 0`."""
    start = Notification.objects.filter(recipient=person).count()
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(
            kind="test",
            content_type=ContentType.objects.get_for_model(User),
            object_id=str(start + i),
            due_date=timezone.localdate(),
            recipient=person,
            subject=f"Notis {start + i}",
            status=NotificationStatus.SENT,
            sent_at=now,
            created_at=now - timedelta(minutes=start + i),
        )
        for i in range(count)
    )


def page_of(person: User, sida: object = None, per_page: int = 2) -> Page:
    request = RequestFactory().get("/", {} if sida is None else {"sida": sida})
    queryset = Notification.objects.filter(recipient=person).order_by("-created_at", "-id")
    return paginate(request, queryset, per_page)


def subjects(page: Page) -> list[str]:
    return [row.subject for row in page]


@pytest.fixture
def limit_5(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PAGINATION_COUNT_LIMIT = 5


def test_below_the_limit_the_count_is_exact_and_bounded_in_the_sql(
    member: User, limit_5: None
) -> None:
    notices(member, 5)
    with count_queries() as queries:
        page = page_of(member, 2)
        rows = subjects(page)
    assert rows == ["Notis 2", "Notis 3"]
    assert (page.paginator.exact, page.paginator.count, page.paginator.num_pages) == (True, 5, 3)
    assert (page.has_previous(), page.has_next()) == (True, True)
    fetch, count = sql_of(queries)
    assert count.startswith("SELECT COUNT(*) FROM (SELECT") and "LIMIT 6" in count, count
    assert "ORDER BY" not in count  # the order of the rows does not change their number
    assert "LIMIT 3 OFFSET 2" in fetch, fetch  # one row more than the page shows


def test_above_the_limit_the_count_stops_at_it_and_the_next_page_comes_from_one_row_more(
    member: User, limit_5: None
) -> None:
    notices(member, 7)
    with count_queries() as queries:
        first = page_of(member)
    assert subjects(first) == ["Notis 0", "Notis 1"]
    assert (first.paginator.exact, first.paginator.count, first.paginator.num_pages) == (
        False,
        None,
        None,
    )
    assert (first.has_previous(), first.has_next(), first.next_page_number()) == (False, True, 2)
    assert len(queries) == 2
    assert all("LIMIT" in sql for sql in sql_of(queries)), sql_of(queries)

    third = page_of(member, 3)
    assert subjects(third) == ["Notis 4", "Notis 5"] and third.has_next()
    last = page_of(member, 4)
    assert subjects(last) == ["Notis 6"]
    assert (last.has_previous(), last.has_next(), last.previous_page_number()) == (True, False, 3)


def test_a_list_of_exactly_one_page_above_the_limit_has_no_next_page(
    member: User, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.PAGINATION_COUNT_LIMIT = 1
    notices(member, 2)
    page = page_of(member)
    assert not page.has_other_pages()
    # the last page knows the total from its own rows
    assert (page.paginator.exact, page.paginator.count, page.paginator.num_pages) == (True, 2, 1)


@pytest.mark.parametrize("sida", ["99", "4", "99999999999999999999999"])
def test_a_page_past_the_end_gives_the_last_page_below_the_limit(
    member: User, limit_5: None, sida: str
) -> None:
    notices(member, 5)
    page = page_of(member, sida)
    assert page.number == 3 and subjects(page) == ["Notis 4"] and not page.has_next()


@pytest.mark.parametrize("sida", ["99", "99999999999999999999999"])
def test_a_page_past_the_end_gives_the_last_page_above_the_limit_too(
    member: User, limit_5: None, sida: str
) -> None:
    """Rare (an old link, a list that shrank): that request alone counts the whole list, and
    then says how long it is."""
    notices(member, 7)
    page = page_of(member, sida)
    assert page.number == 4 and subjects(page) == ["Notis 6"] and not page.has_next()
    assert (page.paginator.exact, page.paginator.count, page.paginator.num_pages) == (True, 7, 4)


@pytest.mark.parametrize("sida", ["", "abc", "0", "-3", "2.5"])
def test_a_page_number_that_is_no_page_gives_the_first(
    member: User, limit_5: None, sida: str
) -> None:
    notices(member, 7)
    page = page_of(member, sida)
    assert page.number == 1 and subjects(page) == ["Notis 0", "Notis 1"]


def test_an_empty_list_is_one_empty_page(member: User) -> None:
    page = page_of(member, 3)
    assert page.number == 1 and list(page) == [] and page.paginator.count == 0
    assert not page.has_other_pages()


def test_every_page_makes_the_same_queries_below_and_above_the_limit(
    member: User, limit_5: None
) -> None:
    notices(member, 3)
    with count_queries() as few:
        page_of(member)
    notices(member, 60)
    for sida in (1, 5, 32):
        with count_queries() as many:
            page = page_of(member, sida)
        assert len(many) == len(few) == 2 or (sida == 32 and len(many) == 1), sql_of(many)
        assert sida == 32 or page.has_next()


def test_a_list_on_one_page_and_the_last_page_know_their_count_without_counting(
    member: User, limit_5: None
) -> None:
    notices(member, 2)
    with count_queries() as queries:
        page = page_of(member)  # the whole list: a lookup, a narrow filter
    assert (page.paginator.count, page.paginator.num_pages, page.has_other_pages()) == (2, 1, False)
    assert len(queries) == 1 and "COUNT" not in sql_of(queries)[0]
    notices(member, 3)
    with count_queries() as queries:
        last = page_of(member, 3)
    assert subjects(last) == ["Notis 4"] and (last.paginator.count, last.has_previous()) == (
        5,
        True,
    )
    assert len(queries) == 1 and "COUNT" not in sql_of(queries)[0]


def test_the_notices_page_says_in_swedish_that_there_are_more_than_the_limit(
    member: User, limit_5: None
) -> None:
    notices(member, 30)
    client = logged_in(member)
    first = client.get(NOTICES).content.decode()
    assert "Sida 1 (fler än 5 totalt)" in first
    assert 'aria-label="Sidor"' in first and " av " not in first.split('aria-label="Sidor"')[1]
    assert 'href="?sida=2" rel="next">Nästa</a>' in first and 'rel="prev"' not in first
    second = client.get(NOTICES, {"sida": 2}).content.decode()
    # the last page says how many there are, from its own rows, without counting them all
    assert "Sida 2 av 2 (totalt 30)" in second and "fler än" not in second
    assert 'href="?sida=1" rel="prev">Föregående</a>' in second and 'rel="next"' not in second


def test_the_notices_page_below_the_limit_says_how_many_pages_and_rows(member: User) -> None:
    notices(member, 30)
    page = logged_in(member).get(NOTICES, {"sida": 2}).content.decode()
    assert "Sida 2 av 2 (totalt 30)" in page


def test_numbers_are_grouped_by_thousands_as_the_language_writes_them(
    member: User, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.PAGINATION_COUNT_LIMIT = 1000
    notices(member, 1001)
    client = logged_in(member)
    assert (
        f"Sida 2 (fler än 1{NBSP}000 totalt)" in client.get(NOTICES, {"sida": 2}).content.decode()
    )
    settings.PAGINATION_COUNT_LIMIT = 2000
    last = client.get(NOTICES, {"sida": 41}).content.decode()
    assert f"Sida 41 av 41 (totalt 1{NBSP}001)" in last
    english = in_english(client).get(NOTICES, {"sida": 41}).content.decode()
    assert "Page 41 of 41 (1,001 in all)" in english


def test_the_wording_above_the_limit_in_english(member: User, limit_5: None) -> None:
    notices(member, 60)
    page = in_english(logged_in(member)).get(NOTICES, {"sida": 2}).content.decode()
    assert "Page 2 (more than 5 in all)" in page
    assert 'aria-label="Pages"' in page and 'rel="prev"' in page and 'rel="next"' in page


@pytest.fixture
def kept_counts(settings):  # type: ignore[no-untyped-def]
    from django.core.cache import cache

    settings.PAGINATION_COUNT_CACHE_SECONDS = 30
    cache.clear()
    yield
    cache.clear()


def test_the_count_beside_a_list_is_kept_a_short_while_and_the_rows_are_always_read(
    member: User, kept_counts: None
) -> None:
    notices(member, 5)
    first = page_of(member)
    assert first.paginator.count == 5
    with count_queries() as queries:
        again = page_of(member)
    assert again.paginator.count == 5 and len(queries) == 1  # the rows only
    assert "COUNT" not in sql_of(queries)[0]
    notices(member, 1)  # one more: the kept count may be that many seconds old ...
    newest = page_of(member)
    assert subjects(newest) == ["Notis 0", "Notis 1"]  # ... the rows are never
    assert newest.paginator.count == 5
    # another person's list, with the same filter, is counted on its own
    other = User.objects.create_user(email="annan@example.se", password="x")  # type: ignore[attr-defined]
    notices(other, 3)
    assert page_of(other).paginator.count == 3


def test_a_page_with_a_kept_count_compiles_its_sql_once(
    member: User, kept_counts: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The count is kept under the list's own SQL: the page's SQL, compiled once, names it,
    where compiling the count's query too cost each view of a list 0.2 ms. Every page of the
    list, and each person's list, still has its own count."""
    from django.db.models.sql.compiler import SQLCompiler

    notices(member, 5)
    assert page_of(member).paginator.count == 5
    compiled: list[str] = []
    as_sql = SQLCompiler.as_sql

    def counting(self: SQLCompiler, *args: object, **kwargs: object) -> tuple[str, tuple]:  # type: ignore[type-arg]
        sql, params = as_sql(self, *args, **kwargs)  # type: ignore[arg-type]
        compiled.append(sql)
        return sql, params

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    with count_queries() as queries:
        second = page_of(member, 2)
    assert subjects(second) == ["Notis 2", "Notis 3"] and second.paginator.count == 5
    assert len(queries) == 1 and len(compiled) == 1  # the page's rows: the count was kept
    other = User.objects.create_user(email="annan@example.se", password="x")  # type: ignore[attr-defined]
    notices(other, 3)
    assert page_of(other).paginator.count == 3


def test_a_list_that_can_have_no_rows_gives_its_first_page_at_any_page_number(
    kept_counts: None,
) -> None:
    """A list no row can be in (an officer's cases where they have no committee) answers an old
    link to its third page with its one empty page, without a query, not an error."""
    request = RequestFactory().get("/", {"sida": "3"})
    with count_queries() as queries:
        page = paginate(request, Notification.objects.none())
    assert page.number == 1 and list(page) == [] and page.paginator.count == 0
    assert queries.captured_queries == []


def test_a_count_kept_under_another_limit_is_not_taken_for_this_ones(
    member: User, kept_counts: None, settings
) -> None:  # type: ignore[no-untyped-def]
    """A count kept up to a limit says "more than 5" as 6; a worker counting up to 100 (a new
    setting, a rolling deploy) counts for itself rather than read 6 as the total."""
    notices(member, 8)
    settings.PAGINATION_COUNT_LIMIT = 5
    assert page_of(member).paginator.count is None  # more than 5
    settings.PAGINATION_COUNT_LIMIT = 100
    assert page_of(member).paginator.count == 8


def test_a_kept_count_that_the_rows_have_outgrown_or_that_has_shrunk_is_counted_anew(
    member: User, kept_counts: None
) -> None:
    notices(member, 4)
    assert page_of(member).paginator.count == 4
    notices(member, 3)  # now 7: page 2 has a next page, which a count of 4 cannot have
    second = page_of(member, 2)
    assert second.has_next() and second.paginator.count == 7
    Notification.objects.filter(recipient=member).delete()
    notices(member, 3)
    # an old link past the end gives the last page as the list is now, not as it was counted
    past = page_of(member, 4)
    assert past.number == 2 and subjects(past) == ["Notis 2"] and past.paginator.count == 3


def test_a_worker_keeps_its_own_copy_of_a_count_for_no_longer_than_the_period(
    member: User, kept_counts: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The next view of a list takes its count from the web worker's own copy, without a round
    trip to the shared cache; once the period has passed it is counted again, copy or not."""
    import time

    import time_machine

    from portal import pagination

    notices(member, 5)
    assert page_of(member).paginator.count == 5
    counting = CountingCache(pagination.cache)
    monkeypatch.setattr(pagination, "cache", counting)
    notices(member, 1)
    assert page_of(member).paginator.count == 5  # the copy, as old as the kept count may be
    assert counting.calls == []
    with time_machine.travel(time.time() + 31, tick=False):
        assert page_of(member).paginator.count == 6
    assert counting.calls == ["get", "set"]  # not kept by another worker either: counted, and kept


def test_a_count_the_view_kept_that_the_rows_have_outgrown_or_that_has_shrunk_is_not_trusted(
    member: User,
) -> None:
    """A view may pass the count it kept a while (the IOP list's counts per status): the rows
    are read anew, and the pages follow them, not the older number."""
    notices(member, 7)
    queryset = Notification.objects.filter(recipient=member).order_by("-created_at", "-id")

    def page(sida: int, count: int) -> Page:
        return paginate(RequestFactory().get("/", {"sida": sida}), queryset, 2, count=count)

    trusted = page(2, 7)
    assert (trusted.paginator.count, trusted.has_next()) == (7, True)
    # kept when there were 4: page 2 was the last, but there are more rows now
    outgrown = page(2, 4)
    assert outgrown.number == 2 and outgrown.has_next()
    assert outgrown.paginator.count == 7 and outgrown.paginator.num_pages == 4
    # and asking for page 4, which the old number did not have, gives page 4
    assert subjects(page(4, 4)) == ["Notis 6"]
    # kept when there were 20: page 6 is past the end now, and gives the last page
    shrunk = page(6, 20)
    assert shrunk.number == 4 and subjects(shrunk) == ["Notis 6"]
    assert shrunk.paginator.count == 7
    # the last page knows the total from its rows, whatever was kept
    assert page(4, 20).paginator.count == 7
    # kept when there were none: the rows say otherwise
    none_kept = page(1, 0)
    assert subjects(none_kept) == ["Notis 0", "Notis 1"] and none_kept.has_next()
    assert none_kept.paginator.count == 7
