"""Who may open which page: anonymous visitors, people without a role, officers without MFA."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from portal.models import User
from tests.helpers.clients import logged_in, logged_in_by_password
from tests.helpers.urls import iter_routes

pytestmark = pytest.mark.django_db

# The only pages an anonymous visitor may open. A new public page must be added here on
# purpose; every other URL must send the visitor to the login page.
PUBLIC_URL_NAMES = {
    "portal:home",
    "portal:accessibility",
    "portal:personal_data",
    "portal:account_erased",
    "portal:logo",  # the municipality's logo in every header; 404 without one
    "healthz",
    "readyz",  # may this node take traffic: probed by the load balancer
    "set_language",
    "organisations:directory",
    "organisations:directory_detail",
    "grants:calls",
    "grants:call",
    "grants:open_data",
    "grants:open_data_json",
    "grants:open_data_csv",
    "agreements:register",
    "insights:public",
    "insights:public_export",  # the public page's tables, small groups hidden
    "agreements:version_pdf",  # only a PDF the officer made public; 404 otherwise (tested)
    "dialogue:hub",
    "dialogue:compacts",
    "dialogue:compact",  # an adopted compact or one open for comments; a draft is 404 (tested)
    "dialogue:forums",
    "dialogue:forum",  # its member organisations (no persons), meetings and published minutes
    "dialogue:forum_calendar",
    "dialogue:consultations",
    "dialogue:consultation",  # a published consultation; a draft is 404 (tested)
    "dialogue:consultation_document",  # of a published consultation only (tested)
    "dialogue:response_file",  # of a public response after the last day only (tested)
    # allauth's entrance pages
    "account_login",
    "account_signup",
    "account_confirm_email",
    "account_email_verification_sent",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_inactive",
    "account_logout",
    "account_confirm_login_code",
    "mfa_authenticate",
    "mfa_reauthenticate",
    # e-legitimation's entrance pages (allauth's social accounts): a provider's answer comes
    # back to them before anyone is logged in
    "socialaccount_login_cancelled",
    "socialaccount_login_error",
    "socialaccount_signup",
    "saml_acs",
    "saml_finish_acs",
    "saml_sls",
    "saml_metadata",
    "saml_login",
    "openid_connect_login",
    "openid_connect_callback",
    "portal:eid_saml_acs",
    "portal:eid_saml_finish_acs",
    "portal:eid_saml_sls",
    "portal:eid_oidc_callback",
    # Django admin's login, which hands over to allauth's
    "admin:login",
}


def test_every_url_but_the_public_ones_sends_an_anonymous_visitor_to_login() -> None:
    client = Client()
    login = reverse("account_login")
    admin_login = reverse("admin:login")
    checked = 0
    for route in iter_routes():
        if route.name in PUBLIC_URL_NAMES:
            continue
        response = client.get(route.path)
        assert response.status_code == 302, (route.name, route.path, response.status_code)
        # The admin sends to its own login page, which hands over to allauth's (tested below).
        assert response.url.startswith((f"{login}?next=", f"{admin_login}?next=")), (
            route.name,
            route.path,
            response.url,
        )
        checked += 1
    assert checked > 20  # the walk really found the portal's and the admin's pages


def test_the_public_list_names_only_real_urls() -> None:
    names = {route.name for route in iter_routes()}
    assert names >= PUBLIC_URL_NAMES


@pytest.mark.parametrize(
    "name", ["portal:home", "portal:accessibility", "portal:personal_data", "healthz", "readyz"]
)
def test_public_pages_open_without_login(name: str) -> None:
    assert Client().get(reverse(name)).status_code == 200


def test_admin_login_goes_through_allauth() -> None:
    response = Client().get(reverse("admin:login"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def _officer_routes() -> list[str]:
    """Every page behind login, apart from allauth's own account pages."""
    return [
        route.path
        for route in iter_routes()
        if route.name not in PUBLIC_URL_NAMES and not route.module.startswith("allauth.")
    ]


