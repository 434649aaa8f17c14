"""The "To do" list at the top of My overview is filled through the registry: the throwaway app
of the test settings (tests/throwaway) registers a to-do source, and the overview shows what it
answers, merged with the other apps' items and sorted by deadline (overdue first and marked),
each item a link, with no edit of portal; the list costs the same queries however long it is."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from portal import formats, registry
from portal.registry import Todo
from tests.helpers.clients import logged_in
from tests.helpers.queries import assert_same_query_count, count_queries
from tests.portal.factories import UserFactory
from tests.throwaway.models import Errand
from tests.throwaway.plug import errands_to_do

pytestmark = pytest.mark.django_db
OVERVIEW = reverse("portal:dashboard")


def long_date(day: date) -> str:
    """As the Swedish page writes it."""
    with translation.override("sv"):
        return formats.long_date(day)


def todo_list(user: object) -> str:
    page = " ".join(logged_in(user).get(OVERVIEW).content.decode().split())  # type: ignore[arg-type]
    start = page.index('id="todo-heading"')
    return page[start : page.index("</section>", start)]


def test_a_person_with_nothing_waiting_is_told_so() -> None:
    person = UserFactory()
    Errand.objects.create(title="Inte väntande", due=timezone.localdate(), person=person)
    todos = todo_list(person)
    assert "Att göra</h2>" in todos
    assert "Du har inget att göra just nu." in todos
    assert "<li" not in todos


def test_the_items_are_links_sorted_by_deadline_the_overdue_first_and_marked() -> None:
    person = UserFactory()
    today = timezone.localdate()
    later = Errand.objects.create(
        title="Senare", due=today + timedelta(days=20), person=person, waiting=True
    )
    late = Errand.objects.create(
        title="Sen", due=today - timedelta(days=2), person=person, waiting=True
    )
    soon = Errand.objects.create(
        title="Snart", due=today + timedelta(days=1), person=person, waiting=True
    )
    Errand.objects.create(title="Någon annans", due=today, person=UserFactory(), waiting=True)
    todos = todo_list(person)
    items = todos.split("<li ")[1:]
    assert [errand.title for errand in (late, soon, later)] == [
        item.split('">', 2)[2].split("</a>")[0] for item in items
    ]
    assert f'<a href="/errands/{late.pk}/">Sen</a>' in items[0]
    assert "Försenad" in items[0]
    assert f"Senast {long_date(late.due)}" in items[0]
    assert "Försenad" not in items[1] + items[2]
    assert "Ärenden" in items[1]
    assert "Någon annans" not in todos
    assert "Du har inget att göra" not in todos


def test_items_without_a_deadline_come_last_in_their_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(
        registry.registry.todo_sources,
        "counts",
        lambda request: [Todo("Sist", "/b/", order=90), Todo("Först", "/a/", order=5)],
    )
    person = UserFactory()
    Errand.objects.create(
        title="Med datum",
        due=timezone.localdate() + timedelta(days=300),
        person=person,
        waiting=True,
    )
    todos = todo_list(person)
    assert todos.index("Med datum") < todos.index("Först") < todos.index("Sist")
    assert "Senast" not in todos.split("Först")[1]  # no deadline shown for what has none


def test_the_list_costs_the_same_queries_however_long_it_is() -> None:
    person = UserFactory()
    Errand.objects.create(title="Ett", due=timezone.localdate(), person=person, waiting=True)
    client = logged_in(person)
    client.get(OVERVIEW)
    with count_queries() as few:
        client.get(OVERVIEW)
    for n in range(10):
        Errand.objects.create(
            title=f"Fler {n}", due=timezone.localdate(), person=person, waiting=True
        )
    with count_queries() as many:
        page = client.get(OVERVIEW).content.decode()
    assert_same_query_count(few, many)
    assert page.count('<li class="todo-item') == 11


def test_a_to_do_source_is_registered_once() -> None:
    assert errands_to_do in registry.todo_sources()
    with pytest.raises(ValueError, match="registered twice"):
        registry.register_todo_source("errands", lambda request: [])


def test_each_part_of_the_overview_has_its_heading(staff: object, officer: object) -> None:
    admin = " ".join(logged_in(staff).get(OVERVIEW).content.decode().split())  # type: ignore[arg-type]
    assert '<h2 id="admin-heading">Administration</h2>' in admin
    assert reverse("admin:index") in admin
    assert 'id="officer-heading"' not in admin
    case_officer = " ".join(logged_in(officer).get(OVERVIEW).content.decode().split())  # type: ignore[arg-type]
    assert '<h2 id="officer-heading">Handläggning</h2>' in case_officer
    assert f'<a href="{reverse("portal:officer_home")}">Gå till handläggning</a>' in case_officer
    assert 'id="admin-heading"' not in case_officer
