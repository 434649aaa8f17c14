"""Signing an IOP agreement, from the attacker's side and through the views: a fresh second
factor at the moment of signing, the signer's role checked then, a fingerprint of the text and
the parties' legal identities (not display names), the version the signer saw, the case
officer's way out of a failed round, and a replaced signatory that every party hears about."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from agreements import services
from agreements.models import Agreement, Party, Signature
from organisations.models import OrganisationMembership
from portal import second_factor
from portal.models import AuditEvent, Notification, User
from tests.agreements.conftest import Iop, fresh, sign, to_signing
from tests.agreements.factories import PartyFactory
from tests.helpers.clients import logged_in, shown_messages
from tests.helpers.mfa import signing_code
from tests.organisations.factories import OrganisationMembershipFactory
from tests.portal.factories import MembershipFactory, give_totp

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_used_codes() -> None:
    cache.clear()  # used codes and failed attempts of earlier tests


def client_of(user: User) -> Client:
    """The person's browser, reading the portal in English."""
    return logged_in(user, HTTP_ACCEPT_LANGUAGE="en")


def seen_version_on_page(client: Client, agreement: Agreement) -> str:
    page = client.get(reverse("agreements:agreement", args=[agreement.pk])).content.decode()
    found = re.search(r'name="seen_version" value="([0-9a-f]+)"', page)
    assert found, "the signing form carries the version of the text"
    return found.group(1)


def post_sign(client: Client, agreement: Agreement, party: Party, **data: str) -> Any:
    return client.post(reverse("agreements:sign", args=[agreement.pk, party.pk]), data, follow=True)


def said(response: Any) -> str:
    return " ".join(shown_messages(response))


def signatures(agreement: Agreement) -> set[int]:
    return set(
        Signature.objects.filter(agreement=agreement, voided_at__isnull=True).values_list(
            "party_id", flat=True
        )
    )


# --- 1. a fresh second factor in the signing step --------------------------------------------


def test_signing_without_a_code_or_with_a_wrong_one_signs_nothing(iop: Iop) -> None:
    a = to_signing(iop)
    client = client_of(iop.representative)
    version = seen_version_on_page(client, a)
    response = post_sign(client, a, iop.org_party, seen_version=version)
    assert "wrong or has already been used" in said(response)
    response = post_sign(client, a, iop.org_party, seen_version=version, code="000000x")
    assert "wrong or has already been used" in said(response)
    assert signatures(a) == set()

    response = post_sign(
        client, a, iop.org_party, seen_version=version, code=signing_code(iop.representative)
    )
    assert response.status_code == 200 and "You have signed for" in said(response)
    assert signatures(a) == {iop.org_party.pk}


