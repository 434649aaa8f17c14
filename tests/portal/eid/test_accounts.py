"""Accounts and e-legitimation from the side of the person who must be refused: linking cannot
take over an account, an invitation is accepted after a first login with e-legitimation, and
officers are held to EID_FOR_OFFICERS."""

from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse

from organisations.models import OrganisationMembership
from organisations.services import invitation_create
from portal.eid import identity
from tests.helpers.clients import logged_in, logged_in_by_password
from tests.organisations.factories import OrganisationFactory, OrganisationMembershipFactory
from tests.portal.eid.oidc import FakeProvider
from tests.portal.eid.saml import ANNA, KARIN, answer, browser, post_answer, start
from tests.portal.factories import MembershipFactory, UserFactory, give_totp

pytestmark = pytest.mark.django_db


def _oidc_login(client: Client, provider: FakeProvider) -> Any:
    response = client.post("/konto/oidc/e-legitimation/login/")
    return client.get(provider.authorize(client, response["Location"]))


def test_an_invitation_is_accepted_after_a_first_login_with_e_legitimation(
    oidc: FakeProvider,
) -> None:
    organisation = OrganisationFactory(name="Föreningen Norrsken", status="verified")
    representative = OrganisationMembershipFactory(organisation=organisation).user
    invitation = invitation_create(
        organisation=organisation, actor=representative, email="ny@norrsken.se", role="editor"
    )
    # The invited person has no account: they log in with e-legitimation and give the address
    # the invitation came to, then confirm it.
    client = Client()
    _oidc_login(client, oidc)
    client.post(
        reverse("socialaccount_signup"), {"name": "Anna Andersson", "email": "ny@norrsken.se"}
    )
    confirm = re.search(r"/konto/confirm-email/[^\s/]+/", mail.outbox[-1].body)
    assert confirm
    client.post(confirm.group(0))
    assert EmailAddress.objects.get(email="ny@norrsken.se").verified
    _oidc_login(client, oidc)
    user = SocialAccount.objects.get().user
    assert client.session[SESSION_KEY] == str(user.pk)
    response = client.post(reverse("organisations:invitation_accept", args=[invitation.token]))
    assert response.status_code == 302
    membership = OrganisationMembership.objects.get(user=user)
    assert (membership.organisation, membership.role) == (organisation, "editor")


def test_an_e_legitimation_linked_to_one_account_cannot_be_linked_to_another(saml: Any) -> None:
    owner = UserFactory()
    SocialAccount.objects.create(
        user=owner, provider="saml", uid=identity.person_key(ANNA.personnummer)
    )
    other = UserFactory()
    client = logged_in_by_password(other)
    client.defaults["HTTP_HOST"] = "127.0.0.1"
    request = start(client, "/konto/saml/sweden-connect/login/", process="connect")
    post_answer(client, request, answer(request, saml, person=ANNA))
    assert SocialAccount.objects.get().user == owner  # still the owner's only
    assert client.session[SESSION_KEY] == str(other.pk)  # and nobody became the owner


def test_linking_asks_for_the_password_again_when_it_was_not_typed_recently(
    saml: Any,
) -> None:
    person = UserFactory()
    client = browser()
    client.force_login(person)  # a session left open: no password typed in it
    request = start(client, "/konto/saml/sweden-connect/login/", process="connect")
    response = post_answer(client, request, answer(request, saml, person=KARIN))
    assert response.status_code == 302
    assert "/konto/reauthenticate/" in response["Location"]
    assert not SocialAccount.objects.exists()


def test_an_existing_account_links_e_legitimation_after_a_password_login(saml: Any) -> None:
    person = UserFactory(name="Karin Berg")
    client = logged_in_by_password(person)
    client.defaults["HTTP_HOST"] = "127.0.0.1"
    page = client.get(reverse("portal:eid_account")).content.decode()
    assert "Koppla BankID eller Freja eID" in page
    request = start(client, "/konto/saml/sweden-connect/login/", process="connect")
    response = post_answer(client, request, answer(request, saml, person=KARIN))
    assert response["Location"] == reverse("portal:eid_account")
    account = SocialAccount.objects.get(user=person)
    assert account.uid == identity.person_key(KARIN.personnummer)
    page = client.get(reverse("portal:eid_account")).content.decode()
    assert "Legitimerad som Karin Berg" in page
    assert KARIN.personnummer not in page


def test_officers_log_in_with_e_legitimation_when_the_setting_says_so(
    saml: Any, settings: Any
) -> None:
    settings.EID_FOR_OFFICERS = "also"
    officer = MembershipFactory().user
    give_totp(officer)
    client = logged_in(officer)
    response = client.get(reverse("portal:officer_home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:eid_required"))
    # an association's person is not asked
    member = OrganisationMembershipFactory().user
    assert logged_in(member).get(reverse("portal:dashboard")).status_code == 200


