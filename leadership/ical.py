"""iCalendar (RFC 5545) files of the portal: the VTIMEZONE of a zone, stable UIDs, the file.

Calendar applications write a zone as one STANDARD and one DAYLIGHT observance, each with a
yearly RRULE and a DTSTART at the local time *before* the change; many read nothing else (a
long RDATE list, as `icalendar.Timezone.from_tzinfo` writes it, is taken as its first date
only, and summer events then show an hour off). So the rule is derived here from the zone's
own transitions (month, weekday, nth or last weekday of the month, or "weekday on or after
day N", or a fixed date) instead of being written for one country.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings

from . import clock

# Years scanned after the last event, so that a rule such as "Sunday on or after the 2nd"
# shows every day it can fall on and is not mistaken for "first Sunday".
RULE_YEARS_AFTER = 8
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


# --- identity and links ---------------------------------------------------------------


def site_host() -> str:
    """The portal's host name (no scheme, no port), from SITE_URL."""
    return urlsplit(settings.SITE_URL).hostname or "accord"


def uid(kind: str, pk: int) -> str:
    """The UID of an object in every file that carries it: the same on each download, so a
    calendar updates the entry instead of adding a second one."""
    return f"{kind}-{pk}@{site_host()}"


# --- times ------------------------------------------------------------------------------


def wall_time(instant: datetime, zone: ZoneInfo) -> datetime:
    """`instant` as the file writes it: on the district's wall clock (a TZID and the local
    time), except in the hour an autumn change repeats, where the local time would be read
    as its first occurrence, an hour early; that instant is written in UTC instead."""
    local = instant.astimezone(zone)
    if local.fold and local.replace(fold=0).utcoffset() != local.utcoffset():
        return instant.astimezone(UTC)
    return local


# --- the file ---------------------------------------------------------------------------


def ics_file(events: Iterable[icalendar.Event], *, prodid: str, name: str | None = None) -> bytes:
    """A VCALENDAR holding `events`, with one VTIMEZONE per zone their times are written in."""
    events = list(events)
    cal = icalendar.Calendar()
    cal.add("prodid", prodid)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if name:
        cal.add("x-wr-calname", name)
    for timezone in vtimezones(events):
        cal.add_component(timezone)
    for event in events:
        cal.add_component(event)
    return cal.to_ical()


def vtimezones(events: Iterable[icalendar.Component]) -> list[icalendar.Timezone]:
    """The VTIMEZONEs the zoned DTSTART/DTEND of `events` need, each covering their span."""
    spans: dict[str, tuple[ZoneInfo, datetime, datetime]] = {}
    for event in events:
        for name in ("DTSTART", "DTEND"):
            value = getattr(event.get(name), "dt", None)
            if not isinstance(value, datetime) or not isinstance(value.tzinfo, ZoneInfo):
                continue
            zone = value.tzinfo
            if zone.key in ("UTC", "Etc/UTC"):
                continue
            _zone, first, last = spans.get(zone.key, (zone, value, value))
            spans[zone.key] = (zone, min(first, value), max(last, value))
    return [vtimezone(zone, first, last) for zone, first, last in spans.values()]


# --- the zone ---------------------------------------------------------------------------


def vtimezone(zone: ZoneInfo, first: datetime, last: datetime) -> icalendar.Timezone:
    """The VTIMEZONE of `zone`, right for every instant from `first` to `last` (and on, for
    as long as the zone keeps its present rule)."""
    component = icalendar.Timezone()
    component.add("tzid", zone.key)
    for spec in _observances(zone.key, first.year, last.year):
        part = icalendar.TimezoneDaylight() if spec.daylight else icalendar.TimezoneStandard()
        part.add("dtstart", spec.dtstart)
        part.add("tzoffsetfrom", spec.offset_from)
        part.add("tzoffsetto", spec.offset_to)
        if spec.name:
            part.add("tzname", spec.name)
        if spec.rrule:
            part.add("rrule", {k: list(v) if isinstance(v, tuple) else v for k, v in spec.rrule})
        component.add_component(part)
    return component


@dataclass(frozen=True)
class _Transition:
    at: datetime  # the UTC instant of the change
    offset_from: timedelta
    offset_to: timedelta
    daylight: bool
    name: str

    @property
    def local(self) -> datetime:
        """The wall-clock time just before the change (what DTSTART of an observance is)."""
        return (self.at + self.offset_from).replace(tzinfo=None)

    @property
    def kind(self) -> tuple:
        """What changes of one yearly rule share."""
        local = self.local
        return (
            self.offset_from,
            self.offset_to,
            self.daylight,
            self.name,
            local.month,
            local.time(),
        )


@dataclass(frozen=True)
class _Observance:
    daylight: bool
    dtstart: datetime  # local wall-clock time before the first change, naive
    offset_from: timedelta
    offset_to: timedelta
    name: str
    rrule: tuple[tuple[str, object], ...] = ()


def _state(zone: ZoneInfo, instant: datetime) -> tuple[timedelta, bool, str]:
    local = instant.astimezone(zone)
    return local.utcoffset(), bool(local.dst()), local.tzname() or ""


