from __future__ import annotations

import functools
import html
import re
from decimal import Decimal
from typing import Any, cast

from django import forms, template
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from portal import form_renderer, formats, jinja, registry, transitions
from portal.forms import form_has_errors, summary_errors
from portal.kept_parts import Part
from portal.models import AuditEvent
from portal.money import format_sek
from portal.public_cache import Deferred, content_key

register = template.Library()


@register.filter
def get_field(form: forms.Form, name: str) -> forms.BoundField:
    return form[name]


@register.filter
def state_token(obj: models.Model) -> str:
    """The `seen_state` a status form carries: the record as this page shows it."""
    return transitions.state_token(obj)


@register.filter
def action_label(action: str) -> str:
    """How the history reads an audit action, as the app that records it registered it."""
    return registry.action_label(action)


@register.filter
def state_label(state: str, model: str = "") -> str:
    """The label of a state or role of a model ("grants.application", …)."""
    return registry.state_label(state, model)


@register.filter
def event_state(event: AuditEvent, which: str) -> str:
    """The label of the status an audit event left ("from") or reached ("to"), read with the
    labels of the model the event is about, or of the audit action when an app records another
    machine's moves on it: a follow-up report's "approved" is not an application's."""
    state = event.from_state if which == "from" else event.to_state
    if state in registry.states_of(event.action):
        return registry.state_label(state, event.action)  # another machine's move on the model
    content_type = ContentType.objects.get_for_id(event.content_type_id)  # cached
    return registry.state_label(state, f"{content_type.app_label}.{content_type.model}")


@register.filter
def sek(amount: Decimal | int | None) -> str:
    """An amount in kronor, Swedish style (`portal.money.format_sek`)."""
    return format_sek(amount)


@register.filter
def number(value: Any) -> str:
    """`10 000`: a count, grouped by thousands as the language writes it (`portal.formats`)."""
    return formats.number(value)


@register.filter
def long_date(value: Any) -> str:
    """`29 november 2026`: a date in running text (`portal.formats`)."""
    return formats.long_date(value)


@register.filter
def long_datetime(value: Any) -> str:
    """`29 november 2026 kl. 09.58`: a moment in running text (`portal.formats`)."""
    return formats.long_datetime(value)


@register.filter
def short_date(value: Any) -> str:
    """`2026-11-29`: a date in a table or list (`portal.formats`)."""
    return formats.short_date(value)


@register.filter
def short_datetime(value: Any) -> str:
    """`2026-11-29 09:58`: a moment in a table or list (`portal.formats`)."""
    return formats.short_datetime(value)


@register.filter
def iso_datetime(value: Any) -> str:
    """`2026-11-29T09:58:00+01:00`: a moment for a `datetime` attribute, in Stockholm time (what
    `|date:'c'` gave; `portal.formats`)."""
    return formats.iso_datetime(value)


@register.filter
def time_of_day(value: Any) -> str:
    """`09.58`: the time of a moment whose date is already named (`portal.formats`)."""
    return formats.time_of_day(value)


@register.simple_tag
def form_field(field: forms.BoundField) -> SafeString:
    """A field with its label, help text and errors (`portal.form_renderer.render_field`)."""
    return form_renderer.render_field(field)


@register.simple_tag
def form_label(field: forms.BoundField) -> SafeString:
    """A field's <label>, "(optional)" where it may be left empty."""
    return form_renderer.render_label(field)


@register.simple_tag
def jinja_rows(name: str, **values: Any) -> SafeString:
    """The `.jinja` template `name` (the rows of a long list) rendered with `values` only
    (`portal.jinja`), e.g. `{% jinja_rows "grants/_inbox_rows.jinja" rows=page %}`."""
    return mark_safe(jinja.render(name, values))  # noqa: S308 (escaped by Jinja2's autoescape)


@register.inclusion_tag("components/error_summary.html")
def error_summary(*forms_: Any, extra: Any = (), title: str = "") -> dict[str, Any]:
    """The one error summary (GOV.UK's pattern): at the top of the form, a heading and a link
    to each field in error in the order the fields stand, then any `extra` problems (strings, or
    (field id, message) pairs). `static/js/portal.js` moves focus to it when the page loads."""
    errors = [
        item if isinstance(item, tuple) else ("", str(item)) for item in extra or ()
    ] + summary_errors(*forms_)
    first = next((form for form in forms_ if form is not None), None)
    prefix = getattr(first, "prefix", None) or type(first).__name__.lower()
    return {"errors": errors, "summary_id": f"error-summary-{prefix}", "title": title}


