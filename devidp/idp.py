"""A real SAML 2.0 identity provider for development and CI, standing in for Sweden Connect.

In production the portal's citizens legitimise through Sweden Connect, the Swedish e-legitimation
federation: the portal (the service provider, python3-saml behind django-allauth) sends an
AuthnRequest, BankID or Freja does the legitimation behind a SAML identity provider, and a signed
Response comes back with the person's personnummer and name. This module is that identity
provider for a developer's machine and for the test suite, built on pysaml2 and signing with the
xmlsec1 binary, so the portal's SAML code meets the same things it meets in the federation:
signed XML, a real AuthnRequest to parse, Sweden Connect's attribute profile and its levels of
assurance (LoA).

Choices that make it a *development* identity provider, and which a real one would not make:

- It has no metadata for the service providers it answers. AuthnRequests are not required to be
  signed, and the response goes to the AssertionConsumerServiceURL the request itself names
  (Sweden Connect would only use an ACS URL from the portal's registered metadata). A request
  without an ACS URL is refused, since there is no metadata to look one up in.
- It authenticates nobody: whoever sees its page picks a test person (see `devidp.persons`).
- Its key and self-signed certificate live in a local directory (see `devidp.keys`).

The response is built from pysaml2's own SAML classes (`saml2.saml`, `saml2.samlp`) rather than
through `Server.create_authn_response`, which wants the service provider's metadata and decides
instants and identifiers itself; tests need to set those. Signing goes through pysaml2's
security context and xmlsec1 (RSA-SHA256, SHA-256 digests, as Sweden Connect signs), with the
assertion signed first and the response around it after.
"""

from __future__ import annotations

import base64
import datetime
import functools
import hashlib
import os
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, SAMLError, class_name, saml, samlp
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.s_utils import sid, success_status_factory
from saml2.sigver import pre_signature_part
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from devidp import keys
from devidp.persons import Person

if TYPE_CHECKING:
    from saml2.server import Server

__all__ = [
    "ATTRIBUTE_NAME_FORMAT",
    "BINDING_HTTP_POST",
    "BINDING_HTTP_REDIRECT",
    "LOA2",
    "LOA3",
    "LOA4",
    "AuthnRequestInfo",
    "InvalidAuthnRequest",
    "entity_id",
    "make_response",
    "metadata_xml",
    "name_id_for",
    "parse_authn_request",
    "sso_url",
]

# Sweden Connect's levels of assurance ("tillitsnivåer"). BankID and Freja+ are LoA 3.
LOA2 = "http://id.elegnamnden.se/loa/1.0/loa2"
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"
LOA4 = "http://id.elegnamnden.se/loa/1.0/loa4"

# Sweden Connect's attribute profile (ELN-0604): attributes named by OID, in the URI name format.
ATTRIBUTE_NAME_FORMAT = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
ATTR_PERSONAL_IDENTITY_NUMBER = "urn:oid:1.2.752.29.4.13"
ATTR_GIVEN_NAME = "urn:oid:2.5.4.42"
ATTR_SURNAME = "urn:oid:2.5.4.4"
ATTR_DISPLAY_NAME = "urn:oid:2.16.840.1.113730.3.1.241"

_BINDINGS = {
    BINDING_HTTP_REDIRECT: BINDING_HTTP_REDIRECT,
    BINDING_HTTP_POST: BINDING_HTTP_POST,
    "redirect": BINDING_HTTP_REDIRECT,
    "post": BINDING_HTTP_POST,
}


class InvalidAuthnRequest(ValueError):
    """The SAMLRequest could not be read as an AuthnRequest this identity provider can answer."""


@dataclass(frozen=True)
class AuthnRequestInfo:
    """What the identity provider needs from a service provider's AuthnRequest to answer it."""

    id: str
    issuer: str  # the service provider's entity id; the assertion's audience
    acs_url: str  # AssertionConsumerServiceURL: where the response is posted
    force_authn: bool
    requested_authn_context: tuple[str, ...]  # AuthnContextClassRefs asked for (LoA URIs), if any
    destination: str | None = None


