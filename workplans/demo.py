"""Demo data of the workplans app, in bulk: district priorities and, per school, an active plan.

Per school: 4 goals drawn from a pool (most aligned to one of the district's 3 priorities), each
with measures (baseline, target, a data point a month from the start of the year to today),
professional learning, 25 action steps in all with progress updates. Each goal is given the
status it should show (on track, at risk, off track, not enough data) and its data and steps are
made to match, so the district sees a spread. Numbers vary between schools, deterministically
(a random generator seeded by the school's slug).
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from leadership import clock, versions
from leadership.models import Membership, Role

from . import charts
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

GOALS_PER_PLAN = 4
STEPS_PER_PLAN = 25
BATCH = 2000
PRIORITIES = [
    (
        "Every student reads well by third grade",
        "Early literacy first: phonics, fluency and rich texts in every K-3 classroom.",
    ),
    (
        "Every student attends, belongs and is known",
        "Cut chronic absence and make sure each student has an adult who knows them well.",
    ),
    (
        "Families are partners in learning",
        "Families take part in their children's learning, in their own language.",
    ),
]
# The status a goal is made to show, with its weight across the district.
STATUS_WEIGHTS = [
    (charts.Status.ON_TRACK, 40),
    (charts.Status.AT_RISK, 25),
    (charts.Status.OFF_TRACK, 20),
    (charts.Status.NOT_ENOUGH, 15),
]
# How far behind the straight baseline->target path the latest value is, as a share of the
# distance from baseline to target; the ranges sit well inside charts' tolerances.
BEHIND = {
    charts.Status.ON_TRACK: (-0.12, 0.0),
    charts.Status.AT_RISK: (0.08, 0.12),
    charts.Status.OFF_TRACK: (0.25, 0.5),
}
SEVERITY = {
    charts.Status.ON_TRACK: 0,
    charts.Status.AT_RISK: 1,
    charts.Status.OFF_TRACK: 2,
    charts.Status.NOT_ENOUGH: -1,  # no step may have started or reported yet
}
STEP_SEVERITY = {StepStatus.ON_TRACK: 0, StepStatus.AT_RISK: 1, StepStatus.OFF_TRACK: 2}


# focus area, SMART statement, root cause, priority (index or None),
# measures: (name, unit, direction, baseline range, change range, student group),
# action steps.
GOAL_POOL = [
    (
        "instruction",
        "By June, the share of students in grades 3-5 reading at grade level rises by ten "
        "points on the spring benchmark.",
        "Students rarely talk about texts with each other; small-group time is mostly worksheets.",
        0,
        [
            ("Students reading at grade level (grades 3-5)", "%", "up", (40, 56), (8, 14), ""),
            (
                "English learners reading at grade level",
                "%",
                "up",
                (22, 34),
                (8, 12),
                "english_learners",
            ),
        ],
        [
            "Plan the learning walk on student discourse",
            "Run the coaching cycle with grade 3",
            "Train staff on text-based discussion protocols",
            "Set up guided-reading groups from the screener",
            "Review the fall screener with grade teams",
            "Stock classroom libraries with leveled texts",
            "Share reading strategies with families",
        ],
    ),
    (
        "curriculum",
        "By June, 80% of K-2 students meet the phonics benchmark.",
        "The old sequence skipped skills; teachers filled gaps with their own materials.",
        0,
        [("K-2 students meeting the phonics benchmark", "%", "up", (50, 64), (14, 22), "")],
        [
            "Adopt the K-2 phonics scope and sequence",
            "Train K-2 teachers on the new sequence",
            "Order decodable readers",
            "Run monthly phonics checks",
            "Coach new teachers on phonics routines",
            "Hold a family phonics workshop",
            "Review phonics data at grade-team meetings",
        ],
    ),
    (
        "culture",
        "By June, chronic absence falls by a third, to 12% of students or fewer.",
        "Families of absent students told us mornings are hard and school feels far away.",
        1,
        [
            ("Chronically absent students", "%", "down", (16, 24), (5, 8), ""),
            (
                "Chronically absent students with disabilities",
                "%",
                "down",
                (22, 30),
                (6, 9),
                "disabilities",
            ),
        ],
        [
            "Review attendance data with the ILT",
            "Call families after a third absence",
            "Start a walking school bus",
            "Launch attendance mentors for grade 6",
            "Recognise classes with the best attendance",
            "Home visits for students absent 10% or more",
            "Share attendance data with families at conferences",
        ],
    ),
    (
        "culture",
        "By June, 85% of students say an adult at school knows them well.",
        "Students in upper grades told us they do not have an adult to go to.",
        1,
        [("Students who say an adult knows them well", "%", "up", (62, 74), (10, 16), "")],
        [
            "Start advisory circles twice a week",
            "Map every student to a trusted adult",
            "Train staff on restorative conversations",
            "Run student focus groups",
            "Survey students each quarter",
            "Plan the student-led assembly",
            "Share survey results with the staff",
        ],
    ),
    (
        "family",
        "By June, 75% of families attend at least one student-led conference.",
        "Conference times clashed with work shifts; invitations were only in English.",
        2,
        [("Families at a student-led conference", "%", "up", (44, 58), (14, 22), "")],
        [
            "Share the data with families at the fall night",
            "Offer evening conference slots",
            "Translate conference invitations",
            "Book interpreters for conferences",
            "Train students to lead their conference",
            "Call families who have not signed up",
            "Collect feedback after conferences",
        ],
    ),
    (
        "family",
        "By June, 90% of families come to at least one school event this year.",
        "Events were at times families could not come, with no childcare.",
        2,
        [("Families at one or more school events", "%", "up", (48, 62), (16, 24), "")],
        [
            "Plan the family events calendar with the parent group",
            "Offer childcare at evening events",
            "Send invitations in every home language",
            "Hold a family math night",
            "Start coffee with the principal",
            "Ask families what times work",
            "Thank families who came, in their language",
        ],
    ),
    (
        "assessment",
        "By June, every student sets and reviews learning targets in a portfolio each quarter.",
        "Targets were written for students, not with them.",
        None,
        [("Students reviewing their own targets", "%", "up", (15, 30), (40, 60), "")],
        [
            "Introduce learning-target trackers",
            "Model a portfolio review in the staff meeting",
            "Set aside portfolio time each Friday",
            "Collect sample portfolios from every grade",
            "Train teachers on student-engaged assessment",
            "Share portfolios at student-led conferences",
            "Review portfolio use on a learning walk",
        ],
    ),
    (
        "instruction",
        "By June, 65% of students meet their growth target in math.",
        "Math lessons are mostly teacher talk; students rarely explain their thinking.",
        None,
        [("Students meeting their math growth target", "%", "up", (38, 50), (12, 18), "")],
        [
            "Launch number talks in every classroom",
            "Run the coaching cycle on math discourse",
            "Review the winter math data",
            "Plan math intervention groups",
            "Hold a family math night",
            "Visit classrooms for math talk look-fors",
            "Share math games for home",
        ],
    ),
    (
        "leadership",
        "By June, every grade team runs a monthly data cycle and acts on it.",
        "Team time went to logistics; data meetings had no protocol.",
        None,
        [("Grade teams completing the monthly data cycle", "%", "up", (25, 45), (45, 60), "")],
        [
            "Adopt a data-cycle protocol",
            "Train team leads to facilitate data cycles",
            "Protect team time on PD Wednesdays",
            "Collect each team's action plan",
            "Review team action plans at the ILT",
            "Visit team meetings and give feedback",
            "Celebrate a team's data cycle at the staff meeting",
        ],
    ),
]
LOOK_FORS = [
    ("Students explain their reasoning", 12),
    ("Students talk to each other about the task", 12),
    ("The learning target is posted and used", 12),
]
NARRATIVES = {
    StepStatus.ON_TRACK: [
        "Met with the grade team; the first round is scheduled.",
        "Going as planned; the team shared the first results.",
        "Half of the classrooms have started; the rest begin next week.",
    ],
    StepStatus.AT_RISK: [
        "Substitute shortage delayed two sessions; catching up this month.",
        "Fewer families came than hoped; trying a new time.",
    ],
    StepStatus.OFF_TRACK: [
        "Stalled: the materials have not arrived and the team lost its meeting time.",
        "Not happening yet; we need a new owner and a new date.",
    ],
    StepStatus.DONE: [
        "Done. Notes and materials are in the shared folder.",
        "Finished; the team will look at the effect at the next data review.",
    ],
}


@contextmanager
def timestamps_as_given(model, *names):
    """Let bulk_create write the dates the demo chose: auto_now(_add) would stamp them all now.

    Only the seeding command runs this, on one thread, around single bulk inserts.
    """
    fields = [model._meta.get_field(name) for name in names]
    saved = [(f.auto_now, f.auto_now_add) for f in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, (auto_now, auto_now_add) in zip(fields, saved, strict=True):
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def month_days(start: date, until: date) -> list[date]:
    """The same day of every month from `start`, up to `until`."""
    days, n = [], 0
    while True:
        month = start.month - 1 + n
        day = date(start.year + month // 12, month % 12 + 1, min(start.day, 28))
        if day > until:
            return days
        days.append(day)
        n += 1


def measure_values(measure: Measure, days: list[date], status: str, rng) -> list[Decimal]:
    """Monthly values that start at the baseline and end `status` against the target path."""
    if not days:
        return []
    distance = measure.target - measure.baseline
    low, high = BEHIND.get(status, BEHIND[charts.Status.ON_TRACK])
    behind = Decimal(str(round(rng.uniform(low, high), 3)))
    values = []
    for k, day in enumerate(days):
        share = Decimal(k) / Decimal(max(len(days) - 1, 1))
        wobble = Decimal(str(round(rng.uniform(-0.04, 0.04), 3))) if 0 < k < len(days) - 1 else 0
        value = charts.expected_on(measure, day) - distance * (behind * share + wobble)
        values.append(min(max(value, Decimal(0)), Decimal(100)).quantize(Decimal("0.1")))
    if days[0] <= measure.baseline_date:
        values[0] = measure.baseline
    return values


def _aware(day: date, hour: int, tz) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=tz)


@transaction.atomic
def seed(*, district, schools, year) -> str:
    priorities = [
        DistrictPriority.objects.get_or_create(
            district=district, school_year=year, title=title, defaults={"description": text}
        )[0]
        for title, text in PRIORITIES
    ]
    have = set(
        WorkPlan.objects.filter(school__in=schools, school_year=year).values_list(
            "school_id", flat=True
        )
    )
    todo = [school for school in schools if school.pk not in have]
    if not todo:
        return "plans already there."
    tz = clock.zone_of(district)
    now = timezone.now()
    today = clock.today_in(district)
    rngs = {school.pk: random.Random(f"{school.slug}:workplans") for school in todo}
    owners: dict[int, list[int]] = {}
    for school_id, user_id in (
        Membership.objects.active()
        .filter(school__in=todo, role__in=[Role.PRINCIPAL, Role.TEACHER_LEADER, Role.STAFF])
        .order_by("role", "user__email")
        .values_list("school_id", "user_id")
    ):
        owners.setdefault(school_id, []).append(user_id)

    plans = WorkPlan.objects.bulk_create(
        [
            WorkPlan(
                school=s, school_year=year, status=WorkPlan.Status.ACTIVE, summary_published=True
            )
            for s in todo
        ]
    )
    goals, plan_of_goal = [], []
    statuses, templates = {}, {}
    for plan in plans:
        rng = rngs[plan.school_id]
        # Most goals serve a district priority; some plans add one goal of the school's own.
        aligned = [t for t in GOAL_POOL if t[3] is not None]
        own = [t for t in GOAL_POOL if t[3] is None]
        chosen = rng.sample(aligned, GOALS_PER_PLAN)
        if rng.random() < 0.6:
            chosen[rng.randrange(GOALS_PER_PLAN)] = rng.choice(own)
        for order, template in enumerate(chosen, start=1):
            area, smart, why, priority, _measures, _steps = template
            goal = Goal(
                plan=plan,
                focus_area=area,
                smart_statement=smart,
                root_cause_notes=why,
                order=order,
                district_priority=priorities[priority] if priority is not None else None,
            )
            goals.append(goal)
            plan_of_goal.append(plan)
            templates[id(goal)] = template
            statuses[id(goal)] = rng.choices(*zip(*STATUS_WEIGHTS, strict=True))[0]
    Goal.objects.bulk_create(goals, batch_size=BATCH)
    school_of = {plan.pk: plan.school_id for plan in plans}

    # Measures: the first of every goal, a student-group one for some; a goal without enough
    # data has only the baseline (its measure is taken at the winter benchmark).
    measures, measure_status = [], []
    for goal in goals:
        rng = rngs[school_of[goal.plan_id]]
        status = statuses[id(goal)]
        specs = templates[id(goal)][4]
        wanted = specs[:1] + [s for s in specs[1:] if rng.random() < 0.5]
        for n, (name, unit, direction, (b_low, b_high), (c_low, c_high), group) in enumerate(
            wanted
        ):
            baseline = Decimal(rng.randint(b_low, b_high))
            change = Decimal(rng.randint(c_low, c_high))
            target = baseline + change if direction == "up" else baseline - change
            measures.append(
                Measure(
                    goal=goal,
                    name=name,
                    unit=unit,
                    direction=direction,
                    baseline=baseline,
                    baseline_date=year.start,
                    target=min(target, Decimal(100)),
                    target_date=year.end,
                    student_group=group,
                )
            )
            # The second measure is never worse than the goal's status.
            measure_status.append(status if n == 0 else charts.Status.ON_TRACK)
            if status == charts.Status.NOT_ENOUGH:
                measure_status[-1] = status
    Measure.objects.bulk_create(measures, batch_size=BATCH)
    days = month_days(year.start, today)
    points = []
    for measure, status in zip(measures, measure_status, strict=True):
        rng = rngs[school_of[measure.goal.plan_id]]
        shown = days[:1] if status == charts.Status.NOT_ENOUGH else days
        values = measure_values(measure, shown, status, rng)
        group_n = rng.randint(28, 70) if measure.student_group else rng.randint(180, 620)
        for day, value in zip(shown, values, strict=True):
            points.append(
                DataPoint(
                    measure=measure,
                    date=day,
                    value=value,
                    n=group_n,
                    group=measure.student_group,
                    source="District benchmark" if measure.unit == "%" else "School records",
                )
            )
    DataPoint.objects.bulk_create(points, batch_size=BATCH)

    activities, tallies = [], []
    for goal in goals:
        rng = rngs[school_of[goal.plan_id]]
        day = year.start + timedelta(days=rng.randint(20, 120))
        kind = rng.choice(list(LearningActivity.Kind))
        titles = {
            LearningActivity.Kind.COACHING: "Coaching cycle",
            LearningActivity.Kind.LEARNING_WALK: "Learning walk",
            LearningActivity.Kind.OBSERVATION: "Observation round",
            LearningActivity.Kind.PD: "PD session",
        }
        activity = LearningActivity(
            goal=goal,
            kind=kind,
            title=f"{titles[kind]}: {templates[id(goal)][5][0].lower()}"[:200],
            date=day,
        )
        activities.append(activity)
        if kind in (LearningActivity.Kind.LEARNING_WALK, LearningActivity.Kind.OBSERVATION):
            for look_for, visited in rng.sample(LOOK_FORS, 2):
                tallies.append(
                    LookForTally(
                        activity=activity,
                        look_for=look_for,
                        seen=rng.randint(3, visited),
                        visited=visited,
                    )
                )
    LearningActivity.objects.bulk_create(activities, batch_size=BATCH)
    LookForTally.objects.bulk_create(tallies, batch_size=BATCH)
    activity_of = {a.goal_id: a for a in activities}

    steps, step_rng = [], []
    goals_of_plan: dict[int, list[Goal]] = {}
    for goal in goals:
        goals_of_plan.setdefault(goal.plan_id, []).append(goal)
    for plan in plans:
        rng = rngs[plan.school_id]
        people = owners.get(plan.school_id) or []
        if not people:
            continue
        plan_goals = goals_of_plan[plan.pk]
        counts = [STEPS_PER_PLAN // len(plan_goals)] * len(plan_goals)
        for n in range(STEPS_PER_PLAN - sum(counts)):
            counts[n] += 1
        rng.shuffle(counts)
        for goal, count in zip(plan_goals, counts, strict=True):
            status = statuses[id(goal)]
            titles = templates[id(goal)][5]
            for k in range(count):
                title = titles[k % len(titles)]
                if k >= len(titles):
                    title = f"{title} (round {k // len(titles) + 1})"
                if status == charts.Status.NOT_ENOUGH:
                    # A goal still waiting for its data: its steps start after the break.
                    start = max(today, year.start) + timedelta(days=rng.randint(30, 90))
                else:
                    start = year.start + timedelta(days=rng.randint(0, 130))
                due = min(start + timedelta(days=rng.randint(14, 90)), year.end)
                due = max(due, start)
                steps.append(
                    ActionStep(
                        goal=goal,
                        title=title,
                        owner_id=rng.choice(people),
                        team_name=rng.choice(
                            ["Instructional Leadership Team", "Grade-level team", "Family team"]
                        ),
                        start=start,
                        due=due,
                        status=_step_status(rng, start, due, today, SEVERITY[status]),
                        learning_activity=activity_of[goal.pk] if k == 0 else None,
                    )
                )
                step_rng.append(rng)
    # Progress updates: one a month or so since the step started, the last one giving the
    # step's status.
    updates = []
    for step, rng in zip(steps, step_rng, strict=True):
        if step.status == StepStatus.NOT_STARTED:
            continue
        first = _aware(step.start + timedelta(days=rng.randint(3, 10)), 16, tz)
        last = _aware(min(step.due, today), 16, tz) if step.status == StepStatus.DONE else None
        last = last or now - timedelta(days=rng.randint(1, 25))
        # In UTC: the arithmetic below would otherwise be off by an hour across a DST change.
        last = min(max(last, _aware(step.start, 17, tz)), now).astimezone(UTC)
        first = min(first, last).astimezone(UTC)
        count = 1 + min((last - first).days // 30, 3)
        for n in range(count):
            at = first + (last - first) * n / max(count - 1, 1) if count > 1 else last
            status = step.status if n == count - 1 else StepStatus.ON_TRACK
            updates.append(
                ProgressUpdate(
                    step=step,
                    author_id=step.owner_id,
                    status=status,
                    narrative=rng.choice(NARRATIVES[status]),
                    created_at=at,
                )
            )
        step.last_update_at = last
    ActionStep.objects.bulk_create(steps, batch_size=BATCH)
    with timestamps_as_given(ProgressUpdate, "created_at"):
        ProgressUpdate.objects.bulk_create(updates, batch_size=BATCH)
    versions.mark_changed(school_ids=[school.pk for school in todo])  # bulk writes: no service
    return (
        f"{len(plans)} active plans, {len(goals)} goals, "
        f"{len(points)} data points, {len(steps)} steps, {len(updates)} progress updates."
    )


def _step_status(rng: random.Random, start: date, due: date, today: date, severity: int) -> str:
    """Done, in progress, not started or overdue, never worse than the goal's status allows."""
    if start > today:
        return (
            StepStatus.ON_TRACK if severity == 0 and rng.random() < 0.08 else StepStatus.NOT_STARTED
        )
    if due < today:
        roll = rng.random()
        if roll < 0.7:
            return StepStatus.DONE
        # Overdue: still not done.
        status = rng.choice([StepStatus.NOT_STARTED, StepStatus.AT_RISK, StepStatus.OFF_TRACK])
    else:
        roll = rng.random()
        if roll < 0.15:
            return StepStatus.DONE
        if roll < 0.3:
            return StepStatus.NOT_STARTED
        status = rng.choice(
            [StepStatus.ON_TRACK, StepStatus.ON_TRACK, StepStatus.AT_RISK, StepStatus.OFF_TRACK]
        )
    if STEP_SEVERITY.get(status, 0) > severity:
        status = [StepStatus.ON_TRACK, StepStatus.AT_RISK, StepStatus.OFF_TRACK][severity]
    return status
