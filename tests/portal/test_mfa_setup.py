"""An officer's first login: password, then straight to the authenticator set-up (no second
password prompt), the secret key as copyable text, the recovery codes, and on to the page the
officer was going to."""

from __future__ import annotations

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import hotp_value
from django.test import Client
from django.urls import reverse

from portal.adapters import MFA_DESTINATION_SESSION_KEY
from portal.models import User
from tests.helpers.clients import logged_in
from tests.portal.factories import PASSWORD

pytestmark = pytest.mark.django_db


def log_in(user: User, next_url: str = "") -> tuple[Client, str]:
    client = Client()
    query = f"?next={next_url}" if next_url else ""
    response = client.post(
        reverse("account_login") + query, {"login": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return client, response.url


def test_first_login_goes_from_password_to_set_up_to_the_page_asked_for(
    officer_without_mfa: User,
) -> None:
    officer_home = reverse("portal:officer_home")
    client, url = log_in(officer_without_mfa, next_url=officer_home)
    assert url == officer_home
    response = client.get(url)
    assert response.url == reverse("mfa_activate_totp")

    # No "Confirm access": the password typed a moment ago counts.
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    html = page.content.decode()
    secret = page.context["form"].secret
    # The key is text that can be selected and copied, not a disabled field.
    assert f'<code id="authenticator-secret" class="mfa-secret-key">{secret}</code>' in html
    assert "disabled" not in html
    assert 'data-copy="authenticator-secret"' in html

    code = hotp_value(secret, int(time.time()) // 30)
    response = client.post(reverse("mfa_activate_totp"), {"code": f"{code:06d}"})
    assert response.url == reverse("mfa_view_recovery_codes")

    codes = client.get(response.url).content.decode()
    buttons = re.findall(r'<a class="(button[^"]*)" href="([^"]+)">([^<]+)</a>', codes)
    primary = [(href, text) for css, href, text in buttons if css == "button"]
    assert primary == [(reverse("portal:mfa_continue"), "Jag har sparat koderna – fortsätt")]
    secondary = {text for css, _, text in buttons if "button-secondary" in css}
    assert "Skapa nya koder" in secondary

    response = client.get(reverse("portal:mfa_continue"))
    assert response.url == officer_home
    assert client.get(officer_home).status_code == 200
    # Once only: a later visit to the codes page continues to My overview.
    assert client.get(reverse("portal:mfa_continue")).url == reverse("portal:dashboard")


def activate_totp(client: Client) -> None:
    secret = client.get(reverse("mfa_activate_totp")).context["form"].secret
    code = hotp_value(secret, int(time.time()) // 30)
    response = client.post(reverse("mfa_activate_totp"), {"code": f"{code:06d}"})
    assert response.url == reverse("mfa_view_recovery_codes")


def test_login_without_a_next_continues_to_my_overview(officer_without_mfa: User) -> None:
    client, url = log_in(officer_without_mfa)
    assert url == reverse("portal:dashboard")
    assert client.get(url).url == reverse("mfa_activate_totp")
    # Trying "continue" before the set-up leads back to it, and is not remembered as the goal.
    assert client.get(reverse("portal:mfa_continue")).url == reverse("mfa_activate_totp")
    activate_totp(client)
    assert client.get(reverse("portal:mfa_continue")).url == reverse("portal:dashboard")


def test_without_a_password_typed_in_this_session_access_is_confirmed_first(
    officer_without_mfa: User,
) -> None:
    response = logged_in(officer_without_mfa).get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))


def test_a_login_longer_ago_than_the_timeout_no_longer_counts(officer_without_mfa: User) -> None:
    client, _ = log_in(officer_without_mfa)
    session = client.session
    records = session["account_authentication_methods"]
    for record in records:
        record["at"] -= 16 * 60
    session["account_authentication_methods"] = records
    session.save()
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
    page = client.get(response.url)
    assert "Vänligen" not in page.content.decode()
    assert "Bekräfta att det är du" in page.content.decode()


def test_continue_never_leads_off_the_portal(member: User) -> None:
    client = logged_in(member)
    session = client.session
    session[MFA_DESTINATION_SESSION_KEY] = "https://angripare.example/"
    session.save()
    assert client.get(reverse("portal:mfa_continue")).url == reverse("portal:dashboard")


def test_continue_needs_a_login() -> None:
    response = Client().get(reverse("portal:mfa_continue"))
    assert response.url.startswith(reverse("account_login"))
