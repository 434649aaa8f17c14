"""The portal's own address is read one way, whatever port or trailing dot a client writes in
its Host (portal.middleware.CanonicalHostMiddleware): nothing keyed by the host can be made to
start afresh by writing it differently."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.portal.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SITE = "samverkan.exempel.se"


@pytest.fixture(autouse=True)
def _site(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SITE_URL = f"https://{SITE}"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, SITE]


def log_in(host: str, email: str, password: str) -> str:
    response = Client(HTTP_HOST=host).post(
        reverse("account_login"), {"login": email, "password": password}, follow=True
    )
    return response.content.decode()


def test_a_new_port_in_the_host_does_not_start_the_account_lockout_afresh() -> None:
    person = UserFactory(email="kassor@forening.se")
    for host in (f"{SITE}:1", f"{SITE}:2", f"{SITE}.", f"{SITE.upper()}:99999", f"{SITE}:0001"):
        assert "Too many failed" not in log_in(host, person.email, "fel-lösenord-1234")
    # the sixth try, right password, under yet another spelling: still locked out
    page = log_in(f"{SITE}:4", person.email, PASSWORD)
    assert "Too many failed" in page or "För många misslyckade" in page


def test_the_portal_name_is_read_as_site_url_and_other_names_are_left_alone() -> None:
    seen: list[str] = []
    from portal.middleware import CanonicalHostMiddleware

    def view(request):  # type: ignore[no-untyped-def]
        seen.append(request.get_host())
        from django.http import HttpResponse

        return HttpResponse()

    from django.test import RequestFactory

    middleware = CanonicalHostMiddleware(view)
    for host in (f"{SITE}:8443", f"{SITE}.", SITE, "testserver:81"):
        middleware(RequestFactory().get("/", HTTP_HOST=host))
    assert seen == [SITE, SITE, SITE, "testserver:81"]


def test_another_name_of_the_portal_does_not_start_the_account_lockout_afresh() -> None:
    """A web node answers to its own names too (its address, `web`, `localhost`): each is in
    ALLOWED_HOSTS, and none may give an account five more guesses."""
    person = UserFactory(email="kassor@forening.se")
    for host in ("testserver", "testserver:81", "testserver:82", SITE, "testserver:83"):
        assert "Too many failed" not in log_in(host, person.email, "fel-lösenord-1234")
    page = log_in("testserver:84", person.email, PASSWORD)
    assert "Too many failed" in page or "För många misslyckade" in page


def test_a_password_reset_link_leads_to_site_url_whatever_host_asked_for_it(mailoutbox) -> None:  # type: ignore[no-untyped-def]
    person = UserFactory(email="kassor@forening.se")
    client = Client(HTTP_HOST="testserver:6666")
    response = client.post(reverse("account_reset_password"), {"email": person.email})
    assert response.status_code == 302
    body = mailoutbox[-1].body
    assert f"https://{SITE}/konto/password/reset/key/" in body
    assert "testserver" not in body


def account_email(template: str, **context: object) -> str:
    """allauth's email `template` as the portal renders it for a request that named the Host
    testserver:2 (over http), with allauth's own idea of the site: that Host."""
    from portal.adapters import AccountAdapter

    adapter = AccountAdapter(request=None)
    adapter.request = RequestFactory().get("/", HTTP_HOST="testserver:2")
    message = adapter.render_mail(
        template,
        "kassor@forening.se",
        {
            "current_site": SimpleNamespace(domain="testserver:2", name="testserver:2"),
            "user": UserFactory(email="kassor@forening.se"),
            **context,
        },
    )
    return str(message.body)


def test_a_confirmation_email_names_the_portal_not_the_host_it_was_asked_on() -> None:
    body = account_email(
        "account/email/email_confirmation_signup",
        activate_url="http://testserver:2/konto/confirm-email/abc/",
        key="abc",
        code="ABC123",
    )
    assert "testserver" not in body
    # the account is on the portal, by its own name (as text, not a link: defanged)
    assert "på samverkan[.]exempel[.]se" in body


def test_a_link_allauth_writes_with_https_for_a_plain_request_is_moved_too() -> None:
    body = account_email(
        "account/email/password_reset_key",
        password_reset_url="https://testserver:2/konto/password/reset/key/x-y/",
    )
    assert f"https://{SITE}/konto/password/reset/key/x-y/" in body
    assert "testserver" not in body
