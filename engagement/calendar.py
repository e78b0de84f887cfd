"""iCalendar (RFC 5545) files: one event, or a school's feed to subscribe to.

Times are written in the district's time zone with a VTIMEZONE block, so a calendar shows
them right on both sides of a daylight-saving change.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable

import icalendar
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Event, EventStatus

PRODID = "-//Accord//Family events//EN"


def _uid(event: Event) -> str:
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "accord"
    return f"event-{event.pk}@{host}"


def _vevent(event: Event, language: str) -> icalendar.Event:
    tz = zoneinfo.ZoneInfo(event.school.district.timezone)
    text = event.text(language)
    item = icalendar.Event()
    item.add("uid", _uid(event))
    item.add("dtstamp", timezone.now())
    item.add("last-modified", event.updated_at)
    item.add("dtstart", event.starts_at.astimezone(tz))
    item.add("dtend", event.ends_at.astimezone(tz))
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
    if event.accessibility_notes:
        lines.append(event.accessibility_notes)
    if lines:
        item.add("description", "\n\n".join(lines))
    if event.location:
        item.add("location", event.location)
    item.add("sequence", int(event.updated_at.timestamp()) % 2_000_000_000)
    return item


def _calendar(events: Iterable[Event], *, language: str, name: str) -> bytes:
    with translation.override(language):
        cal = icalendar.Calendar()
        cal.add("prodid", PRODID)
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("x-wr-calname", name)
        for event in events:
            cal.add_component(_vevent(event, language))
        cal.add_missing_timezones()
        return cal.to_ical()


def event_ics(event: Event, *, language: str) -> bytes:
    text = event.text(language)
    return _calendar([event], language=language, name=text.title if text else event.school.name)


def school_feed_ics(school, events: Iterable[Event], *, language: str) -> bytes:
    return _calendar(events, language=language, name=school.name)
