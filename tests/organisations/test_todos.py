"""What the register puts on a person's "To do" list at the top of My overview: invitations to
join sent to them, requests to join waiting for a representative's answer, annual documents
sent back and the year's documents missing once the annual meetings are held; for an officer,
organisations to verify and documents to review, linking to the filtered queue. And who sees
the association part of the overview at all."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from organisations import selectors, services
from organisations.models import (
    DocumentKind,
    Organisation,
    OrganisationRole,
    OrganisationStatus,
)
from portal import formats
from portal.models import User
from tests.helpers.clients import logged_in
from tests.helpers.queries import assert_same_query_count, count_queries
from tests.organisations.conftest import World
from tests.organisations.factories import (
    JoinRequestFactory,
    OrganisationMembershipFactory,
    pdf_upload,
)
from tests.portal.factories import UserFactory

OVERVIEW = reverse("portal:dashboard")
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def long_date(day: date) -> str:
    """As the Swedish page writes it."""
    with translation.override("sv"):
        return formats.long_date(day)


def page_of(user: User) -> str:
    return " ".join(logged_in(user).get(OVERVIEW).content.decode().split())


def todo_list(user: User) -> str:
    page = page_of(user)
    start = page.index('id="todo-heading"')
    return page[start : page.index("</section>", start)]


def item(todos: str, text: str) -> str:
    found = [li for li in todos.split("<li ")[1:] if text in li]
    assert len(found) <= 1, found
    return found[0] if found else ""


def verified(organisation: Organisation) -> None:
    Organisation.objects.filter(pk=organisation.pk).update(status=OrganisationStatus.VERIFIED)


def test_an_invitation_waits_for_the_person_it_was_sent_to(world: World) -> None:
    invited = UserFactory(email="NY@forening.se")  # the address as typed, another case
    todos = todo_list(invited)
    link = reverse("organisations:invitation_accept", args=[world.invitation.token])
    assert f'<a href="{link}">Svara på inbjudan att gå med i Idrottsföreningen Exempel</a>' in todos
    assert f"Senast {long_date(timezone.localdate(world.invitation.expires_at))}" in todos
    assert "Svara på inbjudan" not in todo_list(world.outsider)
    assert "Svara på inbjudan" not in todo_list(world.representative)


def test_a_request_to_join_waits_for_the_representatives_answer(world: World) -> None:
    name = world.join_request.user.display_name
    todos = todo_list(world.representative)
    link = reverse("organisations:members", args=[world.organisation.pk])
    assert f'<a href="{link}">{name} vill gå med i Idrottsföreningen Exempel</a>' in todos
    assert "vill gå med" not in todo_list(world.editor)  # only a representative answers
    assert "vill gå med" not in todo_list(world.outsider)


def test_a_document_sent_back_waits_for_a_new_version(world: World, officer: User) -> None:
    services.document_review(
        document=world.document,
        actor=officer,
        approve=False,
        comment="Sidan två saknas.",
        seen_version=selectors.document_seen_version(world.document),
    )
    year = world.document.year
    link = reverse("organisations:documents", args=[world.organisation.pk]) + f"?ar={year}"
    text = f"Stadgar {year} har skickats tillbaka – skicka in en ny version"
    assert f'<a href="{link}">{text}</a>' in todo_list(world.editor)
    assert text in todo_list(world.representative)
    assert text not in todo_list(world.viewer)  # reads, does not upload
    assert text not in todo_list(world.outsider)


def test_the_years_annual_documents_are_asked_for_once_the_meetings_are_held(
    world: World,
) -> None:
    verified(world.organisation)
    with time_machine.travel(datetime(2026, 6, 20, 12, tzinfo=STOCKHOLM), tick=False):
        todos = todo_list(world.representative)
        last_year = item(todos, "Skicka in årsdokumenten för 2025")
        assert "Försenad" in last_year  # asked for on 30 July 2025
        assert "2026" not in item(todos, "årsdokumenten")  # this year's meetings not yet held
    with time_machine.travel(datetime(2026, 7, 10, 12, tzinfo=STOCKHOLM), tick=False):
        this_year = item(todo_list(world.editor), "Skicka in årsdokumenten för 2026")
        link = reverse("organisations:documents", args=[world.organisation.pk]) + "?ar=2026"
        assert f'href="{link}"' in this_year
        assert "Idrottsföreningen Exempel – saknas: Årsmötesprotokoll" in this_year
        assert "Senast 30 juli 2026" in this_year
        assert "Försenad" not in this_year
        for kind in [
            DocumentKind.ANNUAL_MEETING_MINUTES,
            DocumentKind.ACTIVITY_REPORT,
            DocumentKind.FINANCIAL_REPORT,
            DocumentKind.AUDIT_REPORT,
        ]:
            services.document_upload(
                organisation=world.organisation,
                actor=world.editor,
                year=2026,
                kind=kind,
                upload=pdf_upload(),
            )
        assert "årsdokumenten för 2026" not in todo_list(world.editor)
        assert "årsdokumenten" not in todo_list(world.viewer)
        assert "årsdokumenten" not in todo_list(world.outsider)  # not verified: not asked


def test_the_officer_sees_what_waits_in_the_register_with_links_to_the_queue(
    world: World, officer: User
) -> None:
    todos = todo_list(officer)
    queue = reverse("organisations:officer_queue")
    # The world's organisation and the outsider's are both awaiting verification.
    assert f'<a href="{queue}?status=pending">2 organisationer att verifiera</a>' in todos
    documents_link = f"{queue}?status=&amp;documents=waiting"
    assert f'<a href="{documents_link}">1 årsdokument att granska</a>' in todos
    listed = logged_in(officer).get(f"{queue}?status=&documents=waiting").content.decode()
    assert "Idrottsföreningen Exempel" in listed
    assert world.outsider.organisation_memberships.get().organisation.name not in listed
    # An officer connected to the organisation does not count its cases.
    OrganisationMembershipFactory(
        organisation=world.organisation, user=officer, role=OrganisationRole.VIEWER
    )
    todos = todo_list(officer)
    assert "1 organisation att verifiera" in todos
    assert "årsdokument att granska" not in todos
    assert "att verifiera</a>" not in todo_list(world.representative)  # the officer's item


def test_the_association_part_is_for_members_and_those_without_an_officer_role(
    world: World, officer: User
) -> None:
    newcomer = page_of(UserFactory())
    assert 'id="organisations-heading"' in newcomer
    assert reverse("organisations:register") in newcomer
    assert "Du har inget att göra just nu." in newcomer

    only_officer = page_of(officer)
    assert 'id="officer-heading"' in only_officer
    assert 'id="organisations-heading"' not in only_officer
    assert reverse("organisations:register") not in only_officer

    OrganisationMembershipFactory(organisation=world.organisation, user=officer)
    both = page_of(officer)
    assert both.index('id="officer-heading"') < both.index('id="organisations-heading"')
    assert "Idrottsföreningen Exempel</a> – Företrädare (firmatecknare)" in both

    member = page_of(world.editor)
    assert 'id="officer-heading"' not in member
    assert "Idrottsföreningen Exempel</a> – Redaktör" in member


def test_the_register_part_of_the_list_costs_the_same_queries_whatever_waits(
    world: World, officer: User
) -> None:
    client = logged_in(world.representative)
    client.get(OVERVIEW)
    with count_queries() as few:
        client.get(OVERVIEW)
    for _ in range(4):
        JoinRequestFactory(organisation=world.organisation)
    invited = world.representative
    for _ in range(3):
        other = OrganisationMembershipFactory().organisation
        services.invitation_create(
            organisation=other,
            actor=other.memberships.get().user,
            email=invited.email,
            role=OrganisationRole.EDITOR,
        )
    with count_queries() as many:
        page = client.get(OVERVIEW).content.decode()
    assert_same_query_count(few, many)
    assert page.count("vill gå med i") == 5
    assert page.count("Svara på inbjudan") == 3

    officer_client = logged_in(officer)
    officer_client.get(OVERVIEW)
    with count_queries() as few:
        officer_client.get(OVERVIEW)
    for _ in range(5):
        OrganisationMembershipFactory()
    with count_queries() as many:
        officer_client.get(OVERVIEW)
    assert_same_query_count(few, many)


def test_an_organisation_awaiting_verification_is_asked_for_its_documents(world: World) -> None:
    """A newly registered organisation cannot apply before its documents are sent in: the list
    says which ones the register asks for, instead of "nothing to do"."""
    newcomer = world.outsider  # represents an organisation awaiting verification, no documents
    organisation = newcomer.organisation_memberships.get().organisation
    page = page_of(newcomer)
    assert "Du har inget att göra just nu." not in page
    todos = todo_list(newcomer)
    asked = item(todos, f"Skicka in dokumenten som behövs för att verifiera {organisation.name}")
    link = reverse("organisations:documents", args=[organisation.pk])
    assert f'href="{link}?ar=' in asked
    assert (
        "Saknas: Stadgar, Årsmötesprotokoll, Verksamhetsberättelse, "
        "Ekonomisk berättelse (resultat- och balansräkning), Revisionsberättelse"
    ) in asked

    # The world's organisation has sent in its statutes: the rest is asked for, by those who
    # upload (not the viewer).
    asked = item(todo_list(world.editor), "som behövs för att verifiera Idrottsföreningen")
    assert "Saknas: Årsmötesprotokoll" in asked
    assert "Stadgar" not in asked
    assert "verifiera" not in todo_list(world.viewer)

    Organisation.objects.filter(pk=world.organisation.pk).update(
        status=OrganisationStatus.NEEDS_UPDATE
    )
    assert "som behövs för att verifiera Idrottsföreningen" in todo_list(world.editor)
    verified(world.organisation)  # then the annual reminder takes over
    assert "som behövs för att verifiera" not in todo_list(world.editor)


def test_nothing_is_asked_before_verification_once_the_documents_are_in(world: World) -> None:
    year = int(
        item(todo_list(world.editor), "som behövs för att verifiera").split("?ar=")[1].split('"')[0]
    )
    for kind in [
        DocumentKind.ANNUAL_MEETING_MINUTES,
        DocumentKind.ACTIVITY_REPORT,
        DocumentKind.FINANCIAL_REPORT,
        DocumentKind.AUDIT_REPORT,
    ]:
        services.document_upload(
            organisation=world.organisation,
            actor=world.editor,
            year=year,
            kind=kind,
            upload=pdf_upload(),
        )
    assert "som behövs för att verifiera" not in todo_list(world.editor)
