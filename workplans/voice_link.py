"""What voice needs of the work plans (registered in WorkplansConfig.ready): the goals and
measures of a school's plans that are not closed, and adding a data point to a measure."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from voice.plan import PlanLink, register

from . import services
from .models import Goal, Measure, WorkPlan

NOT_IN_PLAN = "That measure is not in an open plan of the school."
ALREADY_IN_PLAN = _(
    "This measure already has a value for %(date)s (%(group)s): the result is already in the "
    "plan. Nothing was added."
)


def _goals(*, school) -> list[tuple[int, str]]:
    goals = (
        Goal.objects.filter(plan__school=school)
        .exclude(plan__status=WorkPlan.Status.CLOSED)
        .select_related("plan__school_year")
        .order_by("-plan__school_year__start", "order", "pk")
    )
    return [
        (goal.pk, f"{goal.plan.school_year} · {goal.order}. {goal.smart_statement[:90]}")
        for goal in goals
    ]


def _measures(*, school) -> list[tuple[int, str]]:
    measures = (
        Measure.objects.filter(goal__plan__school=school)
        .exclude(goal__plan__status=WorkPlan.Status.CLOSED)
        .select_related("goal__plan__school_year")
        .order_by("-goal__plan__school_year__start", "goal__order", "pk")
    )
    return [(m.pk, f"{m.goal.plan.school_year} · {m.goal.order}. {m.name}") for m in measures]


def _add_point(*, actor, school, measure_id, date, value, n, source, group="") -> None:
    measure = (
        Measure.objects.select_related("goal__plan__school")
        .filter(pk=measure_id, goal__plan__school=school)
        .first()
    )
    if measure is None:
        raise ValidationError(NOT_IN_PLAN)
    if measure.data_points.filter(date=date, group=group).exists():
        raise ValidationError(
            ALREADY_IN_PLAN,
            params={"date": date.isoformat(), "group": group or gettext("everyone")},
        )
    services.datapoint_create(
        measure=measure, actor=actor, date=date, value=value, n=n, group=group, source=source
    )


def connect() -> None:
    register(PlanLink(goals=_goals, measures=_measures, add_point=_add_point))
