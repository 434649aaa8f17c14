"""A person's own data, the diarium and the administrator's pages, in Chromium: a volunteer on
a phone finds their data, downloads the copy and is stopped, with a link, from erasing while
they are an organisation's only representative; another erases their account; a registrar
reads the diarium; an administrator erases a person from the admin. Each page without WCAG
2.1 A/AA violations found by axe, at 320 px and 1280 px."""

from __future__ import annotations

import re
import zipfile
from typing import Any

import pytest

from organisations.models import OrganisationMembership, OrganisationRole
from portal.models import PublicBody, PublicBodyMembership, PublicBodyRole, User
from tests.grants.conftest import Grants, submitted
from tests.helpers.browser import axe_violations, log_in, officer_page
from tests.organisations.factories import OrganisationFactory
from tests.portal.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 320, "height": 640}


def _representative(name: str) -> User:
    person = UserFactory(name=name)
    organisation = OrganisationFactory(name=f"{name}s förening")
    OrganisationMembership.objects.create(
        organisation=organisation, user=person, role=OrganisationRole.REPRESENTATIVE
    )
    return person


def _no_violations(page: Any, what: str) -> None:
    # The whole page in view: axe cannot measure the colours of text cut by the fold (the
    # retention schedule grows a row with every kind of record the apps register).
    height = page.evaluate("document.documentElement.scrollHeight")
    width = (page.viewport_size or {"width": 1280})["width"]
    page.set_viewport_size({"width": width, "height": max(900, min(height, 8000))})
    violations = axe_violations(page)
    assert violations == [], f"{what}: {violations}"


def test_a_volunteer_on_a_phone_downloads_the_copy_and_must_hand_over_first(
    browser: Any, live_server: Any, tmp_path: Any
) -> None:
    volunteer = _representative("Vera Volontär")
    context = browser.new_context(locale="sv-SE", base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, volunteer.email)
        page.goto("/konto/profil/")
        page.get_by_role("link", name=re.compile("Dina uppgifter")).click()
        page.wait_for_url(re.compile(r"/konto/mina-uppgifter/$"))
        _no_violations(page, "Dina uppgifter, 320 px")
        with page.expect_download() as download:
            page.get_by_role("link", name="Hämta en kopia av dina uppgifter").click()
        path = tmp_path / "kopia.zip"
        download.value.save_as(path)
        names = zipfile.ZipFile(path).namelist()
        assert "sammanfattning.html" in names and "konto.json" in names

        page.get_by_role("link", name=re.compile("avsluta ditt konto")).click()
        page.wait_for_url(re.compile(r"/konto/avsluta/$"))
        _no_violations(page, "Avsluta ditt konto (stopped), 320 px")
        assert page.get_by_text(
            "Du är den enda företrädaren för Vera Volontärs förening"
        ).is_visible()
        assert page.get_by_role("button", name="Avsluta mitt konto").count() == 0
        page.get_by_role(
            "link", name="Bjud in en ny företrädare för Vera Volontärs förening"
        ).click()
        page.wait_for_url(re.compile(r"/foreningar/\d+/medlemmar/#invite-heading$"))
        assert page.get_by_role("heading", name="Bjud in en person").is_visible()
    finally:
        context.close()
    volunteer.refresh_from_db()
    assert volunteer.erased_at is None


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 900}])
def test_a_person_erases_their_account(browser: Any, live_server: Any, viewport: Any) -> None:
    person = UserFactory(name="Ebba Engångs")
    context = browser.new_context(locale="sv-SE", base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, person.email)
        page.goto("/konto/avsluta/")
        assert page.get_by_role("heading", name="Det här sparas, och varför").is_visible()
        _no_violations(page, f"Avsluta ditt konto, {viewport['width']} px")
        # without ticking the box: the summary says what to fix, and takes them there
        with page.expect_navigation():
            page.get_by_role("button", name="Avsluta mitt konto").click()
        summary = page.locator(".error-summary")
        summary.wait_for()
        assert "Kryssa i rutan" in summary.inner_text()
        _no_violations(page, f"Avsluta ditt konto with an error, {viewport['width']} px")
        summary.get_by_role("link").first.click()
        page.get_by_label("Ditt lösenord").fill(PASSWORD)
        page.get_by_label("Jag vill avsluta mitt konto").check()
        page.get_by_role("button", name="Avsluta mitt konto").click()
        page.wait_for_url(re.compile(r"/konto/avslutat/$"))
        assert page.get_by_role("heading", name="Ditt konto är avslutat").is_visible()
        _no_violations(page, f"Kontot avslutat, {viewport['width']} px")
    finally:
        context.close()
    person.refresh_from_db()
    assert person.erased_at is not None and not person.is_active


