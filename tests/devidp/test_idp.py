"""The development identity provider (the stand-in for Sweden Connect) against python3-saml.

python3-saml is what the portal's service provider is built on, so what these tests prove is that
the portal will meet a real, signed SAML exchange in development and CI: a response from devidp is
accepted by python3-saml in strict mode, one unsigned or signed with another key is refused, and
the server reads python3-saml's own AuthnRequests and posts a valid response back.
"""

from __future__ import annotations

import base64
import datetime
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from defusedxml import ElementTree
from onelogin.saml2.authn_request import OneLogin_Saml2_Authn_Request
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser
from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings
from stdnum.se import personnummer

from devidp import idp, keys, persons
from devidp.server import DevIdPServer, start_in_thread

SP_ENTITY_ID = "http://127.0.0.1:8000/saml/metadata/"
ACS_URL = "http://127.0.0.1:8000/acs/"
REQUEST_DATA = {
    "https": "off",
    "http_host": "127.0.0.1:8000",
    "script_name": "",
    "path_info": "/acs/",
    "get_data": {},
    "post_data": {},
}
REQUEST_ID = "ONELOGIN_4fee3b046395c4e751011e97f8900b5273d56685"
ANNA = persons.PERSONS[0]
NS = {
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
}


@pytest.fixture(scope="module")
def key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("devidp-keys")


@pytest.fixture(scope="module")
def idp_server(key_dir: Path) -> Iterator[tuple[DevIdPServer, str]]:
    server, base_url = start_in_thread("127.0.0.1", 0, key_dir=key_dir)
    yield server, base_url
    server.stop()


def sp_settings(base_url: str, key_dir: Path, **security: Any) -> OneLogin_Saml2_Settings:
    """python3-saml as the portal configures it: strict, assertions must be signed."""
    return OneLogin_Saml2_Settings(
        {
            "strict": True,
            "sp": {
                "entityId": SP_ENTITY_ID,
                "assertionConsumerService": {
                    "url": ACS_URL,
                    "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
                },
                "NameIDFormat": "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
            },
            "idp": {
                "entityId": f"{base_url}/idp",
                "singleSignOnService": {
                    "url": f"{base_url}/sso",
                    "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect",
                },
                "x509cert": keys.idp_cert_base64(key_dir),
            },
            "security": {"wantAssertionsSigned": True, **security},
        }
    )


def read_back(
    saml_response: str, base_url: str, key_dir: Path, request_id: str | None = REQUEST_ID
) -> tuple[bool, OneLogin_Saml2_Response]:
    """Whether python3-saml accepts the response at the ACS, and the response as it reads it."""
    response = OneLogin_Saml2_Response(sp_settings(base_url, key_dir), saml_response)
    return response.is_valid(REQUEST_DATA, request_id=request_id), response


def respond(key_dir: Path, base_url: str = "http://127.0.0.1:8091", **kwargs: Any) -> str:
    args: dict[str, Any] = {
        "acs_url": ACS_URL,
        "sp_entity_id": SP_ENTITY_ID,
        "in_response_to": REQUEST_ID,
        "person": ANNA,
        "base_url": base_url,
        "key_dir": key_dir,
    }
    return idp.make_response(**(args | kwargs))


# --- the test persons and the key


def test_persons_are_skatteverkets_test_numbers() -> None:
    assert [p.personnummer for p in persons.PERSONS] == [
        "199908072391",
        "191202119986",
        "201801012392",
        "199909139801",
    ]
    for person in persons.PERSONS:
        assert personnummer.is_valid(person.personnummer)
        assert persons.by_number(person.personnummer) is person
        assert persons.by_number(person.formatted_personnummer) is person
    assert ANNA.display_name == "Anna Andersson"
    assert ANNA.formatted_personnummer == "19990807-2391"
    assert persons.by_number("199001011234") is None


