"""The public pages are kept a short while for visitors without a session, and only for them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from portal.models import User
from tests.helpers.clients import logged_in
from tests.helpers.queries import count_queries

pytestmark = pytest.mark.django_db

PUBLIC = ["grants:calls", "organisations:directory", "agreements:register"]


@pytest.fixture
def kept(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60


@pytest.mark.parametrize("name", PUBLIC)
def test_a_visitor_without_a_session_gets_the_kept_page_without_queries(
    kept: None, name: str
) -> None:
    url = reverse(name)
    first = Client().get(url)
    with count_queries() as queries:
        second = Client().get(url)
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert len(queries) == 0
    # browsers do not keep it: a visitor who logs in sees their own header at once
    assert "no-cache" in second["Cache-Control"] and "max-age=0" in second["Cache-Control"]
    assert b"csrfmiddlewaretoken" not in second.content


def test_each_address_and_language_is_kept_apart(kept: None) -> None:
    url = reverse("organisations:directory")
    swedish = Client().get(url)
    english = Client(headers={"accept-language": "en"}).get(url)
    searched = Client().get(url, {"q": "finns inte"})
    assert b'lang="sv"' in swedish.content and b'lang="en"' in english.content
    assert searched.content != swedish.content


def test_a_logged_in_person_never_gets_the_kept_page(kept: None, member: User) -> None:
    url = reverse("grants:calls")
    Client().get(url)
    page = logged_in(member).get(url)
    assert member.email.encode() in page.content or member.display_name.encode() in page.content
    with count_queries() as queries:
        logged_in(member).get(url)
    assert len(queries) > 0


def test_nothing_is_kept_when_the_setting_is_zero(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    url = reverse("grants:calls")
    Client().get(url)
    with count_queries() as queries:
        Client().get(url)
    assert len(queries) > 0


def test_the_language_is_switched_without_a_token(db: None) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    assert response.status_code == 200 and b'lang="en"' in response.content
