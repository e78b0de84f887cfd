"""The district's time: today, now and day boundaries in the zone of the district a school is in.

Every date a person sees or the system decides on (today, overdue, this week, next meeting,
when a reminder goes out) is the district's. The server and the database keep UTC; this is
the one place that turns an instant into the district's calendar. Views that load a school
or district activate its zone (see `leadership.permissions`, and `DistrictTimeMiddleware` in
`leadership.middleware` for the signed-in person's own district), so templates print
timestamps in it too.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.utils import timezone

DEFAULT_ZONE = "America/New_York"


@lru_cache(maxsize=64)
def zone_named(name: str) -> ZoneInfo:
    return ZoneInfo(name or DEFAULT_ZONE)


def zone_of(place) -> ZoneInfo:
    """The time zone of a district, or of the district a school (or anything with a
    `district` or `school`) belongs to. Accepts a zone name too."""
    if isinstance(place, ZoneInfo):
        return place
    if isinstance(place, str):
        return zone_named(place)
    name = getattr(place, "timezone", None)
    if isinstance(name, str):
        return zone_named(name)
    for attribute in ("district", "school"):
        owner = getattr(place, attribute, None)
        if owner is not None:
            return zone_of(owner)
    raise TypeError(f"{place!r} has no district time zone")


def now_in(place, now: datetime | None = None) -> datetime:
    """This instant on the district's wall clock (aware, in the district's zone)."""
    return (now or timezone.now()).astimezone(zone_of(place))


def today_in(place, now: datetime | None = None) -> date:
    """Today's date in the district: what "today", "overdue" and "this week" go by."""
    return now_in(place, now).date()


def today(place=None) -> date:
    """Today in `place`'s district, or, without one, in the zone this request runs in (the
    loaders and `DistrictTimeMiddleware` activate the district's zone for every page)."""
    if place is not None:
        return today_in(place)
    return timezone.localdate()


def start_of_day(place, day: date) -> datetime:
    """The first instant of `day` in the district (aware), for half-open date ranges."""
    return datetime.combine(day, time.min, tzinfo=zone_of(place))


def day_bounds(place, first: date, last: date) -> tuple[datetime, datetime]:
    """[start of `first`, start of the day after `last`) in the district, as aware instants."""
    return start_of_day(place, first), start_of_day(place, last + timedelta(days=1))


def at_local(place, day: date, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time on a day in the district (aware); on a DST gap it moves forward."""
    zone = zone_of(place)
    naive = datetime.combine(day, time(hour, minute))
    aware = naive.replace(tzinfo=zone)
    # A time that does not exist (the spring gap) round-trips to another wall time: take
    # the instant it normalises to, which is after the gap.
    return aware.astimezone(UTC).astimezone(zone)


def override(place):
    """Render timestamps in the district's zone inside a `with` block (a task, a signed link)."""
    return timezone.override(zone_of(place))


def activate(place) -> None:
    """Render timestamps of this request in the district's zone."""
    timezone.activate(zone_of(place))
