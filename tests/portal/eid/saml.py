"""Driving the portal's SAML login the way a browser does, with answers made by the
development identity provider (devidp) for the request the portal really sent."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs, urlparse

from django.test import Client

from devidp import idp
from devidp.persons import PERSONS, Person

IDP = "http://127.0.0.1:8091"
LOGIN = "/konto/saml/sweden-connect/login/"
ANNA: Person = PERSONS[0]
KARIN: Person = PERSONS[1]


def browser() -> Client:
    """A browser sends the Host header (python3-saml builds the addresses it checks from it)."""
    return Client(HTTP_HOST="127.0.0.1")


def request_from(location: str) -> idp.AuthnRequestInfo:
    query = parse_qs(urlparse(location).query)
    return idp.parse_authn_request(query["SAMLRequest"][0], "redirect")


def start(client: Client, url: str = LOGIN, **data: str) -> idp.AuthnRequestInfo:
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:300]
    assert response["Location"].startswith(idp.sso_url(IDP)), response["Location"]
    return request_from(response["Location"])


def answer(
    request: idp.AuthnRequestInfo, key_dir: Any, person: Person = ANNA, **options: Any
) -> str:
    return idp.make_response(
        acs_url=request.acs_url,
        sp_entity_id=request.issuer,
        in_response_to=request.id,
        person=person,
        base_url=IDP,
        key_dir=key_dir,
        **options,
    )


def post_answer(client: Client, request: idp.AuthnRequestInfo, saml_response: str) -> Any:
    """POST the answer to the portal's ACS and follow allauth's hop to finish it (not further)."""
    path = urlparse(request.acs_url).path
    response = client.post(path, {"SAMLResponse": saml_response})
    assert response.status_code == 302
    return client.get(response["Location"])


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
