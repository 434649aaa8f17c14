"""A person streams at most DOWNLOADS_PER_PERSON private files at once, and a web process at
most DOWNLOADS_PER_PROCESS (portal.downloads): neither one member with dozens of slow downloads
nor many accounts together can hold every thread of a web node."""

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
    settings.DOWNLOADS_PER_PROCESS = 10


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
    assert third["Retry-After"] == "60"
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


def test_a_process_keeps_a_thread_free_whoever_downloads(world: World, settings: Any) -> None:
    """Two people, each within their own limit, together reach the process's: the next is told
    the portal is busy (503), and the pages are still served."""
    settings.DOWNLOADS_PER_PROCESS = 2
    first = logged_in(world.viewer).get(download_url(world))
    second = logged_in(world.editor).get(download_url(world))
    assert first.status_code == second.status_code == 200
    busy = logged_in(world.representative).get(download_url(world))
    assert busy.status_code == 503 and busy["Retry-After"] == "30"
    assert "Portalen skickar många filer just nu" in busy.content.decode()
    page = logged_in(world.representative).get(
        reverse("organisations:documents", args=[world.organisation.pk])
    )
    assert page.status_code == 200
    b"".join(first.streaming_content)
    after = logged_in(world.representative).get(download_url(world))
    assert after.status_code == 200
    b"".join(after.streaming_content)
    b"".join(second.streaming_content)


def test_the_proxy_ends_a_stalled_download_before_its_slot_could_lapse() -> None:
    """A reader who stops reading holds the download until the proxy's write timeout; the slot
    must last longer, or one person could start more downloads every time slots lapsed."""
    import re
    from pathlib import Path

    from portal import downloads

    caddyfile = (Path(__file__).resolve().parents[2] / "deploy" / "Caddyfile").read_text()
    minutes = int(re.search(r"^\s*write (\d+)m$", caddyfile, re.M).group(1))  # type: ignore[union-attr]
    assert 0 < minutes * 60 < downloads.SLOT_SECONDS
