from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from portal.models import PublicBodyRole, User
from tests.helpers.clients import logged_in
from tests.helpers.queries import assert_same_query_count, count_queries
from tests.portal.factories import CommitteeFactory, MembershipFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_home_page_is_swedish_and_explains_the_portal() -> None:
    response = Client().get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="sv">' in page
    assert "Samverkansportalen" in page
    assert "Hoppa till innehållet" in page
    assert 'href="#main"' in page and 'id="main"' in page
    for landmark in ("<header", "<nav", "<main", "<footer"):
        assert landmark in page
    assert "Skapa konto" in page


def test_language_switch_to_english_and_back() -> None:
    client = Client()
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "Skip to content" in page
    response = client.post(reverse("set_language"), {"language": "sv", "next": "/"}, follow=True)
    assert '<html lang="sv">' in response.content.decode()


def test_unknown_page_answers_in_swedish_with_404() -> None:
    response = Client().get("/finns-inte/")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.content.decode()


def test_server_error_page_is_swedish() -> None:
    from django.template.loader import render_to_string

    page = render_to_string("500.html")
    assert '<html lang="sv">' in page
    assert "Något gick fel" in page


def test_accessibility_statement_names_standard_reporting_and_gaps() -> None:
    page = Client().get(reverse("portal:accessibility")).content.decode()
    assert "Tillgänglighetsredogörelse" in page
    assert "WCAG" in page and "2.1" in page
    assert "Digg" in page
    assert "Kända brister" in page


def test_header_shows_the_logged_in_person_and_role(officer: User) -> None:
    page = logged_in(officer).get(reverse("portal:dashboard")).content.decode()
    membership = officer.public_body_memberships.get()
    assert officer.name in page
    assert f"Handläggare, {membership.public_body.name}" in page
    assert reverse("portal:officer_home") in page


def test_header_of_a_person_without_role_has_no_officer_link(member: User) -> None:
    page = logged_in(member).get(reverse("portal:dashboard")).content.decode()
    assert member.name in page
    assert reverse("portal:officer_home") not in page


@pytest.mark.parametrize("url_name", ["portal:dashboard", "portal:officer_home"])
def test_role_pages_make_the_same_number_of_queries_whatever_the_roles(
    officer: User, url_name: str
) -> None:
    client = logged_in(officer)
    url = reverse(url_name)
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for _ in range(6):
        MembershipFactory(
            user=officer, public_body=CommitteeFactory(), role=PublicBodyRole.DECISION_MAKER
        )
    with count_queries() as many:
        page = client.get(url)
    assert page.status_code == 200
    assert page.content.decode().count("Beslutsfattare") >= 6
    assert_same_query_count(few, many)


def test_no_page_loads_anything_from_another_host() -> None:
    """No CDN: every script, stylesheet, font and image comes from the portal itself."""
    offenders = []
    pattern = re.compile(r"""(?:src|href)=["'](?:https?:)?//""")
    templates = [*(ROOT / "templates").rglob("*.html"), *(ROOT / "templates").rglob("*.jinja")]
    for template in templates:
        for line in template.read_text().splitlines():
            if pattern.search(line):
                offenders.append(f"{template.relative_to(ROOT)}: {line.strip()}")
    css = (ROOT / "static/css/portal.css").read_text()
    assert "url(http" not in css and "@import" not in css
    assert not offenders


def test_vendored_assets_carry_their_licences() -> None:
    vendor = ROOT / "static" / "vendor"
    for library in [path for path in vendor.iterdir() if path.is_dir()]:
        assert (library / "LICENSE").is_file(), library


def test_compiled_translations_are_committed() -> None:
    # .ci/run also checks that the committed .mo matches the .po.
    assert (ROOT / "portal/locale/sv/LC_MESSAGES/django.mo").is_file()
    from django.utils.translation import gettext, override

    with override("sv"):
        assert gettext("Skip to content") == "Hoppa till innehållet"


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["portal:home", "grants:calls", "organisations:directory"])
def test_head_requests_are_answered_like_get(name: str) -> None:
    """Uptime monitors and link checkers ask with HEAD: a page that answers GET answers it."""
    response = Client().head(reverse(name))
    assert response.status_code == 200