def test_key_is_made_once_and_reused(tmp_path: Path) -> None:
    directory = tmp_path / "not" / "yet"
    key_path, cert_path = keys.idp_key_pair(directory)
    assert key_path.is_file() and cert_path.is_file()
    assert key_path.stat().st_mode & 0o077 == 0  # the private key is the owner's only
    first = keys.idp_cert_base64(directory)
    assert keys.idp_key_pair(directory) == (key_path, cert_path)
    assert keys.idp_cert_base64(directory) == first
    assert "-----" not in first and "\n" not in first

    other_key, other_cert = keys.throwaway_key_pair(tmp_path / "other")
    assert keys.cert_base64(other_cert) != first
    assert other_key.read_bytes() != key_path.read_bytes()


# --- responses, as python3-saml reads them


def test_signed_response_is_accepted_by_python3_saml(key_dir: Path) -> None:
    base_url = "http://127.0.0.1:8091"
    valid, response = read_back(respond(key_dir, base_url), base_url, key_dir)

    assert valid, response.get_error()
    assert response.get_attributes() == {
        "urn:oid:1.2.752.29.4.13": ["199908072391"],
        "urn:oid:2.5.4.42": ["Anna"],
        "urn:oid:2.5.4.4": ["Andersson"],
        "urn:oid:2.16.840.1.113730.3.1.241": ["Anna Andersson"],
    }
    assert response.get_friendlyname_attributes()["personalIdentityNumber"] == ["199908072391"]
    assert response.get_authn_contexts() == ["http://id.elegnamnden.se/loa/1.0/loa3"]
    assert response.get_issuers() == [f"{base_url}/idp"]
    assert response.get_audiences() == [SP_ENTITY_ID]
    assert response.get_in_response_to() == REQUEST_ID
    assert response.get_nameid_format() == "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
    assert response.get_session_index()


def test_loa_is_carried_as_authn_context(key_dir: Path) -> None:
    base_url = "http://127.0.0.1:8091"
    valid, response = read_back(respond(key_dir, base_url, loa=idp.LOA2), base_url, key_dir)
    assert valid, response.get_error()
    assert response.get_authn_contexts() == ["http://id.elegnamnden.se/loa/1.0/loa2"]


def test_name_id_is_opaque_stable_and_pairwise(key_dir: Path) -> None:
    base_url = "http://127.0.0.1:8091"
    name_id = read_back(respond(key_dir, base_url), base_url, key_dir)[1].get_nameid()

    assert re.fullmatch(r"[0-9a-f]{64}", name_id)
    assert ANNA.personnummer not in name_id
    assert name_id == idp.name_id_for(ANNA.personnummer, SP_ENTITY_ID)
    assert name_id == read_back(respond(key_dir, base_url), base_url, key_dir)[1].get_nameid()
    assert name_id != idp.name_id_for(ANNA.personnummer, "https://another.example/sp")
    assert name_id != idp.name_id_for(persons.PERSONS[1].personnummer, SP_ENTITY_ID)