def _transitions(zone: ZoneInfo, start: datetime, end: datetime) -> list[_Transition]:
    """Every change of offset, DST flag or name from `start` to `end`, to the second."""
    found = []
    step = timedelta(days=1)
    before, state = start, _state(zone, start)
    while before < end:
        after = before + step
        new = _state(zone, after)
        if new != state:
            low, high = before, after  # `state` holds at low, `new` at high
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if _state(zone, middle) == state:
                    low = middle
                else:
                    high = middle
            found.append(_Transition(high, state[0], new[0], new[1], new[2]))
            state = new
        before = after
    return found


def _rules(moment: datetime) -> set[tuple]:
    """Every yearly rule that puts a change at this wall-clock time (same month and time):
    the nth weekday, the last weekday, a weekday on or after a day, or a fixed date."""
    day, weekday = moment.day, WEEKDAYS[moment.weekday()]
    shortest = 28 if moment.month == 2 else calendar.monthrange(moment.year, moment.month)[1]
    longest = calendar.monthrange(moment.year, moment.month)[1]
    rules: set[tuple] = {("date", day)}
    if day <= 28:
        rules.add(("nth", (day - 1) // 7 + 1, weekday))
    if day > longest - 7:
        rules.add(("last", weekday))
    for first in range(max(1, day - 6), day + 1):
        if first + 6 <= shortest:
            rules.add(("from", first, weekday))
    return rules


def _preferred(rules: set[tuple]) -> tuple:
    """Of rules that all fit, the one calendar applications write (nth or last weekday)."""
    order = {"nth": 0, "last": 1, "from": 2, "date": 3}
    return min(rules, key=lambda rule: (order[rule[0]], rule[1:]))


def _rrule(rule: tuple, month: int) -> list[tuple[str, object]]:
    match rule:
        case ("nth", n, weekday):
            return [("FREQ", "YEARLY"), ("BYMONTH", month), ("BYDAY", f"{n}{weekday}")]
        case ("last", weekday):
            return [("FREQ", "YEARLY"), ("BYMONTH", month), ("BYDAY", f"-1{weekday}")]
        case ("from", first, weekday):
            days = list(range(first, first + 7))
            return [
                ("FREQ", "YEARLY"),
                ("BYMONTH", month),
                ("BYDAY", weekday),
                ("BYMONTHDAY", days),
            ]
        case ("date", day):
            return [("FREQ", "YEARLY"), ("BYMONTH", month), ("BYMONTHDAY", day)]
    raise ValueError(rule)


@lru_cache(maxsize=128)
def _observances(key: str, first_year: int, last_year: int) -> tuple[_Observance, ...]:
    zone = clock.zone_named(key)
    # From the year before the first event, so the observance in force at that event (a
    # change of the previous autumn, or spring south of the equator) is in the file.
    start = datetime(first_year - 1, 1, 1, tzinfo=UTC)
    end = datetime(last_year + RULE_YEARS_AFTER + 1, 1, 1, tzinfo=UTC)
    transitions = _transitions(zone, start, end)
    if not transitions:
        offset, daylight, name = _state(zone, start)
        return (_Observance(daylight, datetime(first_year - 1, 1, 1), offset, offset, name),)

    # Changes of one kind (same offsets, name, month and time of day) in a row that one
    # yearly rule describes become one observance; a rule that changes starts another.
    runs: list[tuple[list[_Transition], set[tuple]]] = []
    open_runs: dict[tuple, tuple[list[_Transition], set[tuple]]] = {}
    for change in transitions:
        rules = _rules(change.local)
        current = open_runs.get(change.kind)
        if current is not None:
            members, fitting = current
            following = members[-1].local.year + 1 == change.local.year
            if following and fitting & rules:
                members.append(change)
                fitting &= rules
                continue
        current = ([change], rules)
        runs.append(current)
        open_runs[change.kind] = current

    observances = []
    last_scanned = end.year - 1
    if transitions[0].at >= start.replace(year=first_year):
        # No change in the year before the first event: say what held before the first one.
        offset, daylight, name = _state(zone, start)
        local = datetime(first_year - 1, 1, 1)
        observances.append(_Observance(daylight, local, offset, offset, name))
    for members, fitting in runs:
        head = members[0]
        rrule: list[tuple[str, object]] = []
        if len(members) > 1:
            rrule = _rrule(_preferred(fitting), head.local.month)
            if members[-1].local.year < last_scanned:
                # A rule that ended: COUNT rather than UNTIL, which some readers (the `ical`
                # package among them) cannot combine with a floating DTSTART.
                rrule.append(("COUNT", len(members)))
        observances.append(
            _Observance(
                head.daylight,
                head.local,
                head.offset_from,
                head.offset_to,
                head.name,
                tuple((name, tuple(v) if isinstance(v, list) else v) for name, v in rrule),
            )
        )
    observances.sort(key=lambda o: (o.dtstart, o.daylight))
    return tuple(observances)
