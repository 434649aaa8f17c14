"""Sign-up, email verification, login, logout, password change and reset, email change."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from portal.models import User
from tests.helpers.clients import logged_in, logged_in_by_password
from tests.helpers.mail import path_in_last_email
from tests.portal.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "ett-nytt-langt-losenord-77"


def test_sign_up_confirm_email_log_in_and_out() -> None:
    client = Client()
    response = client.post(
        reverse("account_signup"),
        {
            "name": "Sara Sekreterare",
            "email": "sara@forening.se",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="sara@forening.se")
    assert user.name == "Sara Sekreterare"

    # Mandatory verification: the new person cannot log in before confirming.
    assert len(mail.outbox) == 1
    assert "Samverkansportalen" in mail.outbox[0].subject
    response = client.post(
        reverse("account_login"), {"login": "sara@forening.se", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session

    confirm_url = path_in_last_email("/konto/confirm-email/")
    assert client.get(confirm_url).status_code == 200
    response = client.post(confirm_url)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="sara@forening.se").verified

    response = client.post(
        reverse("account_login"), {"login": "sara@forening.se", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("portal:dashboard")
    assert "Sara Sekreterare" in response.content.decode()

    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_sign_up_with_bad_input_is_refused_in_swedish_and_creates_nothing() -> None:
    response = Client().post(
        reverse("account_signup"),
        {"name": "", "email": "inte-en-adress", "password1": "kort", "password2": "annan"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Fyll i en giltig e-postadress." in page
    assert "Fyll i ”Namn”." in page
    assert User.objects.count() == 0


def test_wrong_password_is_refused_in_swedish(member: User) -> None:
    response = Client().post(reverse("account_login"), {"login": member.email, "password": "fel"})
    assert response.status_code == 200
    assert "E-postadressen eller lösenordet stämmer inte." in response.content.decode()


def test_failed_logins_are_rate_limited(member: User) -> None:
    client = Client()
    pages = [
        client.post(reverse("account_login"), {"login": member.email, "password": "fel"})
        for _ in range(6)
    ]
    too_many = "För många misslyckade inloggningsförsök. Försök igen senare."
    assert too_many not in pages[0].content.decode()
    assert too_many in pages[-1].content.decode()
    # Not even the right password gets through while the limit holds.
    response = client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    assert response.status_code == 200
    assert too_many in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_by_emailed_link(member: User) -> None:
    client = Client()
    response = client.post(reverse("account_reset_password"), {"email": member.email})
    assert response.status_code == 302
    reset_url = path_in_last_email("/konto/password/reset/key/")
    response = client.get(reset_url)  # allauth swaps the key for a session token
    assert response.status_code == 302
    response = client.post(response.url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)


def test_password_reset_for_unknown_address_reveals_nothing() -> None:
    response = Client().post(reverse("account_reset_password"), {"email": "okand@exempel.se"})
    assert response.status_code == 302
    assert User.objects.count() == 0


def test_change_password(member: User) -> None:
    client = logged_in(member)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)


def test_change_email_takes_effect_after_confirming_the_new_address(member: User) -> None:
    client = logged_in_by_password(member)  # a session left open asks for the password again
    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "ny.adress@forening.se"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.email != "ny.adress@forening.se"  # not before it is confirmed

    confirm_url = path_in_last_email("/konto/confirm-email/")
    client.post(confirm_url)
    member.refresh_from_db()
    assert member.email == "ny.adress@forening.se"
    assert list(EmailAddress.objects.filter(user=member).values_list("email", flat=True)) == [
        "ny.adress@forening.se"
    ]


def test_profile_name_change(member: User) -> None:
    client = logged_in(member)
    response = client.post(reverse("portal:profile"), {"name": "  Frida Nyberg "}, follow=True)
    assert "Ditt namn har sparats." in response.content.decode()
    member.refresh_from_db()
    assert member.name == "Frida Nyberg"


def test_profile_refuses_empty_name_and_keeps_the_old(member: User) -> None:
    response = logged_in(member).post(reverse("portal:profile"), {"name": ""})
    assert response.status_code == 200
    assert "Fyll i ”Namn”." in response.content.decode()
    member.refresh_from_db()
    assert member.name == "Frida Förening"


def test_email_is_unique_whatever_the_case() -> None:
    UserFactory(email="anna@exempel.se")
    response = Client().post(
        reverse("account_signup"),
        {"name": "Anna", "email": "ANNA@exempel.se", "password1": PASSWORD, "password2": PASSWORD},
    )
    # allauth does not reveal that the address is taken; no second account is created.
    assert User.objects.filter(email__iexact="anna@exempel.se").count() == 1
    assert response.status_code in (200, 302)


def test_the_email_addresses_page_opens(member) -> None:  # type: ignore[no-untyped-def]
    """The portal's own version of allauth's page (without inline style) renders."""
    response = logged_in(member).get(reverse("account_email"))
    assert response.status_code == 200
    assert member.email in response.content.decode()


def test_the_swedish_sign_up_wording_says_e_post_and_how_to_get_in_touch() -> None:
    """After signing up, the page and its message say "e-postmeddelande" (not "mail" or
    "verifieringsmailet") and, when nothing arrives, whom to contact and where to find them."""
    client = Client()
    response = client.post(
        reverse("account_signup"),
        {
            "name": "Sara Sekreterare",
            "email": "sara@forening.se",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        follow=True,
    )
    pages = [
        response.content.decode(),
        client.get(reverse("account_email_verification_sent")).content.decode(),
        Client().get(reverse("account_reset_password")).content.decode(),
    ]
    page = " ".join(" ".join(pages).split())
    assert (
        "Ett e-postmeddelande för att bekräfta adressen har skickats till sara@forening.se" in page
    )
    assert "kan du kontakta kommunen. Kontaktuppgifterna finns längst ned på sidan." in page
    for wrong in ("mailet", "Verifierings-mail", " mail ", "mejl", "Kontakta oss"):
        assert wrong not in page, wrong