def test_officer_without_mfa_is_sent_to_mfa_setup_from_every_page(
    officer_without_mfa: User,
) -> None:
    client = logged_in(officer_without_mfa)
    setup = reverse("mfa_activate_totp")
    paths = _officer_routes()
    assert reverse("portal:officer_home") in paths
    for path in paths:
        response = client.get(path)
        assert response.status_code == 302, (path, response.status_code)
        assert response.url.startswith(setup), (path, response.url)


def test_officer_without_mfa_can_still_reach_mfa_setup_and_log_out(
    officer_without_mfa: User,
) -> None:
    client = logged_in_by_password(officer_without_mfa)
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    assert "Aktivera autentiseringsapp" in page.content.decode()
    assert client.post(reverse("account_logout")).status_code == 302


def test_staff_without_mfa_cannot_open_the_admin(db: None) -> None:
    from tests.portal.factories import UserFactory

    admin_user = UserFactory(is_staff=True, is_superuser=True)
    response = logged_in(admin_user).get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_activate_totp"))


def test_officer_with_mfa_opens_case_handling(officer: User) -> None:
    response = logged_in(officer).get(reverse("portal:officer_home"))
    assert response.status_code == 200
    membership = officer.public_body_memberships.get()
    assert membership.public_body.name in response.content.decode()


def test_an_officers_page_checks_the_second_factor_with_their_roles_not_a_query_of_its_own(
    officer: User,
) -> None:
    from tests.helpers.queries import count_queries, sql_of

    client = logged_in(officer)
    with count_queries() as queries:
        assert client.get(reverse("portal:officer_home")).status_code == 200
    asked = [sql for sql in sql_of(queries) if "mfa_authenticator" in sql]
    # the officer's roles say whether they have an authenticator app, in the same query
    assert asked and all("portal_publicbodymembership" in sql for sql in asked), asked


def test_person_without_a_role_needs_no_mfa_but_is_refused_case_handling(member: User) -> None:
    client = logged_in(member)
    assert client.get(reverse("portal:dashboard")).status_code == 200
    response = client.get(reverse("portal:officer_home"))
    assert response.status_code == 403
    assert "Åtkomst nekad" in response.content.decode()


def test_person_without_a_role_is_refused_the_admin(member: User) -> None:
    response = logged_in(member).get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_totp_activation_through_allauth_lifts_the_redirect(officer_without_mfa: User) -> None:
    import time

    from allauth.mfa.totp.internal.auth import hotp_value

    client = logged_in_by_password(officer_without_mfa)
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    code = hotp_value(secret, int(time.time()) // 30)
    response = client.post(reverse("mfa_activate_totp"), {"code": f"{code:06d}"})
    assert response.status_code == 302
    assert client.get(reverse("portal:officer_home")).status_code == 200


@pytest.mark.parametrize(("steps", "accepted"), [(-1, True), (1, True), (-2, False)])
def test_a_code_from_the_next_or_previous_30_seconds_is_accepted_but_not_older(
    db: None, steps: int, accepted: bool
) -> None:
    import time

    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value

    from tests.portal.factories import UserFactory, give_totp

    user = UserFactory()
    secret = generate_totp_secret()
    totp = TOTP(give_totp(user, secret))
    code = f"{hotp_value(secret, int(time.time()) // 30 + steps):06d}"
    assert totp.validate_code(code) is accepted
    if accepted:
        assert totp.validate_code(code) is False  # once only


def test_an_id_too_large_for_the_database_is_no_page_not_a_crash(officer: User) -> None:
    """Every id in a URL is `<id:…>`: a number that cannot be a row is a 404 before any query
    (SQLite and PostgreSQL both fail on integers beyond 64 bits)."""
    client = logged_in(officer)
    huge = "9" * 20
    routes = [r for r in iter_routes({"id": huge}) if huge in r.path]
    assert len(routes) > 30
    for route in routes:
        response = client.get(route.path)
        assert response.status_code == 404, (route.name, route.path, response.status_code)
    # The same page with an id that fits answers as usual (here: not found, or refused).
    organisation_page = reverse("organisations:detail", args=[1])
    assert client.get(organisation_page).status_code == 404
    assert client.get(organisation_page.replace("/1/", f"/{huge}/")).status_code == 404
