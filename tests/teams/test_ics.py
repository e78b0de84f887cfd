"""A meeting's .ics file: strict RFC 5545 in the district's zone, exact on both sides of
both daylight-saving changes for two independent parsers, links and UID from SITE_URL."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from ical.calendar_stream import IcsCalendarStream

from leadership.clock import at_local
from teams.models import Meeting
from tests import calendar_checks as check
from tests.teams import factories as f

pytestmark = pytest.mark.django_db

# Every date below is built from this instant.
FROZEN = datetime(2026, 9, 2, 14, 0, tzinfo=UTC)
DST_ZONES = ["America/Chicago", "America/Santiago", "Australia/Sydney"]


@pytest.fixture
def frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield FROZEN


@pytest.fixture(scope="module", autouse=True)
def _report():
    before = check.TALLY.copy()
    yield
    print(f"\nmeeting times read and checked, per parser: {dict(check.TALLY - before)}")


def ics_url(meeting) -> str:
    kwargs = {"slug": meeting.team.school.slug, "pk": meeting.pk}
    return reverse("teams:meeting_ics", kwargs=kwargs)


def in_zone(world, name: str) -> ZoneInfo:
    world.district.timezone = name
    world.district.save(update_fields=["timezone"])
    return ZoneInfo(name)


def meetings_around(ilt, zone: ZoneInfo, change: check.Change) -> list[Meeting]:
    """An evening meeting the day before and the day after a change, one that runs across
    its instant and one that starts half an hour after it (in the autumn, in the hour the
    clocks repeat)."""
    day = change.at.astimezone(zone).date()
    starts = [
        at_local(zone, day - timedelta(days=1), 17),
        at_local(zone, day + timedelta(days=1), 17),
        change.at - timedelta(minutes=30),
        change.at + timedelta(minutes=30),
    ]
    return [
        Meeting.objects.create(team=ilt.team, starts_at=start, duration_minutes=90)
        for start in starts
    ]


@pytest.mark.parametrize("through_vtimezone", [False, True], ids=["tzid", "vtimezone"])
@pytest.mark.parametrize("parser", check.PARSERS)
@pytest.mark.parametrize("zone_name", DST_ZONES)
def test_meeting_times_are_exact_on_both_sides_of_both_changes(
    world, ilt, client_for, settings, frozen, zone_name, parser, through_vtimezone
):
    settings.SITE_URL = "http://testserver"
    zone = in_zone(world, zone_name)
    changes = check.changes_after(zone, frozen)
    assert {c.spring for c in changes} == {True, False}
    client = client_for(world.teacher_leader)
    for change in changes:
        for meeting in meetings_around(ilt, zone, change):
            body = client.get(ics_url(meeting)).content
            expected = {
                f"meeting-{meeting.pk}@testserver": (
                    meeting.starts_at.astimezone(UTC),
                    meeting.ends_at.astimezone(UTC),
                )
            }
            check.assert_times(body, parser, expected, through_vtimezone=through_vtimezone)


@pytest.mark.parametrize("zone_name", DST_ZONES)
def test_meeting_vtimezone_is_one_rule_per_observance_with_dtstart_before_the_change(
    world, ilt, client_for, frozen, zone_name
):
    zone = in_zone(world, zone_name)
    changes = check.changes_after(zone, frozen)
    assert len(changes) == 2  # the loops below check both observances
    client = client_for(world.teacher_leader)
    for change in changes:
        meeting = meetings_around(ilt, zone, change)[0]
        timezone = check.vtimezone(client.get(ics_url(meeting)).content, zone)
        assert sorted(o.name for o in timezone.subcomponents) == ["DAYLIGHT", "STANDARD"]
        assert all(o["RRULE"]["FREQ"] == ["YEARLY"] for o in timezone.subcomponents)
        for each in changes:
            observance = check.observance_for(timezone, each)
            assert observance.name == ("DAYLIGHT" if each.spring else "STANDARD")


@pytest.mark.parametrize("parser", check.PARSERS)
def test_a_meeting_in_a_zone_without_daylight_saving(world, ilt, client_for, frozen, parser):
    zone = in_zone(world, "America/Phoenix")
    start = at_local(zone, (frozen + timedelta(days=150)).date(), 16)
    meeting = Meeting.objects.create(team=ilt.team, starts_at=start, duration_minutes=60)
    body = client_for(world.teacher_leader).get(ics_url(meeting)).content
    (standard,) = check.vtimezone(body, zone).subcomponents
    assert standard.name == "STANDARD" and "RRULE" not in standard
    assert check.offsets(standard) == (timedelta(hours=-7), timedelta(hours=-7))
    ((_uid, (starts, ends)),) = check.times(body, parser).items()
    assert (starts, ends) == (start, start + timedelta(hours=1))
    check.TALLY[parser] += 1


def test_the_ics_file_is_strict_rfc5545_in_the_district_time_zone(world, ilt, client_for, frozen):
    # Ten days from now, 16:00 on the district's (Chicago) clock.
    zone = ZoneInfo("America/Chicago")
    start = at_local(zone, (frozen.astimezone(zone) + timedelta(days=10)).date(), 16)
    m = Meeting.objects.create(
        team=ilt.team, starts_at=start, duration_minutes=90, location="Library"
    )
    f.item(m, title="Reading data")
    response = client_for(world.teacher_leader).get(ics_url(m))
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert f"TZID=America/Chicago:{start:%Y%m%d}T160000" in text
    calendar = IcsCalendarStream.calendar_from_ics(text)
    (event,) = calendar.events
    assert event.dtstart.astimezone(UTC) == start
    assert event.dtend - event.dtstart == timedelta(minutes=90)
    assert event.summary == "Lincoln ILT"
    assert "1. Reading data" in event.description


def test_uid_is_stable_and_links_and_uid_host_follow_site_url(world, ilt, client_for, settings):
    meeting = f.meeting(ilt.team)
    client = client_for(world.teacher_leader)
    settings.SITE_URL = "http://127.0.0.1:8101"
    first = client.get(ics_url(meeting)).content
    again = client.get(ics_url(meeting)).content
    page = f"http://127.0.0.1:8101{meeting.get_absolute_url()}"
    for body in (first, again):
        (event,) = IcsCalendarStream.calendar_from_ics(body.decode()).events
        assert event.uid == f"meeting-{meeting.pk}@127.0.0.1"
        assert event.url == page and event.description.endswith(page)
    assert b":8000" not in first
    settings.SITE_URL = "https://accord.example.org"
    body = client.get(ics_url(meeting)).content
    (event,) = IcsCalendarStream.calendar_from_ics(body.decode()).events
    assert event.uid == f"meeting-{meeting.pk}@accord.example.org"
    assert event.url == f"https://accord.example.org{meeting.get_absolute_url()}"
    assert b"127.0.0.1" not in body
