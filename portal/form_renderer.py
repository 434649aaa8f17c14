"""The portal's form renderer: Django's, except for the one widget a page may repeat hundreds
of times. A <select> renders each option through two template includes; the officer's lists
offer every call ever opened (fifty options cost 2–3 ms a page, and the list grows every year).
Here a select is written in Python, to exactly the markup Django's templates give (a test
compares the two), and every other widget goes through the templates as before."""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


def _escape(value: Any) -> str:
    """As the templates' autoescape: what is marked safe stays as it is, the rest is escaped
    (html.escape directly: Django's lazy-aware escape costs more than the option itself)."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def _attrs(attrs: dict[str, Any]) -> str:
    """As django/forms/widgets/attrs.html: False leaves the attribute out, True writes its name
    alone, anything else `name="value"`, escaped."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {_escape(name)}")
        else:
            parts.append(f' {_escape(name)}="{_escape(str(value))}"')
    return "".join(parts)


def _options(options: Iterable[dict[str, Any]]) -> str:
    return "".join(
        f'\n  <option value="{_escape(str(option["value"]))}"'
        f"{_attrs(option['attrs'])}>{_escape(option['label'])}</option>\n"
        for option in options
    )


def render_select(widget: dict[str, Any]) -> SafeString:
    """A select widget's context (`widget`, as Django's Select.get_context gives it) as HTML."""
    body = []
    for group_name, group_choices, _index in widget["optgroups"]:
        if any(option["template_name"] != OPTION for option in group_choices):
            raise ValueError("an option with a template of its own")
        if group_name:
            body.append(f'\n  <optgroup label="{_escape(group_name)}">')
            body.append(_options(group_choices))
            body.append("\n  </optgroup>")
        else:
            body.append(_options(group_choices))
    html = (
        f'<select name="{_escape(widget["name"])}"{_attrs(widget["attrs"])}>'
        f"{''.join(body)}\n</select>"
    )
    return mark_safe(html)  # noqa: S308 - every value above is escaped


class PortalFormRenderer(DjangoTemplates):
    def render(
        self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None
    ) -> str:
        if template_name == SELECT:
            try:
                return render_select(context["widget"])
            except ValueError:
                pass  # a select with options of its own kind: the templates know it
        return super().render(template_name, context, request)
