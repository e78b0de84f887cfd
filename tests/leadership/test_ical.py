"""The VTIMEZONE writer on its own: rules derived from each zone's transitions (not one
country's), read back through the VTIMEZONE alone by two parsers, hour by hour."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from ical.calendar_stream import IcsCalendarStream
from ical.timezone import IcsTimezoneInfo

from leadership import ical

# The span checked is built from this instant; the writer reads no clock.
INSTANT = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)

# What each zone's rule looks like: nth weekday (US, Sydney), last weekday (London), weekday
# on or after a day (Santiago's Sunday on or after the 2nd, Jerusalem's Friday on or after the
# 23rd), a change at a quarter hour (Chatham), and no rule at all (Casablanca follows Ramadan).
ZONES = {
    "America/Chicago": [("DAYLIGHT", {"BYMONTH": [3], "BYDAY": ["2SU"]})],
    "Australia/Sydney": [("DAYLIGHT", {"BYMONTH": [10], "BYDAY": ["1SU"]})],
    "Europe/London": [("STANDARD", {"BYMONTH": [10], "BYDAY": ["-1SU"]})],
    "America/Santiago": [
        ("STANDARD", {"BYMONTH": [4], "BYDAY": ["SU"], "BYMONTHDAY": list(range(2, 9))})
    ],
    "Asia/Jerusalem": [
        ("DAYLIGHT", {"BYMONTH": [3], "BYDAY": ["FR"], "BYMONTHDAY": list(range(23, 30))})
    ],
    "Pacific/Chatham": [("DAYLIGHT", {"BYMONTH": [9], "BYDAY": ["-1SU"]})],
    "Africa/Casablanca": [],
    "America/Phoenix": [],
}


def written(zone: ZoneInfo, first: datetime, last: datetime) -> icalendar.Timezone:
    """The VTIMEZONE as a file carries it (parsed back from its text)."""
    return icalendar.Timezone.from_ical(ical.vtimezone(zone, first, last).to_ical())


def read_back(timezone: icalendar.Timezone):
    """The zone as each parser builds it from the VTIMEZONE alone (no tz database)."""
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        + timezone.to_ical().decode().replace(str(timezone["TZID"]), "Only-This-File")
        + "END:VCALENDAR\r\n"
    )
    by_dateutil = icalendar.Calendar.from_ical(text).timezones[0].to_tz(lookup_tzid=False)
    by_ical = IcsTimezoneInfo.from_timezone(IcsCalendarStream.calendar_from_ics(text).timezones[0])
    return by_dateutil, by_ical


@pytest.mark.parametrize("key", ZONES)
def test_vtimezone_rules_match_the_zone_hour_by_hour(key):
    zone = ZoneInfo(key)
    first, last = INSTANT, INSTANT + timedelta(days=730)
    timezone = written(zone, first.astimezone(zone), last.astimezone(zone))
    text = timezone.to_ical().decode()
    assert "RDATE" not in text
    for name, rule in ZONES[key]:
        assert any(
            o.name == name and all(o["RRULE"][k] == v for k, v in rule.items())
            for o in timezone.subcomponents
            if "RRULE" in o
        ), f"{key}: no {name} with {rule} in\n{text}"
    readers = read_back(timezone)
    # `ical` skips an observance with a DTSTART and no RRULE (a one-off change, or the one
    # observance of a zone without daylight saving); such zones are read by dateutil only.
    if any("RRULE" not in o for o in timezone.subcomponents):
        readers = readers[:1]
    checked = 0
    moment = first
    while moment < last:
        local = moment.astimezone(zone)
        wall = local.replace(tzinfo=None)
        repeated = wall.replace(tzinfo=zone, fold=1).utcoffset() != local.utcoffset()
        if not repeated and not local.fold:
            for reader in readers:
                assert wall.replace(tzinfo=reader).astimezone(UTC) == moment, (key, wall)
            checked += 1
        moment += timedelta(hours=1)
    assert checked > 17000


def test_changes_the_zone_stopped_making_are_bounded():
    # Egypt's autumn change falls on a Friday 00:00, except when the last Thursday is the
    # 31st and it moves into November: each stretch of one rule is counted, not open-ended.
    zone = ZoneInfo("Africa/Cairo")
    timezone = written(zone, INSTANT, INSTANT + timedelta(days=730))
    rules = [o["RRULE"] for o in timezone.subcomponents if "RRULE" in o]
    assert rules and all(r["FREQ"] == ["YEARLY"] for r in rules)
    assert any("COUNT" in r for r in rules)
    dateutil_zone, _ = read_back(timezone)
    moment = INSTANT
    while moment < INSTANT + timedelta(days=730):
        local = moment.astimezone(zone)
        if not local.fold:
            wall = local.replace(tzinfo=None)
            assert wall.replace(tzinfo=dateutil_zone).utcoffset() == local.utcoffset(), wall
        moment += timedelta(hours=3)


def test_a_time_in_the_repeated_hour_is_written_in_utc():
    zone = ZoneInfo("America/Chicago")
    moment = INSTANT
    while moment.astimezone(zone).fold == 0:  # find the autumn's repeated hour from INSTANT
        moment += timedelta(minutes=30)
    assert ical.wall_time(moment, zone).tzinfo is UTC
    assert ical.wall_time(moment - timedelta(hours=1), zone).tzinfo is zone
    assert ical.wall_time(moment + timedelta(hours=1), zone).tzinfo is zone
