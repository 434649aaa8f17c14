"""E-legitimation in Chromium, through a real SAML identity provider (devidp, standing in for
Sweden Connect with Skatteverket's test personnummer): a new person signs up with it, an
existing account links it, and the four-party IOP is signed with e-legitimation by the two
associations' signatories and with a code from the app by the kommun's and the region's. After
it all, no text column of the database holds a personnummer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from allauth.socialaccount.models import SocialAccount
from django.core import mail
from django.db import connection

from agreements.models import Agreement, Signature
from devidp.persons import PERSONS
from devidp.server import start_in_thread
from portal.eid import identity
from portal.models import SigningEvidence, User
from tests.agreements.conftest import four_parties, four_parties_to_signing
from tests.helpers.browser import officer_page, sign_in_browser
from tests.portal.eid.conftest import _providers, saml_app

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANNA, KARIN, ERIK = PERSONS[0], PERSONS[1], PERSONS[2]


@pytest.fixture(scope="module")
def identity_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    key_dir = tmp_path_factory.mktemp("devidp")
    server, base_url = start_in_thread("127.0.0.1", 0, key_dir=key_dir)
    yield base_url, key_dir
    server.stop()


@pytest.fixture
def eid(settings: Any, identity_provider: tuple[str, Any]) -> str:
    base_url, key_dir = identity_provider
    app = saml_app(base_url, key_dir)
    app["settings"]["advanced"]["allow_single_label_domains"] = True  # the live server's localhost
    _providers(settings, saml=app)
    policy = settings.CONTENT_SECURITY_POLICY
    directives = {**policy["DIRECTIVES"], "form-action": ["'self'", base_url]}
    settings.CONTENT_SECURITY_POLICY = {**policy, "DIRECTIVES": directives}
    return base_url


def _new_page(browser: Any, live_server: Any) -> Any:
    context = browser.new_context(locale="sv-SE", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def _identify(page: Any, person: Any, *, fresh_asked: bool = False) -> None:
    """At the identity provider: choose the test person and identify."""
    page.wait_for_url(re.compile(r"127\.0\.0\.1:\d+/sso"))
    if fresh_asked:
        assert "legitimera dig på nytt" in page.content()
    page.get_by_label(re.compile(person.display_name)).check()
    page.get_by_role("button", name="Legitimera").click()
    page.wait_for_url(re.compile(r"localhost:\d+/"))
    page.wait_for_load_state()


def _sign_with_eid(page: Any, agreement: Agreement, party: Any, person: Any) -> None:
    page.goto(f"/iop/avtal/{agreement.pk}/")
    form = page.locator(f"form[action$='/parter/{party.pk}/underskrift/']")
    assert form.locator("input[name=code]").count() == 0
    form.get_by_role("button", name=re.compile("e-legitimation")).click()
    _identify(page, person, fresh_asked=True)
    page.wait_for_url(re.compile(rf"/iop/avtal/{agreement.pk}/"))


def _personnummer_in_database(numbers: list[str]) -> list[str]:
    """Every (table, column) whose text holds one of the numbers, in any common writing."""
    forms = set()
    for number in numbers:
        forms |= {number, number[2:], f"{number[:8]}-{number[8:]}", f"{number[2:8]}-{number[8:]}"}
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            columns = [
                c.name for c in connection.introspection.get_table_description(cursor, table)
            ]
            for column in columns:
                for form in forms:
                    # names from the database's own catalogue, quoted; the number is a parameter
                    sql = f'SELECT COUNT(*) FROM "{table}" WHERE CAST("{column}" AS TEXT) LIKE %s'  # noqa: S608
                    cursor.execute(sql, [f"%{form}%"])
                    if cursor.fetchone()[0]:
                        found.append(f"{table}.{column}")
    return found


def test_a_new_person_signs_up_with_e_legitimation_and_logs_in_with_it_again(
    browser: Any, live_server: Any, eid: str
) -> None:
    page = _new_page(browser, live_server)
    page.goto("/konto/login/")
    page.get_by_role("button", name=re.compile("Logga in med BankID")).click()
    _identify(page, ERIK)
    page.wait_for_url(re.compile(r"/konto/3rdparty/signup/"))
    assert page.get_by_label("Namn").input_value() == ERIK.display_name
    page.get_by_label("E-post").fill("erik@exempel.se")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/konto/confirm-email/"))
    link = re.search(r"https?://\S+/konto/confirm-email/\S+", mail.outbox[-1].body)
    assert link
    # the email's link is on SITE_URL, the portal's address; here the test's server answers it
    page.goto(re.sub(r"^https?://[^/]+", live_server.url, link.group(0)))
    page.locator("main form button[type=submit]").click()
    user = User.objects.get(email="erik@exempel.se")
    assert user.name == ERIK.display_name
    page.goto("/konto/login/")
    page.get_by_role("button", name=re.compile("Logga in med BankID")).click()
    _identify(page, ERIK)
    page.wait_for_url(re.compile(r"/oversikt/$"))
    assert SocialAccount.objects.get(user=user).uid == identity.person_key(ERIK.personnummer)
    page.context.close()


def test_the_four_party_iop_is_signed_with_e_legitimation_by_the_associations(
    browser: Any, live_server: Any, eid: str
) -> None:
    f = four_parties(rep_a="Anna Andersson", rep_b="Karin Berg")
    a, parties = f.agreement, f.parties
    chair_k, chair_r, rep_a, rep_b = f.chair_k, f.chair_r, f.rep_a, f.rep_b
    # Karin Berg linked her e-legitimation earlier; Anna Andersson links hers in this test.
    SocialAccount.objects.create(
        user=rep_b, provider="saml", uid=identity.person_key(KARIN.personnummer)
    )
    a = four_parties_to_signing(f)
    assert a.status == "signing"

    # Anna Andersson logs in with her password and code, then links her e-legitimation.
    page_a = officer_page(browser, live_server, rep_a)
    page_a.goto("/konto/e-legitimation/")
    page_a.get_by_role("button", name=re.compile("Koppla")).click()
    _identify(page_a, ANNA)
    page_a.wait_for_url(re.compile(r"/konto/e-legitimation/$"))
    assert "Anna Andersson" in page_a.locator("main").inner_text()
    # Karin Berg logs in with e-legitimation alone: no password, no app.
    page_b = _new_page(browser, live_server)
    page_b.goto("/konto/login/")
    page_b.get_by_role("button", name=re.compile("Logga in med BankID")).click()
    _identify(page_b, KARIN)
    page_b.wait_for_url(re.compile(r"/oversikt/$"))

    pages = {user.pk: officer_page(browser, live_server, user) for user in (chair_k, chair_r)}
    _sign_with_eid(page_a, a, parties["first"], ANNA)
    sign_in_browser(pages[chair_r.pk], a, parties["region"])
    _sign_with_eid(page_b, a, parties["second"], KARIN)
    sign_in_browser(pages[chair_k.pk], a, parties["kommun"])

    agreement = Agreement.objects.get(pk=a.pk)
    assert agreement.status == "active", list(Signature.objects.filter(agreement=a).values())
    by_party = {s.party_id: s for s in Signature.objects.filter(agreement=a, voided_at=None)}
    assert by_party[parties["first"].pk].confirmed_with == SigningEvidence.Method.EID
    assert by_party[parties["first"].pk].eid_name == "Anna Andersson"
    assert by_party[parties["second"].pk].confirmed_with == SigningEvidence.Method.EID
    assert by_party[parties["kommun"].pk].confirmed_with == SigningEvidence.Method.TOTP
    assert by_party[parties["region"].pk].confirmed_with == SigningEvidence.Method.TOTP
    for page in (page_a, page_b, *pages.values()):
        page.context.close()

    assert _personnummer_in_database([p.personnummer for p in PERSONS]) == []
