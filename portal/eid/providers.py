"""allauth's SAML and OpenID Connect providers under the portal's rules.

Both read the same few things from what the identity provider asserted (`Assertion`): who
(the keyed hash of the personnummer, `identity.person_key`), the name, the level of assurance
and when the person authenticated. The personnummer itself goes no further than this module:
neither the account's uid nor its stored data ever hold it, and no email address a provider
asserts is used at all (an address is the login of an existing account, and a provider's word
for it must never open that account).

Asked to (`action=reauthenticate`, when a person signs) both ask the provider for a fresh
authentication: SAML ForceAuthn, OpenID Connect `prompt=login` with `max_age=0`. Both ask for
the levels of assurance the portal accepts; what comes back is checked all the same
(`adapter`)."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.providers.base.constants import AuthAction
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.saml.provider import SAMLProvider
from allauth.socialaccount.providers.saml.utils import build_saml_config, prepare_django_request
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.translation import gettext as _
from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.utils import OneLogin_Saml2_Utils
from onelogin.saml2.xml_utils import OneLogin_Saml2_XML

from portal.eid import identity
from portal.eid.pages import refused

# The default allowed clock difference between the portal and an identity provider, as
# python3-saml allows it for SAML (NotBefore, NotOnOrAfter); the same for OpenID Connect.
CLOCK_SKEW = OneLogin_Saml2_Constants.ALLOWED_CLOCK_DRIFT


@dataclass(frozen=True)
class Assertion:
    """What one answer of an identity provider said, without the number."""

    provider: str
    uid: str  # identity.person_key / subject_key; "" when the answer named nobody usable
    name: str
    given_name: str
    family_name: str
    loa: str
    asserted_at: dt.datetime  # when the person authenticated (AuthnInstant, auth_time)
    once: str  # a hash of the answer's own identifier: accepted once
    valid_seconds: int  # how long the answer itself is valid (for remembering `once`)

    def extra_data(self) -> dict[str, Any]:
        """What the portal keeps with the person's e-legitimation (SocialAccount.extra_data)."""
        return {
            "name": self.name,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "loa": self.loa,
            "asserted_at": self.asserted_at.isoformat(),
        }


def _display_name(given: str, family: str, display: str) -> str:
    return display or " ".join(part for part in (given, family) if part)


class _Asserting:
    """What both providers do with an answer: the login carries the `Assertion` for the adapter,
    and the account keeps only what `Assertion.extra_data` says."""

    def _assertion(self, response: Any) -> Assertion:
        raise NotImplementedError

    def unstash_redirect_state(self, request: HttpRequest, state_id: Any) -> Any:
        """The answer to a request this browser no longer waits for (the back button at the
        identity provider, an answer sent twice): a page that says so, not a bare 403."""
        try:
            return super().unstash_redirect_state(request, state_id)  # type: ignore[misc]
        except PermissionDenied:
            raise ImmediateHttpResponse(
                refused(
                    request,
                    _(
                        "This login has expired or has already been used. Nothing was changed: "
                        "start again."
                    ),
                )
            ) from None

    def extract_uid(self, data: Any) -> str:
        raise NotImplementedError

    def sociallogin_from_response(self, request: HttpRequest, response: Any) -> Any:
        if not self.extract_uid(response):
            # no personnummer the portal can check (a wrong check digit or date, 10 digits) and
            # no pairwise subject: nobody to recognise
            raise ImmediateHttpResponse(
                refused(
                    request,
                    _(
                        "The identity provider did not give a personal identity number the "
                        "portal can use. Nothing was changed."
                    ),
                )
            )
        login = super().sociallogin_from_response(request, response)  # type: ignore[misc]
        login.eid_assertion = self._assertion(response)
        login.account.extra_data = login.eid_assertion.extra_data()
        return login


