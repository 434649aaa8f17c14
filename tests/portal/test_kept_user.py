"""The logged-in person's own row is read once and then kept in the web worker's memory
(`portal.auth_backends`), never in the shared cache (it holds the password's hash), and never
outlives a change to it: deactivated, a new password, a new name, or deleted, the very next page
knows it."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from portal import person_cache
from portal.auth_backends import user_generation
from portal.models import User
from tests.helpers.clients import logged_in
from tests.helpers.queries import count_queries, sql_of

pytestmark = pytest.mark.django_db

USER_ROW = 'FROM "portal_user" WHERE "portal_user"."id" = '


def user_reads(queries: object) -> list[str]:
    return [sql for sql in sql_of(queries) if USER_ROW in sql]  # type: ignore[arg-type]


def test_the_next_page_does_not_read_the_person_again(officer: User) -> None:
    client = logged_in(officer)
    home = reverse("portal:officer_home")
    client.get(home)
    with count_queries() as first:
        assert client.get(home).status_code == 200
    with count_queries(person_kept=True) as second:
        assert client.get(home).status_code == 200
    assert len(user_reads(first)) == 1
    assert user_reads(second) == []


def test_a_person_deactivated_is_logged_out_on_the_very_next_page(officer: User) -> None:
    client = logged_in(officer)
    home = reverse("portal:officer_home")
    assert client.get(home).status_code == 200
    # as the admin does it, in another request
    other = User.objects.get(pk=officer.pk)
    other.is_active = False
    other.save()
    response = client.get(home)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_person_deactivated_by_an_update_of_many_rows_is_logged_out(officer: User) -> None:
    """`update()` sends no signal per row: it makes every kept row stale itself."""
    client = logged_in(officer)
    home = reverse("portal:officer_home")
    assert client.get(home).status_code == 200
    User.objects.filter(pk=officer.pk).update(is_active=False)
    assert client.get(home)["Location"].startswith(reverse("account_login"))


def test_nothing_is_kept_when_the_shared_cache_has_no_number(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A number the shared cache could not give (full, failing) is no number to keep under."""
    monkeypatch.setattr(person_cache, "_numbers", lambda names: [None for _ in names])
    loads: list[int] = []

    def load() -> int:
        loads.append(1)
        return len(loads)

    assert [person_cache.kept("row", load, shared=False) for _ in range(2)] == [1, 2]


def test_a_new_password_ends_the_other_sessions_on_the_very_next_page(officer: User) -> None:
    client = logged_in(officer)
    home = reverse("portal:officer_home")
    assert client.get(home).status_code == 200
    other = User.objects.get(pk=officer.pk)
    other.set_password("ett-helt-nytt-lösenord-2026")
    other.save()
    assert client.get(home)["Location"].startswith(reverse("account_login"))


def test_a_person_deleted_is_logged_out(member: User) -> None:
    client = logged_in(member)
    dashboard = reverse("portal:dashboard")
    assert client.get(dashboard).status_code == 200
    User.objects.filter(pk=member.pk).get().delete()
    assert client.get(dashboard)["Location"].startswith(reverse("account_login"))


def test_a_new_name_shows_on_the_next_page(member: User) -> None:
    client = logged_in(member)
    dashboard = reverse("portal:dashboard")
    client.get(dashboard)
    other = User.objects.get(pk=member.pk)
    other.name = "Ingrid Nyström"
    other.save()
    assert "Ingrid Nyström" in client.get(dashboard).content.decode()


def test_a_change_rolled_back_is_not_taken_for_the_row(member: User) -> None:
    client = logged_in(member)
    dashboard = reverse("portal:dashboard")
    client.get(dashboard)
    with pytest.raises(RuntimeError), transaction.atomic():
        other = User.objects.get(pk=member.pk)
        other.name = "Aldrig Sparad"
        other.save()
        # a page read inside the transaction (the tests' one connection sees the change)
        # keeps nothing of what it read
        client.get(dashboard)
        raise RuntimeError
    page = client.get(dashboard).content.decode()
    assert "Aldrig Sparad" not in page
    assert member.name in page


def test_the_row_is_never_written_to_the_shared_cache(
    officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[object] = []

    class Recording:
        """The shared cache as person_cache uses it, noting every value written."""

        def __getattr__(self, name: str) -> object:
            return getattr(cache, name)

        def set(self, key: str, value: object, *args: object, **kwargs: object) -> None:
            written.append(value)
            cache.set(key, value, *args, **kwargs)  # type: ignore[arg-type]

        def add(self, key: str, value: object, *args: object, **kwargs: object) -> object:
            written.append(value)
            return cache.add(key, value, *args, **kwargs)

    monkeypatch.setattr(person_cache, "cache", Recording())
    client = logged_in(officer)
    home = reverse("portal:officer_home")
    for _ in range(3):
        assert client.get(home).status_code == 200
    password_hash = User.objects.get(pk=officer.pk).password
    assert password_hash
    assert written  # the person's roles, the frame … are kept there
    assert not any(password_hash in repr(value) for value in written)
    assert not any(isinstance(value, tuple) and User in map(type, value) for value in written)


def test_a_rows_generation_is_not_kept_for_ever() -> None:
    """One generation per person who logged in: they expire from the shared cache (a new one
    starts at a number no kept copy carries), unlike the generations of whole tables."""
    assert person_cache._lifetime(person_cache.PERSON) is None
    assert person_cache._lifetime(user_generation(1)) == person_cache.ROW_GENERATION_SECONDS
