"""A table right under a heading (or legend) that already says what it is does not say it again
in a caption, visible or not: it is named by the heading (aria-labelledby) instead, so neither
the page nor a screen reader reads "Budget, Budget"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.helpers.clients import logged_in

ROOT = Path(__file__).resolve().parents[1]
HEADING = re.compile(r"<(h[1-6]|legend)\b[^>]*>(?P<text>.*?)</\1>", re.DOTALL)
CAPTION = re.compile(r"<caption\b[^>]*>(?P<text>.*?)</caption>", re.DOTALL)
TAG = re.compile(r"<[^>]+>")


def _words(text: str) -> str:
    return " ".join(TAG.sub(" ", text).split())


def test_no_caption_repeats_the_heading_just_above_it() -> None:
    repeated = []
    for template in sorted((ROOT / "templates").rglob("*.html")):
        source = template.read_text()
        for caption in CAPTION.finditer(source):
            before = source[max(0, caption.start() - 600) : caption.start()]
            headings = list(HEADING.finditer(before))
            if headings and _words(headings[-1]["text"]) == _words(caption["text"]):
                repeated.append(f"{template.relative_to(ROOT)}: {_words(caption['text'])}")
    assert not repeated


@pytest.mark.django_db
def test_organisation_page_names_its_documents_table_by_the_heading(member: object) -> None:
    from tests.organisations.factories import OrganisationMembershipFactory

    membership = OrganisationMembershipFactory(user=member)
    page = (
        logged_in(member)  # type: ignore[arg-type]
        .get(reverse("organisations:detail", args=[membership.organisation.pk]))
        .content.decode()
    )
    assert 'role="table" aria-labelledby="documents-heading">' in page
    assert 'id="documents-heading"' in page
    assert "Årsdokument" not in page  # the caption that repeated "Dokument för 2026"
