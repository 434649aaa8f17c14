"""A forum's or council's life as its users meet it: an officer invites an organisation, whose
representative accepts and appoints its representative and deputy; a meeting is scheduled and
its notice goes out the forum's notice days before (in Swedish time, across summer time); a
changed or cancelled meeting is told again; members propose agenda items by the last day and
hear what became of them; attendance and minutes are recorded, approved and published; the
meetings are a calendar feed."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dialogue import services
from dialogue.models import (
    AgendaItem,
    Forum,
    ForumMember,
    ItemStatus,
    Meeting,
    MemberStatus,
    MinutesStatus,
)
from portal import transitions
from portal.models import AuditEvent, Notification
from portal.notifications import scan
from tests.dialogue.conftest import Kommun, member_of
from tests.helpers.clients import logged_in
from tests.organisations.factories import OrganisationMembershipFactory

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def at(*args: int) -> datetime:
    """A moment in Swedish time."""
    return datetime(*args, tzinfo=STOCKHOLM)  # type: ignore[misc]


def _notices(kind: str = "meeting_notice") -> list[tuple[str, date]]:
    return sorted(
        (row.recipient.email, row.due_date)
        for row in Notification.objects.filter(kind=kind).select_related("recipient")
    )


def test_an_invited_organisation_accepts_and_appoints_its_people(
    kommun: Kommun, forum: Forum, django_capture_on_commit_callbacks: Any
) -> None:
    officer = logged_in(kommun.officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(
            reverse("dialogue:member_invite", args=[forum.pk]),
            {"organisation_number": kommun.organisation.organisation_number},
        )
    assert response.status_code == 302
    member = ForumMember.objects.get()
    assert member.status == MemberStatus.INVITED
    assert Notification.objects.filter(kind="forum_invitation", recipient=kommun.rep).exists()
    rep = logged_in(kommun.rep)
    page = rep.get(reverse("dialogue:forum", args=[forum.pk]))
    assert page.context["answering"][0][0] == member
    # someone who is not a person of the organisation cannot be its deputy
    stranger = OrganisationMembershipFactory().user
    url = reverse("dialogue:member_appoint", args=[forum.pk, member.pk])
    refused = rep.post(url, {"representative": kommun.rep.pk, "deputy": stranger.pk})
    assert refused.status_code == 400
    member.refresh_from_db()
    assert member.status == MemberStatus.INVITED
    rep.post(url, {"representative": kommun.rep.pk, "deputy": kommun.editor.pk})
    member.refresh_from_db()
    assert (member.status, member.representative, member.deputy) == (
        MemberStatus.ACTIVE,
        kommun.rep,
        kommun.editor,
    )
    # replaced later: the editor represents, nobody deputises
    rep.post(url, {"representative": kommun.editor.pk, "deputy": ""})
    member.refresh_from_db()
    assert (member.representative, member.deputy) == (kommun.editor, None)
    assert AuditEvent.objects.filter(action="forum_member_appointed").exists()
    public = Client().get(reverse("dialogue:forum", args=[forum.pk])).content.decode()
    assert "Bryggan" in public
    assert "Erik Redaktör" not in public and "Rut Representant" not in public  # no persons


def test_the_notice_goes_the_forums_days_before_in_swedish_time(
    kommun: Kommun, forum: Forum
) -> None:
    member_of(kommun, forum)
    with time_machine.travel(at(2027, 3, 1, 9), tick=False):
        meeting = services.meeting_schedule(
            actor=kommun.officer,
            forum=forum,
            starts_at=at(2027, 4, 1, 18),  # after the change to summer time (28 March)
            ends_at=at(2027, 4, 1, 20),
            place="Stadshuset, sal B",
        )
    assert meeting.notice_on == date(2027, 3, 25)
    with time_machine.travel(at(2027, 3, 24, 23, 50), tick=False):
        scan()
    assert _notices() == []
    # ten past midnight in Stockholm is still the 24th in UTC: the notice goes by Swedish days
    with time_machine.travel(at(2027, 3, 25, 0, 10), tick=False):
        scan()
        scan()  # the hourly scan again: nobody is given notice twice
    assert _notices() == sorted(
        [(kommun.editor.email, date(2027, 3, 25)), (kommun.rep.email, date(2027, 3, 25))]
    )
    # a deputy appointed after the notice went gets it at the next scan
    newcomer = OrganisationMembershipFactory(organisation=kommun.organisation).user
    member = ForumMember.objects.get()
    services.forum_member_appoint(
        actor=kommun.rep, member=member, representative=kommun.rep, deputy=newcomer
    )
    with time_machine.travel(at(2027, 3, 26, 8), tick=False):
        scan()
    assert (newcomer.email, date(2027, 3, 25)) in _notices()
    assert len(_notices()) == 3


def test_a_meeting_needs_the_forums_notice(kommun: Kommun, forum: Forum) -> None:
    with (
        time_machine.travel(at(2027, 3, 1, 9), tick=False),
        pytest.raises(ValidationError) as error,
    ):
        services.meeting_schedule(
            actor=kommun.officer,
            forum=forum,
            starts_at=at(2027, 3, 7, 18),
            ends_at=at(2027, 3, 7, 20),
            place="Stadshuset",
        )
    assert "7 dagar" in str(error.value)
    assert not Meeting.objects.exists()


def _meeting(kommun: Kommun, forum: Forum) -> Meeting:
    with time_machine.travel(at(2027, 3, 1, 9), tick=False):
        return services.meeting_schedule(
            actor=kommun.officer,
            forum=forum,
            starts_at=at(2027, 3, 20, 18),
            ends_at=at(2027, 3, 20, 20),
            place="Stadshuset, sal B",
        )


def test_a_changed_or_cancelled_meeting_is_told_again(
    kommun: Kommun, forum: Forum, django_capture_on_commit_callbacks: Any
) -> None:
    member_of(kommun, forum)
    meeting = _meeting(kommun, forum)
    # changed before the notice: nobody is told yet, the notice goes with the new time
    with (
        time_machine.travel(at(2027, 3, 2, 9), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        meeting = services.meeting_change(
            actor=kommun.officer,
            meeting=meeting,
            starts_at=at(2027, 3, 21, 18),
            ends_at=at(2027, 3, 21, 20),
            place="Stadshuset, sal B",
            seen_state=transitions.state_token(meeting),
        )
    assert meeting.notice_on == date(2027, 3, 14) and meeting.sequence == 1
    assert not Notification.objects.exists()
    with time_machine.travel(at(2027, 3, 14, 7), tick=False):
        scan()
    assert len(_notices()) == 2
    # changed after the notice: told at once, once per change
    with time_machine.travel(at(2027, 3, 15, 9), tick=False):
        for place in ("Biblioteket", "Stadshuset, sal A"):
            with django_capture_on_commit_callbacks(execute=True):
                meeting = services.meeting_change(
                    actor=kommun.officer,
                    meeting=meeting,
                    starts_at=at(2027, 3, 21, 17),
                    ends_at=at(2027, 3, 21, 19),
                    place=place,
                    seen_state=None,
                )
        scan()
    assert len(_notices("meeting_changed")) == 4  # two changes, two people
    assert len(_notices()) == 2  # no second notice
    # a page drawn before the change changes nothing
    with time_machine.travel(at(2027, 3, 15, 10), tick=False), pytest.raises(ValidationError):
        services.meeting_change(
            actor=kommun.officer,
            meeting=Meeting.objects.get(),
            starts_at=at(2027, 3, 21, 17),
            ends_at=at(2027, 3, 21, 19),
            place="Någon annanstans",
            seen_state="gammal",
        )
    with (
        time_machine.travel(at(2027, 3, 16, 9), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.meeting_cancel(actor=kommun.officer, meeting=meeting, reason="Sjukdom.")
    assert len(_notices("meeting_cancelled")) == 2


def test_members_propose_items_by_the_last_day_and_hear_what_became_of_them(
    kommun: Kommun, forum: Forum, django_capture_on_commit_callbacks: Any
) -> None:
    member_of(kommun, forum)
    meeting = _meeting(kommun, forum)  # 20 March; proposals by 6 March
    url = reverse("dialogue:item_propose", args=[meeting.pk])
    data = {
        "organisation": kommun.organisation.pk,
        "title": "Färdtjänsten",
        "description": "Väntetiderna har blivit längre.",
    }
    with time_machine.travel(at(2027, 3, 6, 20), tick=False):
        response = logged_in(kommun.editor).post(url, data)  # the deputy
        assert response.status_code == 302
        viewer = OrganisationMembershipFactory(organisation=kommun.organisation, role="viewer").user
        assert logged_in(viewer).post(url, data).status_code == 400  # not appointed
    with time_machine.travel(at(2027, 3, 7, 8), tick=False):
        late = logged_in(kommun.rep).post(url, {**data, "title": "För sent"})
    assert late.status_code == 400 and "6 mars 2027" in late.content.decode()
    item = AgendaItem.objects.get()
    assert (item.status, item.organisation, item.proposed_by) == (
        ItemStatus.PROPOSED,
        kommun.organisation,
        kommun.editor,
    )
    # not on the public agenda until an officer takes it up
    public_url = reverse("dialogue:forum", args=[meeting.forum_id])
    with time_machine.travel(at(2027, 3, 8, 8), tick=False):
        assert "Färdtjänsten" not in Client().get(public_url).content.decode()
        with pytest.raises(ValidationError):
            services.agenda_item_decide(actor=kommun.officer, item=item, accept=False)
        with django_capture_on_commit_callbacks(execute=True):
            services.agenda_item_decide(actor=kommun.officer, item=item, accept=True)
        assert "Färdtjänsten" in Client().get(public_url).content.decode()
    assert Notification.objects.filter(kind="agenda_item_decided", recipient=kommun.editor).exists()


def test_attendance_and_minutes_are_recorded_approved_and_published(
    kommun: Kommun, forum: Forum, django_capture_on_commit_callbacks: Any
) -> None:
    member = member_of(kommun, forum)
    meeting = _meeting(kommun, forum)
    officer_url = reverse("dialogue:officer_meeting", args=[meeting.pk])
    public_url = reverse("dialogue:forum", args=[forum.pk])
    with time_machine.travel(at(2027, 3, 19, 9), tick=False), pytest.raises(ValidationError):
        services.minutes_save(  # before the meeting
            actor=kommun.officer, meeting=meeting, text="Protokoll", seen_state=None
        )
    with time_machine.travel(at(2027, 3, 21, 9), tick=False):
        client = logged_in(kommun.officer)
        client.post(
            reverse("dialogue:attendance", args=[meeting.pk]), {f"present_{member.pk}": "deputy"}
        )
        assert meeting.attendance.get().present == "deputy"
        seen = client.get(officer_url).context["minutes_form"].initial["seen_state"]
        client.post(
            reverse("dialogue:minutes_save", args=[meeting.pk]),
            {"text": "§ 1 Mötet öppnades.\n§ 2 Färdtjänsten diskuterades.", "seen_state": seen},
        )
        meeting.refresh_from_db()
        assert meeting.minutes_status == MinutesStatus.DRAFT
        assert "Färdtjänsten diskuterades" not in Client().get(public_url).content.decode()
        seen = client.get(officer_url).context["approve_form"].initial["seen_state"]
        approval = {
            "approved_by": "Ordförande och justerare",
            "approved_on": "2027-03-21",
            "seen_state": seen,
        }
        approve_url = reverse("dialogue:minutes_approve", args=[meeting.pk])
        # the approval locks the minutes: it asks first
        assert 'name="confirmed"' in client.post(approve_url, approval).content.decode()
        meeting.refresh_from_db()
        assert meeting.minutes_status == MinutesStatus.DRAFT
        client.post(approve_url, {**approval, "confirmed": "1"})
        meeting.refresh_from_db()
        assert meeting.minutes_status == MinutesStatus.APPROVED
        with pytest.raises(ValidationError):  # approved minutes are not changed
            services.minutes_save(
                actor=kommun.officer, meeting=meeting, text="Ändrat", seen_state=None
            )
        url = reverse("dialogue:minutes_publish", args=[meeting.pk])
        assert 'name="confirmed"' in client.post(url).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, {"confirmed": "1"})
        meeting.refresh_from_db()
        assert meeting.minutes_status == MinutesStatus.PUBLISHED
        assert "Färdtjänsten diskuterades" in Client().get(public_url).content.decode()
    assert len(_notices("minutes_published")) == 2


def test_the_calendar_keeps_the_hour_across_summer_time(kommun: Kommun, forum: Forum) -> None:
    with time_machine.travel(at(2027, 3, 1, 9), tick=False):
        winter = services.meeting_schedule(
            actor=kommun.officer,
            forum=forum,
            starts_at=at(2027, 3, 20, 18),
            ends_at=at(2027, 3, 20, 20),
            place='Stadshuset; sal "B", plan 2',
        )
        summer = services.meeting_schedule(
            actor=kommun.officer,
            forum=forum,
            starts_at=at(2027, 4, 3, 18),
            ends_at=at(2027, 4, 3, 20),
            place="Biblioteket",
        )
        services.meeting_cancel(actor=kommun.officer, meeting=summer, reason="")
        response = Client().get(reverse("dialogue:forum_calendar", args=[forum.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Stockholm"]
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    first = next(e for uid, e in events.items() if uid.startswith(f"dialog-mote-{winter.pk}@"))
    second = next(e for uid, e in events.items() if uid.startswith(f"dialog-mote-{summer.pk}@"))
    for event, meeting in ((first, winter), (second, summer)):
        start = event.decoded("DTSTART")
        assert start == meeting.starts_at
        assert start.astimezone(STOCKHOLM).hour == 18  # the same wall-clock hour
    assert first.decoded("DTSTART").utcoffset() == timedelta(hours=1)
    assert second.decoded("DTSTART").utcoffset() == timedelta(hours=2)
    assert str(first["LOCATION"]) == 'Stadshuset; sal "B", plan 2'
    assert str(second["STATUS"]) == "CANCELLED" and int(second["SEQUENCE"]) == 1


def test_only_the_forums_officers_manage_it(kommun: Kommun, forum: Forum) -> None:
    member = member_of(kommun, forum)
    meeting = _meeting(kommun, forum)
    for client in (Client(), logged_in(kommun.rep)):
        for url in (
            reverse("dialogue:officer_forum", args=[forum.pk]),
            reverse("dialogue:officer_meeting", args=[meeting.pk]),
        ):
            assert client.get(url).status_code in {302, 403, 404}
        for url in (
            reverse("dialogue:member_invite", args=[forum.pk]),
            reverse("dialogue:meeting_schedule", args=[forum.pk]),
            reverse("dialogue:item_add", args=[meeting.pk]),
            reverse("dialogue:minutes_save", args=[meeting.pk]),
        ):
            assert client.post(url, {"title": "x", "text": "x"}).status_code in {302, 403, 404}
    with pytest.raises(PermissionDenied):
        services.agenda_item_add(actor=kommun.rep, meeting=meeting, title="Egen punkt")
    assert not AgendaItem.objects.exists()
    # another organisation's representative cannot answer for this one
    other = OrganisationMembershipFactory().user
    url = reverse("dialogue:member_appoint", args=[forum.pk, member.pk])
    assert logged_in(other).post(url, {"representative": other.pk}).status_code == 404


def test_an_appointed_person_sees_their_seat_and_what_became_of_their_proposals(
    kommun: Kommun, forum: Forum
) -> None:
    member_of(kommun, forum)
    start = at(2027, 3, 20, 18)
    with time_machine.travel(at(2027, 3, 1, 9), tick=False):
        meeting = services.meeting_schedule(
            actor=kommun.officer,
            forum=forum,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            place="Stadshuset",
        )
        item = services.agenda_item_propose(
            actor=kommun.editor,
            meeting=meeting,
            organisation=kommun.organisation,
            title="Färdtjänsten",
            description="",
        )
        services.agenda_item_decide(
            actor=kommun.officer, item=item, accept=False, reason="Tas upp i maj i stället."
        )
        overview = logged_in(kommun.editor).get(reverse("portal:dashboard")).content.decode()
        assert "Pensionärsrådet" in overview
        assert "ersättare för Bryggan" in overview and "6 mars 2027" in overview
        page = logged_in(kommun.rep).get(reverse("dialogue:forum", args=[forum.pk]))
        proposals = page.content.decode()
        assert "Färdtjänsten" in proposals and "Tas upp i maj i stället." in proposals
        # the public reads no proposal that was not taken up
        assert (
            "Färdtjänsten"
            not in Client().get(reverse("dialogue:forum", args=[forum.pk])).content.decode()
        )


def test_the_dialogue_page_gathers_consultations_compacts_and_forums(
    kommun: Kommun, forum: Forum
) -> None:
    start = timezone.localtime() + timedelta(days=20)
    services.meeting_schedule(
        actor=kommun.officer,
        forum=forum,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="Stadshuset",
    )
    page = Client().get(reverse("dialogue:hub")).content.decode()
    assert "Pensionärsrådet" in page and "nästa möte" in page
    assert reverse("dialogue:consultations") in page
