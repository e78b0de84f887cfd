"""factory-boy factories for work plans, goals, measures, data, steps and updates."""

from datetime import date
from decimal import Decimal

import factory

from tests.leadership.factories import SchoolFactory, SchoolYearFactory, UserFactory
from workplans.models import (
    ActionStep,
    DataPoint,
    Goal,
    Measure,
    ProgressUpdate,
    WorkPlan,
)


class WorkPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkPlan

    school = factory.SubFactory(SchoolFactory)
    school_year = factory.LazyAttribute(
        lambda p: (
            SchoolYearFactory(district=p.school.district)
            if not p.school.district.school_years.exists()
            else p.school.district.school_years.first()
        )
    )
    status = WorkPlan.Status.ACTIVE


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    plan = factory.SubFactory(WorkPlanFactory)
    focus_area = "instruction"
    smart_statement = factory.Sequence(lambda n: f"By June, reading rises (goal {n}).")
    order = factory.Sequence(lambda n: n + 1)


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure

    goal = factory.SubFactory(GoalFactory)
    name = factory.Sequence(lambda n: f"Reading at grade level {n}")
    unit = "%"
    direction = "up"
    baseline = Decimal("40")
    baseline_date = date(2026, 1, 1)
    target = Decimal("60")
    target_date = date(2027, 1, 1)


class DataPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataPoint

    measure = factory.SubFactory(MeasureFactory)
    date = date(2026, 3, 1)
    value = Decimal("45")
    n = 200


class ActionStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionStep

    goal = factory.SubFactory(GoalFactory)
    title = factory.Sequence(lambda n: f"Action step {n}")
    owner = factory.SubFactory(UserFactory)
    start = date(2026, 9, 1)
    due = date(2026, 12, 1)


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressUpdate

    step = factory.SubFactory(ActionStepFactory)
    status = "on_track"
    narrative = "Going well."
