"""Jinja2 for the rows of the long lists: a row of an officer's list drawn by Django's template
language cost about 0.13 ms (a page of 25 rows, 3–4 ms: a quarter of the page); drawn by Jinja2,
which compiles a template to Python, half of that, most of it now the functions a row calls
(links, dates, amounts, badges), the same in both. The pages themselves stay Django templates;
the loop over the rows is a `.jinja` template beside them, included with

    {% load portal_tags %}{% jinja_rows "grants/_inbox_rows.jinja" rows=page %}

So is a long section of the busiest pages shared by several of them, an organisation's details
(`organisations/_details.jinja`): a quarter of what Django's template language took for it.

which renders it with only the values given (no context, no context processors) and puts the
result in the page as it is (Jinja2 has escaped it: autoescape is on).

What a `.jinja` template has, the same functions as the Django templates, not copies:
- every filter of the portal's own template libraries (`sek`, `short_date`, `number`, …), and
  Django's `truncatewords`, `linebreaksbr` and `filesizeformat`;
- `url(name, *ids)`: a link by row ids, as `{% url %}` gives it (`portal.links`);
- the functions an app's template tags mark with `@jinja.helper` (`application_status`, …);
- `_("…")`: a translated text, found by `make messages` like `{% translate %}`, and a text with
  a value `_("Version %(number)s")|format(number=version.number)` (`{% blocktranslate %}`'s
  msgid). Write `_()` with double quotes and nothing else inside, not Jinja2's `{% trans %}`:
  the extraction reads Django's syntax.

Keep logic out of them as in the Django templates: a row shows what the selector read.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.template import defaultfilters, engines
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from jinja2 import Environment, Template

from portal import links

F = TypeVar("F", bound=Callable[..., Any])

SUFFIX = ".jinja"

# the functions `.jinja` templates may call by name, from `helper`
_helpers: dict[str, Callable[..., Any]] = {}


def helper(func: F) -> F:
    """Marks a template tag's function as callable from a `.jinja` template by its name."""
    _helpers[func.__name__] = func
    return func


def url(view_name: str, *ids: object) -> str:
    """The URL of `view_name` with these ids: `{% url view_name id … %}`."""
    return links.reverse_ids(view_name, ids) or reverse(view_name, args=ids)


def environment(**options: Any) -> Environment:
    """The environment of the `jinja2` template engine (TEMPLATES in settings)."""
    options.pop("autoescape", None)  # always on: what an association typed is text, as in Django's
    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"], **options)
    # plain gettext: a translated text is escaped like any other (as {% translate %} does), and a
    # text with a value is `_("… %(name)s …")|format(name=value)`
    env.install_gettext_callables(gettext, ngettext, newstyle=False)  # type: ignore[attr-defined]
    env.filters.update(_portal_filters())
    env.filters["truncatewords"] = defaultfilters.truncatewords
    env.filters["linebreaksbr"] = defaultfilters.linebreaksbr  # escapes, then <br> for a new line
    env.filters["filesizeformat"] = defaultfilters.filesizeformat
    env.globals.update(url=url, **_helpers)
    return env


def _portal_filters() -> dict[str, Callable[..., Any]]:
    """The filters of the template libraries of the portal's own apps (loading the Django engine
    imports them, and with them every `@helper`)."""
    django_engine = engines["django"].engine  # type: ignore[attr-defined]
    own = tuple(f"{name}." for name in _own_packages())
    filters: dict[str, Callable[..., Any]] = {}
    for name, library in sorted(django_engine.template_libraries.items()):
        if django_engine.libraries.get(name, "").startswith(own):
            filters.update(library.filters)
    return filters


def _own_packages() -> list[str]:
    base = Path(settings.BASE_DIR).resolve()
    return [
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == base
    ]


def get_template(name: str) -> Template:
    """The `.jinja` template `name`, compiled once per process (a worker loads them all as it
    starts: `portal.runtime`)."""
    template: Template = engines["jinja2"].env.get_template(name)  # type: ignore[attr-defined]
    return template


def render(name: str, values: dict[str, Any]) -> str:
    """The `.jinja` template `name` rendered with `values` (escaped by Jinja2)."""
    return str(get_template(name).render(values))
