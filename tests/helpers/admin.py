"""The Django admin as a browser uses it: read a change form as the browser would send it back
unchanged, then edit what a person (or an attacker) would; and the audit events the admin wrote
against an object."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from django.test import Client

from portal.models import AuditEvent
from tests.helpers.audit import audit_events


class _FormReader(HTMLParser):
    """The fields of the admin's change form, as the browser would send them."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self.names: set[str] = set()
        self._in_form = False
        self._select: str | None = None
        self._select_options: list[tuple[str, bool]] = []
        self._multiple = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form" and a.get("id", "").endswith("_form"):
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name", "")
        if name:
            self.names.add(name)
        if "__prefix__" in name:
            return
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.setdefault(name, []).append(a.get("value") or "on")
                return
            self.data.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select" and name:
            self._select, self._select_options, self._multiple = name, [], "multiple" in a
        elif tag == "option" and self._select is not None:
            self._select_options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._in_form:
            self._in_form = False
        elif tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._select_options if selected]
            if not chosen and not self._multiple and self._select_options:
                chosen = [self._select_options[0][0]]
            self.data[self._select] = chosen
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.data[self._textarea] = ["".join(self._text).lstrip("\n")]
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)


def change_form(client: Client, url: str) -> tuple[dict[str, Any], set[str]]:
    """The form data a browser would send back unchanged, and every field name on the page."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    reader = _FormReader()
    reader.feed(response.content.decode())
    data: dict[str, Any] = {
        key: values if len(values) != 1 else values[0] for key, values in reader.data.items()
    }
    return data, reader.names


def admin_events(obj: Any, action: str) -> list[AuditEvent]:
    """The events `action` recorded against `obj` (its model and id), oldest first."""
    return list(audit_events(obj, action, content_type__model=obj._meta.model_name))