class SwedenConnectSAMLProvider(_Asserting, SAMLProvider):
    """Sweden Connect (or any SAML IdP of its technical framework) for allauth's SAML views."""

    package = "allauth.socialaccount.providers.saml"

    def build_auth(self, request: HttpRequest) -> OneLogin_Saml2_Auth:
        config = build_saml_config(request, self.app.settings, self.app.client_id)
        config["security"]["requestedAuthnContext"] = list(settings.EID_ACCEPTED_LOA)
        config["security"]["requestedAuthnContextComparison"] = "exact"
        return OneLogin_Saml2_Auth(prepare_django_request_safely(request), config)

    def redirect(
        self,
        request: HttpRequest,
        process: str,
        next_url: str | None = None,
        data: Any = None,
        **kwargs: Any,
    ) -> HttpResponseRedirect:
        try:
            auth = self.build_auth(request)  # reads the IdP's metadata (kept an hour)
        except OSError:
            raise ImmediateHttpResponse(
                refused(
                    request,
                    _(
                        "The identity provider does not answer just now. Try again in a while, "
                        "or log in with your password."
                    ),
                    status=503,
                )
            ) from None
        fresh = kwargs.get("action") == AuthAction.REAUTHENTICATE
        url = auth.login(return_to="", force_authn=fresh)
        kwargs.setdefault("started_at", time.time())
        self.stash_redirect_state(
            request, process, next_url, data, state_id=auth.get_last_request_id(), **kwargs
        )
        return HttpResponseRedirect(url)

    def _assertion(self, auth: OneLogin_Saml2_Auth) -> Assertion:
        attributes = self._extract(auth)
        given = attributes.get("givenName", "")
        family = attributes.get("sn", "")
        contexts = auth.get_last_authn_contexts()
        issued = auth.get_last_assertion_issue_instant() or int(time.time())
        expires = auth.get_last_assertion_not_on_or_after() or issued + 300
        return Assertion(
            provider=self.sub_id,
            uid=self.extract_uid(auth),
            name=_display_name(given, family, attributes.get("displayName", "")),
            given_name=given,
            family_name=family,
            loa=contexts[0] if len(contexts) == 1 else "",
            asserted_at=dt.datetime.fromtimestamp(_authn_instant(auth) or issued, tz=dt.UTC),
            once=identity.opaque(f"saml:{auth.get_last_assertion_id()}"),
            valid_seconds=max(0, int(expires - time.time())) + CLOCK_SKEW,
        )

    def extract_uid(self, data: Any) -> str:
        number = self._extract(data).get("personalIdentityNumber")
        if number:
            try:
                return identity.person_key(number)
            except identity.NotAPersonnummer:
                return ""
        if data.get_nameid_format() == OneLogin_Saml2_Constants.NAMEID_PERSISTENT:
            issuer = self.app.settings["idp"]["entity_id"]
            return identity.subject_key(issuer, data.get_nameid())
        return ""

    def extract_extra_data(self, data: Any) -> dict[str, Any]:
        return {}  # replaced by Assertion.extra_data(): never the raw attributes

    def extract_common_fields(self, data: Any) -> dict[str, Any]:
        attributes = self._extract(data)
        return _common_fields(
            attributes.get("givenName", ""),
            attributes.get("sn", ""),
            attributes.get("displayName", ""),
        )


def prepare_django_request_safely(request: HttpRequest) -> dict[str, Any]:
    """allauth's request data for python3-saml, also for a request without a Host header (the
    host Django checked against ALLOWED_HOSTS)."""
    request.META.setdefault("HTTP_HOST", request.get_host())
    return prepare_django_request(request)


def _authn_instant(auth: OneLogin_Saml2_Auth) -> int | None:
    """The AuthnInstant of the assertion python3-saml validated (it does not read it itself)."""
    xml = auth.get_last_response_xml()
    assertion_id = auth.get_last_assertion_id()
    if not xml or not assertion_id:
        return None
    document = OneLogin_Saml2_XML.to_etree(xml)
    found = OneLogin_Saml2_XML.query(
        document, f'//saml:Assertion[@ID="{assertion_id}"]/saml:AuthnStatement/@AuthnInstant'
    )
    if len(found) != 1:
        return None
    return int(OneLogin_Saml2_Utils.parse_SAML_to_time(str(found[0])))


