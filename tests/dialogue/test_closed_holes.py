"""What a hostile tester found and what now holds: a person who left an organisation no longer
speaks for it in a forum nor is given notice; a suspended organisation may still leave a
compact; a removed section is shown removed and its key never reused; a meeting given notice
is never moved into the past; an organisation's comment makes an officer's page stale; a past
meeting's agenda and approved attendance stay as they were."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dialogue import services
from dialogue.models import Compact, Forum, Meeting, SignOn
from organisations.models import OrganisationStatus
from portal import transitions
from portal.models import Notification
from portal.notifications import scan
from tests.dialogue.conftest import Kommun, member_of, write
from tests.helpers.clients import logged_in
from tests.helpers.mfa import signing_code

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM)  # type: ignore[misc]


def _meeting(kommun: Kommun, forum: Forum) -> Meeting:
    with time_machine.travel(at(2027, 3, 1, 9), tick=False):
        return services.meeting_schedule(
            actor=kommun.officer,
            forum=forum,
            starts_at=at(2027, 3, 20, 18),
            ends_at=at(2027, 3, 20, 20),
            place="Stadshuset",
        )


def test_a_person_who_left_the_organisation_no_longer_speaks_for_it(
    kommun: Kommun, forum: Forum
) -> None:
    member_of(kommun, forum)  # the editor is the deputy
    meeting = _meeting(kommun, forum)
    kommun.organisation.memberships.get(user=kommun.editor).delete()
    with time_machine.travel(at(2027, 3, 2, 9), tick=False), pytest.raises(PermissionDenied):
        services.agenda_item_propose(
            actor=kommun.editor,
            meeting=meeting,
            organisation=kommun.organisation,
            title="I någon annans namn",
            description="",
        )
    with time_machine.travel(at(2027, 3, 13, 8), tick=False):
        scan()
    told = set(
        Notification.objects.filter(kind="meeting_notice").values_list("recipient_id", flat=True)
    )
    assert told == {kommun.rep.pk}


def test_a_suspended_organisation_may_still_withdraw(kommun: Kommun, adopted: Compact) -> None:
    services.compact_sign_on(
        actor=kommun.rep,
        compact=adopted,
        organisation=kommun.organisation,
        code=signing_code(kommun.rep),
        seen_version=services.sign_on_version(adopted.versions.get()),
    )
    kommun.organisation.status = OrganisationStatus.SUSPENDED
    kommun.organisation.save()
    services.compact_withdraw(
        actor=kommun.rep, compact=adopted, organisation=kommun.organisation, reason=""
    )
    assert not SignOn.objects.filter(withdrawn_at=None).exists()


def test_a_removed_section_is_shown_removed_and_its_key_never_reused(
    kommun: Kommun, adopted: Compact
) -> None:
    draft = services.version_start(actor=kommun.officer, compact=adopted)
    removed = draft.sections[-1]
    draft = services.version_section_remove(
        actor=kommun.officer, version=draft, key=removed["key"], seen_state=None
    )
    draft = services.version_section_add(
        actor=kommun.officer, version=draft, title="Nytt avsnitt", text="Ny text."
    )
    assert draft.sections[-1]["key"] != removed["key"]
    services.version_open_for_comments(
        actor=kommun.officer,
        version=draft,
        closes=timezone.localdate() + timedelta(days=10),
        seen_state=None,
    )
    page = Client().get(reverse("dialogue:compact", args=[adopted.pk])).content.decode()
    consultation = page[page.index('id="kommentarer"') : page.index('id="text"')]
    assert "Avsnittet tas bort i den nya versionen." in consultation
    assert removed["title"] in consultation


def test_a_meeting_given_notice_is_never_moved_into_the_past(kommun: Kommun, forum: Forum) -> None:
    meeting = _meeting(kommun, forum)
    with time_machine.travel(at(2027, 3, 15, 9), tick=False), pytest.raises(ValidationError):
        services.meeting_change(
            actor=kommun.officer,
            meeting=meeting,
            starts_at=at(2025, 1, 1, 18),
            ends_at=at(2025, 1, 1, 20),
            place="Stadshuset",
            seen_state=None,
        )
    meeting.refresh_from_db()
    assert meeting.starts_at == at(2027, 3, 20, 18)


def test_a_comment_makes_the_officers_page_stale(kommun: Kommun) -> None:
    compact = write(kommun)
    version = compact.versions.get()
    services.version_open_for_comments(
        actor=kommun.officer,
        version=version,
        closes=timezone.localdate() + timedelta(days=10),
        seen_state=None,
    )
    version.refresh_from_db()
    seen = transitions.state_token(version)
    services.version_comment_add(
        actor=kommun.editor,
        version=version,
        organisation=kommun.organisation,
        section=version.sections[0]["key"],
        text="Läs det här först.",
    )
    with pytest.raises(ValidationError):
        adopt_seen(kommun, version, seen)
    version.refresh_from_db()
    assert version.status == "consultation"


def adopt_seen(kommun: Kommun, version: object, seen: str) -> None:
    services.version_adopt(
        actor=kommun.officer,
        version=version,  # type: ignore[arg-type]
        adopted_on=timezone.localdate(),
        adopted_by="Kommunfullmäktige",
        paragraph="§ 1",
        seen_state=seen,
    )


def test_a_past_meetings_agenda_and_approved_attendance_stay(kommun: Kommun, forum: Forum) -> None:
    member = member_of(kommun, forum)
    meeting = _meeting(kommun, forum)
    with time_machine.travel(at(2027, 3, 21, 9), tick=False):
        with pytest.raises(ValidationError):
            services.agenda_item_add(actor=kommun.officer, meeting=meeting, title="Efteråt")
        services.attendance_record(
            actor=kommun.officer, meeting=meeting, present={member.pk: "representative"}
        )
        meeting = services.minutes_save(
            actor=kommun.officer, meeting=meeting, text="§ 1", seen_state=None
        )
        services.minutes_approve(
            actor=kommun.officer,
            meeting=meeting,
            approved_by="Ordföranden",
            approved_on=at(2027, 3, 21, 9).date(),
            seen_state=None,
        )
        with pytest.raises(ValidationError):
            services.attendance_record(
                actor=kommun.officer, meeting=meeting, present={member.pk: "absent"}
            )
        page = logged_in(kommun.officer).get(reverse("dialogue:officer_meeting", args=[meeting.pk]))
        assert page.context["item_form"] is None
    assert meeting.attendance.get().present == "representative"
