"""Work plans: plans, goals, measures, data points, action steps, progress updates, evidence."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from leadership.models import DistrictPriority, School, SchoolYear
from teams.models import AgendaItem, Decision, Team
from voice.models import Survey


class LiveGoals(models.Manager):
    """Goals not deleted: what every page, selector and rollup reads."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class LiveUnderGoal(models.Manager):
    """Measures and steps neither deleted themselves nor under a deleted goal."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True, goal__deleted_at__isnull=True)


class SoftDeleted(models.Model):
    """Deleted from the plan's pages and rollups, kept (with its audit) and restorable."""

    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class WorkPlan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="work_plans", verbose_name=_("school")
    )
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="work_plans", verbose_name=_("year")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    summary_published = models.BooleanField(_("summary published to families"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the row last changed, for API clients that sync changes (`updated_since`).
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-school_year__start"]
        verbose_name = _("work plan")
        verbose_name_plural = _("work plans")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year"],
                name="workplan_one_per_school_year",
                violation_error_message=_("The school already has a plan for this year."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.school} · {self.school_year}"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class FocusArea(models.TextChoices):
    CURRICULUM = "curriculum", _("Curriculum")
    INSTRUCTION = "instruction", _("Instruction")
    CULTURE = "culture", _("Culture and character")
    ASSESSMENT = "assessment", _("Student-engaged assessment")
    LEADERSHIP = "leadership", _("Leadership")
    FAMILY = "family", _("Family engagement")


class StudentGroup(models.TextChoices):
    ENGLISH_LEARNERS = "english_learners", _("English learners")
    DISABILITIES = "disabilities", _("Students with disabilities")
    LOW_INCOME = "low_income", _("Economically disadvantaged")
    BLACK = "black", _("Black or African American")
    HISPANIC = "hispanic", _("Hispanic or Latino")
    WHITE = "white", _("White")
    ASIAN = "asian", _("Asian")
    NATIVE = "native", _("American Indian or Alaska Native")
    PACIFIC = "pacific", _("Native Hawaiian or Pacific Islander")
    MULTIRACIAL = "multiracial", _("Two or more races")


class Goal(SoftDeleted):
    plan = models.ForeignKey(
        WorkPlan, on_delete=models.CASCADE, related_name="goals", verbose_name=_("plan")
    )
    focus_area = models.CharField(_("focus area"), max_length=20, choices=FocusArea.choices)
    district_priority = models.ForeignKey(
        DistrictPriority,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="goals",
        verbose_name=_("district priority"),
    )
    smart_statement = models.TextField(
        _("SMART goal"),
        max_length=2000,
        help_text=_("Specific, measurable, achievable, relevant and time-bound."),
    )
    root_cause_notes = models.TextField(
        _("root-cause notes"),
        max_length=4000,
        blank=True,
        help_text=_("What the team found when it asked why."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # When the row last changed, for API clients that sync changes (`updated_since`).
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="goals",
        verbose_name=_("team"),
        help_text=_("The team that drives this goal: its members enter data and update steps."),
    )

    objects = LiveGoals()
    all_objects = models.Manager()  # noqa: DJ012 (the default manager must come first)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return self.smart_statement[:80]


class Measure(SoftDeleted):
    class Direction(models.TextChoices):
        UP = "up", _("Higher is better")
        DOWN = "down", _("Lower is better")

    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, related_name="measures", verbose_name=_("goal")
    )
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=30, help_text=_("For example % or points."))
    direction = models.CharField(
        _("direction"), max_length=4, choices=Direction.choices, default=Direction.UP
    )
    baseline = models.DecimalField(_("baseline"), max_digits=10, decimal_places=2)
    baseline_date = models.DateField(_("baseline date"))
    target = models.DecimalField(_("target"), max_digits=10, decimal_places=2)
    target_date = models.DateField(_("target date"))
    student_group = models.CharField(
        _("student group"),
        max_length=20,
        choices=StudentGroup.choices,
        blank=True,
        help_text=_("Leave empty for all students; otherwise, the group this measure follows."),
    )
    # When the row last changed, for API clients that sync changes (`updated_since`).
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = LiveUnderGoal()
    all_objects = models.Manager()  # noqa: DJ012 (the default manager must come first)

    class Meta:
        ordering = ["id"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(target=models.F("baseline")),
                name="measure_target_differs_from_baseline",
                violation_error_message=_("The target must differ from the baseline."),
            ),
            models.CheckConstraint(
                condition=models.Q(target_date__gt=models.F("baseline_date")),
                name="measure_target_after_baseline",
                violation_error_message=_("The target date must come after the baseline date."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DataPoint(models.Model):
    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="data_points", verbose_name=_("measure")
    )
    date = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=10, decimal_places=2)
    n = models.PositiveIntegerField(_("group size (n)"), null=True, blank=True)
    # A StudentGroup code, or the group of a survey result fed to the measure ("Class or
    # grade: Grade 3"): no model choices, so the forms and the CSV import hold the codes.
    group = models.CharField(_("student group"), max_length=120, blank=True)
    source = models.CharField(_("source"), max_length=120, blank=True)
    # When the row last changed, for API clients that sync changes (`updated_since`).
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("data point")
        verbose_name_plural = _("data points")
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "date", "group"],
                name="datapoint_unique_per_date_group",
                violation_error_message=_("This measure already has a value for this date."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.value}"


