"""Calendar files: valid RFC 5545 (checked by the strict `ical` parser), right across DST."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from ical.calendar_stream import IcsCalendarStream

from engagement import tokens
from engagement.models import EventStatus
from tests.engagement.factories import EventFactory

LA = ZoneInfo("America/Los_Angeles")


@pytest.fixture
def pacific(world):
    world.district.timezone = "America/Los_Angeles"
    world.district.save(update_fields=["timezone"])
    return world


def parse(body: bytes):
    return IcsCalendarStream.calendar_from_ics(body.decode())


def test_event_ics_across_the_fall_dst_change_is_valid_and_exact(pacific, client_for):
    # 1 November 2026, 00:30 PDT (UTC-7) to 03:30 PST (UTC-8): four real hours.
    starts = datetime(2026, 11, 1, 0, 30, tzinfo=LA)
    ends = datetime(2026, 11, 1, 3, 30, tzinfo=LA)
    event = EventFactory(school=pacific.school, starts_at=starts, ends_at=ends)
    response = client_for(pacific.family).get(
        reverse("engagement:event_ics", kwargs={"slug": pacific.school.slug, "pk": event.pk})
    )
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    assert "BEGIN:VTIMEZONE" in body and "TZID:America/Los_Angeles" in body
    calendar = parse(response.content)
    (item,) = calendar.events
    assert item.summary == "Family math night"
    assert item.dtstart.astimezone(UTC) == datetime(2026, 11, 1, 7, 30, tzinfo=UTC)
    assert item.dtend.astimezone(UTC) == datetime(2026, 11, 1, 11, 30, tzinfo=UTC)
    assert item.dtend.astimezone(UTC) - item.dtstart.astimezone(UTC) == timedelta(hours=4)
    assert item.location == "Library"


def test_event_ics_is_in_the_familys_language(pacific, client_for):
    pacific.family.preferred_language = "es"
    pacific.family.save(update_fields=["preferred_language"])
    event = EventFactory(school=pacific.school)
    response = client_for(pacific.family).get(
        reverse("engagement:event_ics", kwargs={"slug": pacific.school.slug, "pk": event.pk})
    )
    (item,) = parse(response.content).events
    assert item.summary == "Noche familiar de matemáticas"
    assert "Juegos y acertijos" in item.description


def test_school_feed_needs_no_session_and_shows_published_events_only(pacific, client):
    spring = EventFactory(
        school=pacific.school,
        # 14 March 2027, the spring change: 01:30 PST to 03:30 PDT is one real hour.
        starts_at=datetime(2027, 3, 14, 1, 30, tzinfo=LA),
        ends_at=datetime(2027, 3, 14, 3, 30, tzinfo=LA),
    )
    EventFactory(school=pacific.school, status=EventStatus.DRAFT, texts={"en": ("Draft", "")})
    EventFactory(
        school=pacific.school, status=EventStatus.CANCELLED, texts={"en": ("Called off", "")}
    )
    EventFactory(school=pacific.other_school, texts={"en": ("Other school", "")})
    feed = reverse(
        "engagement:school_feed", kwargs={"token": tokens.make_feed_token(pacific.school)}
    )
    response = client.get(feed)
    assert response.status_code == 200
    calendar = parse(response.content)
    summaries = sorted(item.summary for item in calendar.events)
    assert summaries == ["Cancelled: Called off", "Family math night"]
    item = next(i for i in calendar.events if i.summary == "Family math night")
    assert item.dtend.astimezone(UTC) - item.dtstart.astimezone(UTC) == timedelta(hours=1)
    assert spring.pk
    # Spanish on request.
    spanish = parse(client.get(feed, {"lang": "es"}).content)
    assert "Noche familiar de matemáticas" in [i.summary for i in spanish.events]


def test_school_feed_with_a_bad_token_is_404(world, client):
    token = tokens.make_feed_token(world.school)
    bad = token[:-3] + "abc"
    assert client.get(reverse("engagement:school_feed", kwargs={"token": bad})).status_code == 404
    other = str(world.other_school.pk) + token[token.index("-") :]
    assert client.get(reverse("engagement:school_feed", kwargs={"token": other})).status_code == 404


def test_an_empty_feed_is_still_valid(world, client):
    response = client.get(
        reverse("engagement:school_feed", kwargs={"token": tokens.make_feed_token(world.school)})
    )
    assert response.status_code == 200
    assert parse(response.content).events == []
