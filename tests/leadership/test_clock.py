"""The district's time: today and timestamps go by the district's zone, not the server's UTC."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from leadership import clock
from tests.leadership.factories import SchoolYearFactory
from tests.workplans.factories import (
    ActionStepFactory,
    GoalFactory,
    ProgressUpdateFactory,
    WorkPlanFactory,
)

pytestmark = pytest.mark.django_db

# 03:07 UTC on 1 December is 7:07 p.m. on 30 November in Los Angeles (PST, UTC-8).
EVENING_PACIFIC = datetime(2026, 12, 1, 3, 7, tzinfo=UTC)


def test_today_is_the_districts_day():
    assert clock.today_in("America/Los_Angeles", EVENING_PACIFIC) == date(2026, 11, 30)
    assert clock.today_in("Europe/Berlin", EVENING_PACIFIC) == date(2026, 12, 1)


def test_a_day_runs_from_local_midnight_to_local_midnight():
    first, after = clock.day_bounds("America/Chicago", date(2027, 3, 14), date(2027, 3, 14))
    # The spring change: that day is 23 hours long.
    assert (after.astimezone(UTC) - first.astimezone(UTC)).total_seconds() == 23 * 3600
    assert first.astimezone(UTC) == datetime(2027, 3, 14, 6, 0, tzinfo=UTC)


def test_a_wall_time_inside_the_spring_gap_moves_past_it():
    at = clock.at_local("America/Chicago", date(2027, 3, 14), 2, 30)
    assert (at.hour, at.minute, at.utcoffset().total_seconds()) == (3, 30, -5 * 3600)


def test_an_update_posted_in_the_evening_shows_the_evening(world, client_for):
    world.district.timezone = "America/Los_Angeles"
    world.district.save()
    plan = WorkPlanFactory(
        school=world.school,
        school_year=SchoolYearFactory(district=world.district),
        status="active",
    )
    step = ActionStepFactory(goal=GoalFactory(plan=plan), owner=world.teacher_leader)
    with time_machine.travel(EVENING_PACIFIC, tick=False):
        ProgressUpdateFactory(step=step, author=world.teacher_leader)
    client = client_for(world.teacher_leader)
    for url in (  # a page of the school, and one of the person's own
        reverse("workplans:plan_detail", kwargs={"slug": world.school.slug, "pk": plan.pk}),
        reverse("workplans:my_steps"),
    ):
        page = client.get(url).content.decode()
        assert 'datetime="2026-11-30T19:07:00-08:00"' in page, url
        assert "7:07 p.m." in page and "3:07 a.m." not in page, url


def test_pages_without_a_school_speak_the_persons_district_time(world, client_for):
    from tests.engagement.factories import EventFactory

    world.district.timezone = "America/Los_Angeles"
    world.district.save()
    with time_machine.travel(datetime(2026, 11, 20, 12, 0, tzinfo=UTC), tick=False):
        EventFactory(school=world.school, starts_at=EVENING_PACIFIC)
        page = client_for(world.family).get(reverse("engagement:family_home")).content.decode()
    assert "7:07 p.m." in page and "3:07 a.m." not in page
