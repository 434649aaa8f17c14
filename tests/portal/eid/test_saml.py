"""E-legitimation through a SAML identity provider of Sweden Connect's framework, with real
signed answers from the development identity provider: the attribute profile, the level of
assurance, signatures, replays and clocks that disagree."""

from __future__ import annotations

import datetime as dt
from typing import Any

from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from devidp import idp, keys
from portal.eid import identity
from tests.portal.eid.saml import ANNA, answer, browser, now, post_answer, start
from tests.portal.factories import UserFactory


def _linked(person: Any = ANNA) -> Any:
    user = UserFactory(name=person.display_name)
    SocialAccount.objects.create(
        user=user, provider="saml", uid=identity.person_key(person.personnummer)
    )
    return user


def test_the_request_asks_for_the_accepted_levels_and_no_fresh_login_to_log_in(saml: Any) -> None:
    request = start(browser())
    assert idp.LOA3 in request.requested_authn_context
    assert idp.LOA2 not in request.requested_authn_context
    assert request.force_authn is False


def test_the_attributes_are_mapped_and_the_number_is_kept_only_as_its_keyed_hash(
    saml: Any,
) -> None:
    client = browser()
    request = start(client)
    response = post_answer(client, request, answer(request, saml))
    assert response.status_code == 302
    assert response["Location"] == reverse("socialaccount_signup")
    page = client.get(reverse("socialaccount_signup")).content.decode()
    assert ANNA.display_name in page
    client.post(reverse("socialaccount_signup"), {"name": ANNA.display_name, "email": "a@ex.se"})
    account = SocialAccount.objects.get(user__email="a@ex.se")
    assert account.uid == identity.person_key(ANNA.personnummer)
    assert account.extra_data == {
        "name": "Anna Andersson",
        "given_name": "Anna",
        "family_name": "Andersson",
        "loa": idp.LOA3,
        "asserted_at": account.extra_data["asserted_at"],
    }
    assert account.user.name == "Anna Andersson"


def test_the_hash_depends_on_the_key(settings: Any) -> None:
    first = identity.person_key("199908072391")
    settings.EID_HMAC_KEY = "another-key"
    assert identity.person_key("19990807-2391") != first
    assert identity.person_key("199908072391") == identity.person_key("19990807-2391")


def test_an_existing_link_logs_the_person_in(saml: Any) -> None:
    user = _linked()
    client = browser()
    request = start(client)
    post_answer(client, request, answer(request, saml))
    assert client.session[SESSION_KEY] == str(user.pk)


def test_an_assertion_below_the_required_level_is_refused(saml: Any) -> None:
    _linked()
    client = browser()
    request = start(client)
    response = post_answer(client, request, answer(request, saml, loa=idp.LOA2))
    assert response.status_code == 403
    assert SESSION_KEY not in client.session


def test_an_unsigned_answer_is_refused(saml: Any) -> None:
    _linked()
    client = browser()
    request = start(client)
    unsigned = answer(request, saml, sign_response=False, sign_assertion=False)
    response = post_answer(client, request, unsigned)
    assert response.status_code in (400, 401, 403)
    assert SESSION_KEY not in client.session


def test_an_answer_signed_with_another_key_is_refused(saml: Any, tmp_path: Any) -> None:
    _linked()
    key, cert = keys.throwaway_key_pair(tmp_path)
    client = browser()
    request = start(client)
    forged = answer(request, saml, signing_key=key, signing_cert=cert)
    response = post_answer(client, request, forged)
    assert response.status_code in (400, 401, 403)
    assert SESSION_KEY not in client.session


def test_a_replayed_answer_is_refused(saml: Any) -> None:
    user = _linked()
    client = browser()
    request = start(client)
    saml_response = answer(request, saml)
    post_answer(client, request, saml_response)
    assert client.session[SESSION_KEY] == str(user.pk)
    # someone who copied the posted form sends it again from another browser …
    thief = browser()
    response = post_answer(thief, request, saml_response)
    assert response.status_code in (400, 401, 403)
    assert SESSION_KEY not in thief.session
    # … and from the same browser after logging out
    client.logout()
    response = post_answer(client, request, saml_response)
    assert SESSION_KEY not in client.session


def test_a_clock_ahead_within_the_allowed_skew_is_accepted(saml: Any) -> None:
    user = _linked()
    client = browser()
    request = start(client)
    ahead = answer(request, saml, issue_instant=now() + dt.timedelta(minutes=4))
    post_answer(client, request, ahead)
    assert client.session[SESSION_KEY] == str(user.pk)


def test_a_clock_ahead_beyond_the_allowed_skew_is_refused(saml: Any) -> None:
    _linked()
    client = browser()
    request = start(client)
    ahead = answer(request, saml, issue_instant=now() + dt.timedelta(minutes=7))
    response = post_answer(client, request, ahead)
    assert response.status_code in (400, 401, 403)
    assert SESSION_KEY not in client.session


def test_an_answer_expired_beyond_the_allowed_skew_is_refused(saml: Any) -> None:
    _linked()
    client = browser()
    request = start(client)
    old = answer(request, saml, issue_instant=now() - dt.timedelta(minutes=11))
    response = post_answer(client, request, old)
    assert response.status_code in (400, 401, 403)
    assert SESSION_KEY not in client.session


def test_the_posted_answer_never_reaches_the_database(saml: Any) -> None:
    from urllib.parse import urlparse

    from django.contrib.sessions.models import Session

    _linked()
    client = browser()
    request = start(client)
    saml_response = answer(request, saml)
    client.post(urlparse(request.acs_url).path, {"SAMLResponse": saml_response})
    for session in Session.objects.all():
        assert "SAMLResponse" not in str(session.get_decoded())
        assert saml_response[:40] not in session.session_data


def test_an_identity_provider_that_does_not_answer_gets_a_page_not_a_crash(
    saml: Any, settings: Any
) -> None:
    providers = {key: dict(value) for key, value in settings.SOCIALACCOUNT_PROVIDERS.items()}
    app = dict(providers["saml"]["APPS"][0])
    app["settings"] = {
        **app["settings"],
        "idp": {"entity_id": "http://127.0.0.1:9/idp", "metadata_url": "http://127.0.0.1:9/md"},
    }
    providers["saml"]["APPS"] = [app]
    settings.SOCIALACCOUNT_PROVIDERS = providers
    response = browser().post("/konto/saml/sweden-connect/login/")
    assert response.status_code == 503