def test_given_identifiers_and_instants_are_used(key_dir: Path) -> None:
    issued = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    authn = issued - datetime.timedelta(minutes=2)
    saml_response = respond(
        key_dir,
        issue_instant=issued,
        authn_instant=authn,
        lifetime_seconds=120,
        assertion_id="_assertion-1",
        response_id="_response-1",
    )
    root = ElementTree.fromstring(base64.b64decode(saml_response))
    assertion = root.find("saml:Assertion", NS)
    conditions = assertion.find("saml:Conditions", NS)
    confirmation = assertion.find("saml:Subject/saml:SubjectConfirmation", NS)
    stamp = "%Y-%m-%dT%H:%M:%SZ"

    assert root.get("ID") == "_response-1"
    assert root.get("IssueInstant") == issued.strftime(stamp)
    assert root.get("Destination") == ACS_URL
    assert assertion.get("ID") == "_assertion-1"
    assert conditions.get("NotBefore") == issued.strftime(stamp)
    assert conditions.get("NotOnOrAfter") == (issued + datetime.timedelta(seconds=120)).strftime(
        stamp
    )
    assert confirmation.get("Method") == "urn:oasis:names:tc:SAML:2.0:cm:bearer"
    data = confirmation.find("saml:SubjectConfirmationData", NS)
    assert data.get("Recipient") == ACS_URL
    assert data.get("InResponseTo") == REQUEST_ID
    assert data.get("NotOnOrAfter") == conditions.get("NotOnOrAfter")
    statement = assertion.find("saml:AuthnStatement", NS)
    assert statement.get("AuthnInstant") == authn.strftime(stamp)
    for attribute in assertion.findall("saml:AttributeStatement/saml:Attribute", NS):
        assert attribute.get("NameFormat") == "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
    # Both signed, the assertion's signature inside it, the response's around it.
    assert root.find("ds:Signature", NS) is not None
    assert assertion.find("ds:Signature", NS) is not None


def test_unsigned_response_has_no_signature_and_is_refused(key_dir: Path) -> None:
    base_url = "http://127.0.0.1:8091"
    saml_response = respond(key_dir, base_url, sign_response=False, sign_assertion=False)

    assert b"Signature" not in base64.b64decode(saml_response)
    valid, response = read_back(saml_response, base_url, key_dir)
    assert not valid
    assert "not signed" in response.get_error()


def test_response_signed_only_outside_the_assertion_is_refused(key_dir: Path) -> None:
    base_url = "http://127.0.0.1:8091"
    valid, response = read_back(respond(key_dir, base_url, sign_assertion=False), base_url, key_dir)
    assert not valid
    assert "Assertion of the Response is not signed" in response.get_error()


@pytest.mark.parametrize(
    "signed", [{}, {"sign_response": False}, {"sign_assertion": False}], ids=str
)
def test_response_signed_with_the_wrong_key_is_refused(
    key_dir: Path, tmp_path: Path, signed: dict[str, bool]
) -> None:
    base_url = "http://127.0.0.1:8091"
    wrong_key, wrong_cert = keys.throwaway_key_pair(tmp_path)
    saml_response = respond(
        key_dir, base_url, signing_key=wrong_key, signing_cert=wrong_cert, **signed
    )
    valid, response = read_back(saml_response, base_url, key_dir)
    assert not valid
    assert response.get_error()


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (
            {"issue_instant": datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)},
            "expired",
        ),
        ({"in_response_to": "ONELOGIN_another_request"}, "InResponseTo"),
        ({"sp_entity_id": "https://another.example/sp"}, "audience"),
        ({"acs_url": "http://127.0.0.1:8000/another/acs/"}, "received at"),
    ],
    ids=["expired", "other-request", "other-audience", "other-acs"],
)
def test_response_python3_saml_must_refuse(
    key_dir: Path, change: dict[str, Any], error: str
) -> None:
    base_url = "http://127.0.0.1:8091"
    valid, response = read_back(respond(key_dir, base_url, **change), base_url, key_dir)
    assert not valid
    assert error.lower() in response.get_error().lower()


# --- requests and metadata


def test_parse_authn_request_from_python3_saml(key_dir: Path) -> None:
    base_url = "http://127.0.0.1:8091"
    settings = sp_settings(
        base_url, key_dir, requestedAuthnContext=[idp.LOA3], requestedAuthnContextComparison="exact"
    )
    authn_request = OneLogin_Saml2_Authn_Request(settings, force_authn=True)

    info = idp.parse_authn_request(
        authn_request.get_request(), idp.BINDING_HTTP_REDIRECT, base_url=base_url, key_dir=key_dir
    )
    assert info == idp.AuthnRequestInfo(
        id=authn_request.get_id(),
        issuer=SP_ENTITY_ID,
        acs_url=ACS_URL,
        force_authn=True,
        requested_authn_context=(idp.LOA3,),
        destination=f"{base_url}/sso",
    )

    plain = OneLogin_Saml2_Authn_Request(
        sp_settings(base_url, key_dir, requestedAuthnContext=False)
    )
    posted = idp.parse_authn_request(
        plain.get_request(deflate=False), idp.BINDING_HTTP_POST, base_url=base_url, key_dir=key_dir
    )
    assert posted.id == plain.get_id()
    assert not posted.force_authn
    assert posted.requested_authn_context == ()


