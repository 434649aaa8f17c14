"""A web worker's start (`portal.wsgi`): what the first requests would load, loaded before the
first request, then set aside from the garbage collector.

Python's cyclic garbage collector walks every object it tracks in a full collection. A worker
holds over a hundred thousand long-lived objects: Django's and the portal's modules, the URL
patterns, both languages' translations and the compiled templates. A full collection over them
took 40–140 ms on the bench machine: now and then one request, whichever was running, took ten
times as long as its neighbours. `gc.freeze()` moves the objects alive at that moment into a
permanent generation that no collection walks; what a request makes afterwards is collected as
before, and a worker frozen this way does not grow (it holds the same objects either way).
"""

from __future__ import annotations

import gc
import logging
from pathlib import Path
from typing import cast

from django.apps import apps
from django.conf import settings
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import get_template
from django.template.utils import InvalidTemplateEngineError
from django.urls import get_resolver
from django.utils import translation
from jinja2 import TemplateError

from portal import jinja

logger = logging.getLogger(__name__)

TEMPLATE_SUFFIXES = {".html", ".txt", jinja.SUFFIX}


def prepare_worker() -> int:
    """Load the URL patterns, the translations and the portal's templates, then freeze what is
    alive. Returns the number of objects frozen."""
    load()
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def load() -> None:
    for code, _name in settings.LANGUAGES:
        with translation.override(code):  # loads the language's catalogue
            get_resolver().reverse_dict  # noqa: B018 (the property builds the patterns per language)
    for name in template_names():
        try:
            if name.endswith(jinja.SUFFIX):
                jinja.get_template(name)  # the rows of a long list (portal.jinja)
            else:
                get_template(name)
        except (
            TemplateDoesNotExist,
            TemplateSyntaxError,
            TemplateError,
            InvalidTemplateEngineError,
            UnicodeDecodeError,
            OSError,
        ):
            # the page that uses it reports the error; a worker still starts
            logger.warning("template %s could not be loaded at start", name, exc_info=True)


def template_names() -> list[str]:
    """The names of the portal's own templates: those under the project's template directory and
    the portal's apps' `templates` (not the installed libraries')."""
    base = Path(settings.BASE_DIR).resolve()
    roots = [
        Path(directory).resolve()
        for option in settings.TEMPLATES
        for directory in cast(list[str | Path], option.get("DIRS", []))
    ]
    roots += [
        Path(config.path).resolve() / "templates"
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == base  # a package of the project itself
    ]
    names: set[str] = set()
    for root in roots:
        if root.is_dir():
            names.update(
                path.relative_to(root).as_posix()
                for path in root.rglob("*")
                if path.suffix in TEMPLATE_SUFFIXES and path.is_file()
            )
    return sorted(names)
