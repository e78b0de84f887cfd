"""Demo data: district priorities and, per school, an active plan with goals aligned to them, a
month of data at a time since the start of the year, steps and updates; idempotent."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from leadership import clock
from leadership.models import SchoolYear
from workplans import selectors
from workplans.charts import Status
from workplans.demo import month_days
from workplans.models import (
    ActionStep,
    DataPoint,
    DistrictPriority,
    Goal,
    ProgressUpdate,
    StepStatus,
    WorkPlan,
)

pytestmark = pytest.mark.usefixtures("demo_mid_year")


def counts():
    return [
        m.objects.count()
        for m in (DistrictPriority, WorkPlan, Goal, DataPoint, ActionStep, ProgressUpdate)
    ]


def test_seed_demo_makes_varied_active_plans_and_is_idempotent(db):
    call_command("seed_demo", schools=3, quiet_logins=True)
    year = SchoolYear.objects.get(is_current=True)
    today = clock.today_in(year.district)
    assert DistrictPriority.objects.filter(school_year=year).count() == 3
    plans = list(WorkPlan.objects.select_related("school__district"))
    assert len(plans) == 3 and {p.status for p in plans} == {WorkPlan.Status.ACTIVE}
    monthly = len(month_days(year.start, today))
    goal_statuses, step_statuses, aligned, measured = set(), set(), [], 0
    for plan in plans:
        goals = selectors.goals_of(plan)
        assert len(goals) == 4
        assert sum(g.steps.count() for g in goals) == 25
        for goal in goals:
            goal_statuses.add(goal.status)
            aligned.append(goal.district_priority_id is not None)
            for view in goal.measure_views:
                measured += 1
                assert view.measure.baseline != view.measure.target
                assert view.measure.baseline_date == year.start
                expected = 1 if goal.status == Status.NOT_ENOUGH else monthly
                assert len(view.points) == expected
            for step in goal.steps.all():
                step_statuses.add(step.status)
                latest = step.latest_update
                # No update yet: not started; otherwise the step reads as its latest update.
                assert (latest is None) == (step.status == StepStatus.NOT_STARTED)
                expected = latest.status if latest is not None else StepStatus.NOT_STARTED
                assert step.status == expected
    assert measured >= len(plans) * 4  # every goal's measures were checked above
    assert goal_statuses == {Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK, Status.NOT_ENOUGH}
    assert 0 < aligned.count(False) < aligned.count(True)
    assert {StepStatus.DONE, StepStatus.ON_TRACK, StepStatus.NOT_STARTED} <= step_statuses
    assert any(s.is_overdue for s in map(selectors.decorate_step, ActionStep.objects.all()))
    assert not ProgressUpdate.objects.filter(created_at__gt=timezone.now()).exists()
    before = counts()
    call_command("seed_demo", schools=3, quiet_logins=True)
    assert counts() == before
