"""The portal's form renderer: Django's, except for the widgets every form and every list's
filter repeats. A <select> renders each option through two template includes; the officer's
lists offer every call ever opened (fifty options cost 2–3 ms a page, and the list grows every
year). A text, number, date or hidden <input> goes through three templates (its own, input.html
and attrs.html) for one line of markup. Here both are written in Python, to exactly the markup
Django's templates give (a test compares the two), and every other widget goes through the
templates as before."""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from django.forms import BoundField
from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import gettext

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
# The widgets whose template is only `{% include "django/forms/widgets/input.html" %}`.
INPUTS = frozenset(
    f"django/forms/widgets/{kind}.html"
    for kind in (
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "search",
        "tel",
    )
)


def _escape(value: Any) -> str:
    """As the templates' autoescape: what is marked safe stays as it is, the rest is escaped
    (html.escape directly: Django's lazy-aware escape costs more than the option itself)."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def _formatted(value: Any) -> str:
    """As `{{ value|stringformat:'s' }}`: the value as text, escaped unless it was marked safe
    (the filter keeps that mark, and only that one)."""
    text = "%s" % (value,)  # noqa: UP031 - the filter's own formatting
    return text if isinstance(value, SafeData) else html.escape(text)


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
            parts.append(f' {_escape(name)}="{_formatted(value)}"')
    return "".join(parts)


def _options(options: Iterable[dict[str, Any]]) -> str:
    return "".join(
        f'\n  <option value="{_formatted(option["value"])}"'
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


def render_input(widget: dict[str, Any]) -> SafeString:
    """An input widget's context as django/forms/widgets/input.html writes it."""
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    html = (
        f'<input type="{_escape(widget["type"])}" name="{_escape(widget["name"])}"'
        f"{value}{_attrs(widget['attrs'])}>"
    )
    return mark_safe(html)  # noqa: S308 - every value above is escaped


# --- a field with its label, help and errors (components/field.html, components/label.html) ---


def _optional(field: BoundField, *, in_label: bool) -> str:
    """ "(optional)" after the label of a field that may be left empty, unless the form says
    it marks none (`mark_optional = False`) or the field is required under a condition
    (`conditionally_required`); a checkbox's own label never says it."""
    form = field.form
    if (
        field.field.required
        or getattr(form, "mark_optional", None) is False
        or (in_label and field.widget_type == "checkbox")
        or field.name in getattr(form, "conditionally_required", ())
    ):
        return ""
    return f' <span class="optional">({_escape(gettext("optional"))})</span>'


def render_label(field: BoundField) -> SafeString:
    """The <label> of a field, as components/label.html wrote it."""
    html = (
        f'<label for="{_escape(field.id_for_label)}">{_escape(field.label)}'
        f"{_optional(field, in_label=True)}</label>\n"
    )
    return mark_safe(html)  # noqa: S308 - every value above is escaped


def render_field(field: BoundField) -> SafeString:
    """A visible field in the portal's one layout: its label (a legend for a group of choices),
    help text and errors, each tied to the input by id, then the input. Written here rather
    than in a template: a form's fields are on every page (the lists' filters, every form of
    the case) and the template cost about 0.15 ms a field. The markup is the one
    components/field.html had (tests/portal/test_form_renderer.py compares them)."""
    errors = field.errors
    kind = field.widget_type
    auto_id = _escape(field.auto_id)
    help_html = (
        f'<div class="help" id="{auto_id}_helptext">{_escape(field.help_text)}</div>'
        if field.help_text
        else ""
    )
    errors_html = ""
    if errors:
        hidden = f'<span class="visually-hidden">{_escape(gettext("Error:"))} </span>'
        errors_html = (
            f'<div class="errors" id="{auto_id}_error">'
            + "".join(f"<p>{hidden}{_escape(error)}</p>" for error in errors)
            + "</div>"
        )
    widget = str(field)
    classes = (
        "field"
        + (" field-error" if errors else "")
        + (" field-checkbox" if kind == "checkbox" else "")
    )
    if kind == "checkbox":
        body = f"\n    {widget} {render_label(field)}\n    {help_html}\n    {errors_html}\n  "
    elif kind in {"checkboxselectmultiple", "radioselect"}:
        described = f' aria-describedby="{auto_id}_helptext"' if field.help_text else ""
        body = (
            f'\n    <fieldset class="choices"{described}>\n'
            f"      <legend>{_escape(field.label)}{_optional(field, in_label=False)}</legend>\n"
            f"      {help_html}\n      {errors_html}\n      {widget}\n    </fieldset>\n  "
        )
    else:
        body = f"\n    {render_label(field)}\n    {help_html}\n    {errors_html}\n    {widget}\n  "
    return mark_safe(f'<div class="{classes}">\n  {body}\n</div>\n')  # noqa: S308 - escaped above


class PortalFormRenderer(DjangoTemplates):
    def render(
        self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None
    ) -> str:
        if template_name == SELECT:
            try:
                return render_select(context["widget"])
            except ValueError:
                pass  # a select with options of its own kind: the templates know it
        elif template_name in INPUTS:
            return render_input(context["widget"])
        return super().render(template_name, context, request)
