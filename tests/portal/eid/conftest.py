from __future__ import annotations

from typing import Any

import pytest
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter

from tests.portal.eid import oidc as oidc_helpers


def _providers(
    settings: Any, *, saml: dict[str, Any] | None = None, oidc: dict[str, Any] | None = None
) -> None:
    providers = {key: dict(value) for key, value in settings.SOCIALACCOUNT_PROVIDERS.items()}
    providers["saml"]["APPS"] = [saml] if saml else []
    providers["openid_connect"]["APPS"] = [oidc] if oidc else []
    settings.SOCIALACCOUNT_PROVIDERS = providers
    settings.EID_ENABLED = True


@pytest.fixture
def oidc(settings: Any, monkeypatch: pytest.MonkeyPatch, db: None) -> oidc_helpers.FakeProvider:
    """The portal with one OpenID Connect provider of e-legitimation, answered in-process."""
    _providers(settings, oidc=oidc_helpers.app_settings())
    provider = oidc_helpers.FakeProvider()
    monkeypatch.setattr(DefaultSocialAccountAdapter, "get_requests_session", lambda self: provider)
    return provider


IDP = "http://127.0.0.1:8091"


@pytest.fixture(scope="session")
def idp_key_dir(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return tmp_path_factory.mktemp("devidp")


@pytest.fixture
def saml(settings: Any, db: None, idp_key_dir: Any) -> Any:
    """The portal with the development identity provider (devidp) as its SAML IdP: its key
    signs the answers the tests make."""

    _providers(settings, saml=saml_app(IDP, idp_key_dir))
    return idp_key_dir


def saml_app(base_url: str, key_dir: Any) -> dict[str, Any]:
    from devidp import idp, keys
    from portal.eid.config import SAML_ATTRIBUTES, SAML_SLUG

    return {
        "provider_id": "saml",
        "client_id": SAML_SLUG,
        "name": "BankID eller Freja eID",
        "settings": {
            "attribute_mapping": {key: [name] for key, name in SAML_ATTRIBUTES.items()},
            "idp": {
                "entity_id": idp.entity_id(base_url),
                "sso_url": idp.sso_url(base_url),
                "x509cert": keys.idp_cert_base64(key_dir),
            },
            "advanced": {
                "strict": True,
                "want_assertion_signed": True,
                "reject_idp_initiated_sso": True,
                "name_id_format": "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
            },
        },
    }
