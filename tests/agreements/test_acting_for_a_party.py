"""Who acts for which party, from the side of the person who must be refused: one person signs
for one party of an agreement; nobody chooses themselves as a public body's signatory; the to-do
list asks for a signature only from whoever may give it now; a contribution is added only for a
party the person acts for; and a section's change history names the right people."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from agreements import permissions, services
from agreements.models import Contribution, Party, SectionRevision
from portal.models import PublicBodyRole, User
from tests.agreements.conftest import Iop, fresh, to_signing
from tests.agreements.test_access import become_url, officer_of, screened, signatory_url
from tests.helpers.clients import logged_in, queued_messages
from tests.organisations.factories import OrganisationMembershipFactory
from tests.portal.factories import CommitteeFactory, MembershipFactory

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("portal:dashboard")


def page(user: object, url: str) -> str:
    return " ".join(logged_in(user).get(url).content.decode().split())  # type: ignore[arg-type]


def signatory(party: Party) -> object:
    return Party.objects.get(pk=party.pk).signatory


# --- 1. one person signs for one party; nobody chooses themselves -------------------------


def test_the_public_bodys_signatory_cannot_also_claim_the_organisations_signature(
    iop: Iop,
) -> None:
    a = screened(iop)
    x = officer_of(iop.body, PublicBodyRole.DECISION_MAKER)
    services.party_set_signatory(party=iop.body_party, actor=iop.officer, signatory=x)
    # X then joins the association as its representative and tries to sign for it too
    OrganisationMembershipFactory(
        organisation=iop.org_party.organisation, user=x, role="representative"
    )
    agreement_page = page(x, reverse("agreements:agreement", args=[a.pk]))
    assert "Jag är firmatecknare för Föreningen Mötesplats" not in agreement_page
    response = logged_in(x).post(become_url(a, iop.org_party))
    assert queued_messages(response) == [
        "Du är redan firmatecknare för Socialnämnden i det här avtalet och kan därför inte "
        "också underteckna för Föreningen Mötesplats. Varje part undertecknar genom sin egen "
        "person."
    ]
    assert signatory(iop.org_party) is None
    # the association's own representative still can
    logged_in(iop.representative).post(become_url(a, iop.org_party))
    assert signatory(iop.org_party) == iop.representative


def test_the_signatory_of_one_public_body_is_not_chosen_for_another(iop: Iop) -> None:
    a = screened(iop)
    other_body = CommitteeFactory(name="Kultur- och fritidsnämnden", registry_prefix="KFN")
    other_party = services.party_add(agreement=fresh(a), actor=iop.officer, public_body=other_body)
    MembershipFactory(public_body=other_body, user=iop.chair, role=PublicBodyRole.DECISION_MAKER)
    other_officer = officer_of(other_body)
    services.party_set_signatory(party=iop.body_party, actor=iop.officer, signatory=iop.chair)
    # not offered for the other body …
    other_page = page(other_officer, reverse("agreements:agreement", args=[a.pk]))
    assert iop.chair.display_name + "</option>" not in other_page
    # … and refused when sent anyway
    with pytest.raises(ValidationError) as refused:
        services.party_set_signatory(party=other_party, actor=other_officer, signatory=iop.chair)
    assert "redan firmatecknare för Socialnämnden" in str(refused.value)
    assert signatory(other_party) is None


def test_the_officer_is_not_offered_and_cannot_choose_themselves(iop: Iop) -> None:
    a = screened(iop)
    officer_page = page(iop.officer, reverse("agreements:agreement", args=[a.pk]))
    assert f'<option value="{iop.chair.pk}">{iop.chair.display_name}</option>' in officer_page
    assert iop.officer.display_name + "</option>" not in officer_page
    response = logged_in(iop.officer).post(
        signatory_url(a, iop.body_party), {"signatory": iop.officer.pk}
    )
    assert response.status_code == 302
    assert signatory(iop.body_party) is None
    with pytest.raises(ValidationError) as refused:
        services.party_set_signatory(party=iop.body_party, actor=iop.officer, signatory=iop.officer)
    assert "Du kan inte välja dig själv som firmatecknare för Socialnämnden" in str(refused.value)
    assert signatory(iop.body_party) is None


# --- 2. the to-do list and the notice follow the signing rule ------------------------------


def test_a_signatory_who_may_no_longer_sign_is_not_asked_to(iop: Iop) -> None:
    # The chair was chosen, then recorded the decision: four eyes refuse their signature, so
    # neither the to-do list nor the notice asks them for it.
    a = to_signing(iop)
    colleague = officer_of(iop.body, PublicBodyRole.DECISION_MAKER)
    services.party_set_signatory(party=iop.body_party, actor=iop.officer, signatory=colleague)
    todo = page(colleague, OVERVIEW)
    assert "Skriv under IOP-avtalet ”Mötesplats Norr” för Socialnämnden" in todo
    type(a).objects.filter(pk=a.pk).update(decision_recorded_by=colleague)
    assert "Skriv under IOP-avtalet" not in page(colleague, OVERVIEW)
    # jäv: a declared conflict of interest takes it away too
    type(a).objects.filter(pk=a.pk).update(decision_recorded_by=iop.officer)
    assert "Skriv under IOP-avtalet" in page(colleague, OVERVIEW)
    OrganisationMembershipFactory(
        organisation=iop.org_party.organisation, user=colleague, role="viewer"
    )
    assert "Skriv under IOP-avtalet" not in page(colleague, OVERVIEW)
    # the association's representative is still asked
    assert "Skriv under IOP-avtalet" in page(iop.representative, OVERVIEW)


def test_the_list_form_of_the_signing_rule_agrees_with_the_rule(iop: Iop) -> None:
    """`may_sign_q` (the to-do list) says what `can_sign_for` (the signing) says, for people
    on both sides, before and after they prepared the agreement or became excluded."""
    a = screened(iop)
    second = CommitteeFactory(name="Kultur- och fritidsnämnden", registry_prefix="KFN")
    services.party_add(agreement=fresh(a), actor=iop.officer, public_body=second)
    colleague = officer_of(iop.body, PublicBodyRole.DECISION_MAKER)
    people = [iop.officer, iop.chair, colleague, iop.representative, iop.editor, iop.viewer]

    def agree() -> None:
        for person in people:
            person = User.objects.get(pk=person.pk)  # as a request reads the person
            listed = set(
                Party.objects.filter(agreement=a)
                .filter(permissions.may_sign_q(person))
                .values_list("pk", flat=True)
            )
            ruled = {p.pk for p in fresh(a).parties.all() if permissions.can_sign_for(person, p)}
            assert listed == ruled, person

    agree()
    type(a).objects.filter(pk=a.pk).update(legal_reviewed_by=iop.chair)
    OrganisationMembershipFactory(
        organisation=iop.org_party.organisation, user=colleague, role="viewer"
    )
    agree()
    assert not Party.objects.filter(permissions.may_sign_q(iop.chair)).exists()


def test_the_notice_to_sign_goes_only_to_signatories_who_may_sign(iop: Iop) -> None:
    from agreements.notifications import agreement_people

    a = screened(iop)
    outsider = officer_of(CommitteeFactory(name="Annan nämnd", registry_prefix="AN"))
    services.party_set_signatory(party=iop.body_party, actor=iop.officer, signatory=iop.chair)
    assert iop.chair in agreement_people(fresh(a), to_sign=True)
    type(a).objects.filter(pk=a.pk).update(legal_reviewed_by=iop.chair)
    assert iop.chair not in agreement_people(fresh(a), to_sign=True)
    assert outsider not in agreement_people(fresh(a), to_sign=True)


# --- 3. contributions only for a party the person acts for ---------------------------------


def contribution(party: Party) -> dict[str, object]:
    return {
        "party": party.pk,
        "year": 2027,
        "kind": "money",
        "description": "",
        "value": "9 999 999",
    }


def test_a_member_adds_contributions_only_for_their_organisation(iop: Iop) -> None:
    a = screened(iop)
    url = reverse("agreements:contribution_add", args=[a.pk])
    member_page = page(iop.editor, reverse("agreements:agreement", args=[a.pk]))
    assert f'<option value="{iop.org_party.pk}">Föreningen Mötesplats</option>' in member_page
    assert f'<option value="{iop.body_party.pk}">Socialnämnden</option>' not in member_page
    response = logged_in(iop.editor).post(url, contribution(iop.body_party))
    assert queued_messages(response) == [
        "Du kan bara lägga till en insats för en part som du företräder: din organisation, "
        "eller som handläggare din myndighet. Ingen insats lades till för Socialnämnden."
    ]
    assert not Contribution.objects.exists()
    logged_in(iop.editor).post(url, contribution(iop.org_party))
    assert list(Contribution.objects.values_list("party_id", flat=True)) == [iop.org_party.pk]


def test_an_excluded_officer_adds_no_contribution_for_the_public_body(iop: Iop) -> None:
    a = screened(iop)
    # the officer is also the association's editor: excluded from the public side (jäv)
    OrganisationMembershipFactory(
        organisation=iop.org_party.organisation, user=iop.officer, role="editor"
    )
    officer_page = page(iop.officer, reverse("agreements:agreement", args=[a.pk]))
    assert f'<option value="{iop.body_party.pk}">Socialnämnden</option>' not in officer_page
    with pytest.raises(ValidationError):
        services.contribution_add(
            agreement=fresh(a),
            actor=User.objects.get(pk=iop.officer.pk),  # as a request reads the person
            party=iop.body_party,
            year=2027,
            kind="money",
            description="",
            value=Decimal("9999999"),
        )
    assert not Contribution.objects.filter(party=iop.body_party).exists()
    # a colleague who is not excluded adds it
    colleague = officer_of(iop.body)
    services.contribution_add(
        agreement=fresh(a),
        actor=colleague,
        party=iop.body_party,
        year=2027,
        kind="money",
        description="",
        value=Decimal("100000"),
    )
    assert Contribution.objects.filter(party=iop.body_party).count() == 1


# --- 4. the change history names the right author -------------------------------------------


def test_from_the_empty_section_to_a_later_save_names_that_save_not_the_first_text(
    iop: Iop,
) -> None:
    a = screened(iop)
    services.agreement_section_save(
        agreement=fresh(a), actor=iop.editor, section="goals", text="Minst 40 unga i veckan."
    )
    services.agreement_section_save(
        agreement=fresh(a), actor=iop.officer, section="goals", text="Minst 60 unga i veckan."
    )
    first, later = SectionRevision.objects.order_by("id")
    changes = reverse("agreements:section_changes", args=[a.pk, "goals"])
    shown = page(iop.representative, f"{changes}?fran=0&till={later.pk}")
    assert "Den första texten, sparad" not in shown
    assert "Från det tomma avsnittet till sparningen" in shown
    assert f"({iop.officer.display_name})</h2>" in shown
    shown = page(iop.representative, f"{changes}?fran=0&till={first.pk}")
    assert "Den första texten, sparad" in shown
    assert f"av {iop.editor.display_name}</h2>" in shown