@pytest.mark.parametrize(
    "saml_request",
    ["not base64 at all!", base64.b64encode(b"<not-saml/>").decode(), ""],
    ids=["garbled", "not-saml", "empty"],
)
def test_unreadable_requests_raise_invalid_authn_request(saml_request: str) -> None:
    with pytest.raises(idp.InvalidAuthnRequest):
        idp.parse_authn_request(saml_request, idp.BINDING_HTTP_REDIRECT)


def test_request_for_another_identity_provider_is_refused(key_dir: Path) -> None:
    settings = sp_settings("http://elsewhere.example", key_dir)
    saml_request = OneLogin_Saml2_Authn_Request(settings).get_request()
    with pytest.raises(idp.InvalidAuthnRequest):
        idp.parse_authn_request(
            saml_request, "redirect", base_url="http://127.0.0.1:8091", key_dir=key_dir
        )


def test_metadata_is_read_by_python3_saml(key_dir: Path) -> None:
    base_url = "http://127.0.0.1:8091"
    parsed = OneLogin_Saml2_IdPMetadataParser.parse(idp.metadata_xml(base_url, key_dir=key_dir))
    assert parsed["idp"]["entityId"] == f"{base_url}/idp"
    assert parsed["idp"]["singleSignOnService"]["url"] == f"{base_url}/sso"
    assert parsed["idp"]["x509cert"] == keys.idp_cert_base64(key_dir)


# --- the server


