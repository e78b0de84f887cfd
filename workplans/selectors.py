"""Every read the workplans pages need, scoped to the acting user and prefetched."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from leadership import clock
from leadership.models import AuditEntry, Membership, Role, School, User
from leadership.permissions import roles_of
from leadership.prepared import Prepared
from voice.models import Survey, SurveyStatus
from voice.permissions import is_owner as can_read_survey_results
from voice.selectors import pending_counts

from . import charts
from .models import (
    ActionStep,
    AgendaLink,
    CoachingComment,
    Goal,
    GoalDecision,
    LearningActivity,
    Measure,
    ProgressUpdate,
    StepStatus,
    WorkPlan,
)
from .permissions import can_view_plan

STALE_DAYS = 14
DUE_SOON_DAYS = 14


@dataclass
class MeasureView:
    measure: Measure
    points: list[charts.Point]
    status: str
    svg: str

    @property
    def status_label(self):
        return charts.STATUS_LABELS[self.status]

    @property
    def badge(self) -> str:
        return charts.STATUS_BADGES.get(self.status, "")


def plans_for(*, user, school: School) -> QuerySet[WorkPlan]:
    plans = WorkPlan.objects.filter(school=school).select_related("school_year", "school")
    return [plan for plan in plans if can_view_plan(user, plan)]


def current_plan(*, user, school: School) -> WorkPlan | None:
    """The newest plan this user may see (active first), for the school page."""
    plans = sorted(
        plans_for(user=user, school=school),
        key=lambda p: (p.status == WorkPlan.Status.ACTIVE, p.school_year.start),
        reverse=True,
    )
    return plans[0] if plans else None


def _updates_prefetch() -> Prefetch:
    return Prefetch(
        "updates",
        queryset=ProgressUpdate.objects.select_related("author").prefetch_related("evidence"),
    )


def goals_of(plan: WorkPlan, *, today: date | None = None) -> list[Goal]:
    """The plan's goals with measures, data, steps, updates and learning, in fixed queries;
    steps are due or overdue as of `today` (default: today in the school's district)."""
    today = today or clock.today_in(plan.school.district)
    goals = list(
        plan.goals.select_related("district_priority", "team").prefetch_related(
            Prefetch("measures", queryset=Measure.objects.prefetch_related("data_points")),
            Prefetch(
                "steps",
                queryset=ActionStep.objects.select_related(
                    "owner", "learning_activity", "team__school"
                ).prefetch_related(_updates_prefetch()),
            ),
            Prefetch(
                "learning_activities",
                queryset=LearningActivity.objects.prefetch_related("tallies"),
            ),
        )
    )
    threshold = plan.school.district.small_group_threshold
    for goal in goals:
        decorate_goal(goal, threshold, charts_too=True)
        for step in goal.steps.all():
            decorate_step(step, today)
    return goals


def decorate_goal(goal: Goal, threshold: int, *, charts_too: bool = False) -> Goal:
    rows = []
    for measure in goal.measures.all():
        points = charts.visible_points(measure, threshold)
        svg = (
            charts.measure_svg(measure, points, chart_id=f"chart-{measure.pk}")
            if charts_too
            else ""
        )
        rows.append(MeasureView(measure, points, charts.measure_status(measure, points), svg))
    goal.measure_views = rows
    step_statuses = [s.status for s in goal.steps.all()]
    goal.status = charts.worst([r.status for r in rows] + step_statuses)
    goal.status_label = charts.STATUS_LABELS[goal.status]
    goal.status_badge = charts.STATUS_BADGES.get(goal.status, "")
    return goal


def decorate_step(step: ActionStep, today: date | None = None) -> ActionStep:
    today = today or clock.today_in(step.goal.plan.school.district)
    updates = list(step.updates.all())
    step.latest_update = updates[0] if updates else None
    step.is_overdue = step.status != StepStatus.DONE and step.due < today
    step.is_due_soon = (
        step.status != StepStatus.DONE
        and not step.is_overdue
        and step.due <= today + timedelta(days=DUE_SOON_DAYS)
    )
    step.status_badge = charts.STATUS_BADGES.get(step.status, "")
    return step


def staff_school_ids(user) -> list[int]:
    return [
        school_id
        for school_id, roles in roles_of(user).by_school.items()
        if roles & {Role.PRINCIPAL, Role.TEACHER_LEADER, Role.STAFF}
    ]


def works_in_a_school(user) -> bool:
    return bool(staff_school_ids(user))


def my_steps(*, user: User) -> list[ActionStep]:
    """The user's open steps in active plans of schools where they work, due soonest first."""
    school_ids = staff_school_ids(user)
    steps = list(
        ActionStep.objects.filter(
            owner=user,
            goal__plan__school_id__in=school_ids,
            goal__plan__status=WorkPlan.Status.ACTIVE,
        )
        .exclude(status=StepStatus.DONE)
        .select_related(
            "owner",
            "goal__plan__school__district",
            "goal__plan__school_year",
            "learning_activity",
            "team__school",
        )
        .prefetch_related(
            _updates_prefetch(),
            Prefetch("goal__measures", queryset=Measure.objects.prefetch_related("data_points")),
            Prefetch("goal__steps", queryset=ActionStep.objects.only("id", "goal_id", "status")),
        )
        .order_by("due", "id")
    )
    for step in steps:
        decorate_step(step)
        if not hasattr(step.goal, "measure_views"):
            decorate_goal(step.goal, step.goal.plan.school.district.small_group_threshold)
    return steps


def step_with_goal(step: ActionStep) -> ActionStep:
    """One step re-read with what its card shows (after an update)."""
    fresh = (
        ActionStep.objects.select_related(
            "owner",
            "goal__plan__school__district",
            "goal__plan__school_year",
            "learning_activity",
            "team__school",
        )
        .prefetch_related(
            _updates_prefetch(),
            Prefetch("goal__measures", queryset=Measure.objects.prefetch_related("data_points")),
            "goal__steps",
        )
        .get(pk=step.pk)
    )
    decorate_step(fresh)
    decorate_goal(fresh.goal, fresh.goal.plan.school.district.small_group_threshold)
    return fresh


def plan_history(
    *, plan: WorkPlan, goals: list[Goal] | None = None, limit: int = 50
) -> list[AuditEntry]:
    """The latest changes to the plan, its goals, measures and steps. Pass `goals` as read by
    `goals_of` to take their ids from memory (one query instead of four)."""
    if goals is None:
        goal_ids = list(plan.goals.values_list("id", flat=True))
        measure_ids = list(Measure.objects.filter(goal__plan=plan).values_list("id", flat=True))
        step_ids = list(ActionStep.objects.filter(goal__plan=plan).values_list("id", flat=True))
    else:
        goal_ids = [goal.pk for goal in goals]
        measure_ids = [view.measure.pk for goal in goals for view in goal.measure_views]
        step_ids = [step.pk for goal in goals for step in goal.steps.all()]

    def of(label: str, ids) -> Q:
        return Q(object_type=label, object_id__in=[str(i) for i in ids])

    query = (
        of("workplans.workplan", [plan.pk])
        | of("workplans.goal", goal_ids)
        | of("workplans.measure", measure_ids)
        | of("workplans.actionstep", step_ids)
    )
    return list(
        AuditEntry.objects.filter(query, school=plan.school).select_related("actor")[:limit]
    )


def step_owner_choices(school: School) -> QuerySet[User]:
    """People who may own a step: the school's staff."""
    user_ids = Membership.objects.active().filter(
        school=school, role__in=[Role.PRINCIPAL, Role.TEACHER_LEADER, Role.STAFF]
    )
    return (
        User.objects.filter(pk__in=user_ids.values("user_id"), is_active=True)
        .order_by("full_name", "email")
        .distinct()
    )


# --- district dashboard ---------------------------------------------------------------

GOAL_STATUSES = (
    charts.Status.ON_TRACK,
    charts.Status.AT_RISK,
    charts.Status.OFF_TRACK,
    charts.Status.NOT_ENOUGH,
)


def _months(start: date, end: date) -> list[tuple[str, date]]:
    """("2026-09", last day of that month) for every month from start to end."""
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        following = date(year + month // 12, month % 12 + 1, 1)
        months.append((f"{year:04d}-{month:02d}", following - timedelta(days=1)))
        year, month = following.year, following.month
    return months


def dashboard_figures(school_ids, *, year, today: date) -> dict[int, dict]:
    """Work-plan figures per school for the district dashboard, in four queries for any number
    of schools: goals by status (the same rule as the plan page), share of steps done, each
    goal's status and priority, and goals by status at the end of each month of the year
    (judged by the measures' data up to that day)."""
    if year is None:
        return {}
    goals = list(
        Goal.objects.filter(
            plan__school_id__in=school_ids,
            plan__school_year=year,
            plan__status=WorkPlan.Status.ACTIVE,
        )
        .select_related("plan__school__district")
        .prefetch_related(
            Prefetch("measures", queryset=Measure.objects.prefetch_related("data_points")),
            Prefetch("steps", queryset=ActionStep.objects.only("id", "goal_id", "status")),
        )
        .order_by("plan__school_id", "order", "id")
    )
    months = _months(year.start, min(today, year.end))
    figures: dict[int, dict] = {}
    for goal in goals:
        school_id = goal.plan.school_id
        figure = figures.setdefault(
            school_id,
            {
                "has_plan": True,
                "goals_total": 0,
                **{f"goals_{key}": 0 for key in ("on_track", "at_risk", "off_track", "no_data")},
                "steps_total": 0,
                "steps_done": 0,
                "goal_statuses": [],
                "trend": {label: [0, 0, 0, 0] for label, _end in months},
            },
        )
        decorate_goal(goal, goal.plan.school.district.small_group_threshold)
        key = "no_data" if goal.status == charts.Status.NOT_ENOUGH else goal.status
        figure["goals_total"] += 1
        figure[f"goals_{key}"] += 1
        figure["goal_statuses"].append([goal.pk, goal.district_priority_id, goal.status])
        steps = goal.steps.all()
        figure["steps_total"] += len(steps)
        figure["steps_done"] += sum(1 for s in steps if s.status == StepStatus.DONE)
        for label, month_end in months:
            statuses = [
                charts.measure_status(view.measure, [p for p in view.points if p.date <= month_end])
                for view in goal.measure_views
            ]
            figure["trend"][label][GOAL_STATUSES.index(charts.worst(statuses))] += 1
    for figure in figures.values():
        total = figure["steps_total"]
        figure["steps_done_pct"] = round(100 * figure["steps_done"] / total) if total else None
    # Schools whose active plan has no goal yet still have a plan.
    for school_id in WorkPlan.objects.filter(
        school_id__in=school_ids, school_year=year, status=WorkPlan.Status.ACTIVE
    ).values_list("school_id", flat=True):
        figures.setdefault(school_id, {"has_plan": True})
    return figures


def schools_aligned_to(priority_id: int) -> QuerySet:
    """Ids of the schools with a goal of an active plan aligned to the priority (a subquery)."""
    return Goal.objects.filter(
        district_priority_id=priority_id, plan__status=WorkPlan.Status.ACTIVE
    ).values("plan__school_id")


def aligned_goals(*, district, year) -> QuerySet[Goal]:
    """Goals of the district's active plans of the year that are aligned to a priority."""
    return (
        Goal.objects.filter(
            plan__school__district=district,
            plan__school_year=year,
            plan__status=WorkPlan.Status.ACTIVE,
            district_priority__isnull=False,
        )
        .select_related("plan__school")
        .only("id", "smart_statement", "focus_area", "district_priority_id", "plan__school")
        .order_by("plan__school__name", "order", "id")
    )


def goal_status_display(status: str) -> tuple[bool, str, str]:
    """For a goal status stored in the dashboard's figures: (whether it means "not enough
    data", the plan page's label, its badge class)."""
    return (
        status == charts.Status.NOT_ENOUGH,
        charts.STATUS_LABELS[status],
        charts.STATUS_BADGES.get(status, ""),
    )


# --- a team's work (the team page) ----------------------------------------------------


def team_work(*, user, team, today: date | None = None) -> tuple[list[Goal], list[ActionStep]]:
    """The goals that belong to the team and the steps that do (of other goals too), from the
    plans of the team's school the user may read; statuses decorated as on the plan page."""
    today = today or clock.today_in(team.school.district)
    plans = [
        plan
        for plan in WorkPlan.objects.filter(school=team.school).select_related(
            "school__district", "school_year"
        )
        if can_view_plan(user, plan)
    ]
    if not plans:
        return [], []
    by_id = {plan.pk: plan for plan in plans}
    goals = list(
        Goal.objects.filter(plan__in=plans, team=team)
        .prefetch_related(
            Prefetch("measures", queryset=Measure.objects.prefetch_related("data_points")),
            Prefetch("steps", queryset=ActionStep.objects.only("id", "goal_id", "status")),
        )
        .order_by("-plan__school_year__start", "order", "id")
    )
    threshold = team.school.district.small_group_threshold
    for goal in goals:
        goal.plan = by_id[goal.plan_id]
        decorate_goal(goal, threshold)
    steps = list(
        ActionStep.objects.filter(goal__plan__in=plans)
        .filter(Q(team=team) | Q(goal__team=team))
        .exclude(status=StepStatus.DONE)
        .select_related("owner", "goal")
        .prefetch_related("updates")
        .order_by("due", "id")
    )
    for step in steps:
        step.goal.plan = by_id[step.goal.plan_id]
        decorate_step(step, today)
    return goals, steps


# --- a meeting's links to the plan (the meeting page) ---------------------------------


@dataclass
class ItemPlan:
    """What an agenda item shows of the plan: its linked goals (with charts and overdue
    steps), measures and steps, and the decisions of the item tied to goals."""

    links: list = field(default_factory=list)  # (link, goal | MeasureView | step)
    goals: list = field(default_factory=list)
    measures: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    surveys: list = field(default_factory=list)  # (link, SurveyView)


@dataclass
class SurveyView:
    """A linked survey beside an agenda item: its title in the reader's language, its status,
    its response rate (those who answered over those asked when it opened, as on its results
    page) and whether the reader may open its results."""

    survey: Survey
    title: str
    rate: int | None
    can_see_results: bool


def linked_surveys(*, user, survey_ids, language: str | None = None) -> dict[int, SurveyView]:
    """{survey id: SurveyView}, two queries (surveys with their answered count, and owners)
    for any number of surveys."""
    if not survey_ids:
        return {}
    language = language or get_language()
    surveys = (
        Survey.objects.filter(pk__in=list(survey_ids))
        .select_related("school__district")
        .annotate(answered=Count("participations"))
        .prefetch_related("owners")
    )
    surveys = list(surveys)
    waiting = pending_counts(survey.pk for survey in surveys if survey.is_anonymous)
    shown = {}
    for survey in surveys:
        survey._owner_ids = {owner.pk for owner in survey.owners.all()}
        answered = survey.answered + waiting.get(survey.pk, 0)
        rate = min(100, round(100 * answered / survey.invited)) if survey.invited else None
        shown[survey.pk] = SurveyView(
            survey=survey,
            title=survey.text("title", language),
            rate=rate,
            can_see_results=can_read_survey_results(user, survey),
        )
    return shown


def meeting_plan(*, user, meeting, items, today: date | None = None) -> dict[int, ItemPlan]:
    """{item id: ItemPlan} for the items that link to plans the user may read or to surveys,
    in fixed queries for any number of items and links."""
    links = list(
        AgendaLink.objects.filter(item__in=[item.pk for item in items]).select_related(
            "measure", "step"
        )
    )
    if not links:
        return {}
    shown: dict[int, ItemPlan] = {}
    survey_links = [link for link in links if link.survey_id]
    if survey_links:
        views = linked_surveys(user=user, survey_ids={link.survey_id for link in survey_links})
        for link in survey_links:
            link.survey = views[link.survey_id].survey
            shown.setdefault(link.item_id, ItemPlan()).surveys.append((link, views[link.survey_id]))
        links = [link for link in links if not link.survey_id]
    goal_ids = {
        link.goal_id or (link.measure.goal_id if link.measure_id else link.step.goal_id)
        for link in links
    }
    goals = {
        goal.pk: goal
        for goal in Goal.objects.filter(pk__in=goal_ids)
        .select_related("plan__school__district", "plan__school_year")
        .prefetch_related(
            Prefetch("measures", queryset=Measure.objects.prefetch_related("data_points")),
            Prefetch(
                "steps",
                queryset=ActionStep.objects.select_related("owner").prefetch_related("updates"),
            ),
        )
    }
    school = meeting.team.school
    today = today or clock.today_in(school.district)
    readable: dict[int, bool] = {}
    for goal in goals.values():
        if goal.plan_id not in readable:
            readable[goal.plan_id] = can_view_plan(user, goal.plan)
        decorate_goal(goal, school.district.small_group_threshold)
        for step in goal.steps.all():
            decorate_step(step, today)
        goal.overdue_steps = [step for step in goal.steps.all() if step.is_overdue]
    for link in links:
        goal_id = link.goal_id or (link.measure.goal_id if link.measure_id else link.step.goal_id)
        goal = goals.get(goal_id)  # a deleted goal (and what is under it) is not shown
        if goal is None or not readable[goal.plan_id]:
            continue
        entry = shown.setdefault(link.item_id, ItemPlan())
        if link.goal_id:
            link.goal = goal
            views = [
                _charted(view, f"item-{link.item_id}-chart-{view.measure.pk}")
                for view in goal.measure_views
            ]
            entry.goals.append((link, goal, views))
        elif link.measure_id:
            view = next((v for v in goal.measure_views if v.measure.pk == link.measure_id), None)
            if view is None:
                continue
            chart = _charted(view, f"item-{link.item_id}-chart-{view.measure.pk}")
            entry.measures.append((link, goal, chart))
        else:
            step = next((s for s in goal.steps.all() if s.pk == link.step_id), None)
            if step is None:
                continue
            entry.steps.append((link, goal, step))
    return shown


def _charted(view: MeasureView, chart_id: str) -> MeasureView:
    """The measure's view with its chart drawn under an id unique on the page."""
    svg = charts.measure_svg(view.measure, view.points, chart_id=chart_id)
    return MeasureView(view.measure, view.points, view.status, svg)


def plan_choices(*, user, school: School) -> list[tuple[str, list[tuple[str, str]]]]:
    """What a meeting's items may link to: the goals, measures and steps of the school's
    plans that are not drafts, and the school's open and closed surveys (their results), as
    grouped choices ("goal:12", "measure:4", "step:9", "survey:3")."""
    groups = _plan_groups(user=user, school=school)
    surveys = (
        Survey.objects.filter(school=school, status__in=[SurveyStatus.OPEN, SurveyStatus.CLOSED])
        .select_related("school")
        .order_by("-opened_at", "-pk")
    )
    language = get_language()
    options = [
        (
            f"survey:{survey.pk}",
            _("Survey: %(title)s") % {"title": survey.text("title", language)},
        )
        for survey in surveys
    ]
    if options:
        groups.append((_("Surveys"), options))
    return groups


def _plan_groups(*, user, school: School) -> list[tuple[str, list[tuple[str, str]]]]:
    plans = [
        plan
        for plan in WorkPlan.objects.filter(school=school)
        .exclude(status=WorkPlan.Status.DRAFT)
        .select_related("school__district", "school_year")
        if can_view_plan(user, plan)
    ]
    if not plans:
        return []
    groups = []
    for plan in plans:
        goals = list(plan.goals.prefetch_related("measures", "steps"))
        for goal in goals:
            label = _("Goal %(n)s (%(year)s)") % {"n": goal.order, "year": plan.school_year.label}
            options = [(f"goal:{goal.pk}", f"{label}: {goal.smart_statement[:80]}")]
            options += [
                (f"measure:{m.pk}", _("Measure: %(name)s") % {"name": m.name})
                for m in goal.measures.all()
            ]
            options += [
                (f"step:{s.pk}", _("Step: %(title)s") % {"title": s.title})
                for s in goal.steps.all()
            ]
            groups.append((str(label), options))
    return groups


def goal_decisions(goals: list[Goal]) -> dict[int, list]:
    """{goal id: decisions} tied to each goal, newest first (one query)."""
    ties = (
        GoalDecision.objects.filter(goal__in=[goal.pk for goal in goals])
        .select_related("decision__rule", "decision__meeting__team")
        .order_by("-decision__meeting__starts_at", "-id")
    )
    shown: dict[int, list] = {}
    for tie in ties:
        shown.setdefault(tie.goal_id, []).append(tie.decision)
    return shown


def decisions_tied(decision_ids: list[int]) -> dict[int, list[Goal]]:
    """{decision id: goals it is tied to} (one query; none without ids)."""
    if not decision_ids:
        return {}
    shown: dict[int, list[Goal]] = {}
    ties = GoalDecision.objects.filter(decision_id__in=decision_ids).select_related("goal__plan")
    for tie in ties.order_by("goal__order", "goal_id"):
        shown.setdefault(tie.decision_id, []).append(tie.goal)
    return shown


# --- coaching comments ----------------------------------------------------------------


def coaching_threads(plan: WorkPlan) -> list[CoachingComment]:
    """The plan's threads, open ones first, each with its answers (three queries)."""
    return list(
        CoachingComment.objects.filter(plan=plan, thread__isnull=True)
        .select_related("author", "goal", "step")
        .prefetch_related(
            Prefetch(
                "replies",
                queryset=CoachingComment.objects.select_related("author").order_by(
                    "created_at", "id"
                ),
            )
        )
        .order_by("-is_open", "-created_at", "-id")
    )


def open_coaching_threads(plan: WorkPlan | None) -> int:
    """How many coaching threads on the plan are open (the district's drill-down)."""
    if plan is None:
        return 0
    return CoachingComment.objects.filter(plan=plan, thread__isnull=True, is_open=True).count()


def deleted_items(plan: WorkPlan) -> dict[str, list]:
    """The plan's deleted goals, measures and steps, newest deletion first (three queries)."""
    return {
        "goals": list(
            Goal.all_objects.filter(plan=plan, deleted_at__isnull=False)
            .select_related("deleted_by")
            .order_by("-deleted_at")
        ),
        "measures": list(
            Measure.all_objects.filter(goal__plan=plan, deleted_at__isnull=False)
            .select_related("deleted_by", "goal")
            .order_by("-deleted_at")
        ),
        "steps": list(
            ActionStep.all_objects.filter(goal__plan=plan, deleted_at__isnull=False)
            .select_related("deleted_by", "goal")
            .order_by("-deleted_at")
        ),
    }


# --- The plan of the plan's page, compiled once -------------------------------------------
#
# The plan page is cached but for its reads, and the ORM compiled the plan's select_related
# query on every request, about a third of the page's time. The school with its district is
# already read (`school_view`); the plan and its year come in one prepared read
# (leadership.prepared), the school put in place of a second copy of it.

_PLAN_WITH_YEAR = Prepared(
    lambda school, pk: WorkPlan.objects.select_related("school_year").filter(school=school, pk=pk)
)


def plan_in_school(school: School, pk: int) -> WorkPlan | None:
    """The plan of `school` with this id, with its year, and `school` (read with its district)
    as its school: what `WorkPlan.objects.select_related("school__district", "school_year")
    .filter(school=school, pk=pk).first()` gives. None when there is none."""
    plan = _PLAN_WITH_YEAR.first(school=school.pk, pk=pk)
    if plan is not None:
        plan.school = school
    return plan
