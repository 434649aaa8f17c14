"""How many private files one person streams at once, across every web node.

A download from the bucket holds one web thread for as long as the person's connection takes
it (portal.http.StoredFileResponse): a 20 MB document to a slow phone, minutes. One member who
opens a few dozen slow downloads at once would hold every thread of the nodes, and the proxy
would then take the nodes out as not ready (a hostile tester's finding). So each person has
DOWNLOADS_PER_PERSON slots in the shared cache: a download takes one when it starts and gives
it back when its response is closed, on whichever node it ran. A slot also frees itself after
SLOT_SECONDS, in case a node dies mid-download and never gives it back."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

#: far above the largest file (20 MB) to a slow line (0.5 Mbit/s: about 5 minutes)
SLOT_SECONDS = 15 * 60


@dataclass(frozen=True)
class Slot:
    key: str
    token: str

    def give_back(self) -> None:
        if not self.key:
            return
        # only our own: a slot that freed itself may have been taken by another download since
        if cache.get(self.key) == self.token:
            cache.delete(self.key)


def take(person_id: int) -> Slot | None:
    """A download slot of the person's, or None while all of them are in use. With
    DOWNLOADS_PER_PERSON 0 there is no limit: every download gets a slot that holds nothing."""
    limit = settings.DOWNLOADS_PER_PERSON
    token = uuid.uuid4().hex
    if limit <= 0:
        return Slot(key="", token=token)
    for number in range(limit):
        key = f"downloads:{person_id}:{number}"
        if cache.add(key, token, timeout=SLOT_SECONDS):
            return Slot(key=key, token=token)
    return None
