"""The agreement read and written as a document: sections as headings and paragraphs with a
table of contents, one section edited at a time in its own labelled editor, comments per section
with who and when, and what changed between two saved states of a section or of the whole
agreement."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from agreements import services
from agreements.models import Agreement, SectionRevision
from portal.diff import ADDED, EQUAL, REMOVED, Piece, text_diff
from portal.formats import long_datetime
from tests.agreements.conftest import Iop, fresh, sign, to_signing
from tests.agreements.test_access import screened
from tests.helpers.clients import in_english, logged_in, queued_messages

pytestmark = pytest.mark.django_db


def get(user: object, url: str, *, english: bool = True) -> str:
    client = logged_in(user)  # type: ignore[arg-type]
    if english:
        in_english(client)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def edit_url(agreement: object, section: str) -> str:
    return reverse("agreements:section_edit", args=[agreement.pk, section])  # type: ignore[attr-defined]


def test_the_words_added_and_removed_between_two_texts() -> None:
    pieces = text_diff("Minst 40 unga i veckan.", "Minst 60 unga varje vecka.")
    assert [(p.kind, p.text) for p in pieces] == [
        (EQUAL, "Minst "),
        (REMOVED, "40"),
        (ADDED, "60"),
        (EQUAL, " unga "),
        (REMOVED, "i veckan"),
        (ADDED, "varje vecka"),
        (EQUAL, "."),
    ]
    assert text_diff("", "Ny text.") == [type(pieces[0])(ADDED, "Ny text.")]
    assert [p.kind for p in text_diff("Rad ett.\nRad två.", "Rad ett.\nRad två.")] == [EQUAL]


def test_the_agreement_reads_as_a_document_with_contents_and_an_edit_link_per_section(
    iop: Iop,
) -> None:
    a = screened(iop)
    services.agreement_section_save(
        agreement=fresh(a),
        actor=iop.editor,
        section="goals",
        text="Minst 40 unga i veckan.\n\nUppföljning varje termin.",
    )
    page = get(iop.editor, reverse("agreements:agreement", args=[a.pk]))
    # headings per section, the text as paragraphs, a table of contents linking to them
    assert re.search(
        r'<h3 id="section-goals-heading">3\. Goals and how they are measured</h3>', page
    )
    assert "<p>Minst 40 unga i veckan.</p>" in page and "<p>Uppföljning varje termin.</p>" in page
    assert 'href="#section-goals"' in page and 'id="toc-heading"' in page
    # one section edited at a time: a link per section, no textarea of the text on the page
    assert all(edit_url(a, key) in page for key in ("background", "goals", "changes"))
    assert "section-editor" not in page
    # the contributions are a labelled, focusable scroll region
    assert re.search(
        r'<div class="iop-table-region" role="region" aria-labelledby="contributions-heading" '
        r'tabindex="0">',
        page,
    )
    # a viewer reads it, with no edit link and no comment form
    viewer_page = get(iop.viewer, reverse("agreements:agreement", args=[a.pk]))
    assert "Minst 40 unga i veckan." in viewer_page
    assert f'href="{edit_url(a, "goals")}"' not in viewer_page
    assert 'action="' + reverse("agreements:comment_add", args=[a.pk]) not in viewer_page


def test_one_section_is_edited_in_its_own_labelled_editor_and_saving_returns_to_it(
    iop: Iop,
) -> None:
    a = screened(iop)
    page = get(iop.editor, edit_url(a, "goals"))
    assert '<label for="id_text">Text of the section “Goals and how they are measured”' in page
    assert re.search(r'<textarea name="text" cols="40" rows="18" class="section-editor"', page)
    assert 'name="seen_revision" value="0"' in page

    client = in_english(logged_in(iop.editor))
    response = client.post(edit_url(a, "goals"), {"text": "Minst 40 unga.", "seen_revision": "0"})
    assert response.status_code == 302
    assert response.url == reverse("agreements:agreement", args=[a.pk]) + "#section-goals"
    assert queued_messages(response) == [
        "The section “Goals and how they are measured” has been saved. The other parties see it "
        "now."
    ]
    assert fresh(a).sections["goals"] == "Minst 40 unga."
    first = SectionRevision.objects.get()
    assert (first.section, first.text, first.author) == ("goals", "Minst 40 unga.", iop.editor)


def test_a_save_over_a_colleagues_newer_save_is_refused_and_keeps_what_was_typed(
    iop: Iop,
) -> None:
    a = screened(iop)
    # the editor opens the section; the officer saves it in the meantime
    seen = re.search(r'name="seen_revision" value="(\d+)"', get(iop.editor, edit_url(a, "goals")))
    assert seen is not None
    services.agreement_section_save(
        agreement=fresh(a), actor=iop.officer, section="goals", text="Kommunens förslag."
    )
    client = in_english(logged_in(iop.editor))
    response = client.post(
        edit_url(a, "goals"), {"text": "Föreningens förslag.", "seen_revision": seen.group(1)}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else saved “Goals and how they are measured” after you opened it." in page
    assert "Föreningens förslag." in page and "Kommunens förslag." in page  # both shown
    assert fresh(a).sections["goals"] == "Kommunens förslag."
    assert SectionRevision.objects.count() == 1
    # having seen the colleague's text, the editor saves again from the same page
    again = re.search(r'name="seen_revision" value="(\d+)"', page)
    assert again is not None and again.group(1) != seen.group(1)
    client.post(edit_url(a, "goals"), {"text": "Gemensamt förslag.", "seen_revision": again[1]})
    assert fresh(a).sections["goals"] == "Gemensamt förslag."


def test_only_a_writer_in_co_creation_opens_the_editor(iop: Iop) -> None:
    a = screened(iop)
    response = logged_in(iop.viewer).post(
        edit_url(a, "goals"), {"text": "Kapad.", "seen_revision": "0"}
    )
    assert response.status_code == 302 and "goals" not in fresh(a).sections
    assert logged_in(iop.editor).get(edit_url(a, "nonsense")).status_code == 404
    services.agreement_transition(agreement=fresh(a), to="legal_review", actor=iop.officer)
    response = logged_in(iop.editor).post(  # locked: no editor, back to the document
        edit_url(a, "goals"), {"text": "Sent ändrat.", "seen_revision": "0"}
    )
    assert response.status_code == 302 and "goals" not in fresh(a).sections


def test_comments_are_per_section_labelled_and_listed_with_who_and_when(iop: Iop) -> None:
    a = screened(iop)
    client = in_english(logged_in(iop.editor))
    response = client.post(
        reverse("agreements:comment_add", args=[a.pk]), {"section": "goals", "text": "Säga 30?"}
    )
    assert response.url.endswith("#section-goals")
    comment = fresh(a).comments.get()
    page = get(iop.officer, reverse("agreements:agreement", args=[a.pk]))
    assert (
        f"<strong>{iop.editor.display_name}</strong>, {long_datetime(comment.created_at)}" in page
    )
    assert (
        '<label for="id_comment_goals_text">Comment on the section “Goals and how they are '
        "measured”</label>" in page
    )
    assert "Säga 30?" in get(iop.officer, edit_url(a, "goals"))  # beside the editor too
    # in Swedish, as the person reads it
    swedish = get(iop.officer, reverse("agreements:agreement", args=[a.pk]), english=False)
    assert "Kommentar till avsnittet ”Mål och hur de mäts”" in swedish
    # an empty comment is refused, naming the section
    response = client.post(
        reverse("agreements:comment_add", args=[a.pk]), {"section": "goals", "text": "  "}
    )
    assert fresh(a).comments.count() == 1


def test_an_empty_comment_comes_back_open_in_its_section_with_the_error_beside_it(
    iop: Iop,
) -> None:
    a = screened(iop)
    client = logged_in(iop.editor)
    response = client.post(
        reverse("agreements:comment_add", args=[a.pk]), {"section": "goals", "text": "  "}
    )
    assert response.status_code == 400
    assert not fresh(a).comments.exists()
    page = response.content.decode()
    assert "<title>Fel: " in page
    goals = page[page.index('id="section-goals"') : page.index('id="section-term"')]
    assert '<details class="comment-details" open>' in goals
    assert 'id="id_comment_goals_text_error"' in goals
    assert "Fyll i ”Kommentar till avsnittet ”Mål och hur de mäts””." in goals
    # the other sections' comment boxes stay closed and without errors
    background = page[page.index('id="section-background"') : page.index('id="section-goals"')]
    assert '<details class="comment-details">' in background and "_error" not in background


def test_what_changed_in_a_section_between_two_saves(iop: Iop) -> None:
    a = screened(iop)
    for actor, text in (
        (iop.editor, "Minst 40 unga i veckan."),
        (iop.officer, "Minst 60 unga i veckan."),
    ):
        services.agreement_section_save(agreement=fresh(a), actor=actor, section="goals", text=text)
    page = get(iop.representative, reverse("agreements:agreement", args=[a.pk]))
    changes = reverse("agreements:section_changes", args=[a.pk, "goals"])
    assert changes in page
    page = get(iop.representative, changes)
    assert (
        '<del><span class="visually-hidden">[removed: </span>40<span class="visually-hidden">]'
        "</span></del><ins>"
        '<span class="visually-hidden">[added: </span>60<span class="visually-hidden">]</span>'
        "</ins>" in page
    )
    assert iop.officer.display_name in page and iop.editor.display_name in page
    # the first save against the empty section
    first = SectionRevision.objects.order_by("id").first()
    assert first is not None
    page = get(iop.representative, f"{changes}?fran=0&till={first.pk}")
    assert "[added: </span>Minst 40 unga i veckan." in page


def test_what_changed_in_the_whole_agreement_between_the_signed_version_and_the_amendment(
    iop: Iop, django_capture_on_commit_callbacks: object
) -> None:
    a = to_signing(iop)
    sign(agreement=a, actor=iop.representative, party=iop.org_party)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        sign(agreement=fresh(a), actor=iop.chair, party=iop.body_party)
    services.agreement_transition(agreement=fresh(a), to="amendment", actor=iop.officer)
    services.agreement_section_save(
        agreement=fresh(a), actor=iop.officer, section="goals", text="Minst 60 unga i veckan."
    )
    page = get(iop.viewer, reverse("agreements:compare", args=[a.pk]))
    # by default: the last signed version against the text now
    assert 'value="v1" selected' in page and 'value="now" selected' in page
    assert '<h3 id="diff-goals">Goals and how they are measured</h3>' in page
    assert "[removed: </span>40" in page and "[added: </span>60" in page
    assert "1 word added, 1 word removed" in page
    assert 'id="diff-background"' not in page  # unchanged sections are only named
    assert "Unchanged:" in page and "Background" in page


def test_sections_written_before_revisions_were_kept_become_their_first_saves(iop: Iop) -> None:
    from importlib import import_module

    from django.apps import apps

    a = screened(iop)
    type(a).objects.filter(pk=a.pk).update(sections={"goals": "Tidigare text."})
    migration = import_module("agreements.migrations.0005_section_revisions")
    migration.keep_the_texts_saved_so_far(apps, None)
    revision = SectionRevision.objects.get()
    assert (revision.section, revision.text, revision.author_id) == (
        "goals",
        "Tidigare text.",
        a.created_by_id,
    )


def _weighed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The size (len(a) × len(b)) of every comparison the diff asks difflib for."""
    import difflib

    sizes: list[int] = []
    original = difflib.SequenceMatcher.set_seqs

    def set_seqs(self: difflib.SequenceMatcher[str], a: list[str], b: list[str]) -> None:
        sizes.append(len(a) * len(b))
        original(self, a, b)

    monkeypatch.setattr(difflib.SequenceMatcher, "set_seqs", set_seqs)
    return sizes