def entity_id(base_url: str) -> str:
    """The identity provider's entity id for the address it is served at."""
    return f"{base_url.rstrip('/')}/idp"


def sso_url(base_url: str) -> str:
    """The SingleSignOnService endpoint (both HTTP-Redirect and HTTP-POST)."""
    return f"{base_url.rstrip('/')}/sso"


def _xmlsec_binary() -> str:
    return shutil.which("xmlsec1") or "/usr/bin/xmlsec1"


def _key_dir_key(key_dir: str | os.PathLike[str] | None) -> str:
    """A cache key for a key directory: the default and the same path spelled twice are one."""
    return str(Path(key_dir).resolve()) if key_dir is not None else ""


def _config(base_url: str | None, key_dir: str | os.PathLike[str] | None) -> IdPConfig:
    key_path, cert_path = keys.idp_key_pair(key_dir)
    idp_service: dict[str, Any] = {
        "name": "Testlegitimering (endast utveckling)",
        "name_id_format": [saml.NAMEID_FORMAT_PERSISTENT],
        # A development IdP answers any service provider (see the module docstring).
        "want_authn_requests_signed": False,
        "want_authn_requests_only_with_valid_cert": False,
        "sign_response": True,
        "sign_assertion": True,
    }
    if base_url is not None:
        # With the endpoints known, pysaml2 checks that a request's Destination is this IdP.
        idp_service["endpoints"] = {
            "single_sign_on_service": [
                (sso_url(base_url), BINDING_HTTP_REDIRECT),
                (sso_url(base_url), BINDING_HTTP_POST),
            ]
        }
    config = IdPConfig()
    config.load(
        {
            "entityid": entity_id(base_url or "http://devidp.invalid"),
            "description": "Samverkansportalen: a stand-in for Sweden Connect (development only)",
            "xmlsec_binary": _xmlsec_binary(),
            "key_file": str(key_path),
            "cert_file": str(cert_path),
            "metadata": {},
            # Signed requests are not required. With no metadata, pysaml2 checks a signature
            # embedded in a POSTed request against the certificate the request carries; an
            # HTTP-Redirect Signature parameter is ignored.
            "only_use_keys_in_metadata": False,
            "accepted_time_diff": 60,
            "service": {"idp": idp_service},
        }
    )
    return config


def _server_class() -> type[Server]:
    # Importing saml2.server touches cryptography's old CFB mode for an AES helper this module
    # never uses; cryptography warns about it (CryptographyDeprecationWarning) on every run.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="CFB has been moved")
        from saml2.server import Server

    return Server


@functools.cache
def _server(base_url: str | None, key_dir: str) -> Server:
    """One pysaml2 Server per address and key directory (its setup reads keys and runs xmlsec1)."""
    return _server_class()(config=_config(base_url, key_dir or None))


def metadata_xml(base_url: str, *, key_dir: str | os.PathLike[str] | None = None) -> str:
    """The identity provider's SAML metadata: entity id, SSO endpoints and signing certificate."""
    descriptor = entity_descriptor(_config(base_url, key_dir))
    # pysaml2 lists every algorithm xmlsec1 knows (MD5 and SHA-1 among them) as "supported";
    # Sweden Connect's metadata does not advertise them, and neither does this.
    descriptor.extensions = None
    return str(descriptor)