def test_a_code_already_used_cannot_sign(iop: Iop) -> None:
    """The code typed at login (or seen over a shoulder and replayed) is refused."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    a = to_signing(iop)
    client = client_of(iop.representative)
    code = signing_code(iop.representative)
    authenticator = Authenticator.objects.get(user=iop.representative)
    assert TOTP(authenticator).validate_code(code)  # used to log in
    response = post_sign(
        client, a, iop.org_party, seen_version=seen_version_on_page(client, a), code=code
    )
    assert "wrong or has already been used" in said(response)
    assert signatures(a) == set()


def test_a_session_whose_app_was_set_up_with_the_password_alone_still_needs_a_code(
    iop: Iop,
) -> None:
    """Setting up TOTP seconds earlier does not make the session a two-factor one: the
    signature itself asks for the code."""
    from allauth.mfa.models import Authenticator

    a = to_signing(iop)
    Authenticator.objects.filter(user=iop.representative).delete()
    client = client_of(iop.representative)  # logged in with the password only
    give_totp(iop.representative)  # … and set up an app just now
    response = post_sign(client, a, iop.org_party, seen_version=seen_version_on_page(client, a))
    assert signatures(a) == set() and "wrong or has already been used" in said(response)


def test_without_an_authenticator_app_the_signer_is_told_to_set_one_up(iop: Iop) -> None:
    from allauth.mfa.models import Authenticator

    a = to_signing(iop)
    Authenticator.objects.filter(user=iop.representative).delete()
    client = client_of(iop.representative)
    response = post_sign(
        client, a, iop.org_party, seen_version=seen_version_on_page(client, a), code="123456"
    )
    assert "Set up an authenticator app" in said(response)
    assert signatures(a) == set()


def test_guessing_codes_is_stopped_after_a_few_tries(iop: Iop) -> None:
    a = to_signing(iop)
    client = client_of(iop.representative)
    version = seen_version_on_page(client, a)
    right = signing_code(iop.representative)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _attempt in range(second_factor.ATTEMPTS):
        post_sign(client, a, iop.org_party, seen_version=version, code=wrong)
    response = post_sign(client, a, iop.org_party, seen_version=version, code=right)
    assert "Too many wrong codes" in said(response)
    assert signatures(a) == set()


# --- 2. the signer's role at the moment of signing -------------------------------------------


def test_a_representative_demoted_to_viewer_cannot_sign_though_still_named(iop: Iop) -> None:
    a = to_signing(iop)
    assert fresh(a).parties.get(pk=iop.org_party.pk).signatory == iop.representative
    OrganisationMembership.objects.filter(
        user=iop.representative, organisation=iop.org_party.organisation
    ).update(role="viewer")
    client = client_of(iop.representative)
    page = client.get(reverse("agreements:agreement", args=[a.pk])).content.decode()
    assert reverse("agreements:sign", args=[a.pk, iop.org_party.pk]) not in page
    response = client.post(
        reverse("agreements:sign", args=[a.pk, iop.org_party.pk]),
        {"seen_version": services.signing_version(a), "code": signing_code(iop.representative)},
        follow=True,
    )
    assert "no longer have the role" in said(response)
    assert signatures(a) == set()


def test_someone_who_is_not_the_signatory_gets_403(iop: Iop) -> None:
    a = to_signing(iop)
    give_totp(iop.editor)
    response = client_of(iop.editor).post(
        reverse("agreements:sign", args=[a.pk, iop.org_party.pk]),
        {"seen_version": services.signing_version(a), "code": signing_code(iop.editor)},
    )
    assert response.status_code == 403 and signatures(a) == set()


def test_one_person_does_not_sign_for_two_parties(iop: Iop) -> None:
    from tests.portal.factories import CommitteeFactory

    a = to_signing(iop)
    region = CommitteeFactory(name="Regionen", registry_prefix="RS")
    second = PartyFactory(agreement=a, public_body=region, signatory=iop.chair)
    from tests.portal.factories import MembershipFactory

    MembershipFactory(public_body=region, role="decision_maker", user=iop.chair)
    client = client_of(iop.chair)
    version = services.signing_version(fresh(a))
    post_sign(client, a, iop.body_party, seen_version=version, code=signing_code(iop.chair))
    response = post_sign(client, a, second, seen_version=version, code=signing_code(iop.chair))
    assert "already signed for another party" in said(response)
    assert signatures(a) == {iop.body_party.pk}


def test_the_active_step_is_reached_only_by_every_signature(iop: Iop) -> None:
    a = to_signing(iop)
    with pytest.raises(PermissionDenied):
        services.agreement_transition(agreement=fresh(a), to="active", actor=iop.officer)
    assert fresh(a).status == "signing"


# --- 3. the fingerprint: the text and the parties' legal identities --------------------------


def test_a_changed_display_name_does_not_make_the_signing_stale(
    iop: Iop, django_capture_on_commit_callbacks: Any
) -> None:
    a = to_signing(iop)
    sign(agreement=a, actor=iop.representative, party=iop.org_party)
    # The signatory changes their display name, through their profile page.
    response = client_of(iop.representative).post(
        reverse("portal:profile"), {"name": "Rolf R. Representant"}
    )
    assert response.status_code == 302
    assert User.objects.get(pk=iop.representative.pk).name == "Rolf R. Representant"
    client = client_of(iop.chair)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_sign(
            client,
            a,
            iop.body_party,
            seen_version=seen_version_on_page(client, a),
            code=signing_code(iop.chair),
        )
    assert fresh(a).status == "active", said(response)


def test_a_changed_legal_name_makes_the_round_stale_and_the_officer_restarts_it(
    iop: Iop, django_capture_on_commit_callbacks: Any
) -> None:
    a = to_signing(iop)
    sign(agreement=a, actor=iop.representative, party=iop.org_party)
    organisation = iop.org_party.organisation
    type(organisation).objects.filter(pk=organisation.pk).update(
        name="Mötesplatsen Norr ideell förening"
    )

    officer = client_of(iop.officer)
    page = officer.get(reverse("agreements:agreement", args=[a.pk])).content.decode()
    assert "no longer match" in page  # the page says why the round cannot finish
    chair = client_of(iop.chair)
    response = post_sign(
        chair,
        a,
        iop.body_party,
        seen_version=seen_version_on_page(chair, a),
        code=signing_code(iop.chair),
    )
    assert "A case officer must restart the signing" in said(response)
    assert fresh(a).status == "signing" and signatures(a) == {iop.org_party.pk}

    # The association cannot restart it; the officer must give a reason.
    url = reverse("agreements:restart_signing", args=[a.pk])
    assert (
        client_of(iop.representative).post(url, {"action": "restart", "reason": "x"}).status_code
        == 403
    )
    response = officer.post(url, {"action": "restart", "reason": ""}, follow=True)
    assert "Give the reason" in said(response) and signatures(a) == {iop.org_party.pk}

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        officer.post(url, {"action": "restart", "reason": "Föreningen har bytt namn."})
    assert signatures(a) == {iop.org_party.pk}  # asked to confirm first: nothing changed yet
    with django_capture_on_commit_callbacks(execute=True):
        officer.post(
            url, {"action": "restart", "reason": "Föreningen har bytt namn.", "confirmed": "1"}
        )
    assert signatures(a) == set() and fresh(a).status == "signing"
    assert Signature.objects.filter(agreement=a, voided_by=iop.officer).count() == 1
    event = AuditEvent.objects.get(action="signing_restarted", object_id=str(a.pk))
    assert "Föreningen har bytt namn." in event.comment and "Rolf" in event.comment
    told = set(
        Notification.objects.filter(kind="agreement_signing_restarted").values_list(
            "recipient_id", flat=True
        )
    )
    assert {iop.representative.pk, iop.editor.pk, iop.officer.pk} <= told
    assert any("Föreningen har bytt namn." in m.body for m in mail.outbox)

    # Every party signs the text as it is now, and the agreement is in force.
    sign(agreement=a, actor=iop.representative, party=iop.org_party)
    with django_capture_on_commit_callbacks(execute=True):
        sign(agreement=a, actor=iop.chair, party=iop.body_party)
    assert fresh(a).status == "active"


def test_the_officer_can_take_the_agreement_back_to_change_the_text(
    iop: Iop, django_capture_on_commit_callbacks: Any
) -> None:
    a = to_signing(iop)
    sign(agreement=a, actor=iop.representative, party=iop.org_party)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(iop.officer).post(
            reverse("agreements:restart_signing", args=[a.pk]),
            {"action": "withdraw", "reason": "Målen behöver skrivas om.", "confirmed": "1"},
        )
    assert response.status_code == 302
    assert fresh(a).status == "co_creation" and signatures(a) == set()
    assert AuditEvent.objects.filter(action="signing_withdrawn", object_id=str(a.pk)).exists()
    assert Notification.objects.filter(
        kind="agreement_signing_restarted", recipient=iop.representative
    ).exists()


# --- 4. the version the signer saw ------------------------------------------------------------


def test_a_signature_on_a_text_that_changed_since_the_page_is_refused(iop: Iop) -> None:
    a = to_signing(iop)
    client = client_of(iop.representative)
    version = seen_version_on_page(client, a)
    # Meanwhile the public body's legal name changes.
    type(iop.body).objects.filter(pk=iop.body.pk).update(name="Social- och omsorgsnämnden")
    response = post_sign(
        client, a, iop.org_party, seen_version=version, code=signing_code(iop.representative)
    )
    assert "has changed since you opened the page" in said(response)
    assert signatures(a) == set()
    response = post_sign(client, a, iop.org_party, code=signing_code(iop.representative))
    assert "has changed since you opened the page" in said(response)  # no version: refused too
    assert signatures(a) == set()

    response = post_sign(
        client,
        a,
        iop.org_party,
        seen_version=seen_version_on_page(client, a),
        code=signing_code(iop.representative),
    )
    assert signatures(a) == {iop.org_party.pk}


# --- 6. a signatory replaced during signing ---------------------------------------------------


def test_replacing_a_signatory_during_signing_clears_the_signature_and_tells_everyone(
    iop: Iop, django_capture_on_commit_callbacks: Any
) -> None:
    a = to_signing(iop)
    sign(agreement=a, actor=iop.representative, party=iop.org_party)
    other = OrganisationMembershipFactory(
        organisation=iop.org_party.organisation, role="representative", user__name="Olle Ombud"
    ).user
    give_totp(other)
    become = reverse("agreements:become_signatory", args=[a.pk, iop.org_party.pk])

    # The editor cannot make themselves signatory; nothing changes.
    response = client_of(iop.editor).post(become, follow=True)
    assert "must be a representative" in said(response)
    assert fresh(a).parties.get(pk=iop.org_party.pk).signatory == iop.representative

    page = client_of(other).get(reverse("agreements:agreement", args=[a.pk])).content.decode()
    assert become in page  # offered, with what it does
    with django_capture_on_commit_callbacks(execute=True):
        client_of(other).post(become)
    assert fresh(a).parties.get(pk=iop.org_party.pk).signatory == other
    assert signatures(a) == set()
    event = AuditEvent.objects.get(action="signatory_replaced", object_id=str(a.pk))
    assert "Rolf Representant" in event.comment and "Olle Ombud" in event.comment
    told = set(
        Notification.objects.filter(kind="agreement_signatory_replaced").values_list(
            "recipient_id", flat=True
        )
    )
    assert {iop.representative.pk, other.pk, iop.officer.pk, iop.editor.pk} <= told

    # The earlier signatory can no longer sign; the new one signs and the agreement is in force.
    response = client_of(iop.representative).post(
        reverse("agreements:sign", args=[a.pk, iop.org_party.pk]),
        {"seen_version": services.signing_version(a), "code": signing_code(iop.representative)},
    )
    assert response.status_code == 403
    sign(agreement=a, actor=other, party=iop.org_party)
    with django_capture_on_commit_callbacks(execute=True):
        version = sign(agreement=a, actor=iop.chair, party=iop.body_party)
    assert fresh(a).status == "active"
    assert [s["name"] for s in version.content["signatures"]] == [
        "Olle Ombud",
        iop.chair.display_name,
    ]


def test_the_officer_who_prepared_the_agreement_does_not_sign_for_the_public_body(
    iop: Iop,
) -> None:
    """One officer alone ran the public side: screened, reviewed, recorded the decision, made
    themselves signatory and signed. Four eyes: whoever did the legal review or recorded the
    decision never signs for a public body; the chair (or another officer) does."""
    a = to_signing(iop)
    assert a.legal_reviewed_by == iop.officer and a.decision_recorded_by == iop.officer
    officer = client_of(iop.officer)
    become = reverse("agreements:become_signatory", args=[a.pk, iop.body_party.pk])
    assert become not in officer.get(reverse("agreements:agreement", args=[a.pk])).content.decode()
    officer.post(become)
    assert fresh(a).parties.get(pk=iop.body_party.pk).signatory == iop.chair

    # Named as signatory before the legal review (as a hurried officer might), refused at signing.
    Party.objects.filter(pk=iop.body_party.pk).update(signatory=iop.officer)
    officer.post(
        reverse("agreements:sign", args=[a.pk, iop.body_party.pk]),
        {"seen_version": services.signing_version(fresh(a)), "code": signing_code(iop.officer)},
    )
    assert signatures(a) == set()


def test_whoever_sends_an_amendment_for_signing_does_not_sign_it_for_the_public_body(
    iop: Iop, django_capture_on_commit_callbacks: Any
) -> None:
    """An officer who did not prepare the first version amends an active agreement, adds money,
    sends it for signing and takes over as the public body's signatory: refused at the
    signature; someone else (the chair) signs."""
    a = to_signing(iop)
    sign(agreement=a, actor=iop.representative, party=iop.org_party)
    with django_capture_on_commit_callbacks(execute=True):
        sign(agreement=fresh(a), actor=iop.chair, party=iop.body_party)
    amender = MembershipFactory(
        public_body=iop.body, role="decision_maker", user__name="Ambitiös Ändrare"
    ).user
    MembershipFactory(public_body=iop.body, role="case_officer", user=amender)
    give_totp(amender)
    services.agreement_transition(agreement=fresh(a), to="amendment", actor=amender)
    services.agreement_section_save(
        agreement=fresh(a), actor=amender, section="goals", text="Två miljoner kronor om året."
    )
    services.agreement_transition(agreement=fresh(a), to="signing", actor=amender)
    assert fresh(a).sent_to_signing_by == amender
    client = client_of(amender)
    client.post(reverse("agreements:become_signatory", args=[a.pk, iop.body_party.pk]))
    assert fresh(a).parties.get(pk=iop.body_party.pk).signatory == iop.chair
    Party.objects.filter(pk=iop.body_party.pk).update(signatory=amender)
    response = post_sign(
        client,
        a,
        iop.body_party,
        seen_version=services.signing_version(fresh(a)),
        code=signing_code(amender),
    )
    assert "someone else signs" in said(response)
    assert not Signature.objects.filter(agreement=a, number=2).exists()
    assert fresh(a).status == "signing"


def test_what_is_signed_is_the_same_in_every_interface_language(iop: Iop) -> None:
    """A party who reads the portal in English signs the same text as one who reads it in
    Swedish: the fingerprint and the PDF's text are in the agreement's language, not the
    reader's, so one party's language never makes another's signature stale."""
    from django.utils import translation

    a = to_signing(iop)
    with translation.override("en"):
        english = (services.signing_version(fresh(a)), services.agreement_snapshot(fresh(a)))
    with translation.override("sv"):
        swedish = (services.signing_version(fresh(a)), services.agreement_snapshot(fresh(a)))
    assert english == swedish
    assert any(section["title"] for section in swedish[1]["sections"])
