"""The sign-in and account pages (allauth's) follow the portal's error pattern: "Fel: " in the
title, the one error summary linking each field, messages that name their field; and their
Swedish reads plainly."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from portal.models import User
from tests.helpers.clients import logged_in, logged_in_by_password
from tests.portal.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def anonymous(user: User) -> Client:
    return Client()


CASES: list[tuple[str, Callable[[User], Client], str, dict[str, str], list[str]]] = [
    ("account_login", anonymous, "", {}, ["Fyll i ”E-post”.", "Fyll i ”Lösenord”."]),
    (
        "account_login",
        anonymous,
        "",
        {"login": "a@exempel.se", "password": "fel-lösenord"},
        ["E-postadressen eller lösenordet stämmer inte."],
    ),
    ("account_signup", anonymous, "", {}, ["Fyll i ”Namn”.", "Fyll i ”E-post”."]),
    (
        "account_signup",
        anonymous,
        "",
        {"name": "B", "email": "b@exempel.se", "password1": PASSWORD, "password2": PASSWORD + "x"},
        ["Skriv samma lösenord i båda fälten."],
    ),
    ("account_reset_password", anonymous, "", {"email": ""}, ["Fyll i ”E-post”."]),
    (
        "account_email",
        logged_in_by_password,
        "",
        {"action_add": "", "email": "inte-en-adress"},
        ["e-postadress"],
    ),
    (
        "account_change_password",
        logged_in_by_password,
        "",
        {"oldpassword": "fel", "password1": "", "password2": ""},
        ["Fyll i ”Nytt lösenord”."],
    ),
    ("account_reauthenticate", logged_in, "", {"password": "fel"}, ["Felaktigt lösenord."]),
    ("mfa_activate_totp", logged_in_by_password, "", {"code": ""}, ["Fyll i ”Autentiseringskod”."]),
]


@pytest.mark.parametrize(
    ("url_name", "client_for", "query", "data", "messages"),
    CASES,
    ids=[f"{case[0]}-{number}" for number, case in enumerate(CASES)],
)
def test_account_page_with_errors_has_the_portals_error_pattern(
    url_name: str,
    client_for: Callable[[User], Client],
    query: str,
    data: dict[str, str],
    messages: list[str],
) -> None:
    user = UserFactory(email="a@exempel.se")
    response = client_for(user).post(reverse(url_name) + query, data)
    assert response.status_code == 200
    html = response.content.decode()
    title = " ".join(re.search(r"<title>(.*?)</title>", html, re.DOTALL)[1].split())  # type: ignore[index]
    assert title.startswith("Fel: "), title
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.DOTALL)
    assert summary, "no error summary"
    links = re.findall(r'<a href="#([^"]+)">', summary[0])
    assert links, summary[0]
    for anchor in links:
        assert f'id="{anchor}"' in html, anchor  # each link leads to a field on the page
    for message in messages:
        assert message in summary[0], (message, summary[0])
    assert "errorlist" not in html  # field messages in the portal's markup, not Django's list


def test_swedish_login_page_offers_sign_up_in_plain_words() -> None:
    html = Client().get(reverse("account_login")).content.decode()
    signup = reverse("account_signup")
    assert re.search(
        rf'Har du inget konto\? <a href="{signup}">\s*Skapa ett konto\s*</a> först\.', html
    )
    assert "Då kan du" not in html


def test_no_vanligen_on_the_sign_in_pages() -> None:
    user = UserFactory()
    client = logged_in(user)
    pages = [
        Client().get(reverse("account_login")),
        Client().get(reverse("account_reset_password")),
        Client().get(reverse("account_signup")),
        client.get(reverse("account_reauthenticate")),
    ]
    for page in pages:
        assert "Vänligen" not in page.content.decode()


def test_the_second_step_of_login_has_the_error_pattern_too(officer: User) -> None:
    client = Client()
    response = client.post(reverse("account_login"), {"login": officer.email, "password": PASSWORD})
    assert response.url == reverse("mfa_authenticate")
    page = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r"<title>\s*Fel: ", html)
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.DOTALL)
    assert summary and 'href="#id_code"' in summary[0], html[:3000]
    assert "Vänligen" not in html


def test_the_second_step_of_login_says_a_recovery_code_works_too(officer: User) -> None:
    """Someone without their phone learns on the page itself that a recovery code is accepted."""
    client = Client()
    client.post(reverse("account_login"), {"login": officer.email, "password": PASSWORD})
    html = client.get(reverse("mfa_authenticate")).content.decode()
    assert "en av dina återställningskoder" in html


def test_a_lone_checkbox_is_not_marked_optional() -> None:
    """The "Kom ihåg mig" checkbox is a choice, not a field one may leave empty: no "(valfritt)" on it."""
    html = " ".join(Client().get(reverse("account_login")).content.decode().split())
    label = html.split('<label for="id_remember">')[1].split("</label>")[0]
    assert label == "Kom ihåg mig"
    assert "(valfritt)" not in html
