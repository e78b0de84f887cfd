"""Query counts on the plan page and "my action steps" with a plan of realistic size."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from leadership import clock
from workplans.models import ActionStep, DataPoint, Goal, Measure, ProgressUpdate, StepStatus

GOALS, STEPS_PER_GOAL, POINTS_PER_GOAL = 20, 5, 100


@pytest.fixture
def big_plan(plan, world):
    """20 goals, 100 steps (with an update each), 2,000 data points, built in bulk."""
    today = clock.today_in(world.district)
    goals = Goal.objects.bulk_create(
        [
            Goal(plan=plan, focus_area="instruction", smart_statement=f"Goal {i}", order=i)
            for i in range(GOALS)
        ]
    )
    measures = Measure.objects.bulk_create(
        [
            Measure(
                goal=g,
                name=f"Measure {g.order}",
                unit="%",
                direction="up",
                baseline=Decimal(40),
                target=Decimal(60),
                baseline_date=today - timedelta(days=300),
                target_date=today + timedelta(days=65),
            )
            for g in goals
        ]
    )
    DataPoint.objects.bulk_create(
        [
            DataPoint(
                measure=m,
                date=today - timedelta(days=300 - 3 * k),
                value=Decimal(40 + k / 10),
                n=8 if k % 10 == 0 else 100,
                group="english_learners" if k % 10 == 0 else "",
            )
            for m in measures
            for k in range(POINTS_PER_GOAL)
        ]
    )
    owners = [world.teacher_leader, world.principal, world.staff]
    steps = ActionStep.objects.bulk_create(
        [
            ActionStep(
                goal=g,
                title=f"Step {g.order}.{k}",
                owner=owners[k % 3],
                start=today - timedelta(days=30),
                due=today + timedelta(days=k - 2),
            )
            for g in goals
            for k in range(STEPS_PER_GOAL)
        ]
    )
    ProgressUpdate.objects.bulk_create(
        [
            ProgressUpdate(step=s, author=s.owner, status=StepStatus.ON_TRACK, narrative="ok")
            for s in steps
        ]
    )
    assert DataPoint.objects.count() == GOALS * POINTS_PER_GOAL
    assert ActionStep.objects.count() == GOALS * STEPS_PER_GOAL
    return plan


def test_the_plan_page_reads_in_a_fixed_number_of_queries(
    client_for, world, big_plan, django_assert_num_queries
):
    client = client_for(world.principal)
    url = reverse("workplans:plan_detail", kwargs={"slug": world.school.slug, "pk": big_plan.pk})
    # 15, the survey results put into the goals as evidence (voice), the decisions tied to
    # the goals.
    with django_assert_num_queries(14):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('role="img"') == GOALS


def test_my_steps_reads_in_a_fixed_number_of_queries(
    client_for, world, big_plan, django_assert_num_queries
):
    client = client_for(world.teacher_leader)
    with django_assert_num_queries(7):
        response = client.get(reverse("workplans:my_steps"))
    assert response.status_code == 200
    assert (
        response.content.decode().count('class="card wp-step"') == 2 * GOALS
    )  # steps 0 and 3 of each goal


def test_the_export_reads_in_a_fixed_number_of_queries(
    client_for, world, big_plan, django_assert_num_queries
):
    client = client_for(world.district_admin)
    url = reverse("workplans:plan_export", kwargs={"slug": world.school.slug, "pk": big_plan.pk})
    with django_assert_num_queries(11):
        response = client.get(url)
    assert response.content.decode().count("\ndata,") == GOALS * POINTS_PER_GOAL