class LearningActivity(models.Model):
    """Professional learning for a goal; observations are aggregate tallies, never per teacher."""

    class Kind(models.TextChoices):
        COACHING = "coaching_cycle", _("Coaching cycle")
        LEARNING_WALK = "learning_walk", _("Learning walk")
        OBSERVATION = "observation_round", _("Observation round")
        PD = "pd_session", _("PD session")

    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, related_name="learning_activities", verbose_name=_("goal")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"), null=True, blank=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("professional learning")
        verbose_name_plural = _("professional learning")

    def __str__(self) -> str:
        return self.title

    @property
    def title_names_kind(self) -> bool:
        """A title that starts with the kind ("Learning walk: grade 3") is shown without the
        kind before it, which would only repeat it."""
        return self.title.casefold().startswith(str(self.get_kind_display()).casefold())

    @property
    def label(self) -> str:
        """The kind and the title, the kind said once."""
        if self.title_names_kind:
            return self.title
        return f"{self.get_kind_display()}: {self.title}"


class LookForTally(models.Model):
    """ "Students explain their reasoning: seen in 7 of 12 classrooms" — no teacher named."""

    activity = models.ForeignKey(LearningActivity, on_delete=models.CASCADE, related_name="tallies")
    look_for = models.CharField(_("look-for"), max_length=200)
    seen = models.PositiveSmallIntegerField(_("classrooms where seen"))
    visited = models.PositiveSmallIntegerField(_("classrooms visited"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("look-for tally")
        verbose_name_plural = _("look-for tallies")

        constraints = [
            models.CheckConstraint(
                condition=models.Q(seen__lte=models.F("visited")),
                name="lookfor_seen_at_most_visited",
                violation_error_message=_("Seen cannot exceed the classrooms visited."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.look_for}: {self.seen}/{self.visited}"


class StepStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")
    DONE = "done", _("Done")


class ActionStep(SoftDeleted):
    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, related_name="steps", verbose_name=_("goal")
    )
    title = models.CharField(_("title"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="action_steps",
        verbose_name=_("owner"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_steps",
        verbose_name=_("team"),
    )
    # A team written in the plan that is not (yet) one of the school's teams in Accord.
    team_name = models.CharField(
        _("other team (as written)"),
        max_length=120,
        blank=True,
        help_text=_("Only for a team that is not in Accord; otherwise choose the team above."),
    )
    start = models.DateField(_("start"))
    due = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=12, choices=StepStatus.choices, default=StepStatus.NOT_STARTED
    )
    learning_activity = models.ForeignKey(
        LearningActivity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="steps",
        verbose_name=_("professional learning"),
    )
    last_update_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LiveUnderGoal()
    all_objects = models.Manager()  # noqa: DJ012 (the default manager must come first)

    class Meta:
        ordering = ["due", "id"]
        verbose_name = _("action step")
        verbose_name_plural = _("action steps")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due__gte=models.F("start")),
                name="step_due_not_before_start",
                violation_error_message=_("The due date cannot come before the start."),
            )
        ]
        indexes = [models.Index(fields=["owner", "status", "due"])]

    def __str__(self) -> str:
        return self.title


class ProgressUpdate(models.Model):
    step = models.ForeignKey(
        ActionStep, on_delete=models.CASCADE, related_name="updates", verbose_name=_("step")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=[c for c in StepStatus.choices if c[0] != StepStatus.NOT_STARTED],
    )
    narrative = models.TextField(_("what happened"), max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")

    def __str__(self) -> str:
        return f"{self.step_id} · {self.status}"


def evidence_path(instance: Evidence, filename: str) -> str:
    return f"workplans/evidence/{instance.update.step.goal.plan_id}/{filename}"


class Evidence(models.Model):
    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=255)
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name


class ReminderSent(models.Model):
    """One weekly reminder per step and ISO week, so a re-run sends nothing twice."""

    step = models.ForeignKey(ActionStep, on_delete=models.CASCADE, related_name="+")
    week = models.CharField(max_length=8)  # "2026-W47"
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["step", "week"], name="reminder_once_per_step_week")
        ]

    def __str__(self) -> str:
        return f"{self.step_id} · {self.week}"


