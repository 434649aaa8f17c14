"""Sessions come from the shared cache and are written through to the database; the person is
still read from the database on every request."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from portal.models import User
from tests.helpers.clients import logged_in
from tests.helpers.queries import count_queries, sql_of

pytestmark = pytest.mark.django_db


def test_a_page_reads_the_session_from_the_cache_and_it_is_kept_in_the_database(
    member: User,
) -> None:
    client = logged_in(member)
    assert Session.objects.count() == 1  # written through
    with count_queries() as queries:
        assert client.get(reverse("portal:dashboard")).status_code == 200
    assert not any("django_session" in sql for sql in sql_of(queries))


def test_a_deactivated_account_is_logged_out_at_once(member: User) -> None:
    client = logged_in(member)
    User.objects.filter(pk=member.pk).update(is_active=False)
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
