"""`{{ value|nolink }}`: user text in an HTML email, defanged so that no mail program turns an
address in it into a link (see portal.emails). The result is escaped as usual."""

from __future__ import annotations

from typing import Any

from django import template

from portal.emails import defang

register = template.Library()


@register.filter
def nolink(value: Any) -> str:
    return defang("" if value is None else str(value))
