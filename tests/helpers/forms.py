"""Forms as the browser sends them: the version of what the person saw, which a form on the page
carries (`seen_version`), read from the page as rendered."""

from __future__ import annotations

import re
from typing import Any


def seen_versions(page: str) -> dict[str, str]:
    """What the browser would send: each form's action URL and the `seen_version` it carries,
    read from the page as rendered."""
    found: dict[str, str] = {}
    for action, body in re.findall(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', page, re.S):
        match = re.search(r'name="seen_version" value="([^"]*)"', body)
        if match:
            found[action] = match.group(1)
    return found


def page_versions(client: Any, url: str) -> dict[str, str]:
    """`seen_versions` of the page at `url` as the client gets it."""
    response = client.get(url)
    assert response.status_code == 200
    return seen_versions(response.content.decode())


def state_of(obj: Any) -> str:
    """The `seen_state` a status form on the record's page carries now (the record as the
    database holds it), for posts that act on what the page shows."""
    from portal.transitions import state_token

    return state_token(type(obj)._default_manager.get(pk=obj.pk))


def posted_state(page: str, action: str) -> str:
    """The `seen_state` the form with this action carries on the page, as the browser sends it."""
    form = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>', page, re.S)
    assert form is not None, action
    found = re.search(r'name="seen_state" value="([^"]+)"', form.group(1))
    assert found is not None, action
    return found.group(1)
