"""Swedish content in English mode: what people typed and the database holds is marked
lang="sv" (portal_tags `sv` and `content_lang`), so a screen reader reads it in Swedish; in
Swedish mode nothing is added."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from organisations.models import OrganisationStatus
from tests.helpers.clients import in_english
from tests.organisations.factories import OrganisationFactory, TargetGroupFactory


def render(source: str, **context: object) -> str:
    return Template("{% load portal_tags %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", '<span lang="sv">Ung &amp; aktiv &lt;i&gt;</span>'),
        ("en-gb", '<span lang="sv">Ung &amp; aktiv &lt;i&gt;</span>'),
        ("sv", "Ung &amp; aktiv &lt;i&gt;"),
    ],
)
def test_sv_marks_swedish_text_only_in_another_interface_language(
    language: str, expected: str
) -> None:
    with translation.override(language):
        assert render("{{ title|sv }}", title="Ung & aktiv <i>") == expected


def test_sv_of_nothing_is_nothing_so_a_default_still_applies() -> None:
    with translation.override("en"):
        assert render('{{ missing|sv|default:"–" }}', missing=None) == "–"
        assert render('{{ empty|sv|default:"–" }}', empty="") == "–"


def test_content_lang_is_an_attribute_in_english_and_nothing_in_swedish() -> None:
    source = "<div{% content_lang %}>{{ text|linebreaks }}</div>"
    with translation.override("en"):
        assert render(source, text="Regler") == '<div lang="sv"><p>Regler</p></div>'
    with translation.override("sv"):
        assert render(source, text="Regler") == "<div><p>Regler</p></div>"


@pytest.mark.django_db
def test_directory_page_marks_the_organisations_texts_in_english_mode() -> None:
    group = TargetGroupFactory(name="Barn och unga")
    organisation = OrganisationFactory(
        name="Föreningen Gemenskap",
        purpose="Läxhjälp och idrott.",
        district="Centrum",
        public_listing=True,
        status=OrganisationStatus.VERIFIED,
    )
    organisation.target_groups.add(group)
    url = reverse("organisations:directory_detail", args=[organisation.pk])

    english = in_english(Client()).get(url).content.decode()
    assert '<html lang="en">' in english
    assert '<h1 lang="sv">Föreningen Gemenskap</h1>' in english
    assert '<dd lang="sv">Läxhjälp och idrott.</dd>' in english
    assert '<dd lang="sv">Barn och unga</dd>' in english
    assert '<span lang="sv">Centrum</span>' in english
    # The interface's own words stay English.
    assert re.search(r"<dt>Purpose</dt>", english)

    swedish = Client().get(url).content.decode()
    assert '<html lang="sv">' in swedish
    main = swedish[swedish.index("<main") : swedish.index("</main>")]
    assert "Föreningen Gemenskap" in main and 'lang="sv"' not in main


@pytest.mark.django_db
def test_directory_list_marks_names_and_purposes_in_english_mode() -> None:
    OrganisationFactory(
        name="Föreningen Gemenskap",
        purpose="Läxhjälp och idrott.",
        public_listing=True,
        status=OrganisationStatus.VERIFIED,
    )
    page = in_english(Client()).get(reverse("organisations:directory")).content.decode()
    assert re.search(r'<a href="[^"]+" lang="sv">Föreningen Gemenskap</a>', page)
    assert '<p lang="sv">Läxhjälp och idrott.</p>' in page
