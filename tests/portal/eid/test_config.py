"""E-legitimation from the environment: what production refuses to start with."""

from __future__ import annotations

import os
from typing import Any

import environ
import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.eid import config


def _load(
    monkeypatch: pytest.MonkeyPatch, *, development: bool, **variables: str
) -> dict[str, Any]:
    for name in [n for n in os.environ if n.startswith("EID_")]:
        monkeypatch.delenv(name)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return config.load(environ.Env(), development=development)


def test_without_a_provider_there_is_no_e_legitimation(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = _load(monkeypatch, development=False)
    assert loaded["EID_ENABLED"] is False
    assert loaded["SOCIALACCOUNT_PROVIDERS"]["saml"]["APPS"] == []
    assert loaded["EID_IDP_ORIGINS"] == []


def test_production_needs_a_key_of_its_own_for_the_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ImproperlyConfigured, match="EID_HMAC_KEY"):
        _load(
            monkeypatch,
            development=False,
            EID_SAML_IDP_ENTITY_ID="https://idp.exempel.se",
            EID_SAML_IDP_METADATA_URL="https://idp.exempel.se/md",
        )


def test_production_never_trusts_the_test_identity_provider(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(ImproperlyConfigured, match="EID_DEMO"):
        _load(monkeypatch, development=False, EID_DEMO="true", EID_HMAC_KEY="x" * 64)


def test_a_saml_provider_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = _load(
        monkeypatch,
        development=False,
        EID_SAML_IDP_ENTITY_ID="https://idp.exempel.se",
        EID_SAML_IDP_METADATA_URL="https://md.exempel.se/idp.xml",
        EID_HMAC_KEY="x" * 64,
        EID_FOR_OFFICERS="instead",
    )
    [app] = loaded["SOCIALACCOUNT_PROVIDERS"]["saml"]["APPS"]
    assert app["settings"]["attribute_mapping"]["personalIdentityNumber"] == [
        "urn:oid:1.2.752.29.4.13"
    ]
    assert app["settings"]["advanced"]["want_assertion_signed"] is True
    assert loaded["EID_IDP_ORIGINS"] == ["https://md.exempel.se"]
    assert loaded["EID_FOR_OFFICERS"] == "instead"
    assert config.LOA3 in loaded["EID_ACCEPTED_LOA"]
    assert "http://id.elegnamnden.se/loa/1.0/loa2" not in loaded["EID_ACCEPTED_LOA"]
