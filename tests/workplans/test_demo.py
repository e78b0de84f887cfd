"""Demo data: an active plan per school, with goals, a year of data, steps and updates."""

from django.core.management import call_command

from workplans import selectors
from workplans.models import ActionStep, DataPoint, Goal, ProgressUpdate, WorkPlan


def counts():
    return [m.objects.count() for m in (WorkPlan, Goal, DataPoint, ActionStep, ProgressUpdate)]


def test_seed_demo_makes_varied_active_plans_and_is_idempotent(db):
    call_command("seed_demo", schools=3, quiet_logins=True)
    plans = list(WorkPlan.objects.select_related("school__district"))
    assert len(plans) == 3 and {p.status for p in plans} == {"active"}
    for plan in plans:
        goals = selectors.goals_of(plan)
        assert 3 <= len(goals) <= 5
        assert all(len(v.points) >= 11 for g in goals for v in g.measure_views)
    statuses = {v.status for g in selectors.goals_of(plans[0]) for v in g.measure_views}
    assert {"on_track", "off_track"} <= statuses
    assert ProgressUpdate.objects.exists()
    assert any(s.is_overdue for s in map(selectors.decorate_step, ActionStep.objects.all()))
    before = counts()
    call_command("seed_demo", schools=3, quiet_logins=True)
    assert counts() == before
