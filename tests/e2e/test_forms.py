"""The shared form behaviour in a real browser: the error summary takes focus and its links take
the person to the field; leaving a form with typed, unsaved text asks first."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.helpers.browser import log_in
from tests.portal.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_error_summary_takes_focus_and_links_to_the_field(page: Any) -> None:
    UserFactory(email="frida@forening.se", name="Frida Förening")
    log_in(page, "frida@forening.se")
    page.goto("/konto/profil/")
    page.get_by_label("Namn").fill("")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    assert page.title().startswith("Fel: ")
    focused = page.evaluate("document.activeElement.dataset.errorSummary !== undefined")
    assert focused, "the error summary has focus after the page loads"
    page.keyboard.press("Tab")  # the first link in the summary
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#id_name"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_name"


def test_leaving_a_form_with_typed_text_asks_first(page: Any) -> None:
    UserFactory(email="frida@forening.se", name="Frida Förening")
    log_in(page, "frida@forening.se")
    page.goto("/konto/profil/")
    name = page.get_by_label("Namn")
    name.click()  # typing by hand: the page has had the person's attention
    name.fill("Frida Andersson")
    asked: list[str] = []

    def answer(dialog: Any) -> None:
        asked.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    # The click returns once the question has been answered ("stay on the page").
    page.get_by_role("link", name="Min översikt").first.click()
    assert asked == ["beforeunload"]
    assert re.search(r"/konto/profil/$", page.url)
    assert page.get_by_label("Namn").input_value() == "Frida Andersson"


def test_sending_the_form_is_never_stopped(page: Any) -> None:
    UserFactory(email="frida@forening.se", name="Frida Förening")
    log_in(page, "frida@forening.se")
    page.goto("/konto/profil/")
    asked: list[str] = []

    def answer(dialog: Any) -> None:
        asked.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    page.get_by_label("Namn").click()
    page.get_by_label("Namn").fill("Frida Andersson")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    assert asked == []


def test_going_back_from_a_confirmation_keeps_what_was_typed(
    browser: Any, live_server: Any
) -> None:
    """An officer types why a document goes back, is asked to confirm, and changes their mind:
    "Nej, gå tillbaka" returns to the page with the comment still in the field."""
    from django.utils import timezone

    from organisations import services
    from organisations.models import DocumentKind, OrganisationRole
    from tests.helpers.browser import officer_page
    from tests.organisations.factories import (
        OrganisationFactory,
        OrganisationMembershipFactory,
        pdf_upload,
    )
    from tests.portal.factories import MembershipFactory

    organisation = OrganisationFactory(name="Idrottsföreningen Exempel")
    representative = OrganisationMembershipFactory(
        organisation=organisation, role=OrganisationRole.REPRESENTATIVE
    ).user
    services.document_upload(
        organisation=organisation,
        actor=representative,
        year=timezone.localdate().year,
        kind=DocumentKind.STATUTES,
        upload=pdf_upload(),
    )
    officer = MembershipFactory(user__name="Hanna Handläggare").user
    page = officer_page(browser, live_server, officer)
    page.goto(f"/handlaggning/organisationer/{organisation.pk}/")
    comment = page.locator("textarea[name=comment]").first
    comment.fill("Protokollet saknar justering.")
    page.get_by_role("button", name=re.compile("^Skicka tillbaka")).first.click()
    page.get_by_role("link", name="Nej, gå tillbaka").click()
    page.wait_for_url(re.compile(rf"/handlaggning/organisationer/{organisation.pk}/$"))
    assert page.locator("textarea[name=comment]").first.input_value() == (
        "Protokollet saknar justering."
    )


def test_sending_one_form_asks_first_when_another_holds_typed_text(page: Any) -> None:
    """Two forms on a page: text typed in one is not lost without a question when the person
    sends the other (an officer's return comment on one document, then "Godkänn" on another)."""
    UserFactory(email="frida@forening.se", name="Frida Förening")
    log_in(page, "frida@forening.se")
    page.goto("/konto/profil/")
    asked: list[str] = []

    def answer(dialog: Any) -> None:
        asked.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    name = page.get_by_label("Namn")
    name.click()
    name.fill("Frida Andersson")
    # The header's language form is another form on the same page.
    page.locator("form.language-switch button[type=submit]").click()
    assert asked == ["beforeunload"]
    assert page.get_by_label("Namn").input_value() == "Frida Andersson"


def test_error_summary_lists_the_fields_in_the_order_they_stand(page: Any) -> None:
    """Sign-up sent empty: the summary's links come in the order of the fields on the page, and
    every link leads to a field that exists."""
    page.goto("/konto/signup/")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    targets = page.eval_on_selector_all(
        "[data-error-summary] a", "links => links.map(a => a.getAttribute('href').slice(1))"
    )
    assert len(targets) >= 2, targets
    positions = page.evaluate(
        """ids => ids.map(id => {
            const field = document.getElementById(id);
            return field ? [...document.querySelectorAll('main input, main select, main textarea')]
                .indexOf(field) : -1;
        })""",
        targets,
    )
    assert -1 not in positions, (targets, positions)
    assert positions == sorted(positions), (targets, positions)
