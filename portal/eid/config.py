"""E-legitimation from the environment: which identity providers the portal trusts, how their
attributes are named, the level of assurance it requires and the key that turns a personnummer
into the hash the portal keeps. `settings.py` calls `load(env, development=...)`; the README
("E-legitimation") lists every variable.

With neither provider configured the portal has no e-legitimation at all and behaves as with
email, password and an authenticator app only."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

# Sweden Connect's levels of assurance (Tillitsramverket för Svensk e-legitimation); BankID
# and Freja eID+ are issued at 3.
LOA2 = "http://id.elegnamnden.se/loa/1.0/loa2"
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"
LOA4 = "http://id.elegnamnden.se/loa/1.0/loa4"
EIDAS_SUBSTANTIAL = "http://id.elegnamnden.se/loa/1.0/eidas-sub"
EIDAS_HIGH = "http://id.elegnamnden.se/loa/1.0/eidas-high"
DEFAULT_ACCEPTED_LOA = [LOA3, LOA4, EIDAS_SUBSTANTIAL, EIDAS_HIGH]

# Sweden Connect's attribute profile (ELN-0604): the SAML attribute names.
SAML_ATTRIBUTES = {
    "personalIdentityNumber": "urn:oid:1.2.752.29.4.13",
    "givenName": "urn:oid:2.5.4.42",
    "sn": "urn:oid:2.5.4.4",
    "displayName": "urn:oid:2.16.840.1.113730.3.1.241",
}
# The same in Sweden Connect's OpenID Connect profile (claims of the ID token or userinfo).
OIDC_CLAIMS = {
    "personalIdentityNumber": "https://id.oidc.se/claim/personalIdentityNumber",
    "givenName": "given_name",
    "sn": "family_name",
    "displayName": "name",
}

# Officers, decision makers and administrators (`EID_FOR_OFFICERS`):
OFFICERS_TOTP = "totp"  # an authenticator app, as without e-legitimation
OFFICERS_ALSO = "also"  # log in with e-legitimation, and an authenticator app too
OFFICERS_INSTEAD = "instead"  # log in with e-legitimation; no authenticator app needed
OFFICER_POLICIES = (OFFICERS_TOTP, OFFICERS_ALSO, OFFICERS_INSTEAD)

SAML_SLUG = "sweden-connect"  # in the provider's addresses: /konto/saml/sweden-connect/acs/
OIDC_PROVIDER_ID = "e-legitimation"  # /konto/oidc/e-legitimation/login/callback/

DEMO_IDP_URL = "http://127.0.0.1:8091"


def load(env: Any, *, development: bool) -> dict[str, Any]:
    """The settings for e-legitimation, as names of settings.py: SOCIALACCOUNT_PROVIDERS and the
    portal's EID_* values."""
    demo = env.bool("EID_DEMO", default=False)
    if demo and not development:
        raise ImproperlyConfigured(
            "EID_DEMO is for development only: it trusts the test identity provider on "
            "127.0.0.1:8091, where anyone picks whom to log in as. Configure the real identity "
            "provider (EID_SAML_IDP_ENTITY_ID or EID_OIDC_ISSUER) instead."
        )
    saml = _saml_app(env, demo=demo)
    oidc = _oidc_app(env)
    enabled = saml is not None or oidc is not None
    hmac_key = env.str("EID_HMAC_KEY", default="")
    if enabled and not hmac_key:
        if not development:
            raise ImproperlyConfigured(
                "E-legitimation is switched on but EID_HMAC_KEY is not set. The portal keeps a "
                "keyed hash of each personnummer, never the number: set EID_HMAC_KEY to a long "
                "random secret of its own (not SECRET_KEY) and keep it; a new key makes every "
                "person link their e-legitimation again."
            )
        hmac_key = "insecure-development-eid-key"
    policy = env.str("EID_FOR_OFFICERS", default=OFFICERS_TOTP)
    if policy not in OFFICER_POLICIES:
        raise ImproperlyConfigured(
            f"EID_FOR_OFFICERS must be one of {', '.join(OFFICER_POLICIES)}, not {policy!r}."
        )
    if policy != OFFICERS_TOTP and not enabled:
        raise ImproperlyConfigured(
            "EID_FOR_OFFICERS asks for e-legitimation, but no identity provider is configured "
            "(EID_SAML_IDP_ENTITY_ID or EID_OIDC_ISSUER)."
        )
    providers: dict[str, Any] = {
        "saml": {
            "provider_class": "portal.eid.providers.SwedenConnectSAMLProvider",
            "APPS": [saml] if saml else [],
        },
        "openid_connect": {
            "provider_class": "portal.eid.providers.SwedishOIDCProvider",
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [oidc] if oidc else [],
        },
    }
    origins = {_origin(url) for url in _idp_urls(saml, oidc)}
    return {
        "SOCIALACCOUNT_PROVIDERS": providers,
        # Where the login and signing forms send the browser on (the Content-Security-Policy's
        # form-action: a form's redirect to another origin is refused without it).
        "EID_IDP_ORIGINS": sorted(origins | set(env.list("EID_IDP_ORIGINS", default=[]))),
        "EID_ENABLED": enabled,
        "EID_DEMO": demo,
        "EID_HMAC_KEY": hmac_key,
        "EID_ACCEPTED_LOA": env.list("EID_ACCEPTED_LOA", default=DEFAULT_ACCEPTED_LOA),
        "EID_FOR_OFFICERS": policy,
        # How old a fresh authentication may be when the signature it confirms is made.
        "EID_SIGNING_WINDOW": env.int("EID_SIGNING_WINDOW", default=300),
    }


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _idp_urls(saml: dict[str, Any] | None, oidc: dict[str, Any] | None) -> list[str]:
    urls = []
    if saml is not None:
        idp = saml["settings"]["idp"]
        urls += [idp[key] for key in ("sso_url", "metadata_url") if idp.get(key)]
    if oidc is not None:
        urls.append(oidc["settings"]["server_url"])
    return [url for url in urls if url.startswith(("https://", "http://"))]


