"""A person streams at most DOWNLOADS_PER_PERSON private files at once (portal.downloads): a
member who opens dozens of slow downloads cannot hold every thread of every web node."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.helpers.clients import logged_in
from tests.organisations.conftest import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _two_at_once(settings: Any) -> None:
    settings.DOWNLOADS_PER_PERSON = 2


def download_url(world: World) -> str:
    return reverse(
        "organisations:document_download", args=[world.organisation.pk, world.version.pk]
    )


def test_a_third_download_at_once_is_refused_in_swedish_until_one_ends(world: World) -> None:
    client = logged_in(world.viewer)
    first, second = client.get(download_url(world)), client.get(download_url(world))
    assert first.status_code == second.status_code == 200
    third = client.get(download_url(world))
    assert third.status_code == 429
    page = third.content.decode()
    assert "För många nedladdningar på en gång" in page
    assert "Du laddar redan ner 2 filer" in page
    # another person is not held back by this one's downloads
    other = logged_in(world.editor).get(download_url(world))
    assert other.status_code == 200
    b"".join(other.streaming_content)

    b"".join(first.streaming_content)  # the first download ends: its slot is free again
    fourth = client.get(download_url(world))
    assert fourth.status_code == 200
    assert b"".join(fourth.streaming_content) == world.version.file.open("rb").read()
    b"".join(second.streaming_content)


def test_no_limit_when_set_to_nought(world: World, settings: Any) -> None:
    settings.DOWNLOADS_PER_PERSON = 0
    client = logged_in(world.viewer)
    responses = [client.get(download_url(world)) for _ in range(5)]
    assert [response.status_code for response in responses] == [200] * 5
    for response in responses:
        b"".join(response.streaming_content)
