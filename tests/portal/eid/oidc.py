"""An OpenID Connect provider of Swedish e-legitimation as the portal's HTTP calls see it: its
discovery document, token endpoint and userinfo, answered in-process (allauth's requests
session is replaced), with ID tokens the test shapes (level of assurance, auth_time, jti)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
from django.test import Client

ISSUER = "https://eid.exempel.se"
CLIENT_ID = "samverkansportalen"
PNR_CLAIM = "https://id.oidc.se/claim/personalIdentityNumber"
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"
LOA2 = "http://id.elegnamnden.se/loa/1.0/loa2"


def app_settings() -> dict[str, Any]:
    from portal.eid.config import OIDC_CLAIMS, OIDC_PROVIDER_ID

    return {
        "provider_id": OIDC_PROVIDER_ID,
        "name": "BankID eller Freja eID",
        "client_id": CLIENT_ID,
        "secret": "hemligt",
        "settings": {
            "server_url": ISSUER,
            "claims": dict(OIDC_CLAIMS),
            "scope": ["openid", "profile"],
            "oauth_pkce_enabled": True,
        },
    }


class _Response:
    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data
        self.status_code = 200
        self.text = ""
        self.content = b""
        self.headers = {"content-type": "application/json"}

    def json(self) -> dict[str, Any]:
        return self._data

    def raise_for_status(self) -> None:
        return None


@dataclass
class FakeProvider:
    """What the provider answers next: the person, the level of assurance, when they
    authenticated. `codes` are the authorization codes it has issued, each redeemable once."""

    personnummer: str = "199908072391"
    given_name: str = "Anna"
    family_name: str = "Andersson"
    email: str = ""
    acr: str = LOA3
    auth_time: float | None = None
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    redeemed: list[str] = field(default_factory=list)

    def __enter__(self) -> FakeProvider:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def get(self, url: str, **kwargs: Any) -> _Response:
        if url.endswith("/.well-known/openid-configuration"):
            return _Response(
                {
                    "issuer": ISSUER,
                    "authorization_endpoint": f"{ISSUER}/authorize",
                    "token_endpoint": f"{ISSUER}/token",
                    "userinfo_endpoint": f"{ISSUER}/userinfo",
                    "jwks_uri": f"{ISSUER}/jwks",
                    "token_endpoint_auth_methods_supported": ["client_secret_post"],
                }
            )
        if url == f"{ISSUER}/userinfo":
            info: dict[str, Any] = {
                "sub": f"pairwise-{self.personnummer[-4:]}",
                PNR_CLAIM: self.personnummer,
                "given_name": self.given_name,
                "family_name": self.family_name,
                "name": f"{self.given_name} {self.family_name}",
            }
            if self.email:
                info.update(email=self.email, email_verified=True)
            return _Response(info)
        raise AssertionError(f"unexpected GET {url}")

    def request(self, method: str, url: str, **kwargs: Any) -> _Response:
        assert url == f"{ISSUER}/token", url
        code = (kwargs.get("data") or {}).get("code")
        if code in self.redeemed or code not in self.codes:
            response = _Response({"error": "invalid_grant"})
            response.status_code = 400
            return response
        self.redeemed.append(code)
        now = time.time()
        claims = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "sub": f"pairwise-{self.personnummer[-4:]}",
            "iat": int(now),
            "exp": int(now) + 300,
            "auth_time": int(self.auth_time if self.auth_time is not None else now),
            "acr": self.acr,
            "jti": uuid.uuid4().hex,
        }
        token = jwt.encode(
            claims, "the-signature-is-not-checked-on-a-tls-token-call", algorithm="HS256"
        )
        return _Response({"access_token": "at-" + code, "token_type": "Bearer", "id_token": token})

    def post(self, url: str, **kwargs: Any) -> _Response:
        return self.request("POST", url, **kwargs)

    def authorize(self, client: Client, location: str) -> str:
        """The person authenticates at the provider: the callback address with a new code."""
        query = parse_qs(urlparse(location).query)
        code = uuid.uuid4().hex
        self.codes[code] = {"query": query}
        callback = query["redirect_uri"][0]
        path = urlparse(callback).path
        return f"{path}?code={code}&state={query['state'][0]}"


def authorize_params(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}
