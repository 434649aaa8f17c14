"""django-allauth under the portal's rules: email (`portal.emails`), what counts as a recent
authentication, and where a person goes after setting up two-factor authentication."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context
from django.conf import settings
from django.core.mail import EmailMessage
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from portal.emails import defang_message, site_url
from portal.models import User


class AccountAdapter(DefaultAccountAdapter):
    """allauth's account emails (confirmation, password reset, email changed…) go out with
    every address typed by a user defanged, subject included, like the portal's own emails."""

    def render_mail(
        self,
        template_prefix: str,
        email: str | list[str],
        context: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> EmailMessage:
        """allauth builds its links (password reset, confirmation) on the address the request
        came to: any name ALLOWED_HOSTS lets through, a node's own among them. They are read
        as SITE_URL's, so a link sent by email always leads to the portal itself, never to a
        name someone wrote in a request's Host."""
        request = getattr(self, "request", None)
        if request is not None:
            own = site_url() + "/"
            # over either scheme: allauth may write https for a request that came over http
            roots = tuple(f"{scheme}://{request.get_host()}/" for scheme in ("https", "http"))
            context = {key: _on_site(value, roots, own) for key, value in context.items()}
        if "current_site" in context:
            # allauth's texts name the site by the request's host too ("an account on ...")
            name = urlsplit(site_url()).netloc
            context["current_site"] = SimpleNamespace(domain=name, name=name)
        message = super().render_mail(template_prefix, email, context, headers)
        return defang_message(message)

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        """The account's count of failed logins, one per installation. allauth keys it by the
        request's host, so that a node reached under another name (its own address, `web`,
        `localhost`) started a count of its own, and five more guesses, for each name."""
        login = credentials.get("email", credentials.get("username", "")).lower()
        return f"portal:{login}"

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """allauth asks for the password again before account changes (setting up or removing
        a second factor, new recovery codes, a new email address, linking or removing an
        e-legitimation). A password typed, or an e-legitimation used, to log in within
        ACCOUNT_REAUTHENTICATION_TIMEOUT counts as that: an officer who has just logged in is
        not asked for it a second time on the way to setting up the authenticator app.
        Signing asks for a fresh code from the app, or a fresh e-legitimation, whatever this
        says (`portal.second_factor.confirm`)."""
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        request = self.request or context.request
        return request is None or not logged_in_by_password_recently(request)


def _on_site(value: Any, roots: tuple[str, ...], own: str) -> Any:
    """`value` with an address on one of `roots` moved to `own` (SITE_URL's root)."""
    if isinstance(value, str):
        for root in roots:
            if value.startswith(root):
                return own + value[len(root) :]
    return value


def logged_in_by_password_recently(request: HttpRequest) -> bool:
    """Whether the person typed their password in this session (to log in or to confirm
    access), or logged in with their e-legitimation, within allauth's reauthentication
    timeout."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    typed = [
        record["at"]
        for record in get_authentication_records(request, user)
        if record.get("method") in {"password", "socialaccount"}
        and isinstance(record.get("at"), int | float)
    ]
    return bool(typed) and time.time() - max(typed) < account_settings.REAUTHENTICATION_TIMEOUT


# Where a person was going when the portal sent them to set up two-factor authentication; the
# recovery codes page's "continue" takes them there (`portal.views.mfa_continue`).
MFA_DESTINATION_SESSION_KEY = "portal_mfa_destination"


def remember_mfa_destination(request: HttpRequest) -> None:
    match = request.resolver_match
    if request.method == "GET" and not (match and match.view_name == "portal:mfa_continue"):
        request.session[MFA_DESTINATION_SESSION_KEY] = request.get_full_path()


def take_mfa_destination(request: HttpRequest) -> str:
    """The page remembered above (once), or My overview; never an address elsewhere."""
    destination = request.session.pop(MFA_DESTINATION_SESSION_KEY, "")
    if isinstance(destination, str) and url_has_allowed_host_and_scheme(
        destination, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return destination
    return reverse(settings.LOGIN_REDIRECT_URL)


def user_display(user: User) -> str:
    """How allauth names a person in its pages and emails: by the email address, never by the
    name they typed themselves (a sign-up email would otherwise carry a stranger's text to the
    address they gave)."""
    return user.email
