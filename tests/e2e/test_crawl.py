"""The portal as each role meets it (issue 13's acceptance test): log in, start at the role's
overview and follow every link of the portal within two clicks; every page has no WCAG 2.1 A/AA
violation found by axe at 1280 px and at 320 px, is no wider than a 320 px screen, and no link
leads to an error page.

The world has data in every state a role's pages show: applications from draft to decided and
paid (with a follow-up report due), withdrawn and rejected ones, a completion request, a
proposal waiting for a decision, and IOP agreements from initiative to signing and active.

Not followed: logging out and the language switch (both are forms, not links), downloads
(CSV, JSON, PDF and attached files: whatever is not an HTML page), the Django admin (its own
test: tests/e2e/test_admin_accessibility.py) and other sites. Query strings are dropped (a list
is visited once, not once per filter or page)."""

from __future__ import annotations

import dataclasses
from collections import deque
from datetime import timedelta
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from django.utils import timezone

from agreements import services as agreement_services
from agreements.models import Agreement
from grants import services
from tests.agreements.conftest import INITIATIVE, Iop, fresh, sign, to_signing
from tests.grants.conftest import (
    Grants,
    complete_draft,
    decide_proposal,
    decided,
    make_call,
    pay,
    proposed,
    submitted,
)
from tests.helpers.browser import axe_violations, log_in, officer_page
from tests.organisations.factories import OrganisationMembershipFactory
from tests.portal.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.crawl, pytest.mark.django_db(transaction=True)]

DEPTH = 2
SKIPPED_PREFIXES = ("/admin/", "/i18n/", "/konto/logout/", "/static/", "/media/", "/logotyp/")
DOWNLOAD_SUFFIXES = (".csv", ".json", ".pdf", ".xlsx", ".zip")
WIDE, NARROW = 1280, 320


@dataclasses.dataclass
class World:
    grants: Grants
    iop: Iop


def _agreement(i: Iop, title: str) -> Iop:
    """Another agreement between the same parties, as a copy of the IOP world pointing at it."""
    agreement = agreement_services.agreement_initiate(
        actor=i.representative,
        organisation=i.org_party.organisation,
        public_body=i.body,
        data={**INITIATIVE, "title": title},
    )
    return dataclasses.replace(
        i,
        agreement=agreement,
        org_party=agreement.parties.get(organisation=i.org_party.organisation),
        body_party=agreement.parties.get(public_body=i.body),
    )


@pytest.fixture
def world(grants: Grants, iop: Iop) -> World:
    g, i = grants, iop
    # One person per role across both worlds: the association's representative is also a party
    # to the agreements, the officer and the decision maker also work at the social committee.
    OrganisationMembershipFactory(
        user=g.representative, organisation=i.org_party.organisation, role="representative"
    )
    MembershipFactory(user=g.officer, public_body=i.body, role="case_officer")
    MembershipFactory(user=g.decision_maker, public_body=i.body, role="decision_maker")

    # Applications in every state, each to a call of its own.
    def call() -> Any:
        return make_call(g.programme, budget=1_000_000)

    complete_draft(g, call=call())
    submitted(g, call=call())
    completion = submitted(g, call=call())
    services.application_request_completion(
        application=completion,
        actor=g.officer,
        message="Bifoga budgeten.",
        due=timezone.localdate() + timedelta(days=14),
    )
    in_review = submitted(g, call=call())
    services.application_start_review(application=in_review, actor=g.officer)
    proposed(g, call=call())
    rejected = proposed(g, outcome="reject", call=call())
    decide_proposal(rejected, g.decision_maker)
    withdrawn = submitted(g, call=call())
    services.application_withdraw(application=withdrawn, actor=g.editor)
    paid = decided(g)  # the fixture's own call, with a follow-up report
    pay(g, paid)

    # IOP agreements: an initiative (the fixture's), one in signing, one active.
    in_signing = to_signing(_agreement(i, "Läxhjälp Söder"))
    active = _agreement(i, "Mötesplats Väster")
    to_signing(active)
    sign(agreement=active.agreement, actor=active.representative, party=active.org_party)
    sign(agreement=fresh(active.agreement), actor=active.chair, party=active.body_party)
    assert fresh(in_signing).status == "signing"
    assert Agreement.objects.filter(status="active").exists()
    return World(grants=g, iop=i)


def _links(page: Any, origin: str) -> set[str]:
    hrefs: list[str] = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    found = set()
    for href in hrefs:
        url, _fragment = urldefrag(href)
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != origin:
            continue  # another site, mailto: or tel:
        path = parts.path or "/"
        if path.startswith(SKIPPED_PREFIXES) or path.lower().endswith(DOWNLOAD_SUFFIXES):
            continue
        found.add(path)
    return found


def _overflow(page: Any) -> int:
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


def crawl(page: Any, start: str) -> dict[str, list[str]]:
    """Every page within DEPTH links of `start`: its problems, by path (empty when none)."""
    origin = page.evaluate("location.origin")
    request = page.context.request
    seen = {start}
    queue: deque[tuple[str, int]] = deque([(start, 0)])
    problems: dict[str, list[str]] = {}
    while queue:
        path, depth = queue.popleft()
        # A download is not a page: ask first, with the person's cookies, what it is.
        response = request.get(path, max_redirects=5)
        content_type = response.headers.get("content-type", "")
        disposition = response.headers.get("content-disposition", "")
        if response.ok and ("text/html" not in content_type or "attachment" in disposition):
            continue
        found: list[str] = []
        if not response.ok:
            found.append(f"HTTP {response.status}")
            problems[path] = found
            continue
        page.set_viewport_size({"width": WIDE, "height": 900})
        page.goto(path)
        found += [f"{WIDE} px: {v['id']} {v['targets']}" for v in axe_violations(page)]
        links = _links(page, origin)
        page.set_viewport_size({"width": NARROW, "height": 640})
        found += [f"{NARROW} px: {v['id']} {v['targets']}" for v in axe_violations(page)]
        if (overflow := _overflow(page)) > 0:
            found.append(f"{NARROW} px: {overflow} px wider than the screen")
        problems[path] = found
        if depth < DEPTH:
            for link in sorted(links - seen):
                seen.add(link)
                queue.append((link, depth + 1))
    return problems


def _report(problems: dict[str, list[str]]) -> str:
    return "\n".join(
        f"{path}\n    " + "\n    ".join(found) for path, found in sorted(problems.items()) if found
    )


def _assert_clean(problems: dict[str, list[str]], least: int) -> None:
    assert len(problems) >= least, sorted(problems)  # the crawl really went through the portal
    failing = {path: found for path, found in problems.items() if found}
    assert not failing, f"{len(failing)} of {len(problems)} pages:\n{_report(failing)}"


def test_the_association_representatives_pages(page: Any, world: World) -> None:
    log_in(page, world.grants.representative.email)
    _assert_clean(crawl(page, "/oversikt/"), least=20)


def test_the_case_officers_pages(browser: Any, live_server: Any, world: World) -> None:
    page = officer_page(browser, live_server, world.grants.officer)
    try:
        _assert_clean(crawl(page, "/oversikt/"), least=25)
    finally:
        page.context.close()


def test_the_decision_makers_pages(browser: Any, live_server: Any, world: World) -> None:
    page = officer_page(browser, live_server, world.grants.decision_maker)
    try:
        _assert_clean(crawl(page, "/oversikt/"), least=15)
    finally:
        page.context.close()
