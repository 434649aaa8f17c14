"""The compacts' pages make the same number of queries however many organisations have signed
on and however many commitments and follow-ups there are."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dialogue import services
from dialogue.models import Compact, Forum, SignOn
from organisations.models import OrganisationStatus
from tests.dialogue.conftest import Kommun, adopt, write
from tests.helpers.clients import logged_in
from tests.helpers.queries import assert_same_query_count, count_queries
from tests.organisations.factories import OrganisationFactory, OrganisationMembershipFactory


def _grow(kommun: Kommun, compact: Compact, n: int, start: int) -> None:
    """`n` more organisations signed on, a plan with `n` commitments and its follow-up."""
    version = compact.versions.filter(status="adopted").order_by("-number").first()
    assert version is not None
    for i in range(n):
        organisation = OrganisationFactory(status=OrganisationStatus.VERIFIED)
        person = OrganisationMembershipFactory(organisation=organisation).user
        SignOn.objects.create(
            compact=compact,
            version=version,
            organisation=organisation,
            signed_by=person,
            signed_at=datetime(2026, 4, 1 + i, tzinfo=ZoneInfo("Europe/Stockholm")),
            text_sha256=version.text_sha256,
        )
    plan = services.plan_add(
        actor=kommun.officer,
        compact=compact,
        title=f"Plan {start}",
        starts_on=date(2026, 1, 1),
        ends_on=date(2027, 12, 31),
    )
    commitments = [
        services.commitment_add(actor=kommun.officer, plan=plan, text=f"Åtagande {i}", owner="both")
        for i in range(n)
    ]
    follow_up = services.follow_up_save(
        actor=kommun.officer,
        plan=plan,
        year=2026,
        summary="",
        entries={c.pk: services.EntryInput("done", "Bevis") for c in commitments},
    )
    services.follow_up_publish(actor=kommun.officer, follow_up=follow_up)


def test_the_pages_make_the_same_queries_whatever_their_size(
    kommun: Kommun, adopted: Compact
) -> None:
    _grow(kommun, adopted, 2, 0)
    public = reverse("dialogue:compact", args=[adopted.pk])
    officer = logged_in(kommun.officer)
    rep = logged_in(kommun.rep)
    urls = [
        (Client(), public),
        (rep, reverse("dialogue:compacts")),  # drawn for a logged-in person, not kept
        (rep, public),
        (officer, reverse("dialogue:officer_compact", args=[adopted.pk])),
        (officer, reverse("dialogue:officer_list")),
    ]
    few = []
    for client, url in urls:
        client.get(url)
        with count_queries(person_kept=True) as queries:
            assert client.get(url).status_code == 200
        few.append(queries)
    _grow(kommun, adopted, 12, 1)
    write(kommun)  # a draft, not listed
    for extra in range(3):
        compact = services.compact_create(
            actor=kommun.officer, public_body=kommun.root, title=f"Fler {extra}"
        )
        services.version_section_add(
            actor=kommun.officer, version=compact.versions.get(), title="A", text="B"
        )
        adopt(kommun, compact.versions.get())
    for (client, url), before in zip(urls, few, strict=True):
        client.get(url)
        with count_queries(person_kept=True) as many:
            assert client.get(url).status_code == 200
        assert_same_query_count(before, many)


def test_the_forum_pages_make_the_same_queries_whatever_their_size(
    kommun: Kommun, forum: Forum
) -> None:
    from tests.dialogue.conftest import member_of

    member_of(kommun, forum)
    meeting = _meetings(kommun, forum, 1)[0]
    officer = logged_in(kommun.officer)
    rep = logged_in(kommun.rep)
    public = reverse("dialogue:forum", args=[forum.pk])
    urls = [
        (Client(), public),
        (rep, public),
        (rep, reverse("dialogue:forums")),
        (officer, reverse("dialogue:officer_forum", args=[forum.pk])),
        (officer, reverse("dialogue:officer_meeting", args=[meeting.pk])),
        (Client(), reverse("dialogue:forum_calendar", args=[forum.pk])),
    ]
    few = []
    for client, url in urls:
        client.get(url)
        with count_queries(person_kept=True) as queries:
            assert client.get(url).status_code == 200
        few.append(queries)
    for _n in range(5):
        organisation = OrganisationFactory(status=OrganisationStatus.VERIFIED)
        person = OrganisationMembershipFactory(organisation=organisation).user
        member = services.forum_member_invite(
            actor=kommun.officer, forum=forum, organisation=organisation
        )
        services.forum_member_appoint(
            actor=person, member=member, representative=person, deputy=None
        )
    for extra in [*_meetings(kommun, forum, 4), meeting]:
        for n in range(3):
            services.agenda_item_add(actor=kommun.officer, meeting=extra, title=f"Punkt {n}")
    for (client, url), before in zip(urls, few, strict=True):
        client.get(url)
        with count_queries(person_kept=True) as many:
            assert client.get(url).status_code == 200
        assert_same_query_count(before, many)


def _meetings(kommun: Kommun, forum: Forum, n: int) -> list[Any]:
    start = timezone.localtime() + timedelta(days=30)
    return [
        services.meeting_schedule(
            actor=kommun.officer,
            forum=forum,
            starts_at=start + timedelta(days=7 * i),
            ends_at=start + timedelta(days=7 * i, hours=2),
            place="Stadshuset",
        )
        for i in range(n)
    ]


def test_the_consultation_pages_make_the_same_queries_whatever_their_size(
    kommun: Kommun,
) -> None:
    import time_machine

    from dialogue.models import Consultation

    def respond(consultation: Consultation, n: int) -> None:
        for _i in range(n):
            organisation = OrganisationFactory(status=OrganisationStatus.VERIFIED)
            person = OrganisationMembershipFactory(organisation=organisation).user
            services.response_submit(
                actor=person, consultation=consultation, organisation=organisation, text="Svar."
            )

    with time_machine.travel(datetime(2027, 2, 1, 9, tzinfo=ZoneInfo("Europe/Stockholm"))):
        consultation = services.consultation_create(
            actor=kommun.officer,
            public_body=kommun.committee,
            title="Remissen",
            question="?",
            audience="all",
            deadline=date(2027, 3, 1),
        )
        services.consultation_publish(
            actor=kommun.officer, consultation=consultation, seen_state=None
        )
        respond(consultation, 1)

    def pages() -> list[tuple[Client, str]]:
        """The pages, each with its reader logged in anew (a session of its own each time)."""
        officer, rep = logged_in(kommun.officer), logged_in(kommun.rep)
        return [
            (Client(), reverse("dialogue:consultation", args=[consultation.pk])),
            (rep, reverse("dialogue:consultation", args=[consultation.pk])),
            (rep, reverse("dialogue:consultations")),
            (officer, reverse("dialogue:officer_consultation", args=[consultation.pk])),
            (officer, reverse("dialogue:officer_consultations")),
        ]

    closed = datetime(2027, 3, 5, 9, tzinfo=ZoneInfo("Europe/Stockholm"))
    with time_machine.travel(closed):
        few = []
        for client, url in pages():
            client.get(url)
            with count_queries(person_kept=True) as queries:
                assert client.get(url).status_code == 200
            few.append(queries)
    with time_machine.travel(datetime(2027, 2, 2, 9, tzinfo=ZoneInfo("Europe/Stockholm"))):
        respond(consultation, 6)
    with time_machine.travel(closed):
        for (client, url), before in zip(pages(), few, strict=True):
            client.get(url)
            with count_queries(person_kept=True) as many:
                assert client.get(url).status_code == 200
            assert_same_query_count(before, many)
