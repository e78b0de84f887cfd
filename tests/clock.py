"""Time in tests: move to a day of the district's calendar, keeping the hour the run is at.

A test that needs a scenario of the school year (data in September and November, a step due
in May) moves the clock to a day of the current school year by whole days: the time of day
stays the one the run started at, so a run at 03:00 UTC (evening in the district) still bites.
"""

from __future__ import annotations

from datetime import date, timedelta

import time_machine
from django.utils import timezone

from leadership import clock
from tests.leadership.factories import school_year_around


def travel_to_day(place, day: date) -> time_machine.travel:
    """A time-machine travel (ticking) to `day` in `place`'s district, same time of day."""
    now = timezone.now()
    shift = (day - clock.today_in(place, now)).days
    return time_machine.travel(now + timedelta(days=shift), tick=True)


def mid_year(day: date) -> date:
    """1 December of the school year that holds `day` (as `SchoolYearFactory` makes it): data
    in September and November is past, a step due in May is ahead."""
    return date(school_year_around(day)[0].year, 12, 1)
