"""Calendar files of events: valid RFC 5545, right on both sides of both daylight-saving
changes of the district's zone as two independent parsers read them, with a VTIMEZONE in
the form calendar applications write (one rule per observance, no RDATE list)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from ical.calendar_stream import IcsCalendarStream

from engagement import services
from engagement.models import EventStatus
from leadership.clock import at_local
from leadership.models import AuditEntry, Membership
from tests import calendar_checks as check
from tests.engagement.factories import EventFactory

# Any instant will do: every date below is built from it. One in the northern summer and
# one in its winter, so the spring change comes first for one and second for the other.
FROZEN = [datetime(2026, 7, 14, 15, 0, tzinfo=UTC), datetime(2027, 1, 20, 9, 30, tzinfo=UTC)]
DST_ZONES = ["America/Chicago", "America/Santiago", "Australia/Sydney"]


@pytest.fixture(params=FROZEN, ids=["july", "january"])
def frozen(request):
    with time_machine.travel(request.param, tick=False):
        yield request.param


@pytest.fixture(scope="module", autouse=True)
def _report():
    before = check.TALLY.copy()
    yield
    print(f"\nevent times read and checked, per parser: {dict(check.TALLY - before)}")


def in_zone(world, name: str):
    world.district.timezone = name
    world.district.save(update_fields=["timezone"])
    return ZoneInfo(name)


def event_url(event) -> str:
    return reverse("engagement:event_ics", kwargs={"slug": event.school.slug, "pk": event.pk})


def feed_url(school, person=None) -> str:
    token = services.calendar_feeds_for(school_ids=[school.pk], person=person)[school.pk].token
    return reverse("engagement:school_feed", kwargs={"token": token})


def events_around(school, zone: ZoneInfo, change: check.Change, n: int) -> dict:
    """Events the evening before and after a change, and one hour-long event each side of
    its instant (in the autumn, the second starts in the hour the clocks repeat)."""
    day = change.at.astimezone(zone).date()
    made = {}
    for label, start in [
        ("eve", at_local(zone, day - timedelta(days=1), 18)),
        ("next", at_local(zone, day + timedelta(days=1), 18)),
        ("across", change.at - timedelta(minutes=30)),
        ("after", change.at + timedelta(minutes=30)),
    ]:
        event = EventFactory(
            school=school,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            texts={"en": (f"{label} {n}", "")},
        )
        made[f"event-{event.pk}@testserver"] = (
            start.astimezone(UTC),
            (start + timedelta(hours=1)).astimezone(UTC),
        )
    return made


# --- both sides of both changes, two parsers ---------------------------------------------


@pytest.mark.parametrize("through_vtimezone", [False, True], ids=["tzid", "vtimezone"])
@pytest.mark.parametrize("parser", check.PARSERS)
@pytest.mark.parametrize("zone_name", DST_ZONES)
def test_feed_times_are_exact_on_both_sides_of_both_changes(
    world, client, settings, frozen, zone_name, parser, through_vtimezone
):
    settings.SITE_URL = "http://testserver"
    zone = in_zone(world, zone_name)
    changes = check.changes_after(zone, frozen)
    assert {c.spring for c in changes} == {True, False}
    expected = {}
    for n, change in enumerate(changes):
        expected |= events_around(world.school, zone, change, n)
    body = client.get(feed_url(world.school)).content
    check.assert_times(body, parser, expected, through_vtimezone=through_vtimezone)


@pytest.mark.parametrize("zone_name", DST_ZONES)
def test_vtimezone_is_one_rule_per_observance_with_dtstart_before_the_change(
    world, client, frozen, zone_name
):
    zone = in_zone(world, zone_name)
    changes = check.changes_after(zone, frozen)
    assert len(changes) == 2  # the loops below check both observances
    for n, change in enumerate(changes):
        events_around(world.school, zone, change, n)
    body = client.get(feed_url(world.school)).content
    timezone = check.vtimezone(body, zone)
    assert sorted(o.name for o in timezone.subcomponents) == ["DAYLIGHT", "STANDARD"]
    for change in changes:
        observance = check.observance_for(timezone, change)
        assert observance["RRULE"]["FREQ"] == ["YEARLY"]
        assert observance.name == ("DAYLIGHT" if change.spring else "STANDARD")


def test_the_districts_zone_is_written_as_us_rules_with_the_hour_before_the_change(
    world, client_for, frozen
):
    zone = ZoneInfo("America/Chicago")
    assert world.district.timezone == zone.key  # the world's district
    spring, fall = sorted(check.changes_after(zone, frozen), key=lambda c: not c.spring)
    event = EventFactory(school=world.school, starts_at=spring.at + timedelta(days=30))
    body = client_for(world.family).get(event_url(event)).content
    text = body.decode()
    assert "TZID:America/Chicago" in text and "RRULE:" in text and "RDATE" not in text
    timezone = check.vtimezone(body, zone)
    (daylight,) = timezone.walk("DAYLIGHT")
    (standard,) = timezone.walk("STANDARD")
    assert daylight["RRULE"]["BYMONTH"] == [3] and daylight["RRULE"]["BYDAY"] == ["2SU"]
    assert standard["RRULE"]["BYMONTH"] == [11] and standard["RRULE"]["BYDAY"] == ["1SU"]
    central, central_daylight = timedelta(hours=-6), timedelta(hours=-5)
    assert check.offsets(daylight) == (central, central_daylight)
    assert check.offsets(standard) == (central_daylight, central)
    # 02:00 on the clocks before they change, in spring and in the autumn.
    assert daylight.DTSTART.time().isoformat() == standard.DTSTART.time().isoformat() == "02:00:00"
    assert check.observance_for(timezone, spring) is daylight
    assert check.observance_for(timezone, fall) is standard


@pytest.mark.parametrize("parser", check.PARSERS)
def test_a_zone_without_daylight_saving_has_one_standard_observance(
    world, client, settings, frozen, parser
):
    settings.SITE_URL = "http://testserver"
    zone = in_zone(world, "America/Phoenix")
    expected = {}
    for days in (20, 110, 200, 290):  # a year round, across the dates other zones change
        start = at_local(zone, (frozen + timedelta(days=days)).date(), 19)
        ends = start + timedelta(hours=2)
        event = EventFactory(school=world.school, starts_at=start, ends_at=ends)
        expected[f"event-{event.pk}@testserver"] = (start.astimezone(UTC), ends.astimezone(UTC))
    body = client.get(feed_url(world.school)).content
    timezone = check.vtimezone(body, zone)
    (standard,) = timezone.subcomponents
    assert standard.name == "STANDARD"
    assert standard.TZOFFSETFROM == standard.TZOFFSETTO == timedelta(hours=-7)
    first = min(expected.values())[0].astimezone(zone).replace(tzinfo=None)
    assert first >= standard.DTSTART, "the observance is in force from before the first event"
    check.assert_times(body, parser, expected)
    if parser == "icalendar":
        # Through the file's VTIMEZONE alone. (`ical` ignores an observance that has a
        # DTSTART and no RRULE or RDATE, the form every application writes for such a zone,
        # so for this zone it can only be checked by name, above.)
        check.assert_times(body, parser, expected, through_vtimezone=True)


# --- UIDs and links ---------------------------------------------------------------------


def test_uids_are_stable_and_their_host_follows_site_url(world, client, client_for, settings):
    event = EventFactory(school=world.school)
    family = client_for(world.family)
    settings.SITE_URL = "https://accord.example.org:8443/portal"
    first = check.times(family.get(event_url(event)).content, "icalendar")
    again = check.times(family.get(event_url(event)).content, "ical")
    in_feed = check.times(client.get(feed_url(world.school)).content, "icalendar")
    assert list(first) == list(again) == list(in_feed) == [f"event-{event.pk}@accord.example.org"]
    settings.SITE_URL = "http://127.0.0.1:8101"
    moved = check.times(client_for(world.family).get(event_url(event)).content, "ical")
    assert list(moved) == [f"event-{event.pk}@127.0.0.1"]


# --- what the calendar files held before ------------------------------------------------


@pytest.fixture
def pacific(world):
    world.district.timezone = "America/Los_Angeles"
    world.district.save(update_fields=["timezone"])
    return world


@pytest.mark.parametrize("parser", check.PARSERS)
def test_event_ics_across_the_fall_dst_change_is_valid_and_exact(
    pacific, client_for, frozen, parser
):
    zone = ZoneInfo("America/Los_Angeles")
    (fall,) = [c for c in check.changes_after(zone, frozen) if not c.spring]
    # 00:30 PDT (UTC-7) to 03:30 PST (UTC-8) on the day the clocks go back: four real hours.
    starts = fall.at - timedelta(hours=1, minutes=30)
    ends = fall.at + timedelta(hours=2, minutes=30)
    assert starts.astimezone(zone).strftime("%H:%M %Z") == "00:30 PDT"
    assert ends.astimezone(zone).strftime("%H:%M %Z") == "03:30 PST"
    event = EventFactory(school=pacific.school, starts_at=starts, ends_at=ends)
    response = client_for(pacific.family).get(event_url(event))
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    assert "BEGIN:VTIMEZONE" in body and "TZID:America/Los_Angeles" in body
    ((start, end),) = check.times(response.content, parser).values()
    assert (start, end) == (starts, ends)
    assert end - start == timedelta(hours=4)
    check.TALLY[parser] += 1
    calendar = IcsCalendarStream.calendar_from_ics(body)
    (item,) = calendar.events
    assert item.summary == "Family math night"
    assert item.location == "Library"


def test_event_ics_is_in_the_familys_language(pacific, client_for):
    pacific.family.preferred_language = "es"
    pacific.family.save(update_fields=["preferred_language"])
    event = EventFactory(school=pacific.school)
    response = client_for(pacific.family).get(event_url(event))
    (item,) = IcsCalendarStream.calendar_from_ics(response.content.decode()).events
    assert item.summary == "Noche familiar de matemáticas"
    assert "Juegos y acertijos" in item.description


def test_school_feed_needs_no_session_and_shows_published_events_only(pacific, client, frozen):
    zone = ZoneInfo("America/Los_Angeles")
    (spring,) = [c for c in check.changes_after(zone, frozen) if c.spring]
    # The spring change: 01:30 PST to 03:30 PDT on the clocks is one real hour.
    starts, ends = spring.at - timedelta(minutes=30), spring.at + timedelta(minutes=30)
    assert starts.astimezone(zone).strftime("%H:%M %Z") == "01:30 PST"
    assert ends.astimezone(zone).strftime("%H:%M %Z") == "03:30 PDT"
    EventFactory(school=pacific.school, starts_at=starts, ends_at=ends)
    EventFactory(school=pacific.school, status=EventStatus.DRAFT, texts={"en": ("Draft", "")})
    EventFactory(
        school=pacific.school, status=EventStatus.CANCELLED, texts={"en": ("Called off", "")}
    )
    EventFactory(school=pacific.other_school, texts={"en": ("Other school", "")})
    feed = feed_url(pacific.school)
    response = client.get(feed)
    assert response.status_code == 200
    calendar = IcsCalendarStream.calendar_from_ics(response.content.decode())
    summaries = sorted(item.summary for item in calendar.events)
    assert summaries == ["Cancelled: Called off", "Family math night"]
    item = next(i for i in calendar.events if i.summary == "Family math night")
    assert item.dtstart.astimezone(UTC) == starts
    assert item.dtend.astimezone(UTC) - item.dtstart.astimezone(UTC) == timedelta(hours=1)
    # Spanish on request.
    spanish = IcsCalendarStream.calendar_from_ics(client.get(feed, {"lang": "es"}).text)
    assert "Noche familiar de matemáticas" in [i.summary for i in spanish.events]


def test_school_feed_with_a_bad_token_is_404(world, client):
    url = feed_url(world.school)
    assert client.get(url[:-7] + "abc.ics").status_code == 404
    assert client.get(url).status_code == 200


def test_a_replaced_link_stops_at_once_and_the_new_one_works(world, client_for):
    EventFactory(school=world.school, texts={"en": ("Family math night", "")})
    old = feed_url(world.school)
    other_school = feed_url(world.other_school)
    principal = client_for(world.principal)
    response = principal.post(
        reverse("engagement:calendar_feed_rotate", kwargs={"slug": world.school.slug}),
        follow=True,
    )
    assert "the old link no longer works" in response.text
    new = feed_url(world.school)
    assert new != old
    assert new in response.text  # shown on the school's page at once
    assert principal.get(old).status_code == 404
    assert b"Family math night" in principal.get(new).content
    assert principal.get(other_school).status_code == 200  # other schools' links untouched
    entry = AuditEntry.objects.get(action="calendar_feed.rotate")
    assert new.split("/")[-1][:-4] not in str(entry.after) + str(entry.before)


def test_feed_tokens_are_random_not_signed_with_the_secret_key(world, settings):
    from engagement.models import CalendarFeed

    first = feed_url(world.school)
    settings.SECRET_KEY = "another-key-" + "x" * 50
    assert feed_url(world.school) == first  # a new key changes no link
    CalendarFeed.objects.all().delete()
    again = feed_url(world.school)
    assert again != first  # made anew: random, not computed from the school
    assert str(world.school.pk) not in again.split("/")[-1].split("-")[:1]


def test_a_familys_own_link_is_theirs_and_ends_with_their_place_at_the_school(
    world, client, client_for
):
    EventFactory(school=world.school, texts={"en": ("Family math night", "")})
    family = client_for(world.family)
    page = family.get(reverse("engagement:family_home"))
    mine = feed_url(world.school, person=world.family)
    assert mine in page.text
    assert feed_url(world.school) not in page.text  # the school's link is not handed out
    listing = family.get(reverse("engagement:event_list", kwargs={"slug": world.school.slug}))
    assert mine in listing.text and feed_url(world.school) not in listing.text
    assert b"Family math night" in client.get(mine).content
    # Replacing it, from the family's page: the old link stops.
    response = family.post(
        reverse("engagement:my_calendar_feed_rotate", kwargs={"slug": world.school.slug}),
        follow=True,
    )
    assert "the old link no longer works" in response.text
    assert client.get(mine).status_code == 404
    newer = feed_url(world.school, person=world.family)
    assert newer in response.text
    assert client.get(newer).status_code == 200
    # A family that leaves the school loses the link with it.
    Membership.objects.filter(user=world.family, school=world.school).update(is_active=False)
    assert client.get(newer).status_code == 404


def test_an_empty_feed_is_still_valid(world, client):
    response = client.get(feed_url(world.school))
    assert response.status_code == 200
    assert IcsCalendarStream.calendar_from_ics(response.content.decode()).events == []
