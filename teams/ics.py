"""The .ics file of a meeting, in the district's time zone."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from icalendar import Calendar, Event

from .models import Meeting


def meeting_ics(meeting: Meeting, *, url: str) -> bytes:
    tz = zoneinfo.ZoneInfo(meeting.team.school.district.timezone)
    calendar = Calendar()
    calendar.add("prodid", "-//Accord//Teams//EN")
    calendar.add("version", "2.0")
    event = Event()
    host = settings.SITE_URL.split("//")[-1].split("/")[0] or "accord"
    event.add("uid", f"meeting-{meeting.pk}@{host}")
    event.add("dtstamp", meeting.updated_at)
    # Local wall-clock times with a TZID (and its VTIMEZONE below), so calendars show the
    # meeting at the school's time even across a daylight-saving change.
    event.add("dtstart", meeting.starts_at.astimezone(tz))
    event.add("dtend", meeting.ends_at.astimezone(tz))
    event.add("summary", meeting.team.name)
    if meeting.location:
        event.add("location", meeting.location)
    lines = [f"{n}. {item.title}" for n, item in enumerate(meeting.items.all(), start=1)]
    event.add("description", "\n".join([*lines, "", url]))
    event.add("url", url)
    if meeting.status == "cancelled":
        event.add("status", "CANCELLED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
