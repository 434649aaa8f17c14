"""The administration as an administrator meets it: every list and every edit page of the
models the portal's apps register in the Django admin has no WCAG 2.1 A/AA violation found by
axe at 1280 px (issue 13's crawl, for the administrator).

Skipped: the admin's own index and history pages (Django's, unchanged), and the registered
models of django.contrib.auth's Group and allauth's EmailAddress and Authenticator are included
(the portal configures their admins too)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.agreements.conftest import Iop
from tests.grants.conftest import Grants, decided, pay
from tests.helpers.browser import axe_violations, officer_page
from tests.portal.factories import UserFactory, give_totp

pytestmark = [pytest.mark.browser, pytest.mark.crawl, pytest.mark.django_db(transaction=True)]

# The apps whose admin pages the portal configures (Django's own contenttypes, sessions and
# sites, and allauth's social accounts, are not registered or not the portal's).
PORTAL_APPS = {"portal", "organisations", "grants", "agreements", "auth", "account", "mfa"}


def _pages() -> list[tuple[str, str]]:
    """(what, URL) of each registered model's list, and of its first object's edit page (the
    add page when there is none)."""
    pages = []
    for model, _model_admin in sorted(
        admin.site._registry.items(), key=lambda item: item[0]._meta.label
    ):
        opts = model._meta
        if opts.app_label not in PORTAL_APPS:
            continue
        name = f"admin:{opts.app_label}_{opts.model_name}"
        pages.append((f"{opts.label} list", reverse(f"{name}_changelist")))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages.append((f"{opts.label} change", reverse(f"{name}_change", args=[first.pk])))
        else:
            pages.append((f"{opts.label} add", reverse(f"{name}_add")))
    return pages


def test_every_admin_page_of_the_portal_has_no_wcag_violations(
    browser: Any, live_server: Any, grants: Grants, iop: Iop
) -> None:
    pay(grants, decided(grants))  # a decision, a payment and a report due: every model has rows
    administrator = UserFactory(name="Alva Admin", is_staff=True, is_superuser=True)
    give_totp(administrator)
    page = officer_page(browser, live_server, administrator)
    problems: dict[str, list[str]] = {}
    try:
        pages = _pages()
        for what, url in pages:
            response = page.goto(url)
            if response is not None and response.status == 403 and what.endswith(" add"):
                continue  # a read-only admin offers no add page
            if response is None or not response.ok:
                problems[what] = [f"HTTP {response.status if response else '?'} at {url}"]
                continue
            # The whole page in view: axe cannot measure the colours of text cut by the fold.
            height = page.evaluate("document.documentElement.scrollHeight")
            page.set_viewport_size({"width": 1280, "height": max(900, min(height, 8000))})
            found = [f"{v['id']} {v['targets']}" for v in axe_violations(page)]
            if found:
                problems[f"{what} ({url})"] = found
    finally:
        page.context.close()
    assert len(pages) > 30  # the walk really found the portal's admin pages
    report = "\n".join(f"{what}\n    " + "\n    ".join(found) for what, found in problems.items())
    assert not problems, f"{len(problems)} of {len(pages)} admin pages:\n{report}"
