"""Fixtures of the workplans tests: an active plan at Lincoln with a goal, a measure and a step."""

from datetime import timedelta
from decimal import Decimal

import pytest

from leadership import clock
from tests.leadership.factories import SchoolYearFactory
from tests.workplans.factories import (
    ActionStepFactory,
    DataPointFactory,
    GoalFactory,
    MeasureFactory,
    WorkPlanFactory,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def year(world):
    return SchoolYearFactory(district=world.district)


@pytest.fixture
def plan(world, year):
    return WorkPlanFactory(school=world.school, school_year=year)


@pytest.fixture
def goal(plan):
    return GoalFactory(plan=plan, order=1, smart_statement="Reading at grade level rises to 60%.")


@pytest.fixture
def measure(goal):
    today = clock.today_in(goal.plan.school.district)
    return MeasureFactory(
        goal=goal,
        name="Reading at grade level",
        baseline=Decimal("40"),
        target=Decimal("60"),
        baseline_date=today - timedelta(days=100),
        target_date=today + timedelta(days=100),
    )


@pytest.fixture
def on_track_data(measure):
    """Two values exactly on the path: the measure is on track."""
    today = clock.today_in(measure.goal.plan.school.district)
    DataPointFactory(measure=measure, date=today - timedelta(days=50), value=Decimal("45"))
    DataPointFactory(measure=measure, date=today, value=Decimal("50"))
    return measure


@pytest.fixture
def step(goal, world):
    return ActionStepFactory(
        goal=goal,
        title="Plan the learning walk",
        owner=world.teacher_leader,
        start=clock.today_in(world.district) - timedelta(days=30),
        due=clock.today_in(world.district) - timedelta(days=2),
    )
