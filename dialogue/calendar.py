"""A forum's meetings as an iCalendar feed (RFC 5545), for members to subscribe to in their own
calendar: one event per meeting with a stable UID, its SEQUENCE raised by every change (so a
calendar replaces what it had), cancelled meetings marked CANCELLED, and times in
Europe/Stockholm with the zone's own definition (VTIMEZONE), so a meeting after the change to
or from summer time keeps its hour on the wall clock. Built with the `icalendar` library; every
text a person wrote is escaped by it."""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.utils import timezone

from dialogue.models import Forum, Meeting, MeetingStatus

ZONE = ZoneInfo("Europe/Stockholm")


def forum_calendar(forum: Forum, meetings: Iterable[Meeting], *, site_url: str, host: str) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Samverkansportalen//dialog//SV")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", forum.title)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for meeting in meetings:
        event = icalendar.Event()
        event.add("uid", f"dialog-mote-{meeting.pk}@{host}")
        event.add("sequence", meeting.sequence)
        event.add("dtstamp", meeting.updated_at.astimezone(ZoneInfo("UTC")))
        event.add("dtstart", timezone.localtime(meeting.starts_at, ZONE))
        event.add("dtend", timezone.localtime(meeting.ends_at, ZONE))
        event.add("summary", forum.title)
        event.add("location", meeting.place)
        event.add(
            "status", "CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED"
        )
        event.add("url", f"{site_url}/forum/{forum.pk}/#mote-{meeting.pk}")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