def parse_authn_request(
    saml_request: str,
    binding: str,
    *,
    base_url: str | None = None,
    key_dir: str | os.PathLike[str] | None = None,
) -> AuthnRequestInfo:
    """Read a SAMLRequest as it arrived: deflated and base64 (HTTP-Redirect) or base64 (HTTP-POST).

    `binding` is a SAML binding URN (or "redirect"/"post"). Given `base_url`, a Destination in the
    request must be this identity provider's SSO endpoint. Raises InvalidAuthnRequest for anything
    that is not an AuthnRequest it can answer: garbled, of another kind, or without an ACS URL.
    """
    try:
        saml_binding = _BINDINGS[binding]
    except KeyError:
        raise InvalidAuthnRequest(f"unsupported binding {binding!r}") from None
    server = _server(base_url.rstrip("/") if base_url else None, _key_dir_key(key_dir))
    try:
        request = server.parse_authn_request(saml_request, saml_binding)
    except Exception as exc:  # pysaml2 raises anything from binascii.Error to SAMLError
        raise InvalidAuthnRequest(f"not a readable AuthnRequest: {exc}") from exc
    if request is None or request.message is None:
        raise InvalidAuthnRequest("not a readable AuthnRequest")
    message: samlp.AuthnRequest = request.message

    issuer = (message.issuer.text or "").strip() if message.issuer is not None else ""
    if not issuer:
        raise InvalidAuthnRequest("the AuthnRequest names no Issuer (the service provider)")
    acs_url = (message.assertion_consumer_service_url or "").strip()
    if not acs_url.startswith(("http://", "https://")):
        raise InvalidAuthnRequest(
            "the AuthnRequest has no http(s) AssertionConsumerServiceURL, and without the "
            "service provider's metadata there is nowhere else to find one"
        )
    if message.protocol_binding not in (None, BINDING_HTTP_POST):
        raise InvalidAuthnRequest(
            f"only HTTP-POST responses are supported, not {message.protocol_binding}"
        )
    class_refs: tuple[str, ...] = ()
    if message.requested_authn_context is not None:
        class_refs = tuple(
            ref.text.strip()
            for ref in message.requested_authn_context.authn_context_class_ref
            if ref.text and ref.text.strip()
        )
    return AuthnRequestInfo(
        id=message.id,
        issuer=issuer,
        acs_url=acs_url,
        force_authn=str(message.force_authn).strip().lower() in ("true", "1"),
        requested_authn_context=class_refs,
        destination=message.destination,
    )


def name_id_for(personnummer: str, sp_entity_id: str) -> str:
    """The persistent NameID for a person at a service provider: opaque, stable and pairwise.

    A hex SHA-256 of the service provider's entity id and the personnummer, so the same person gets
    the same NameID at one service provider and unrelated ones at two, and the personnummer
    cannot be read from it (it travels in its own attribute).
    """
    digest = hashlib.sha256(f"devidp|{sp_entity_id}|{personnummer}".encode()).hexdigest()
    return digest