def _saml_app(env: Any, *, demo: bool) -> dict[str, Any] | None:
    entity_id = env.str("EID_SAML_IDP_ENTITY_ID", default="")
    metadata_url = env.str("EID_SAML_IDP_METADATA_URL", default="")
    metadata_file = env.str("EID_SAML_IDP_METADATA_FILE", default="")
    if demo and not entity_id:
        # The test identity provider of `make run` (python -m devidp), with Skatteverket's test
        # personnummer.
        entity_id = f"{DEMO_IDP_URL}/idp"
        metadata_url = f"{DEMO_IDP_URL}/metadata"
    if not entity_id:
        return None
    idp: dict[str, Any] = {"entity_id": entity_id}
    if metadata_url:
        idp["metadata_url"] = metadata_url
        idp["metadata_cache_timeout"] = env.int("EID_SAML_METADATA_CACHE_SECONDS", default=3600)
    elif metadata_file:
        idp.update(_idp_from_metadata_file(Path(metadata_file), entity_id))
    else:
        idp["sso_url"] = env.str("EID_SAML_IDP_SSO_URL")
        idp["x509cert"] = env.str("EID_SAML_IDP_CERT")
    attributes = {**SAML_ATTRIBUTES, **env.dict("EID_SAML_ATTRIBUTES", default={})}
    advanced: dict[str, Any] = {
        "strict": True,
        "want_assertion_signed": True,
        "reject_idp_initiated_sso": True,
        "name_id_format": "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
    }
    sp_key = env.str("EID_SAML_SP_PRIVATE_KEY", default="")
    if sp_key:
        advanced.update(
            private_key=sp_key,
            x509cert=env.str("EID_SAML_SP_CERT"),
            authn_request_signed=True,
        )
    settings: dict[str, Any] = {
        "attribute_mapping": {key: [name] for key, name in attributes.items()},
        "idp": idp,
        "advanced": advanced,
    }
    sp_entity_id = env.str("EID_SAML_SP_ENTITY_ID", default="")
    if sp_entity_id:
        settings["sp"] = {"entity_id": sp_entity_id}
    return {
        "provider_id": "saml",
        "client_id": SAML_SLUG,
        "name": env.str("EID_SAML_NAME", default="BankID eller Freja eID"),
        "settings": settings,
    }


def _idp_from_metadata_file(path: Path, entity_id: str) -> dict[str, Any]:
    from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

    try:
        parsed = OneLogin_Saml2_IdPMetadataParser.parse(
            path.read_text(encoding="utf-8"), entity_id=entity_id
        )["idp"]
    except (OSError, KeyError, ValueError) as error:
        raise ImproperlyConfigured(
            f"EID_SAML_IDP_METADATA_FILE: no identity provider {entity_id} in {path} ({error})"
        ) from error
    return {
        "sso_url": parsed["singleSignOnService"]["url"],
        "x509cert": parsed.get("x509cert") or parsed["x509certMulti"]["signing"][0],
    }


def _oidc_app(env: Any) -> dict[str, Any] | None:
    issuer = env.str("EID_OIDC_ISSUER", default="")
    if not issuer:
        return None
    claims = {**OIDC_CLAIMS, **env.dict("EID_OIDC_CLAIMS", default={})}
    return {
        "provider_id": OIDC_PROVIDER_ID,
        "name": env.str("EID_OIDC_NAME", default="BankID eller Freja eID"),
        "client_id": env.str("EID_OIDC_CLIENT_ID"),
        "secret": env.str("EID_OIDC_CLIENT_SECRET"),
        "settings": {
            "server_url": issuer,
            "claims": claims,
            "scope": env.list(
                "EID_OIDC_SCOPE",
                default=["openid", "profile", "https://id.oidc.se/scope/naturalPersonNumber"],
            ),
            "oauth_pkce_enabled": True,
        },
    }
