"""The Notiser page in a real browser: what was sent, and the choice between immediate emails
and a daily digest; accessible by axe-core."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from portal import notifications
from portal.models import User
from tests.grants.conftest import Grants, complete_draft, make_call
from tests.helpers.browser import axe_violations, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_notifications_page_and_its_settings(page: Any, grants: Grants) -> None:
    g = grants
    call = make_call(g.programme, title="Sommarlov", closes_at=timezone.now() + timedelta(days=7))
    complete_draft(g, call=call)
    notifications.scan()

    log_in(page, g.editor.email)
    page.get_by_role("link", name="Notiser").first.click()
    page.wait_for_url("**/konto/notiser/")
    table = page.locator("main table").inner_text()
    assert "”Sommarlov” stänger om 7 dagar" in table
    assert axe_violations(page) == []

    immediate = page.get_by_label("Skicka varje meddelande direkt med e-post")
    digest = page.get_by_label("Samla dem i ett e-postmeddelande om dagen, klockan 07.00")
    assert immediate.is_checked() and not digest.is_checked()
    digest.check()
    page.get_by_role("button", name="Spara inställningar").click()
    page.wait_for_load_state()
    assert "samlade i ett e-postmeddelande" in page.locator("main").inner_text()
    assert page.get_by_label(
        "Samla dem i ett e-postmeddelande om dagen, klockan 07.00"
    ).is_checked()
    assert User.objects.get(pk=g.editor.pk).notification_digest is True
    assert axe_violations(page) == []

    page.set_viewport_size({"width": 320, "height": 640})
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert overflow is False

    page.get_by_role("link", name="”Sommarlov” stänger om 7 dagar").click()
    page.wait_for_url(f"**/utlysningar/{call.pk}/")
