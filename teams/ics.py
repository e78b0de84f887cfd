"""The .ics file of a meeting, in the district's time zone."""

from __future__ import annotations

import icalendar

from leadership import ical
from leadership.clock import zone_of

from .models import Meeting, MeetingStatus

PRODID = "-//Accord//Teams//EN"


def meeting_ics(meeting: Meeting, *, url: str) -> bytes:
    zone = zone_of(meeting.team.school)
    event = icalendar.Event()
    event.add("uid", ical.uid("meeting", meeting.pk))
    event.add("dtstamp", meeting.updated_at)
    # Calendars take a rescheduled or cancelled meeting only with a higher SEQUENCE.
    event.add("sequence", meeting.sequence)
    # Local wall-clock times with a TZID (and its VTIMEZONE), so calendars show the
    # meeting at the school's time even across a daylight-saving change.
    event.add("dtstart", ical.wall_time(meeting.starts_at, zone))
    event.add("dtend", ical.wall_time(meeting.ends_at, zone))
    event.add("summary", meeting.team.name)
    if meeting.location:
        event.add("location", meeting.location)
    lines = [f"{n}. {item.title}" for n, item in enumerate(meeting.items.all(), start=1)]
    event.add("description", "\n".join([*lines, "", url]))
    event.add("url", url)
    if meeting.status == MeetingStatus.CANCELLED:
        event.add("status", "CANCELLED")
    return ical.ics_file([event], prodid=PRODID)
