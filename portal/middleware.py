"""Officers, decision makers and administrators set up two-factor authentication before any
page beyond the public ones and the account pages opens; every response says which browser
features the portal does not use (Permissions-Policy); the portal's own address is read one way
(CanonicalHostMiddleware); a person streams only so many private files at once
(DownloadLimitMiddleware)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.request import split_domain_port
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from portal import downloads, selectors
from portal.adapters import remember_mfa_destination
from portal.eid import config as eid_config
from portal.eid.adapter import session_used_eid
from portal.http import StoredFileResponse

# The account pages (log out, change password, set up MFA itself) stay reachable.
EXEMPT_MODULE_PREFIXES = ("allauth.",)


class RequireMFAMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        # Public views first, without touching the session: /healthz must answer even when the
        # database is down.
        if not getattr(view_func, "login_required", True):
            return None
        module = getattr(view_func, "__module__", "") or ""
        if module.startswith(EXEMPT_MODULE_PREFIXES):
            return None
        user = request.user
        if not user.is_authenticated:
            return None
        if not selectors.user_requires_mfa(user=user):
            return None
        policy = settings.EID_FOR_OFFICERS
        if (
            policy != eid_config.OFFICERS_TOTP
            and not _is_eid_page(request)
            and not session_used_eid(request)
        ):
            # Under EID_FOR_OFFICERS the session itself must have begun (or been confirmed)
            # with e-legitimation; the page offers it, and then the page asked for.
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('portal:eid_required')}?{query}")
        if policy != eid_config.OFFICERS_INSTEAD and not selectors.user_has_mfa(user=user):
            messages.warning(
                request,
                _("Your role requires two-factor authentication. Set it up to continue."),
            )
            # After activation allauth shows the new recovery codes, which must be saved first;
            # their page's "continue" leads to the page asked for here.
            remember_mfa_destination(request)
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return None


# The pages of e-legitimation itself, which the rule for officers leads to and through.
EID_PAGES = frozenset(
    {
        "portal:eid_required",
        "portal:eid_account",
        "portal:eid_sign_finish",
        "portal:eid_saml_acs",
        "portal:eid_saml_finish_acs",
        "portal:eid_saml_sls",
        "portal:eid_oidc_callback",
    }
)


def _is_eid_page(request: HttpRequest) -> bool:
    match = request.resolver_match
    return bool(match and match.view_name in EID_PAGES)


class PermissionsPolicyMiddleware:
    """Adds `settings.PERMISSIONS_POLICY` as the Permissions-Policy header of every response
    (pages, errors, files), unless a view set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        return response


class CanonicalHostMiddleware:
    """The portal's own address, read one way. A client may write the Host of the same portal as
    `samverkan.exempel.se`, `samverkan.exempel.se.` or `samverkan.exempel.se:1`; the proxy
    answers them all, and Django lets any port through. What is keyed by the host must not take
    them for different portals: allauth's lockout of an account after five wrong passwords
    started afresh with each new port (a hostile tester's finding), and every spelling was a
    public page kept anew. So a Host that names SITE_URL's host is read as SITE_URL's (name and
    port); any other name is left for ALLOWED_HOSTS to judge. First in MIDDLEWARE."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        site = urlsplit(str(settings.SITE_URL))
        host = request.META.get("HTTP_HOST", "")
        if host and site.hostname and host != site.netloc:
            name, _port = split_domain_port(host)  # lower case, no trailing dot
            if name == site.hostname.lower():
                request.META["HTTP_HOST"] = site.netloc
        return self.get_response(request)


class DownloadLimitMiddleware:
    """Every private file leaves the portal as a StoredFileResponse, whichever view checked who
    may have it: here, in one place, the download takes one of this process's download threads
    and one of the person's slots (portal.downloads), and gives both back when the response is
    closed. Without them the file is not sent (its stream from the storage is closed at once)
    and the person is told why: 503 while the process is busy sending files, 429 while the
    person has as many downloads under way as they may."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            not isinstance(response, StoredFileResponse)
            or user is None
            or not user.is_authenticated
        ):
            return response
        if not downloads.take_stream():
            self._discard(response)
            return self._refused(request, busy=True)
        slot = downloads.take(user.pk)
        if slot is None:
            self._discard(response)
            downloads.give_back_stream()
            return self._refused(request, busy=False)
        response._resource_closers.extend([slot.give_back, downloads.give_back_stream])
        return response

    def _discard(self, response: StoredFileResponse) -> None:
        """Close the file the response holds open from the storage. Not response.close(),
        which also ends the request (request_finished) and with it the database connection
        that the refusal's page still reads through."""
        closers: list[Callable[[], object]] = getattr(response, "_resource_closers", [])
        for closer in closers:
            closer()
        closers.clear()

    def _refused(self, request: HttpRequest, *, busy: bool) -> HttpResponse:
        refused = render(
            request,
            "portal/too_many_downloads.html",
            {"limit": settings.DOWNLOADS_PER_PERSON, "busy": busy},
            status=503 if busy else 429,
        )
        refused["Retry-After"] = "30" if busy else "60"
        return refused
