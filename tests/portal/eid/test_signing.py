"""Signing with e-legitimation instead of a code from the app: the identity provider is asked
for a fresh authentication, and the signature is made only with a fresh answer that names the
signer, at the accepted level; it records the provider, the level, when the person
authenticated and the asserted name beside the hash of the signed text."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from allauth.socialaccount.models import SocialAccount
from django.test import Client
from django.urls import reverse

from agreements.models import Agreement, Signature
from devidp import idp
from portal.eid import identity, signing
from portal.models import AuditEvent, SigningEvidence
from tests.agreements.conftest import Iop, to_signing
from tests.agreements.conftest import iop as iop
from tests.dialogue.conftest import adopted as adopted
from tests.dialogue.conftest import kommun as kommun
from tests.grants.conftest import grants as grants
from tests.helpers.clients import shown_messages
from tests.portal.eid.saml import ANNA, KARIN, answer, browser, now, post_answer, request_from

pytestmark = pytest.mark.django_db


def _link(user: Any, person: Any = ANNA) -> None:
    SocialAccount.objects.create(
        user=user, provider="saml", uid=identity.person_key(person.personnummer)
    )


def _signer(i: Iop) -> tuple[Client, Agreement]:
    agreement = to_signing(i)
    _link(i.representative)
    client = browser()
    client.force_login(i.representative)
    return client, agreement


def _press_sign(client: Client, agreement: Agreement, party: Any) -> idp.AuthnRequestInfo:
    page = client.get(reverse("agreements:agreement", args=[agreement.pk])).content.decode()
    assert 'name="with" value="eid"' in page
    version = re.search(r'name="seen_version" value="([0-9a-f]+)"', page)
    assert version
    response = client.post(
        reverse("agreements:sign", args=[agreement.pk, party.pk]),
        {"with": "eid", "seen_version": version.group(1)},
    )
    assert response.status_code == 302
    return request_from(response["Location"])


def _come_back(client: Client, request: idp.AuthnRequestInfo, saml_response: str) -> Any:
    response = post_answer(client, request, saml_response)
    if response.status_code == 302:
        return client.get(response["Location"], follow=True)
    return response


def _live(agreement: Agreement) -> list[Signature]:
    return list(Signature.objects.filter(agreement=agreement, voided_at__isnull=True))


def test_signing_with_e_legitimation_asks_for_a_fresh_login_and_records_it(
    saml: Any, iop: Iop
) -> None:
    client, agreement = _signer(iop)
    request = _press_sign(client, agreement, iop.org_party)
    assert request.force_authn is True
    assert idp.LOA3 in request.requested_authn_context
    response = _come_back(client, request, answer(request, saml))
    assert any("signerat" in m for m in shown_messages(response)), shown_messages(response)
    [signature] = _live(agreement)
    assert signature.party == iop.org_party
    assert signature.confirmed_with == SigningEvidence.Method.EID
    assert signature.eid_provider == "saml"
    assert signature.eid_loa == idp.LOA3
    assert signature.eid_name == "Anna Andersson"
    assert signature.eid_asserted_at is not None
    assert len(signature.text_sha256) == 64
    # the page and the history say how, and who the provider said signed
    page = client.get(reverse("agreements:agreement", args=[agreement.pk])).content.decode()
    assert "Signerat med e-legitimation av Anna Andersson" in page
    event = AuditEvent.objects.get(action="signed")
    assert "e-legitimation (Anna Andersson, LoA 3)" in event.comment


def test_another_persons_e_legitimation_signs_nothing(saml: Any, iop: Iop) -> None:
    client, agreement = _signer(iop)
    request = _press_sign(client, agreement, iop.org_party)
    response = _come_back(client, request, answer(request, saml, person=KARIN))
    assert response.status_code == 403
    assert _live(agreement) == []


def test_an_authentication_from_before_pressing_sign_signs_nothing(saml: Any, iop: Iop) -> None:
    client, agreement = _signer(iop)
    request = _press_sign(client, agreement, iop.org_party)
    earlier = now() - dt.timedelta(minutes=20)
    response = _come_back(client, request, answer(request, saml, authn_instant=earlier))
    assert _live(agreement) == []
    assert any("fresh" in m or "färsk" in m for m in shown_messages(response))


def test_a_level_below_the_required_signs_nothing(saml: Any, iop: Iop) -> None:
    client, agreement = _signer(iop)
    request = _press_sign(client, agreement, iop.org_party)
    response = _come_back(client, request, answer(request, saml, loa=idp.LOA2))
    assert response.status_code == 403
    assert _live(agreement) == []


def test_a_proof_signs_once(saml: Any, iop: Iop) -> None:
    _client, _agreement = _signer(iop)
    proof = signing.Proof(
        user_pk=iop.representative.pk,
        provider="saml",
        uid=identity.person_key(ANNA.personnummer),
        loa=idp.LOA3,
        asserted_at=now().isoformat(),
        name="Anna Andersson",
        once="abc",
        started_at=now().timestamp() - 1,
    )
    signing.accept(actor=iop.representative, proof=proof)
    with pytest.raises(Exception, match=r"already been used|redan"):
        signing.accept(actor=iop.representative, proof=proof)
    with pytest.raises(Exception, match=r"another person|annan person"):
        signing.accept(actor=iop.chair, proof=proof)


def test_a_signer_without_a_linked_e_legitimation_is_offered_the_code(saml: Any, iop: Iop) -> None:
    agreement = to_signing(iop)
    client = browser()
    client.force_login(iop.representative)
    page = client.get(reverse("agreements:agreement", args=[agreement.pk])).content.decode()
    assert 'name="with" value="eid"' not in page
    assert 'name="code"' in page
    response = client.post(
        reverse("agreements:sign", args=[agreement.pk, iop.org_party.pk]),
        {"with": "eid", "seen_version": "x"},
        follow=True,
    )
    assert _live(agreement) == []
    assert shown_messages(response)  # told why, not sent to a provider


def test_a_compact_sign_on_with_e_legitimation(saml: Any, kommun: Any, adopted: Any) -> None:
    from dialogue.models import SignOn

    _link(kommun.rep)
    client = browser()
    client.force_login(kommun.rep)
    page = client.get(reverse("dialogue:compact", args=[adopted.pk]))
    form = page.context["sign_on_form"]
    assert "code" not in form.fields  # e-legitimation replaces the code for this person
    response = client.post(
        reverse("dialogue:sign_on", args=[adopted.pk]),
        {
            "organisation": kommun.organisation.pk,
            "seen_version": form.initial["seen_version"],
            "with": "eid",
        },
    )
    request = request_from(response["Location"])
    assert request.force_authn is True
    _come_back(client, request, answer(request, saml))
    sign_on = SignOn.objects.get()
    assert sign_on.confirmed_with == SigningEvidence.Method.EID
    assert (sign_on.organisation, sign_on.signed_by) == (kommun.organisation, kommun.rep)
    assert sign_on.eid_name == "Anna Andersson"


def test_a_programme_asks_for_e_legitimation_to_send_in(saml: Any, grants: Any) -> None:
    from grants.models import Submission
    from tests.grants.conftest import complete_draft

    grants.programme.send_in_with_eid = True
    grants.programme.save()
    application = complete_draft(grants)
    url = reverse("grants:check", args=[application.pk])
    # without e-legitimation the service refuses; the page says how to link one
    client = browser()
    client.force_login(grants.editor)
    page = client.get(url).content.decode()
    assert 'name="with" value="eid"' not in page
    assert reverse("portal:eid_account") in page
    state = re.search(r'name="seen_state" value="([^"]+)"', page)
    assert state
    refused = client.post(url, {"seen_state": state.group(1)})
    assert refused.status_code == 200
    assert not Submission.objects.exists()
    # with a linked e-legitimation, a fresh login sends it in
    _link(grants.editor)
    page = client.get(url).content.decode()
    assert 'name="with" value="eid"' in page
    response = client.post(url, {"seen_state": state.group(1), "with": "eid"})
    request = request_from(response["Location"])
    assert request.force_authn is True
    landed = post_answer(client, request, answer(request, saml))
    assert landed.status_code == 302
    assert client.get(landed["Location"])["Location"] == reverse(
        "grants:receipt", args=[application.pk]
    )
    submission = Submission.objects.get()
    assert submission.confirmed_with == SigningEvidence.Method.EID
    assert submission.eid_loa == idp.LOA3
    assert len(submission.text_sha256) == 64


def test_an_authentication_minutes_before_pressing_sign_is_not_fresh(saml: Any, iop: Iop) -> None:
    client, agreement = _signer(iop)
    request = _press_sign(client, agreement, iop.org_party)
    before = now() - dt.timedelta(minutes=4)
    _come_back(client, request, answer(request, saml, authn_instant=before))
    assert _live(agreement) == []


def test_an_authentication_dated_in_the_future_is_not_fresh(saml: Any, iop: Iop) -> None:
    client, agreement = _signer(iop)
    request = _press_sign(client, agreement, iop.org_party)
    later = now() + dt.timedelta(minutes=10)
    _come_back(client, request, answer(request, saml, authn_instant=later))
    assert _live(agreement) == []
