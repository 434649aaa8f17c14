"""E-legitimation through an OpenID Connect broker: the first login makes an account, the same
person is recognised again by the keyed hash of their personnummer, and what the provider says
is refused when it is below the required level of assurance, replayed, or an email address
that belongs to someone else."""

from __future__ import annotations

import time
from typing import Any

from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from portal.eid import identity
from portal.models import User
from tests.portal.eid.oidc import LOA2, FakeProvider, authorize_params
from tests.portal.factories import UserFactory

LOGIN = "/konto/oidc/e-legitimation/login/"


def _to_provider(client: Client, url: str = LOGIN) -> str:
    response = client.post(url)
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


def _login(client: Client, provider: FakeProvider) -> tuple[str, Any]:
    callback = provider.authorize(client, _to_provider(client))
    return callback, client.get(callback)


def _link(user: User, provider: FakeProvider) -> SocialAccount:
    return SocialAccount.objects.create(
        user=user,
        provider="e-legitimation",
        uid=identity.person_key(provider.personnummer),
        extra_data={"name": "Anna Andersson", "loa": provider.acr},
    )


def test_the_login_asks_for_the_required_level_and_ignores_what_the_address_asks_for(
    oidc: FakeProvider,
) -> None:
    location = _to_provider(Client(), LOGIN + "?auth_params=prompt%3Dnone%26acr_values%3Dlow")
    params = authorize_params(location)
    assert params["acr_values"].split()[0] == "http://id.elegnamnden.se/loa/1.0/loa3"
    assert "low" not in params["acr_values"]
    assert "prompt" not in params
    assert params["code_challenge_method"] == "S256"


def test_a_first_login_creates_an_account_with_the_asserted_name_and_no_number(
    oidc: FakeProvider,
) -> None:
    client = Client()
    _callback, response = _login(client, oidc)
    assert response.status_code == 302
    assert response["Location"] == reverse("socialaccount_signup")
    page = client.get(reverse("socialaccount_signup")).content.decode()
    assert "Anna Andersson" in page  # the asserted name, ready in the form
    assert oidc.personnummer not in page
    response = client.post(
        reverse("socialaccount_signup"), {"name": "Anna Andersson", "email": "anna@exempel.se"}
    )
    assert response.status_code == 302
    user = User.objects.get(email="anna@exempel.se")
    assert user.name == "Anna Andersson"
    account = SocialAccount.objects.get(user=user)
    assert account.uid == identity.person_key("199908072391")
    assert "199908072391" not in account.uid
    assert "9908072391" not in str(account.extra_data)
    assert account.extra_data["loa"] == "http://id.elegnamnden.se/loa/1.0/loa3"


def test_the_same_person_logs_in_to_their_account_again(oidc: FakeProvider) -> None:
    user = UserFactory(name="Anna Andersson")
    _link(user, oidc)
    client = Client()
    _callback, response = _login(client, oidc)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)


def test_an_assertion_below_the_required_level_is_refused(oidc: FakeProvider) -> None:
    user = UserFactory()
    _link(user, oidc)
    oidc.acr = LOA2
    client = Client()
    _callback, response = _login(client, oidc)
    assert response.status_code == 403
    assert (
        "level of assurance" in response.content.decode()
        or "tillitsnivå" in response.content.decode()
    )
    assert SESSION_KEY not in client.session


def test_a_replayed_authorization_response_is_refused(oidc: FakeProvider) -> None:
    user = UserFactory()
    _link(user, oidc)
    client = Client()
    callback, response = _login(client, oidc)
    assert client.session[SESSION_KEY] == str(user.pk)
    # the same code and state again, in a new session (an attacker who saw the address)
    other = Client()
    response = other.get(callback)
    assert response.status_code in (400, 401, 403)
    assert SESSION_KEY not in other.session
    # and in the same browser: the state was used up
    client.logout()
    response = client.get(callback)
    assert SESSION_KEY not in client.session


def test_a_used_authorization_code_is_refused_by_the_provider_and_the_portal_says_so(
    oidc: FakeProvider,
) -> None:
    user = UserFactory()
    _link(user, oidc)
    client = Client()
    location = _to_provider(client)
    callback = oidc.authorize(client, location)
    oidc.redeemed.append(callback.split("code=")[1].split("&")[0])  # redeemed before
    response = client.get(callback)
    assert response.status_code in (400, 401, 403)
    assert SESSION_KEY not in client.session


def test_an_email_asserted_by_the_provider_never_opens_an_existing_account(
    oidc: FakeProvider,
) -> None:
    UserFactory(email="kassor@forening.se")  # the treasurer's account
    oidc.email = "kassor@forening.se"
    oidc.personnummer = "191202119986"  # someone else, whose provider claims the address
    client = Client()
    _callback, response = _login(client, oidc)
    assert SESSION_KEY not in client.session
    assert response["Location"] == reverse("socialaccount_signup")
    response = client.post(
        reverse("socialaccount_signup"), {"name": "Karin Berg", "email": "kassor@forening.se"}
    )
    # The address is an account's login: nothing is linked to it and nobody is logged in (the
    # page does not say that the address has an account; its owner gets an email instead).
    assert response.status_code in (200, 302)
    assert not SocialAccount.objects.exists()
    assert client.session.get(SESSION_KEY) in (None, "")
    assert User.objects.filter(email__iexact="kassor@forening.se").count() == 1


def test_signing_asks_the_provider_for_a_fresh_login(oidc: FakeProvider) -> None:
    from allauth.socialaccount.adapter import get_adapter
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.session = Client().session  # type: ignore[attr-defined]
    provider = get_adapter().list_apps(request)[0].get_provider(request)
    response = provider.redirect(
        request, "redirect", next_url="/", action="reauthenticate", started_at=time.time()
    )
    params = authorize_params(response["Location"])
    assert params["prompt"] == "login"
    assert params["max_age"] == "0"


def test_a_provider_without_numbers_is_recognised_by_its_pairwise_subject(
    oidc: FakeProvider,
) -> None:
    from tests.portal.eid import oidc as fake

    oidc.personnummer = ""  # the broker gives no number, only its pairwise `sub`
    user = UserFactory()
    subject = "pairwise-"  # FakeProvider's sub is "pairwise-" and the number's last four
    SocialAccount.objects.create(
        user=user, provider="e-legitimation", uid=identity.subject_key(fake.ISSUER, subject)
    )
    client = Client()
    _login(client, oidc)
    assert client.session[SESSION_KEY] == str(user.pk)


def test_without_a_provider_the_portal_has_no_e_legitimation(db: None) -> None:
    page = Client().get(reverse("account_login")).content.decode()
    assert "e-legitimation" not in page.lower()
    person = UserFactory()
    client = Client()
    client.force_login(person)
    assert client.get(reverse("portal:eid_account")).status_code == 404
    assert client.post(LOGIN).status_code == 404
