"""iCalendar (RFC 5545) files: one event, or a school's feed to subscribe to.

Times are written in the district's time zone with a VTIMEZONE block, so a calendar shows
them right on both sides of a daylight-saving change.
"""

from __future__ import annotations

from collections.abc import Iterable

import icalendar
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from leadership import ical
from leadership.clock import zone_of

from .models import Event, EventStatus

PRODID = "-//Accord//Family events//EN"


def _vevent(event: Event, language: str) -> icalendar.Event:
    tz = zone_of(event.school)
    text = event.text(language)
    item = icalendar.Event()
    item.add("uid", ical.uid("event", event.pk))
    item.add("dtstamp", timezone.now())
    item.add("last-modified", event.updated_at)
    item.add("dtstart", ical.wall_time(event.starts_at, tz))
    item.add("dtend", ical.wall_time(event.ends_at, tz))
    title = text.title if text else ""
    if event.status == EventStatus.CANCELLED:
        title = _("Cancelled: %(title)s") % {"title": title}
        item.add("status", "CANCELLED")
    else:
        item.add("status", "CONFIRMED")
    item.add("summary", title)
    lines = [text.description] if text and text.description else []
    if event.online_link:
        lines.append(event.online_link)
        item.add("url", event.online_link)
    notes = (text.accessibility_notes if text else "") or event.accessibility_notes
    if notes:
        lines.append(notes)
    if lines:
        item.add("description", "\n\n".join(lines))
    place = (text.location if text else "") or event.location
    if place:
        item.add("location", place)
    item.add("sequence", int(event.updated_at.timestamp()) % 2_000_000_000)
    return item


def _calendar(events: Iterable[Event], *, language: str, name: str) -> bytes:
    with translation.override(language):
        items = [_vevent(event, language) for event in events]
        return ical.ics_file(items, prodid=PRODID, name=name)


def event_ics(event: Event, *, language: str) -> bytes:
    text = event.text(language)
    return _calendar([event], language=language, name=text.title if text else event.school.name)


def school_feed_ics(school, events: Iterable[Event], *, language: str) -> bytes:
    return _calendar(events, language=language, name=school.name)