class DigestSent(models.Model):
    """One monthly digest per plan and month."""

    plan = models.ForeignKey(WorkPlan, on_delete=models.CASCADE, related_name="+")
    month = models.CharField(max_length=7)  # "2026-11"
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "month"], name="digest_once_per_plan_month")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} · {self.month}"


class AgendaLink(models.Model):
    """An agenda item of a team's meeting points at the goal, measure or step it monitors, or
    at a survey whose results it looks at."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="plan_links")
    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, null=True, blank=True, related_name="agenda_links"
    )
    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, null=True, blank=True, related_name="agenda_links"
    )
    step = models.ForeignKey(
        ActionStep, on_delete=models.CASCADE, null=True, blank=True, related_name="agenda_links"
    )
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, null=True, blank=True, related_name="agenda_links"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("link to the plan")
        verbose_name_plural = _("links to the plan")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        goal__isnull=False,
                        measure__isnull=True,
                        step__isnull=True,
                        survey__isnull=True,
                    )
                    | models.Q(
                        goal__isnull=True,
                        measure__isnull=False,
                        step__isnull=True,
                        survey__isnull=True,
                    )
                    | models.Q(
                        goal__isnull=True,
                        measure__isnull=True,
                        step__isnull=False,
                        survey__isnull=True,
                    )
                    | models.Q(
                        goal__isnull=True,
                        measure__isnull=True,
                        step__isnull=True,
                        survey__isnull=False,
                    )
                ),
                name="agendalink_exactly_one_target_or_survey",
            ),
            models.UniqueConstraint(
                fields=["item", "goal"],
                condition=models.Q(goal__isnull=False),
                name="agendalink_goal_once_per_item",
            ),
            models.UniqueConstraint(
                fields=["item", "measure"],
                condition=models.Q(measure__isnull=False),
                name="agendalink_measure_once_per_item",
            ),
            models.UniqueConstraint(
                fields=["item", "step"],
                condition=models.Q(step__isnull=False),
                name="agendalink_step_once_per_item",
            ),
            models.UniqueConstraint(
                fields=["item", "survey"],
                condition=models.Q(survey__isnull=False),
                name="agendalink_survey_once_per_item",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.target}"

    @property
    def target(self):
        return self.goal or self.measure or self.step or self.survey


class GoalDecision(models.Model):
    """A decision of a team's meeting tied to the goal it serves; the goal lists its decisions."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="plan_goals")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="decision_links")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("decision for a goal")
        verbose_name_plural = _("decisions for goals")
        constraints = [
            models.UniqueConstraint(fields=["decision", "goal"], name="goaldecision_once")
        ]

    def __str__(self) -> str:
        return f"{self.goal_id} ← {self.decision_id}"


class CoachingComment(models.Model):
    """A coach's comment on a plan, one of its goals or steps, and the school's answers.

    The first comment opens a thread (`thread` is empty); answers point at it. Comments never
    change the plan they are about."""

    plan = models.ForeignKey(WorkPlan, on_delete=models.CASCADE, related_name="coaching_comments")
    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, null=True, blank=True, related_name="coaching_comments"
    )
    step = models.ForeignKey(
        ActionStep,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="coaching_comments",
    )
    thread = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("comment"), max_length=4000)
    is_open = models.BooleanField(default=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("coaching comment")
        verbose_name_plural = _("coaching comments")
        indexes = [models.Index(fields=["plan", "thread", "is_open"])]

    def __str__(self) -> str:
        return self.text[:80]