class _Forms(HTMLParser):
    """The forms of a page: action and the name/value of their inputs (checked radios only)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self.radios: dict[str, list[str]] = {}
        self.selects: dict[str, list[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action"), "method": a.get("method"), "fields": {}})
        elif tag == "input" and self.forms:
            if a.get("type") == "radio":
                self.radios.setdefault(a["name"], []).append(a["value"])
                if "checked" not in a:
                    return
            self.forms[-1]["fields"][a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select:
            self.selects.setdefault(self._select, []).append(a["value"])
            if "selected" in a:
                self.forms[-1]["fields"][self._select] = a["value"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def forms_of(page: str) -> _Forms:
    parser = _Forms()
    parser.feed(page)
    return parser


def fetch(url: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
    """(status, content type, body) of a GET, or a POST of `data` form-encoded."""
    body = urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body)  # noqa: S310 (http to the test server)
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:  # noqa: S310
            return reply.status, reply.headers["Content-Type"], reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def test_server_in_a_thread_has_its_real_port(idp_server: tuple[DevIdPServer, str]) -> None:
    server, base_url = idp_server
    assert server.server_port != 0
    assert base_url == f"http://127.0.0.1:{server.server_port}"


def test_server_answers_metadata(idp_server: tuple[DevIdPServer, str], key_dir: Path) -> None:
    _, base_url = idp_server
    status, content_type, body = fetch(f"{base_url}/metadata")
    assert status == 200
    assert content_type.startswith("application/samlmetadata+xml")
    assert OneLogin_Saml2_IdPMetadataParser.parse(body)["idp"]["entityId"] == f"{base_url}/idp"


def test_login_through_the_server(idp_server: tuple[DevIdPServer, str], key_dir: Path) -> None:
    _, base_url = idp_server
    settings = sp_settings(base_url, key_dir)
    authn_request = OneLogin_Saml2_Authn_Request(settings, force_authn=True)
    query = urlencode({"SAMLRequest": authn_request.get_request(), "RelayState": "/ansok/?a=1"})

    status, content_type, page = fetch(f"{base_url}/sso?{query}")
    assert status == 200, page
    assert content_type == "text/html; charset=utf-8"
    assert '<html lang="sv">' in page
    assert '<meta name="viewport"' in page
    assert "<title>Testlegitimering (endast utveckling)</title>" in page
    assert "testpersonnummer från Skatteverket" in page
    assert "Tjänsten ber dig legitimera dig på nytt." in page
    assert "<legend>Testperson</legend>" in page
    for person in persons.PERSONS:
        label = f"{person.display_name}, {person.formatted_personnummer}"
        assert label in re.sub(r"<[^>]+>", "", page)
    assert ">Legitimera</button>" in page
    forms = forms_of(page)
    assert forms.radios["personnummer"] == [p.personnummer for p in persons.PERSONS]
    assert forms.selects["loa"] == [idp.LOA3, idp.LOA2]
    (form,) = forms.forms
    assert form["action"] == f"{base_url}/login"
    assert form["fields"]["loa"] == idp.LOA3  # the default

    chosen = {**form["fields"], "personnummer": "191202119986"}
    status, _, page = fetch(form["action"], chosen)
    assert status == 200, page
    assert "Fortsätt till tjänsten</button>" in page
    assert '<script>document.getElementById("saml-response").submit();</script>' in page
    (post,) = forms_of(page).forms
    assert post["action"] == ACS_URL
    assert post["method"] == "post"
    assert post["fields"]["RelayState"] == "/ansok/?a=1"

    valid, response = read_back(
        post["fields"]["SAMLResponse"], base_url, key_dir, request_id=authn_request.get_id()
    )
    assert valid, response.get_error()
    assert response.get_attributes()["urn:oid:1.2.752.29.4.13"] == ["191202119986"]
    assert response.get_authn_contexts() == [idp.LOA3]


def test_sso_by_post_and_a_lower_loa(idp_server: tuple[DevIdPServer, str], key_dir: Path) -> None:
    _, base_url = idp_server
    authn_request = OneLogin_Saml2_Authn_Request(sp_settings(base_url, key_dir))
    status, _, page = fetch(f"{base_url}/sso", {"SAMLRequest": authn_request.get_request(False)})
    assert status == 200, page
    assert "legitimera dig på nytt" not in page  # no ForceAuthn
    (form,) = forms_of(page).forms
    assert "RelayState" not in form["fields"]

    status, _, page = fetch(form["action"], {**form["fields"], "loa": idp.LOA2})
    (post,) = forms_of(page).forms
    assert "RelayState" not in post["fields"]
    valid, response = read_back(
        post["fields"]["SAMLResponse"], base_url, key_dir, request_id=authn_request.get_id()
    )
    assert valid, response.get_error()
    assert response.get_authn_contexts() == [idp.LOA2]
    assert response.get_attributes()["urn:oid:2.5.4.42"] == ["Anna"]  # the first, preselected


@pytest.mark.parametrize(
    ("path", "data", "status"),
    [
        ("/sso?SAMLRequest=garbage", None, 400),
        ("/sso", None, 400),
        ("/sso?SAMLRequest=" + base64.b64encode(b"<x/>").decode(), None, 400),
        ("/login", {"personnummer": "199001011234", "loa": idp.LOA3}, 400),
        ("/nowhere", None, 404),
        ("/login", None, 405),
    ],
)
def test_server_refuses_in_swedish_without_a_traceback(
    idp_server: tuple[DevIdPServer, str], path: str, data: dict[str, str] | None, status: int
) -> None:
    _, base_url = idp_server
    got, content_type, page = fetch(f"{base_url}{path}", data)
    assert got == status
    assert content_type == "text/html; charset=utf-8"
    assert '<html lang="sv">' in page
    assert "Traceback" not in page
    if status == 400:
        assert "Felaktig begäran" in page
