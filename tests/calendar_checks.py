"""Reading the portal's .ics files as calendar applications do, with two independent parsers.

`icalendar` (whose VTIMEZONE reader is dateutil's) and `ical` (its own rule engine) each turn
the file's times into UTC instants. Both prefer their own tz database when a TZID is an IANA
name, so `through_vtimezone=True` renames the zone first: then only the VTIMEZONE written in
the file can place the times, as in an application that trusts the file.

The changes of a zone are found here by scanning the zone's offsets, independently of the
code under test (`leadership.ical` derives rules; this only looks at clocks).
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from dateutil.rrule import rrulestr
from ical.calendar_stream import IcsCalendarStream

PARSERS = ("icalendar", "ical")
# How many event times each parser resolved and the tests then asserted, for the report.
TALLY: Counter[str] = Counter()


@dataclass(frozen=True)
class Change:
    at: datetime  # UTC instant the clocks change
    before: timedelta
    after: timedelta

    @property
    def spring(self) -> bool:
        return self.after > self.before

    @property
    def wall_before(self) -> datetime:
        """What the clocks read as they change (naive): where DTSTART of the observance is."""
        return (self.at + self.before).replace(tzinfo=None)


def changes_after(zone: ZoneInfo, instant: datetime, count: int = 2) -> list[Change]:
    """The next `count` changes of the zone's UTC offset after `instant`."""
    found: list[Change] = []
    step = timedelta(hours=1)
    moment = instant.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    offset = moment.astimezone(zone).utcoffset()
    limit = moment + timedelta(days=800)
    while len(found) < count and moment < limit:
        following = moment + step
        new = following.astimezone(zone).utcoffset()
        if new != offset:
            at = moment
            while at.astimezone(zone).utcoffset() == offset:  # to the minute (Chatham: :45)
                at += timedelta(minutes=1)
            found.append(Change(at, offset, new))
            offset = new
        moment = following
    assert len(found) == count, f"{zone.key} has no {count} changes after {instant}"
    return found


def _rename_zones(body: bytes) -> bytes:
    """The same file with each TZID renamed to one no tz database knows."""
    names: dict[bytes, bytes] = {}

    def rename(match: re.Match) -> bytes:
        name = names.setdefault(match[2], f"Accord-Test-{uuid.uuid4().hex}".encode())
        return b"TZID" + match[1] + name

    return re.sub(rb"TZID([:=])([^:;\r\n]+)", rename, body)


def times(body: bytes, parser: str, *, through_vtimezone: bool = False) -> dict[str, tuple]:
    """UID -> (start, end) as UTC instants, as `parser` reads the file."""
    if through_vtimezone:
        body = _rename_zones(body)
        assert b"America/" not in body and b"Australia/" not in body
    if parser == "icalendar":
        calendar = icalendar.Calendar.from_ical(body)
        return {
            str(e["UID"]): (e.start.astimezone(UTC), e.end.astimezone(UTC)) for e in calendar.events
        }
    assert parser == "ical", parser
    calendar = IcsCalendarStream.calendar_from_ics(body.decode())
    return {e.uid: (e.dtstart.astimezone(UTC), e.dtend.astimezone(UTC)) for e in calendar.events}


def assert_times(body: bytes, parser: str, expected: dict[str, tuple], **options) -> None:
    """Every event of the file resolves, with `parser`, to exactly the expected instants."""
    assert expected
    assert times(body, parser, **options) == expected
    TALLY[parser] += len(expected)


def vtimezone(body: bytes, zone: ZoneInfo) -> icalendar.Timezone:
    """The file's one VTIMEZONE, checked to be in the form calendar applications write."""
    assert b"RDATE" not in body
    calendar = icalendar.Calendar.from_ical(body)
    (timezone,) = calendar.walk("VTIMEZONE")
    assert str(timezone["TZID"]) == zone.key
    for observance in timezone.subcomponents:
        start = observance.DTSTART
        assert start.tzinfo is None, "DTSTART of an observance is local time"
        offset_from, offset_to = observance.TZOFFSETFROM, observance.TZOFFSETTO
        if offset_from == offset_to:
            continue
        # DTSTART is the wall-clock time before the change: read with TZOFFSETFROM it is
        # the instant the zone's offset goes from TZOFFSETFROM to TZOFFSETTO.
        at = (start - offset_from).replace(tzinfo=UTC)
        assert (at - timedelta(seconds=1)).astimezone(zone).utcoffset() == offset_from
        assert at.astimezone(zone).utcoffset() == offset_to
        daylight = bool(at.astimezone(zone).dst())
        assert observance.name == ("DAYLIGHT" if daylight else "STANDARD")
    return timezone


def offsets(observance) -> tuple[timedelta, timedelta]:
    """TZOFFSETFROM and TZOFFSETTO of an observance."""
    return observance.TZOFFSETFROM, observance.TZOFFSETTO


def observance_for(timezone: icalendar.Timezone, change: Change):
    """The observance whose RRULE (or DTSTART) puts this change at its wall-clock time."""
    for observance in timezone.subcomponents:
        if offsets(observance) != (change.before, change.after):
            continue
        start = observance.DTSTART
        if "RRULE" in observance:
            rule = rrulestr(observance["RRULE"].to_ical().decode(), dtstart=start)
            onsets = rule.between(
                change.wall_before - timedelta(days=1), change.wall_before + timedelta(days=1)
            )
        else:
            onsets = [start]
        if change.wall_before in onsets:
            return observance
    raise AssertionError(f"no observance puts a change at {change.wall_before}")