def _instant(moment: datetime.datetime) -> str:
    """xs:dateTime in UTC to the second, as SAML wants it. A naive datetime is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _attribute(name: str, friendly_name: str, value: str) -> saml.Attribute:
    return saml.Attribute(
        name=name,
        name_format=ATTRIBUTE_NAME_FORMAT,
        friendly_name=friendly_name,
        attribute_value=[saml.AttributeValue(text=value)],  # xsi:type="xs:string"
    )


def _assertion(
    *,
    assertion_id: str,
    issuer: str,
    acs_url: str,
    sp_entity_id: str,
    in_response_to: str | None,
    person: Person,
    loa: str,
    issue_instant: datetime.datetime,
    authn_instant: datetime.datetime,
    lifetime_seconds: int,
) -> saml.Assertion:
    not_on_or_after = _instant(issue_instant + datetime.timedelta(seconds=lifetime_seconds))
    return saml.Assertion(
        id=assertion_id,
        version="2.0",
        issue_instant=_instant(issue_instant),
        issuer=saml.Issuer(text=issuer, format=saml.NAMEID_FORMAT_ENTITY),
        subject=saml.Subject(
            name_id=saml.NameID(
                format=saml.NAMEID_FORMAT_PERSISTENT,
                name_qualifier=issuer,
                sp_name_qualifier=sp_entity_id,
                text=name_id_for(person.personnummer, sp_entity_id),
            ),
            subject_confirmation=[
                saml.SubjectConfirmation(
                    method=saml.SCM_BEARER,
                    subject_confirmation_data=saml.SubjectConfirmationData(
                        recipient=acs_url,
                        in_response_to=in_response_to,
                        not_on_or_after=not_on_or_after,
                    ),
                )
            ],
        ),
        conditions=saml.Conditions(
            not_before=_instant(issue_instant),
            not_on_or_after=not_on_or_after,
            audience_restriction=[
                saml.AudienceRestriction(audience=[saml.Audience(text=sp_entity_id)])
            ],
        ),
        authn_statement=[
            saml.AuthnStatement(
                authn_instant=_instant(authn_instant),
                session_index=sid(),
                authn_context=saml.AuthnContext(
                    authn_context_class_ref=saml.AuthnContextClassRef(text=loa)
                ),
            )
        ],
        attribute_statement=[
            saml.AttributeStatement(
                attribute=[
                    _attribute(
                        ATTR_PERSONAL_IDENTITY_NUMBER, "personalIdentityNumber", person.personnummer
                    ),
                    _attribute(ATTR_GIVEN_NAME, "givenName", person.given_name),
                    _attribute(ATTR_SURNAME, "sn", person.surname),
                    _attribute(ATTR_DISPLAY_NAME, "displayName", person.display_name),
                ]
            )
        ],
    )


def make_response(
    *,
    acs_url: str,
    sp_entity_id: str,
    in_response_to: str | None,
    person: Person,
    loa: str = LOA3,
    base_url: str,
    issue_instant: datetime.datetime | None = None,
    lifetime_seconds: int = 300,
    sign_response: bool = True,
    sign_assertion: bool = True,
    signing_key: str | os.PathLike[str] | None = None,
    signing_cert: str | os.PathLike[str] | None = None,
    assertion_id: str | None = None,
    response_id: str | None = None,
    authn_instant: datetime.datetime | None = None,
    key_dir: str | os.PathLike[str] | None = None,
) -> str:
    """A samlp:Response for `person`, base64-encoded as the HTTP-POST binding carries it.

    The assertion is issued by `{base_url}/idp` to `sp_entity_id` and valid from `issue_instant`
    (default now) for `lifetime_seconds`; it carries a pairwise persistent NameID, the LoA as
    AuthnContextClassRef and Sweden Connect's attributes. By default both the assertion and the
    response are signed with the identity provider's key; `signing_key`/`signing_cert` (PEM file
    paths) sign with another one instead, and with both `sign_*` false there is no signature at all.
    """
    if (signing_key is None) != (signing_cert is None):
        raise ValueError("give both signing_key and signing_cert, or neither")
    if signing_key is None or signing_cert is None:
        key_path, cert_path = keys.idp_key_pair(key_dir)
    else:
        key_path, cert_path = Path(signing_key), Path(signing_cert)

    issuer = entity_id(base_url)
    issued = issue_instant or datetime.datetime.now(datetime.UTC)
    assertion = _assertion(
        assertion_id=assertion_id or sid(),
        issuer=issuer,
        acs_url=acs_url,
        sp_entity_id=sp_entity_id,
        in_response_to=in_response_to,
        person=person,
        loa=loa,
        issue_instant=issued,
        authn_instant=authn_instant or issued,
        lifetime_seconds=lifetime_seconds,
    )
    response = samlp.Response(
        id=response_id or sid(),
        version="2.0",
        issue_instant=_instant(issued),
        destination=acs_url,
        in_response_to=in_response_to,
        issuer=saml.Issuer(text=issuer, format=saml.NAMEID_FORMAT_ENTITY),
        status=success_status_factory(),
        assertion=assertion,
    )

    # The Signature templates are filled in by xmlsec1; the inner one (the assertion's) first,
    # so that the response's signature covers the assertion as signed.
    cert_text = keys.cert_base64(cert_path)
    to_sign: list[tuple[str, str]] = []
    if sign_assertion:
        assertion.signature = pre_signature_part(
            assertion.id, cert_text, sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256
        )
        to_sign.append((class_name(assertion), assertion.id))
    if sign_response:
        response.signature = pre_signature_part(
            response.id, cert_text, sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256
        )
        to_sign.append((class_name(response), response.id))

    xml = response.to_string().decode("utf-8")
    if to_sign:
        security = _server(None, _key_dir_key(key_dir)).sec
        for node_name, node_id in to_sign:
            try:
                xml = security.sign_statement(
                    xml, node_name=node_name, key_file=str(key_path), node_id=node_id
                )
            except SAMLError as exc:
                raise RuntimeError(f"xmlsec1 could not sign the {node_name}: {exc}") from exc
    return base64.b64encode(xml.encode("utf-8")).decode("ascii")
