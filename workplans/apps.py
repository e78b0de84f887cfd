"""Annual work plans, goals, measures, action steps and progress updates."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

DEMO_GOALS = [
    (
        "instruction",
        "By June, the share of students in grades 3-5 reading at grade level rises from 48% "
        "to 60% on the spring benchmark.",
        "Students rarely talk about texts with each other; small-group time is mostly worksheets.",
        ("Students reading at grade level", "%", "up", 48, 60, "on"),
    ),
    (
        "culture",
        "By June, chronic absence falls from 18% to 12% of students.",
        "Families of absent students told us mornings are hard and school feels far away.",
        ("Chronically absent students", "%", "down", 18, 12, "off"),
    ),
    (
        "family",
        "By June, 75% of families attend at least one student-led conference (from 52%).",
        "Conference times clashed with work shifts; invitations were only in English.",
        ("Families at a student-led conference", "%", "up", 52, 75, "risk"),
    ),
    (
        "assessment",
        "By June, every student sets and reviews learning targets in portfolios each quarter.",
        "Targets were written for students, not with them.",
        ("Students reviewing their own targets", "%", "up", 20, 100, "on"),
    ),
]
STEP_TITLES = [
    "Plan the learning walk on student discourse",
    "Run the coaching cycle with grade 3",
    "Share the data with families at the fall night",
    "Review attendance data with the ILT",
]


class WorkplansConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "workplans"
    verbose_name = _("Workplans")

    def seed_demo(self, *, district, schools, year) -> str:
        """Per school an active plan with 3-4 goals, a year of monthly data, steps and updates.

        Idempotent: a school that already has a plan for the year is left alone.
        """
        from django.utils import timezone

        from leadership.models import Membership, Role

        from .models import (
            ActionStep,
            DataPoint,
            DistrictPriority,
            Goal,
            LearningActivity,
            LookForTally,
            Measure,
            ProgressUpdate,
            StepStatus,
            WorkPlan,
        )

        priority, _created = DistrictPriority.objects.get_or_create(
            district=district,
            school_year=year,
            title="Every student reads well by third grade",
            defaults={"description": "The district's first priority for the year."},
        )
        have = set(
            WorkPlan.objects.filter(school__in=schools, school_year=year).values_list(
                "school_id", flat=True
            )
        )
        todo = [school for school in schools if school.pk not in have]
        if not todo:
            return "plans already there."
        leaders: dict[int, list[int]] = {}
        for school_id, user_id in (
            Membership.objects.filter(
                school__in=todo, role__in=[Role.TEACHER_LEADER, Role.PRINCIPAL]
            )
            .order_by("role", "id")
            .values_list("school_id", "user_id")
        ):
            leaders.setdefault(school_id, []).append(user_id)
        plans = WorkPlan.objects.bulk_create(
            [
                WorkPlan(
                    school=s,
                    school_year=year,
                    status=WorkPlan.Status.ACTIVE,
                    summary_published=True,
                )
                for s in todo
            ]
        )
        today = timezone.localdate()
        goals = []
        for i, plan in enumerate(plans):
            count = 3 + (i % 2)  # 3 or 4 goals
            for order, (area, smart, why, _m) in enumerate(DEMO_GOALS[:count], start=1):
                goals.append(
                    Goal(
                        plan=plan,
                        focus_area=area,
                        smart_statement=smart,
                        root_cause_notes=why,
                        order=order,
                        district_priority=priority if order == 1 else None,
                    )
                )
        goals = Goal.objects.bulk_create(goals)
        baseline_date = today - timedelta(days=365)
        measures, trends = [], []
        for goal in goals:
            name, unit, direction, base, target, trend = DEMO_GOALS[goal.order - 1][3]
            measures.append(
                Measure(
                    goal=goal,
                    name=name,
                    unit=unit,
                    direction=direction,
                    baseline=Decimal(base),
                    baseline_date=baseline_date,
                    target=Decimal(target),
                    target_date=max(year.end, today + timedelta(days=120)),
                )
            )
            trends.append(trend)
        measures = Measure.objects.bulk_create(measures)
        points = []
        for measure, trend in zip(measures, trends, strict=True):
            span = (measure.target_date - measure.baseline_date).days
            for month in range(1, 13):
                on = baseline_date + timedelta(days=30 * month)
                if on > today:
                    break
                share = Decimal((on - baseline_date).days) / Decimal(span)
                expected = measure.baseline + (measure.target - measure.baseline) * share
                factor = {"on": Decimal(1), "risk": Decimal("0.85"), "off": Decimal(0)}[trend]
                value = measure.baseline + (expected - measure.baseline) * factor
                points.append(DataPoint(measure=measure, date=on, value=round(value, 1), n=240))
        DataPoint.objects.bulk_create(points, batch_size=2000)
        activities = LearningActivity.objects.bulk_create(
            [
                LearningActivity(
                    goal=goal,
                    kind=LearningActivity.Kind.LEARNING_WALK,
                    title="Learning walk: student discourse",
                    date=today - timedelta(days=20),
                )
                for goal in goals
                if goal.order == 1
            ]
        )
        LookForTally.objects.bulk_create(
            [
                LookForTally(
                    activity=a, look_for="Students explain their reasoning", seen=7, visited=12
                )
                for a in activities
            ]
        )
        steps = []
        plan_school = {plan.pk: plan.school_id for plan in plans}
        for n, goal in enumerate(goals):
            owners = leaders.get(plan_school[goal.plan_id]) or []
            if not owners:
                continue
            for k in range(2):
                overdue = k == 0 and goal.order == 2
                start = today - timedelta(days=60)
                due = today - timedelta(days=5) if overdue else today + timedelta(days=10 + 20 * k)
                steps.append(
                    ActionStep(
                        goal=goal,
                        title=STEP_TITLES[(goal.order + k) % len(STEP_TITLES)],
                        owner_id=owners[(n + k) % len(owners)],
                        team="Instructional Leadership Team",
                        start=start,
                        due=due,
                        status=StepStatus.ON_TRACK if k == 1 else StepStatus.NOT_STARTED,
                        last_update_at=timezone.now() - timedelta(days=3) if k == 1 else None,
                    )
                )
        steps = ActionStep.objects.bulk_create(steps)
        ProgressUpdate.objects.bulk_create(
            [
                ProgressUpdate(
                    step=step,
                    author_id=step.owner_id,
                    status=StepStatus.ON_TRACK,
                    narrative="Met with the grade team; the first round is scheduled.",
                )
                for step in steps
                if step.status == StepStatus.ON_TRACK
            ]
        )
        return (
            f"{len(plans)} active plans, {len(goals)} goals, "
            f"{len(points)} data points, {len(steps)} steps."
        )
