"""What IOP agreements put on a person's "To do" list at the top of My overview: an agreement
waiting for the person's signature (an organisation's or a public body's signatory) until they
have signed the current round, and for the case officer the initiatives to screen, the same
number as the case handling page's card."""

from __future__ import annotations

from django.urls import reverse

from agreements.models import AgreementStatus
from agreements.panels import OFFICER_LIST
from portal.models import User
from tests.agreements.conftest import Iop, sign, to_signing
from tests.agreements.factories import AgreementFactory, AgreementVersionFactory, PartyFactory
from tests.helpers.clients import logged_in
from tests.helpers.queries import assert_same_query_count, count_queries
from tests.organisations.factories import OrganisationMembershipFactory

OVERVIEW = reverse("portal:dashboard")


def todo_list(user: User) -> str:
    page = " ".join(logged_in(user).get(OVERVIEW).content.decode().split())
    start = page.index('id="todo-heading"')
    return page[start : page.index("</section>", start)]


def test_the_case_officer_sees_the_initiatives_to_screen(iop: Iop) -> None:
    link = f"{reverse(OFFICER_LIST)}?status=initiative"
    assert f'<a href="{link}">1 IOP-initiativ att pröva</a>' in todo_list(iop.officer)
    listed = logged_in(iop.officer).get(link).content.decode()
    assert "Mötesplats Norr" in listed
    home = logged_in(iop.officer).get(reverse("portal:officer_home")).content.decode()
    assert "1 initiativ väntar på prövning." in home
    assert "att pröva" not in todo_list(iop.chair)  # a decision maker does not screen
    assert "att pröva" not in todo_list(iop.representative)
    # An officer connected to the initiating organisation stays out of it.
    OrganisationMembershipFactory(
        organisation=iop.org_party.organisation, user=iop.officer, role="viewer"
    )
    assert "att pröva" not in todo_list(iop.officer)


def test_an_agreement_waits_for_each_signatory_until_they_have_signed(iop: Iop) -> None:
    agreement = to_signing(iop)
    assert agreement.status == AgreementStatus.SIGNING
    link = reverse("agreements:agreement", args=[agreement.pk])
    for_association = "Skriv under IOP-avtalet ”Mötesplats Norr” för Föreningen Mötesplats"
    for_body = "Skriv under IOP-avtalet ”Mötesplats Norr” för Socialnämnden"
    assert f'<a href="{link}">{for_association}</a>' in todo_list(iop.representative)
    assert f'<a href="{link}">{for_body}</a>' in todo_list(iop.chair)
    assert "Skriv under" not in todo_list(iop.editor)  # not the chosen signatory
    assert "Skriv under" not in todo_list(iop.officer)
    sign(agreement=agreement, actor=iop.representative, party=iop.org_party)
    assert "Skriv under" not in todo_list(iop.representative)
    assert for_body in todo_list(iop.chair)


def test_the_signatures_cost_the_same_queries_however_many_wait(iop: Iop) -> None:
    def waiting_signature() -> None:
        party = PartyFactory(  # a party of the chair's own body: they may sign for it
            agreement=AgreementFactory(status=AgreementStatus.SIGNING),
            public_body=iop.body,
            signatory=iop.chair,
        )
        AgreementVersionFactory(agreement=party.agreement, number=1)  # signs round 2

    waiting_signature()
    client = logged_in(iop.chair)
    client.get(OVERVIEW)
    with count_queries() as few:
        client.get(OVERVIEW)
    for _ in range(4):
        waiting_signature()
    with count_queries() as many:
        page = client.get(OVERVIEW).content.decode()
    assert_same_query_count(few, many)
    assert page.count("Skriv under IOP-avtalet") == 5
