"""Browser tests: Playwright drives the system Chromium (never a downloaded browser).

Without Chromium these tests skip with a reason; with REQUIRE_BROWSER=1 (as in .ci/run) a
missing browser fails the run instead."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(f"browser tests skipped: {reason} (install it with: apt-get install chromium)")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable(f"Chromium is not installed at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a locked dev dependency
        _unavailable("the playwright package is missing")
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test
    # itself are still synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(locale="sv-SE", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the page for WCAG 2.0/2.1 A and AA; return the violations, and also
    any colour contrast axe could not decide (text it cannot measure is text nobody checked)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}
        })"""
    )
    return [
        {
            "id": violation["id"],
            "help": violation["help"],
            "targets": [node["target"] for node in violation["nodes"]],
        }
        for violation in result["violations"]
        + [item for item in result["incomplete"] if item["id"] == "color-contrast"]
    ]


from tests.agreements.conftest import iop  # noqa: E402, F401 - the IOP world, for the agreement pages
from tests.grants.conftest import grants  # noqa: E402, F401 - the grants world, for the grant path
