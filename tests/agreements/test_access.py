"""Who may see, edit and sign an IOP agreement, from the refused side: one rule
(agreements/permissions.py) for the selectors, the page and the services, with segregation of
duties for the public side."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from agreements import permissions, selectors, services
from agreements.models import SCREENING_CRITERIA, Agreement, Party, Signature
from organisations import services as organisation_services
from organisations.models import (
    ConflictOfInterest,
    OrganisationMembership,
)
from portal.models import AuditEvent, PublicBody, PublicBodyRole, User
from tests.agreements.conftest import INITIATIVE, Iop, fresh, to_signing
from tests.agreements.factories import PartyFactory
from tests.helpers.clients import logged_in
from tests.helpers.queries import assert_same_query_count, count_queries
from tests.organisations.factories import (
    JoinRequestFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    PastMembershipFactory,
)
from tests.portal.factories import CommitteeFactory, MembershipFactory, UserFactory, give_totp

pytestmark = pytest.mark.django_db


def page_of(user: User, agreement: Agreement) -> str:
    response = logged_in(user).get(
        reverse("agreements:agreement", args=[agreement.pk]), headers={"accept-language": "en"}
    )
    assert response.status_code == 200
    return response.content.decode()


def officer_of(body: PublicBody, role: str = PublicBodyRole.CASE_OFFICER) -> User:
    user = MembershipFactory(public_body=body, role=role).user
    give_totp(user)
    return user


def screened(i: Iop) -> Agreement:
    """Co-creation: the lead officer screened the initiative as an IOP."""
    a = services.agreement_transition(agreement=fresh(i.agreement), to="screening", actor=i.officer)
    answers = {key: {"ok": True, "comment": "Ja."} for key, _label in SCREENING_CRITERIA}
    services.agreement_screen(
        agreement=fresh(a), actor=i.officer, answers=answers, is_iop=True, comment=""
    )
    return fresh(a)


def become_url(agreement: Agreement, party: Party) -> str:
    return reverse("agreements:become_signatory", args=[agreement.pk, party.pk])


def signatory_url(agreement: Agreement, party: Party) -> str:
    return reverse("agreements:signatory_set", args=[agreement.pk, party.pk])


# --- two public bodies -------------------------------------------------------------------


def test_the_second_public_bodys_officer_sees_the_agreement_and_signs_for_their_body(
    iop: Iop,
) -> None:
    second = CommitteeFactory(name="Kultur- och fritidsnämnden", registry_prefix="KFN")
    officer2 = officer_of(second)
    a = screened(iop)
    page_url = reverse("agreements:agreement", args=[a.pk])
    assert logged_in(officer2).get(page_url).status_code == 404  # not a party yet

    # The lead officer is offered the party form and adds the second body through it.
    assert f'action="{reverse("agreements:party_add", args=[a.pk])}"' in page_of(iop.officer, a)
    response = logged_in(iop.officer).post(
        reverse("agreements:party_add", args=[a.pk]),
        {"public_body": second.pk, "organisation_number": ""},
    )
    assert response.status_code == 302
    party2 = a.parties.get(public_body=second)

    # The second body's officer now sees it, in their IOP list too, and chooses who signs for
    # exactly their party (from a list: not a declaration of their own).
    page = page_of(officer2, a)
    assert a.title in logged_in(officer2).get(reverse("agreements:officer_list")).content.decode()
    offered = {p.pk for p in a.parties.all() if signatory_url(a, p) in page}
    assert offered == {party2.pk}
    assert not any(become_url(a, p) in page for p in a.parties.all())
    # The page offers what the service allows: every other party is refused, nothing changes.
    client = logged_in(officer2)
    for party in a.parties.all():
        client.post(become_url(a, party))
        if party != party2:
            client.post(signatory_url(a, party), {"signatory": officer2.pk})
    assert not a.parties.exclude(signatory=None).exists()
    # nobody chooses themselves: a colleague at their body signs
    client.post(signatory_url(a, party2), {"signatory": officer2.pk})
    assert not a.parties.exclude(signatory=None).exists()
    chair2 = officer_of(second, PublicBodyRole.DECISION_MAKER)
    client.post(signatory_url(a, party2), {"signatory": chair2.pk})
    signatories = dict(a.parties.values_list("pk", "signatory_id"))
    assert signatories == {iop.org_party.pk: None, iop.body_party.pk: None, party2.pk: chair2.pk}

    # They act for their body, not as the responsible body's case officer.
    assert f'action="{reverse("agreements:party_add", args=[a.pk])}"' not in page
    assert 'value="legal_review"' not in page
    response = client.post(reverse("agreements:transition", args=[a.pk]), {"to": "legal_review"})
    assert response.status_code == 403 and fresh(a).status == "co_creation"

    # When the agreement is out for signing, the page offers their signature.
    services.party_set_signatory(
        party=iop.org_party, actor=iop.representative, signatory=iop.representative
    )
    services.party_set_signatory(party=iop.body_party, actor=iop.officer, signatory=iop.chair)
    services.agreement_transition(agreement=fresh(a), to="legal_review", actor=iop.officer)
    services.agreement_legal_review(
        agreement=fresh(a),
        actor=iop.officer,
        procurement="Idéburet.",
        route="not_economic",
        amount=None,
    )
    services.agreement_decide(
        agreement=fresh(a), actor=iop.officer, decided_on=timezone.localdate(), reference="SN § 1"
    )
    assert fresh(a).status == "signing"
    assert reverse("agreements:sign", args=[a.pk, party2.pk]) in page_of(chair2, a)
    assert reverse("agreements:sign", args=[a.pk, iop.body_party.pk]) not in page_of(chair2, a)


def test_an_officer_of_an_unrelated_body_gets_404(iop: Iop) -> None:
    second = CommitteeFactory(name="Kultur- och fritidsnämnden", registry_prefix="KFN")
    a = screened(iop)
    services.party_add(agreement=fresh(a), actor=iop.officer, public_body=second)
    stranger = officer_of(CommitteeFactory(name="Byggnadsnämnden", registry_prefix="BN"))
    client = logged_in(stranger)
    assert client.get(reverse("agreements:agreement", args=[a.pk])).status_code == 404
    for party in a.parties.all():
        assert client.post(become_url(a, party)).status_code == 404
    assert client.post(reverse("agreements:conflict_declare", args=[a.pk]), {}).status_code == 404
    assert not a.parties.exclude(signatory=None).exists()
    assert a.title not in client.get(reverse("agreements:mine")).content.decode()


# --- segregation of duties ---------------------------------------------------------------


def _member(user: User, i: Iop) -> None:
    OrganisationMembershipFactory(user=user, organisation=i.org_party.organisation, role="viewer")


def _former_member(user: User, i: Iop) -> None:
    PastMembershipFactory(
        organisation=i.org_party.organisation,
        user=user,
        role="editor",
        started_at=timezone.now() - timedelta(days=400),
        ended_at=timezone.now() - timedelta(days=10),
    )


def _asked_to_join(user: User, i: Iop) -> None:
    JoinRequestFactory(organisation=i.org_party.organisation, user=user)


@pytest.mark.parametrize("affiliate", [_member, _former_member, _asked_to_join])
def test_an_officer_connected_to_the_organisation_cannot_act_for_the_public_side(
    iop: Iop, affiliate: object
) -> None:
    conflicted = officer_of(iop.body)
    MembershipFactory(user=conflicted, public_body=iop.body, role=PublicBodyRole.DECISION_MAKER)
    affiliate(conflicted, iop)  # type: ignore[operator]
    client = logged_in(conflicted)
    a = services.agreement_transition(
        agreement=fresh(iop.agreement), to="screening", actor=iop.officer
    )

    page = page_of(conflicted, a)  # they may read it
    assert "You do not act for the public side" in page
    assert reverse("agreements:screen", args=[a.pk]) not in page
    screening = {"is_iop": "yes", "comment": ""}
    for key, _label in SCREENING_CRITERIA:
        screening[f"ok_{key}"] = "on"
        screening[f"comment_{key}"] = "Uppfyllt."
    assert client.post(reverse("agreements:screen", args=[a.pk]), screening).status_code == 403
    assert fresh(a).status == "screening"

    # Nor become the public body's signatory during co-creation.
    logged_in(iop.officer).post(reverse("agreements:screen", args=[a.pk]), screening)
    a = fresh(a)
    assert a.status == "co_creation"
    assert become_url(a, iop.body_party) not in page_of(conflicted, a)
    assert client.post(become_url(a, iop.body_party)).status_code == 403
    assert Party.objects.get(pk=iop.body_party.pk).signatory_id is None

    # Nor decide.
    Agreement.objects.filter(pk=a.pk).update(status="decision")
    a = fresh(a)
    assert reverse("agreements:decide", args=[a.pk]) not in page_of(conflicted, a)
    response = client.post(
        reverse("agreements:decide", args=[a.pk]),
        {"decided_on": timezone.localdate().isoformat(), "reference": "SN § 124"},
    )
    assert response.status_code == 403 and fresh(a).status == "decision"
    assert not AuditEvent.objects.filter(actor=conflicted).exists()


def test_a_declared_conflict_of_interest_takes_the_officer_off_the_public_side(iop: Iop) -> None:
    decider = officer_of(iop.body, PublicBodyRole.DECISION_MAKER)
    a = to_signing(iop)
    Agreement.objects.filter(pk=a.pk).update(status="decision")
    a = fresh(a)
    decide_url = reverse("agreements:decide", args=[a.pk])
    conflict_url = reverse("agreements:conflict_declare", args=[a.pk])
    page = page_of(decider, a)
    assert decide_url in page and conflict_url in page
    assert conflict_url not in page_of(iop.representative, a)  # only for the public side

    client = logged_in(decider)
    client.post(conflict_url, {"reason": "  "})  # no reason: nothing recorded
    assert not ConflictOfInterest.objects.exists()
    reason = {"reason": "Min make sitter i föreningens styrelse."}
    assert client.post(conflict_url, reason).status_code == 200  # asked to confirm first
    assert not ConflictOfInterest.objects.exists()
    response = client.post(conflict_url, reason | {"confirmed": "1"})
    assert response.status_code == 302
    assert ConflictOfInterest.objects.filter(user=decider, object_id=str(a.pk)).exists()
    assert AuditEvent.objects.filter(
        action="conflict_declared", object_id=str(a.pk), actor=decider
    ).exists()

    page = page_of(decider, a)
    assert decide_url not in page and conflict_url not in page
    assert "You do not act for the public side" in page
    response = client.post(
        decide_url, {"decided_on": timezone.localdate().isoformat(), "reference": "SN § 124"}
    )
    assert response.status_code == 403 and fresh(a).status == "decision"
    # The other decision maker, without a conflict, still decides.
    officer_page = page_of(iop.officer, a)
    assert decide_url in officer_page


def test_a_demoted_representative_is_not_offered_signing_and_is_refused(iop: Iop) -> None:
    a = to_signing(iop)
    sign_url = reverse("agreements:sign", args=[a.pk, iop.org_party.pk])
    assert sign_url in page_of(iop.representative, a)
    second = OrganisationMembershipFactory(
        organisation=iop.org_party.organisation, role="representative"
    ).user
    organisation_services.membership_change_role(
        membership=OrganisationMembership.objects.get(user=iop.representative),
        actor=second,
        role="viewer",
    )
    page = page_of(iop.representative, a)
    assert sign_url not in page
    assert become_url(a, iop.org_party) not in page
    logged_in(iop.representative).post(sign_url, {"code": "123456"})
    assert not Signature.objects.exists()
    # The new representative may take over as signatory; the page offers no more than that.
    assert permissions.can_sign_for(second, iop.org_party)
    assert not permissions.can_sign_for(User.objects.get(pk=iop.representative.pk), iop.org_party)


# --- one rule: the selector agrees with the predicate ------------------------------------


def test_the_selector_and_can_view_agree_for_every_user_and_agreement(iop: Iop) -> None:
    second = CommitteeFactory(name="Kultur- och fritidsnämnden", registry_prefix="KFN")
    third = CommitteeFactory(name="Byggnadsnämnden", registry_prefix="BN")
    other_org = OrganisationFactory(name="Idrottsföreningen")
    a1 = screened(iop)
    services.party_add(agreement=fresh(a1), actor=iop.officer, public_body=second)
    services.party_add(agreement=fresh(a1), actor=iop.officer, organisation=other_org)
    a2 = services.agreement_initiate(  # another body's agreement with another organisation
        actor=officer_of(third),
        organisation=OrganisationFactory(),
        public_body=third,
        data={**INITIATIVE, "title": "Annat avtal"},
    )
    a3 = services.agreement_initiate(  # the same organisation, only the lead body
        actor=iop.representative,
        organisation=iop.org_party.organisation,
        public_body=iop.body,
        data={**INITIATIVE, "title": "Tredje avtalet"},
    )
    users: list[object] = [
        AnonymousUser(),
        iop.officer,
        iop.representative,
        iop.editor,
        iop.viewer,
        officer_of(iop.body, PublicBodyRole.DECISION_MAKER),
        officer_of(second),
        officer_of(second, PublicBodyRole.DECISION_MAKER),
        officer_of(third),
        OrganisationMembershipFactory(organisation=other_org, role="viewer").user,
        OrganisationMembershipFactory(role="representative").user,
        UserFactory(),
        UserFactory(is_staff=True, is_superuser=True),
    ]
    conflicted = officer_of(iop.body)
    _member(conflicted, iop)
    users.append(conflicted)
    agreements = [a1, a2, a3]
    for user in users:
        assert isinstance(user, User | AnonymousUser)
        listed = set(selectors.agreements_for_user(user=user).values_list("pk", flat=True))
        predicate = {a.pk for a in agreements if permissions.can_view(user, fresh(a))}
        assert listed == predicate, user
    assert {a.pk for a in agreements if permissions.can_view(officer_of(second), fresh(a))} == {
        a1.pk
    }


# --- list pages keep their query count ---------------------------------------------------


def test_the_second_bodys_list_keeps_its_query_count(iop: Iop) -> None:
    second = CommitteeFactory(name="Kultur- och fritidsnämnden", registry_prefix="KFN")
    officer2 = officer_of(second)
    client = logged_in(officer2)

    def make(count: int) -> None:
        for n in range(count):
            agreement = services.agreement_initiate(
                actor=iop.officer,
                organisation=OrganisationFactory(),
                public_body=iop.body,
                data={**INITIATIVE, "title": f"Avtal {n}"},
            )
            PartyFactory(agreement=agreement, public_body=second)

    make(2)
    client.get(reverse("agreements:mine"))
    with count_queries() as few:
        client.get(reverse("agreements:mine"))
    make(10)
    with count_queries() as many:
        response = client.get(reverse("agreements:mine"))
    assert response.status_code == 200 and "Avtal 9" in response.content.decode()
    assert_same_query_count(few, many)


def test_a_conflict_declared_in_an_agreement_covers_its_organisations_even_those_added_later(
    iop: Iop,
) -> None:
    from organisations import segregation

    a = screened(iop)
    decider = officer_of(iop.body, PublicBodyRole.DECISION_MAKER)
    logged_in(decider).post(
        reverse("agreements:conflict_declare", args=[a.pk]),
        {"reason": "Jag är släkt.", "confirmed": "1"},
    )
    first = iop.org_party.organisation
    assert segregation.is_excluded(decider, organisation_ids=[first.pk])
    later = OrganisationFactory(name="Föreningen Senare", status="verified")
    services.party_add(agreement=fresh(a), actor=iop.officer, organisation=later)
    segregation.forget(decider)
    assert segregation.is_excluded(decider, organisation_ids=[later.pk])
    # The officer's page of the added organisation offers them nothing to do.
    page = logged_in(decider).get(reverse("organisations:officer_detail", args=[later.pk]))
    assert page.context["excluded"] is True