def test_the_registrar_reads_and_exports_the_diarium(browser: Any, live_server: Any) -> None:
    body = PublicBody.objects.create(name="Kulturnämnden", kind="committee", registry_prefix="KN")
    registrar = UserFactory(name="Rut Registrator")
    PublicBodyMembership.objects.create(
        user=registrar, public_body=body, role=PublicBodyRole.REGISTRAR
    )
    page = officer_page(browser, live_server, registrar)
    try:
        page.get_by_role("link", name="Diarium").first.click()
        page.wait_for_url(re.compile(r"/handlaggning/diarium/"))
        assert page.get_by_role("heading", name="Diarium").is_visible()
        _no_violations(page, "Diarium, 1280 px")
        with page.expect_download() as download:
            page.get_by_role("link", name="Excel (XLSX)").click()
        assert download.value.suggested_filename.endswith(".xlsx")
        page.set_viewport_size(PHONE)
        _no_violations(page, "Diarium, 320 px")
    finally:
        page.context.close()


def test_the_administrator_erases_a_person_after_a_confirmation(
    browser: Any, live_server: Any
) -> None:
    person = UserFactory(name="Lars Brevskrivare")
    administrator = UserFactory(name="Alva Admin", is_staff=True, is_superuser=True)
    page = officer_page(browser, live_server, administrator)
    try:
        page.goto(f"/admin/portal/user/?q={person.email}")
        page.locator(f"input[name=_selected_action][value='{person.pk}']").check()
        page.locator("select[name=action]").select_option("erase_personal_data")
        page.get_by_role("button", name=re.compile("Utför|Kör|Go")).click()
        assert page.get_by_role("heading", name="Det här sparas, och varför").is_visible()
        _no_violations(page, "Avsluta personens konto (admin)")
        with page.expect_navigation():
            page.get_by_role("button", name="Ja, avsluta kontot").click()
        page.get_by_text(re.compile(r"Kontot för .* är avslutat\.")).wait_for()
    finally:
        page.context.close()
    person.refresh_from_db()
    assert person.erased_at is not None


def test_the_retention_schedule_and_the_legal_holds(
    browser: Any, live_server: Any, grants: Grants
) -> None:
    """The administrator's retention schedule (list and one rule) and an officer's legal holds,
    without WCAG violations; the officer sets a hold on a registered document."""
    world = grants
    application = submitted(world)
    administrator = UserFactory(name="Alva Admin", is_staff=True, is_superuser=True)
    page = officer_page(browser, live_server, administrator)
    try:
        page.goto("/admin/portal/retentionrule/")
        assert page.get_by_text("Utkast till ansökningar som aldrig skickades in").is_visible()
        _no_violations(page, "Gallringsplan (admin list)")
        page.get_by_role("link", name="Utkast till ansökningar som aldrig skickades in").click()
        page.wait_for_url(re.compile(r"/admin/portal/retentionrule/\d+/change/"))
        _no_violations(page, "Gallringsregel (admin)")
    finally:
        page.context.close()
    page = officer_page(browser, live_server, world.officer)
    try:
        page.goto("/handlaggning/")
        page.get_by_role("link", name=re.compile("Gallringsstopp")).click()
        page.wait_for_url(re.compile(r"/handlaggning/gallringsstopp/$"))
        _no_violations(page, "Gallringsstopp, 1280 px")
        page.get_by_label("Diarienummer").fill(application.registry_number)
        page.get_by_label("Varför den ska sparas").fill("Begäran om utlämnande")
        with page.expect_navigation():
            page.get_by_role("button", name="Sätt gallringsstopp").click()
        page.get_by_text(f"{application.registry_number} sparas tills stoppet hävs.").wait_for()
        page.set_viewport_size(PHONE)
        _no_violations(page, "Gallringsstopp with a hold, 320 px")
    finally:
        page.context.close()
