"""How many private files one person streams at once, across every web node, and how many one
web process streams at once.

A download from the bucket holds one web thread for as long as the person's connection takes
it (portal.http.StoredFileResponse): a 20 MB document to a slow phone, minutes. One member who
opens a few dozen slow downloads at once would hold every thread of the nodes, and the proxy
would then take the nodes out as not ready (a hostile tester's finding). So each person has
DOWNLOADS_PER_PERSON slots in the shared cache: a download takes one when it starts and gives
it back when its response is closed, on whichever node it ran. A slot also frees itself after
SLOT_SECONDS, in case a node dies mid-download and never gives it back; the proxy ends any
response not written within 20 minutes (deploy/Caddyfile), so a download whose reader stopped
reading ends before its slot could lapse.

Many people (or accounts made for it) could still hold every thread together. So a web process
also streams at most DOWNLOADS_PER_PROCESS files at once, one fewer than its threads: a thread is
always left for the pages and for /readyz, and the node stays in the proxy's rotation."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

#: longer than the proxy lets a response take (20 minutes, deploy/Caddyfile)
SLOT_SECONDS = 25 * 60

_streams_lock = threading.Lock()
_streams = 0


def take_stream() -> bool:
    """One of this process's download threads, or False while they are all in use."""
    global _streams
    with _streams_lock:
        if _streams >= settings.DOWNLOADS_PER_PROCESS:
            return False
        _streams += 1
        return True


def give_back_stream() -> None:
    global _streams
    with _streams_lock:
        _streams = max(0, _streams - 1)


def forget_streams() -> None:
    """Count no download as under way (the tests, whose client leaves unread ones open)."""
    global _streams
    with _streams_lock:
        _streams = 0


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