@register.simple_tag(takes_context=True)
def error_title_prefix(context: template.Context) -> str:
    """ "Fel: " before the page title when the page shows a form with errors (or says so with
    `page_errors`), so that the first thing a screen reader reads is that something is wrong."""
    flat = context.flatten()
    # A value made only when the template reads it (`public_cache.deferred`) is read here too,
    # unless the page's list may be kept: its address has no filter then, and reading it for
    # the title would make the queries the kept list saves. Nor when the page has a part to keep
    # (`portal.kept_parts`): a view gives one only for a view without errors.
    request = context.get("request")
    deferred = not (isinstance(request, HttpRequest) and content_key(request)) and not any(
        type(value) is Part for value in flat.values()
    )
    # (type(), not isinstance(): that would read the frame's lazy values, as `form_has_errors` says)
    values = [value() if deferred and type(value) is Deferred else value for value in flat.values()]
    if flat.get("page_errors") or any(form_has_errors(value) for value in values):
        return gettext("Error: ")
    return ""


# Swedish content in another interface language. What people type and what the database holds
# (call titles, programme rules, organisation texts, application answers) is Swedish whatever
# language the interface speaks; in English mode it is marked lang="sv", so that a screen reader
# reads it with a Swedish voice and the browser hyphenates it as Swedish (WCAG 3.1.2).
#   inline, in element content:  {{ call.title|sv }}  ->  <span lang="sv">…</span> in English
#   a block, as an attribute:    <div class="prose"{% content_lang %}>{{ rules|linebreaks }}</div>
# Neither inside an attribute value or <title>; in Swedish mode both add nothing.
CONTENT_LANGUAGE = "sv"


def _interface_is_content_language() -> bool:
    return (get_language() or CONTENT_LANGUAGE).split("-")[0] == CONTENT_LANGUAGE


@register.filter(needs_autoescape=True)
def sv(value: object, autoescape: bool = True) -> SafeString:
    """`value` (escaped) marked as Swedish when the interface is in another language."""
    if value is None or value == "":
        return mark_safe("")
    text = conditional_escape(cast(str, value)) if autoescape else str(value)
    if _interface_is_content_language():
        return mark_safe(text)  # noqa: S308 - escaped above (or autoescape off, as asked)
    return format_html('<span lang="{}">{}</span>', CONTENT_LANGUAGE, mark_safe(text))  # noqa: S308


@register.simple_tag
@jinja.helper
def content_lang() -> SafeString:
    """` lang="sv"` for an element holding Swedish content, when the interface is not Swedish."""
    if _interface_is_content_language():
        return mark_safe("")
    return format_html(' lang="{}"', CONTENT_LANGUAGE)


_PROOF = re.compile(r"\s*(?:\[version (?P<version>[0-9a-f]+)\]|\(sha256 (?P<sha>[0-9a-f]+)\))")


@register.filter
def history_comment(comment: str) -> dict[str, str]:
    """An audit comment as the history shows it: the words, and apart from them the short
    fingerprint of what was approved (`[version …]`, `(sha256 …)`), which the audit keeps in
    full but a reader needs only as a reference, not as text in the middle of a sentence."""
    proofs = [match.group("version") or match.group("sha") for match in _PROOF.finditer(comment)]
    return {"text": _PROOF.sub("", comment).strip(), "proof": ", ".join(p[:8] for p in proofs)}


@register.simple_tag
@jinja.helper
def status_badge(item: Any) -> SafeString:
    """An item's status as a badge (`status-<value>` gives its colour), e.g.
    `{% status_badge application %}`: a tag, not an include, since lists show one per row."""
    label = choice_label(item, "status")
    # html.escape, not format_html: a list shows 25 of these, and Django's lazy-aware escaping
    # cost more than the rest of the badge
    return mark_safe(  # noqa: S308 - both values are escaped
        f'<span class="status status-{html.escape(str(item.status))}">{html.escape(label)}</span>'
    )


@register.filter
def choice_label(item: Any, field: str) -> str:
    """The label of `item`'s value of the choice field `field` in the reader's language, as
    `get_<field>_display()` gives it (`{{ organisation|choice_label:"legal_form" }}`): a list
    shows one per row, and get_<field>_display() rebuilds the choices and translates each of
    them on every call (a third of the open calls' rows)."""
    value = getattr(item, field)
    try:
        label = _choice_labels(item._meta.label, field, get_language()).get(value)
    except TypeError:  # a value that cannot be a key (a list): Django's own lookup
        label = None
    if label is None:
        # a value outside the choices: as Django shows it (a list's row read as values, which
        # has no get_<field>_display(), shows the value as it is, as Django would)
        display = getattr(item, f"get_{field}_display", None)
        return str(display() if display is not None else value)
    return label


@functools.cache
def _choice_labels(model: str, field_name: str, language: str | None) -> dict[Any, str]:
    """A model's labels of a choice field in a language, translated once per process."""
    field = cast("models.Field[Any, Any]", apps.get_model(model)._meta.get_field(field_name))
    return {value: str(label) for value, label in field.flatchoices}
