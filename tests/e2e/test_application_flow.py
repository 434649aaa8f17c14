"""The association's application in a real browser: text typed and then a file uploaded is all
still there afterwards; and the whole way from the call's page through the task list and the
check-answers page to the receipt, with the keyboard only (Tab, Enter, Space and typing)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from grants.models import Application, Attachment
from organisations.demo import MINIMAL_PDF
from tests.grants.conftest import Grants
from tests.helpers.browser import axe_violations, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page: Any, locator: Any, *, limit: int = 250) -> None:
    """Press Tab until `locator` has the focus, as a keyboard user moves through the page."""
    target = locator.element_handle()
    for _press in range(limit):
        if page.evaluate("(element) => element === document.activeElement", target):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {locator}")


def type_date(page: Any, locator: Any, iso: str) -> None:
    """Type a date into a date field with the keys, in the order of its parts: Chromium without
    a Swedish interface shows month/day/year, with it year-month-day."""
    year, month, day = iso.split("-")
    tab_to(page, locator)
    page.keyboard.type(month + day + year)
    if locator.input_value() != iso:  # the Swedish order: year, then on to month and day
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")
        page.keyboard.type(year)
        page.keyboard.press("Tab")
        page.keyboard.type(month + day)
    assert locator.input_value() == iso


def test_text_typed_before_an_upload_is_still_there_afterwards(
    page: Any, grants: Grants, tmp_path: Path
) -> None:
    g = grants
    log_in(page, g.editor.email)
    page.goto(f"/utlysningar/{g.call.pk}/")
    page.get_by_role("button", name="Påbörja en ansökan").click()
    page.wait_for_url(re.compile(r"/ansokningar/\d+/$"))
    page.get_by_label("Ansökans rubrik").fill("Skrivet men inte sparat")
    page.get_by_label(g.questions[0].text).fill("En lång beskrivning som inte får försvinna.")
    pdf = tmp_path / "projektplan.pdf"
    pdf.write_bytes(MINIMAL_PDF)
    page.get_by_label("Välj en fil för ”Projektplan”").set_input_files(str(pdf))
    page.get_by_role("button", name="Ladda upp Projektplan").click()
    page.wait_for_url(re.compile(r"/ansokningar/\d+/#bilagor$"))

    assert page.get_by_label("Ansökans rubrik").input_value() == "Skrivet men inte sparat"
    assert (
        page.get_by_label(g.questions[0].text).input_value()
        == "En lång beskrivning som inte får försvinna."
    )
    assert "projektplan.pdf" in page.locator("#bilagor").inner_text()
    application = Application.objects.get()
    assert application.title == "Skrivet men inte sparat"
    assert Attachment.objects.filter(application=application, removed_at=None).count() == 1


def test_the_keyboard_alone_takes_the_association_from_the_call_to_the_receipt(
    page: Any, grants: Grants, tmp_path: Path
) -> None:
    g = grants
    q = g.questions
    # the file dialog is answered by the test (Playwright intercepts it once a listener is on)
    page.on("filechooser", lambda _chooser: None)
    log_in(page, g.editor.email)
    page.goto(f"/utlysningar/{g.call.pk}/")
    keys = page.keyboard

    tab_to(page, page.get_by_role("button", name="Påbörja en ansökan"))
    keys.press("Enter")
    page.wait_for_url(re.compile(r"/ansokningar/\d+/$"))
    tasks = page.locator(".task-list").inner_text()
    assert "Om ansökan" in tasks and "Ej påbörjad" in tasks and "Saknas" in tasks

    tab_to(page, page.get_by_label("Ansökans rubrik"))
    keys.type("Kvällsöppet för unga")
    type_date(page, page.locator("#id_planned_start"), "2027-03-01")
    type_date(page, page.locator("#id_planned_end"), "2027-06-30")
    tab_to(page, page.get_by_label(q[0].text))
    keys.type("Öppen verksamhet två kvällar i veckan.")
    tab_to(page, page.get_by_label(q[1].text))
    keys.type("40")
    tab_to(page, page.get_by_label(q[2].text))
    keys.type("Norr")  # a closed list takes the option typed
    tab_to(page, page.locator("#id_budget-0-description"))
    keys.type("Ledare")
    keys.press("Tab")
    keys.type("40 000")
    tab_to(page, page.get_by_label("Sökt belopp i kronor"))
    keys.type("40 000")

    pdf = tmp_path / "projektplan.pdf"
    pdf.write_bytes(MINIMAL_PDF)
    tab_to(page, page.get_by_label("Välj en fil för ”Projektplan”"))
    with page.expect_file_chooser() as chooser:
        keys.press("Space")
    chooser.value.set_files(str(pdf))
    keys.press("Tab")  # on to the slot's own upload button
    keys.press("Enter")
    page.wait_for_url(re.compile(r"#bilagor$"))
    assert page.get_by_label("Ansökans rubrik").input_value() == "Kvällsöppet för unga"
    tasks = page.locator(".task-list").inner_text()
    assert "Ej påbörjad" not in tasks and "Saknas" not in tasks, tasks

    tab_to(page, page.get_by_role("button", name="Spara och kontrollera ansökan"))
    keys.press("Enter")
    page.wait_for_url(re.compile(r"/kontrollera/"))
    check = page.locator("main").inner_text()
    assert "Kvällsöppet för unga" in check and "projektplan.pdf" in check and "Ändra" in check
    assert axe_violations(page) == []

    tab_to(page, page.get_by_role("button", name="Skicka in ansökan"))
    keys.press("Enter")
    page.wait_for_url(re.compile(r"/kvitto/"))
    application = Application.objects.get()
    receipt = page.locator("main").inner_text()
    assert "Ansökan är inskickad" in receipt and application.registry_number in receipt
    assert application.status == "submitted"
