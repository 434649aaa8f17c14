"""My overview in a real browser: the association's editor finds the completion asked of them at
the top, marked overdue, and follows it to the application; the case officer finds the counts
and follows one to the inbox. Both pages pass axe at 1280 px and at 320 px and are never wider
than the screen."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from grants import services
from tests.grants.conftest import Grants, submitted
from tests.helpers.browser import axe_violations, log_in, officer_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check_both_widths(page: Any) -> None:
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth > window.innerWidth") is False
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 1280, "height": 800})


def test_the_editor_follows_the_overdue_completion_from_the_overview(
    page: Any, grants: Grants
) -> None:
    g = grants
    application = submitted(g)
    services.application_request_completion(
        application=application,
        actor=g.officer,
        message="Bifoga budgeten.",
        due=timezone.localdate(),
    )
    application.refresh_from_db()
    application.completion_due = timezone.localdate() - timedelta(days=1)
    application.save()

    log_in(page, g.editor.email)
    todo = page.get_by_role("region", name="Att göra")
    item = todo.locator("li", has_text=f"Komplettera ansökan {application.registry_number}")
    assert "Försenad" in item.inner_text()
    check_both_widths(page)
    item.get_by_role("link").click()
    page.wait_for_url(re.compile(rf"/ansokningar/{application.pk}/$"))


def test_the_officer_follows_a_count_to_the_inbox(
    browser: Any, live_server: Any, grants: Grants
) -> None:
    g = grants
    submitted(g)
    page = officer_page(browser, live_server, g.officer)
    todo = page.get_by_role("region", name="Att göra")
    assert page.get_by_role("heading", name="Handläggning").count() == 1
    check_both_widths(page)
    todo.get_by_role("link", name="1 ny ansökan att ta om hand").click()
    page.wait_for_url(re.compile(r"/handlaggning/ansokningar/\?status=submitted$"))