def _common_fields(given: str, family: str, display: str) -> dict[str, Any]:
    # no "email": see the module's docstring
    return {"first_name": given, "last_name": family, "name": _display_name(given, family, display)}


class SwedishOIDCProvider(_Asserting, OpenIDConnectProvider):
    """An OpenID Connect broker of Swedish e-legitimation (Sweden Connect's OIDC profile)."""

    package = "allauth.socialaccount.providers.openid_connect"

    def _claims(self, data: dict[str, Any]) -> dict[str, Any]:
        names = self.app.settings["claims"]
        merged = {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}
        return {key: merged.get(claim) or "" for key, claim in names.items()}

    def get_auth_params_from_request(self, request: HttpRequest, action: str) -> dict[str, Any]:
        # Never what the address asks for (`?auth_params=prompt%3Dnone…`): only the portal's.
        return self._auth_params(fresh=False)

    def get_scope_from_request(self, request: HttpRequest) -> list[str]:
        return self.get_scope()

    def _auth_params(self, *, fresh: bool) -> dict[str, Any]:
        params = {**self.get_auth_params(), "acr_values": " ".join(settings.EID_ACCEPTED_LOA)}
        if fresh:
            params.update(prompt="login", max_age="0")
        return params

    def redirect(
        self,
        request: HttpRequest,
        process: str,
        next_url: str | None = None,
        data: Any = None,
        **kwargs: Any,
    ) -> Any:
        kwargs["auth_params"] = self._auth_params(
            fresh=kwargs.get("action") == AuthAction.REAUTHENTICATE
        )
        kwargs.setdefault("started_at", time.time())
        return super().redirect(request, process, next_url, data, **kwargs)

    def _assertion(self, data: dict[str, Any]) -> Assertion:
        claims = self._claims(data)
        token = data.get("id_token") or {}
        now = time.time()
        asserted = token.get("auth_time") or token.get("iat") or now
        expires = token.get("exp") or now + 300
        once = token.get("jti") or f"{token.get('sub')}:{token.get('iat')}:{token.get('nonce')}"
        return Assertion(
            provider=self.sub_id,
            uid=self.extract_uid(data),
            name=_display_name(claims["givenName"], claims["sn"], claims["displayName"]),
            given_name=claims["givenName"],
            family_name=claims["sn"],
            loa=str(token.get("acr") or ""),
            asserted_at=dt.datetime.fromtimestamp(float(asserted), tz=dt.UTC),
            once=identity.opaque(f"oidc:{self.sub_id}:{once}"),
            valid_seconds=max(0, int(float(expires) - now)) + CLOCK_SKEW,
        )

    def extract_uid(self, data: dict[str, Any]) -> str:
        number = self._claims(data)["personalIdentityNumber"]
        if number:
            try:
                return identity.person_key(number)
            except identity.NotAPersonnummer:
                return ""
        token = data.get("id_token") or {}
        subject = token.get("sub") or (data.get("userinfo") or {}).get("sub")
        return identity.subject_key(self.app.settings["server_url"], subject) if subject else ""

    def extract_extra_data(self, data: dict[str, Any]) -> dict[str, Any]:
        return {}

    def extract_common_fields(self, data: dict[str, Any]) -> dict[str, Any]:
        claims = self._claims(data)
        return _common_fields(claims["givenName"], claims["sn"], claims["displayName"])

    def extract_email_addresses(self, data: dict[str, Any]) -> list[Any]:
        return []


PROVIDERS = (SwedenConnectSAMLProvider, SwedishOIDCProvider)