def test_an_officer_who_logged_in_with_e_legitimation_passes(saml: Any, settings: Any) -> None:
    settings.EID_FOR_OFFICERS = "instead"
    officer = MembershipFactory().user  # no authenticator app: e-legitimation instead
    SocialAccount.objects.create(
        user=officer, provider="saml", uid=identity.person_key(ANNA.personnummer)
    )
    client = browser()
    request = start(client)
    post_answer(client, request, answer(request, saml, person=ANNA))
    assert client.session[SESSION_KEY] == str(officer.pk)
    assert client.get(reverse("portal:officer_home")).status_code == 200


def test_without_the_setting_officers_keep_the_authenticator_app(saml: Any) -> None:
    officer = MembershipFactory().user
    response = logged_in(officer).get(reverse("portal:officer_home"))
    assert response["Location"] == reverse("mfa_activate_totp")


def test_removing_an_e_legitimation_asks_first_and_is_recorded(saml: Any) -> None:
    from portal.models import AuditEvent

    person = UserFactory()
    account = SocialAccount.objects.create(
        user=person, provider="saml", uid=identity.person_key(KARIN.personnummer)
    )
    client = logged_in_by_password(person)
    url = reverse("portal:eid_unlink", args=[account.pk])
    asked = client.post(url)
    assert asked.status_code == 200
    assert "Ta bort" in asked.content.decode()
    assert SocialAccount.objects.filter(pk=account.pk).exists()
    done = client.post(url, {"confirmed": "1"}, follow=True)
    assert not SocialAccount.objects.filter(pk=account.pk).exists()
    assert "borttagen från ditt konto" in done.content.decode()
    assert AuditEvent.objects.filter(action="eid_unlinked").exists()


def test_nobody_removes_another_persons_e_legitimation(saml: Any) -> None:
    owner = UserFactory()
    account = SocialAccount.objects.create(
        user=owner, provider="saml", uid=identity.person_key(KARIN.personnummer)
    )
    other = logged_in_by_password(UserFactory())
    url = reverse("portal:eid_unlink", args=[account.pk])
    assert other.post(url, {"confirmed": "1"}).status_code == 404
    assert SocialAccount.objects.filter(pk=account.pk).exists()


def test_an_answer_to_a_login_no_longer_waited_for_says_so(saml: Any) -> None:
    _user = UserFactory()
    client = browser()
    request = start(client)
    saml_response = answer(request, saml)
    post_answer(client, request, saml_response)
    # the back button at the identity provider, and "Legitimera" again: the same request
    again = post_answer(client, request, answer(request, saml))
    assert again.status_code == 403
    assert "har gått ut eller redan använts" in again.content.decode()


def test_a_second_persons_e_legitimation_is_not_linked_to_an_account(saml: Any) -> None:
    person = UserFactory()
    SocialAccount.objects.create(
        user=person, provider="saml", uid=identity.person_key(ANNA.personnummer)
    )
    client = logged_in_by_password(person)
    client.defaults["HTTP_HOST"] = "127.0.0.1"
    request = start(client, "/konto/saml/sweden-connect/login/", process="connect")
    response = post_answer(client, request, answer(request, saml, person=KARIN))
    assert response.status_code == 403
    assert SocialAccount.objects.filter(user=person).count() == 1


def test_a_session_left_open_asks_for_the_password_before_the_email_address_changes(
    saml: Any,
) -> None:
    person = UserFactory()
    client = logged_in(person)  # no password typed in this session
    response = client.post(reverse("account_email"), {"email": "ny@exempel.se", "action_add": ""})
    assert response.status_code == 302
    assert "/konto/reauthenticate/" in response["Location"]
    assert not EmailAddress.objects.filter(email="ny@exempel.se").exists()


def test_what_is_not_a_readable_answer_gets_a_page_not_a_crash(saml: Any) -> None:
    import base64

    client = browser()
    dtd = b'<!DOCTYPE x [<!ENTITY a "b">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&a;</samlp:Response>'
    for body in ["", "abc", base64.b64encode(dtd).decode()]:
        posted = client.post("/konto/saml/sweden-connect/acs/", {"SAMLResponse": body})
        assert "httponly" in str(posted.cookies.get("saml-acs-session", "")).lower()
        response = client.get(posted["Location"])
        assert response.status_code in (400, 401, 403), body
        assert SESSION_KEY not in client.session
    for query in ({"SAMLRequest": "abc"}, {"SAMLRequest": ""}, {}):
        assert client.get("/konto/saml/sweden-connect/sls/", query).status_code == 404


def test_single_logout_is_not_offered(saml: Any) -> None:
    import base64

    person = UserFactory()
    client = logged_in(person)
    response = base64.b64encode(
        b'<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="x" '
        b'Version="2.0" IssueInstant="2026-12-01T10:00:00Z"><samlp:Status><samlp:StatusCode '
        b'Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>'
        b"</samlp:LogoutResponse>"
    ).decode()
    answer_ = client.get("/konto/saml/sweden-connect/sls/", {"SAMLResponse": response})
    assert answer_.status_code == 404
    assert client.session[SESSION_KEY] == str(person.pk)  # still logged in