def _rebuilt(pieces: list[Piece]) -> tuple[str, str]:
    old = "".join(p.text for p in pieces if p.kind != ADDED)
    new = "".join(p.text for p in pieces if p.kind != REMOVED)
    return old, new


def test_texts_made_to_defeat_the_comparison_are_compared_within_a_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two sections of 20 000 characters of random a/b, one by words and one by lines, took a
    worker minutes: the comparison now weighs at most the budget, and still tells both texts."""
    import random

    from portal.diff import BUDGET

    rng = random.Random(1)  # noqa: S311 - test data
    words = " ".join(rng.choice("ab") for _ in range(10_000))
    lines = "\n".join(rng.choice("ab") for _ in range(10_000))
    vocabulary = [f"ord{i}" for i in range(150)]
    varied = " ".join(rng.choice(vocabulary) for _ in range(6_000))
    sizes = _weighed(monkeypatch)
    for old, new in ((words, lines), (lines, words), (varied, words), (words, varied)):
        sizes.clear()
        pieces = text_diff(old, new)
        assert sum(sizes) <= 2 * BUDGET
        assert _rebuilt(pieces) == (old, new)


def test_a_long_section_is_still_compared_word_by_word_where_it_changed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    paragraphs = [
        f"Stycke {n}: föreningen ordnar läxhjälp och idrott i Centrum." for n in range(400)
    ]
    old = "\n".join(paragraphs)
    changed = paragraphs.copy()
    changed[200] = "Stycke 200: föreningen ordnar läxhjälp och musik i Centrum."
    new = "\n".join(changed)
    sizes = _weighed(monkeypatch)
    pieces = text_diff(old, new)
    assert [(p.kind, p.text) for p in pieces if p.kind != EQUAL] == [
        (REMOVED, "idrott"),
        (ADDED, "musik"),
    ]
    assert _rebuilt(pieces) == (old, new) and max(sizes) > 0


def test_the_draft_pdf_is_rendered_once_for_the_same_text(iop: Iop) -> None:
    """A long agreement takes a worker seconds to render: opening the draft again, or another
    party opening the same text, is served the PDF already made; a changed text is rendered."""
    from unittest import mock

    from agreements.views import signing

    url = reverse("agreements:draft_pdf", args=[iop.agreement.pk])
    real = signing.render_agreement_pdf
    with mock.patch.object(signing, "render_agreement_pdf", side_effect=real) as render:
        first = logged_in(iop.representative).get(url)
        second = logged_in(iop.officer).get(url)
        assert first.status_code == second.status_code == 200
        assert first.content == second.content and render.call_count == 1
        Agreement.objects.filter(pk=iop.agreement.pk).update(title="Mötesplats Norr och Söder")
        third = logged_in(iop.representative).get(url)
        assert render.call_count == 2 and third.content != first.content
    assert third["Cache-Control"] == "private, no-store"
