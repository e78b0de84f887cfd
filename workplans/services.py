"""Every write of the workplans app, each audited; a closed plan refuses them all."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leadership import audit, clock, edits, versions
from leadership.models import School, SchoolYear, User
from leadership.permissions import forget_roles, is_school_staff
from leadership.updates import model_update
from leadership.uploads import check_file
from teams import services as teams
from teams.models import AgendaItem, Decision, ItemKind, Meeting
from voice.models import Survey, SurveyStatus

from . import charts, selectors
from .models import (
    ActionStep,
    AgendaLink,
    CoachingComment,
    DataPoint,
    Evidence,
    Goal,
    GoalDecision,
    LearningActivity,
    LookForTally,
    Measure,
    ProgressUpdate,
    StepStatus,
    StudentGroup,
    WorkPlan,
)

PLAN_CLOSED = _("This plan is closed: it can no longer be changed.")
PLAN_EXISTS = _("The school already has a plan for this year.")
BAD_STATUS_CHANGE = _("A plan goes from draft to active to closed, never back.")
TARGET_EQUALS_BASELINE = _("The target must differ from the baseline.")
DUE_BEFORE_START = _("The due date cannot come before the start.")
OWNER_NOT_STAFF = _("The owner must be a staff member of this school.")
TEAM_OF_OTHER_SCHOOL = _("The team must be one of this school's teams.")
TOO_MANY_FILES = _("Attach at most 5 files to one update.")
CSV_BAD_HEADER = _("The first line must name the columns: date, value, n, group.")
CSV_BAD_DATE = _("“%(value)s” is not a date (use YYYY-MM-DD).")
CSV_BAD_NUMBER = _("“%(value)s” is not a number.")
CSV_BAD_N = _("“%(value)s” is not a whole number of students.")
CSV_UNKNOWN_GROUP = _("“%(value)s” is not a known student group.")
CSV_DUPLICATE = _("Duplicate of line %(line)s (same date and group).")
CSV_ALREADY = _("The measure already has a value for %(date)s.")
CSV_EMPTY = _("The file has no data lines.")
CSV_NOT_TEXT = _("The file is not a UTF-8 CSV file.")
CSV_MALFORMED = _(
    "This line is not valid CSV: check its quotation marks (a value with a comma or a quote "
    "inside must be in quotes, and each quote inside doubled)."
)
CSV_LINE_TOO_LONG = _("This line is longer than %(limit)s bytes: is this a CSV file of values?")
CSV_FIELD_TOO_LONG = _("A value on this line is longer than %(limit)s characters.")
CSV_TOO_MANY_ROWS = _(
    "The file has more than %(limit)s data lines. Split it into smaller files and upload "
    "them one after the other."
)
CSV_MORE_PROBLEMS = _("Reading stopped after %(count)s problems; correct these and try again.")
CSV_MAX_REPORTED = 100

MAX_FILES = 5
GOAL_FIELDS = [
    "focus_area",
    "district_priority",
    "smart_statement",
    "root_cause_notes",
    "order",
    "team",
]
MEASURE_FIELDS = [
    "name",
    "unit",
    "direction",
    "baseline",
    "baseline_date",
    "target",
    "target_date",
    "student_group",
]
STEP_FIELDS = [
    "title",
    "owner",
    "team",
    "team_name",
    "start",
    "due",
    "status",
    "learning_activity",
]
# What the step's edit form changes (its status moves by progress updates, not by the form).
STEP_EDIT_FIELDS = ["title", "owner", "team", "team_name", "start", "due", "learning_activity"]


def goal_version(goal: Goal) -> str:
    """The version of a goal its edit form carries (see leadership.edits)."""
    return edits.version_of(goal, GOAL_FIELDS)


def measure_version(measure: Measure) -> str:
    return edits.version_of(measure, MEASURE_FIELDS)


def step_version(step: ActionStep) -> str:
    return edits.version_of(step, STEP_EDIT_FIELDS)


def _check_team(team, school: School) -> None:
    if team is not None and team.school_id != school.pk:
        raise ValidationError({"team": TEAM_OF_OTHER_SCHOOL})


def _open(plan: WorkPlan) -> None:
    if WorkPlan.objects.filter(pk=plan.pk, status=WorkPlan.Status.CLOSED).exists():
        raise ValidationError(PLAN_CLOSED)


# --- plans ----------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *, school: School, school_year: SchoolYear, actor: User, copy_unfinished: bool = False
) -> WorkPlan:
    """A new draft plan; optionally starting from last year's unfinished goals and measures."""
    if WorkPlan.objects.filter(school=school, school_year=school_year).exists():
        raise ValidationError(PLAN_EXISTS)
    plan = WorkPlan(school=school, school_year=school_year)
    plan.full_clean()
    plan.save()
    copied = 0
    if copy_unfinished:
        previous = (
            WorkPlan.objects.filter(school=school, school_year__start__lt=school_year.start)
            .order_by("-school_year__start")
            .first()
        )
        if previous is not None:
            copied = _copy_unfinished_goals(previous, plan, school_year)
    audit.record(
        actor=actor,
        action="workplan.create",
        obj=plan,
        school=school,
        after={"school_year": school_year.label, "status": plan.status, "goals_copied": copied},
    )
    versions.mark_changed(school=school)
    return plan


def goal_is_finished(goal: Goal, threshold: int) -> bool:
    """Every measure has reached its target and every step is done."""
    measures = list(goal.measures.all())
    steps = list(goal.steps.all())
    if not measures and not steps:
        return False
    for measure in measures:
        points = charts.own_points(measure, charts.visible_points(measure, threshold))
        shown = [p for p in points if not p.suppressed]
        if not shown:
            return False
        latest = shown[-1].value
        if (measure.direction == Measure.Direction.UP and latest < measure.target) or (
            measure.direction == Measure.Direction.DOWN and latest > measure.target
        ):
            return False
    return all(step.status == StepStatus.DONE for step in steps)


def _copy_unfinished_goals(previous: WorkPlan, plan: WorkPlan, year: SchoolYear) -> int:
    threshold = previous.school.district.small_group_threshold
    goals = previous.goals.prefetch_related("measures__data_points", "steps")
    copied = 0
    for goal in goals:
        if goal_is_finished(goal, threshold):
            continue
        new_goal = Goal.objects.create(
            plan=plan,
            focus_area=goal.focus_area,
            district_priority=goal.district_priority,
            smart_statement=goal.smart_statement,
            root_cause_notes=goal.root_cause_notes,
            order=goal.order,
        )
        copied += 1
        for measure in goal.measures.all():
            points = charts.own_points(measure, charts.visible_points(measure, threshold))
            shown = [p for p in points if not p.suppressed]
            baseline = shown[-1].value if shown else measure.baseline
            if baseline == measure.target:
                baseline = measure.baseline
            Measure.objects.create(
                goal=new_goal,
                name=measure.name,
                unit=measure.unit,
                direction=measure.direction,
                baseline=baseline,
                baseline_date=year.start,
                target=measure.target,
                target_date=year.end,
                student_group=measure.student_group,
            )
    return copied


NEXT_STATUS = {
    WorkPlan.Status.DRAFT: WorkPlan.Status.ACTIVE,
    WorkPlan.Status.ACTIVE: WorkPlan.Status.CLOSED,
}


@transaction.atomic
def plan_set_status(*, plan: WorkPlan, actor: User, status: str) -> WorkPlan:
    plan = WorkPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.is_closed:
        raise ValidationError(PLAN_CLOSED)
    if NEXT_STATUS.get(plan.status) != status:
        raise ValidationError(BAD_STATUS_CHANGE)
    before = audit.snapshot(plan, ["status"])
    plan.status = status
    plan.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action="workplan.status",
        obj=plan,
        school=plan.school,
        before=before,
        after=audit.snapshot(plan, ["status"]),
    )
    versions.mark_changed(school=plan.school)
    return plan


@transaction.atomic
def plan_set_published(*, plan: WorkPlan, actor: User, published: bool) -> WorkPlan:
    _open(plan)
    before = audit.snapshot(plan, ["summary_published"])
    plan.summary_published = published
    plan.save(update_fields=["summary_published"])
    audit.record(
        actor=actor,
        action="workplan.publish" if published else "workplan.unpublish",
        obj=plan,
        school=plan.school,
        before=before,
        after=audit.snapshot(plan, ["summary_published"]),
    )
    versions.mark_changed(school=plan.school)
    return plan


# --- goals and measures ---------------------------------------------------------------


@transaction.atomic
def goal_create(*, plan: WorkPlan, actor: User, **fields) -> Goal:
    _open(plan)
    if "order" not in fields or fields["order"] is None:
        fields["order"] = plan.goals.count() + 1
    _check_team(fields.get("team"), plan.school)
    goal = Goal(plan=plan, **fields)
    goal.full_clean()
    goal.save()
    audit.record(
        actor=actor,
        action="goal.create",
        obj=goal,
        school=plan.school,
        after=audit.snapshot(goal, GOAL_FIELDS),
    )
    versions.mark_changed(school=plan.school)
    return goal


@transaction.atomic
def goal_update(*, goal: Goal, actor: User, version: str | None = None, **fields) -> Goal:
    """Change a goal, unless someone saved it since the form's `version` (StaleEdit)."""
    _open(goal.plan)
    goal = (
        Goal.objects.select_for_update(of=("self",)).select_related("plan__school").get(pk=goal.pk)
    )
    edits.refuse_if_stale(goal, version, goal_version(goal))
    before = audit.snapshot(goal, GOAL_FIELDS)
    if fields.get("order") is None:
        fields.pop("order", None)
    model_update(
        instance=goal,
        fields=GOAL_FIELDS,
        data=fields,
        check=lambda goal: _check_team(goal.team, goal.plan.school),
    )
    audit.record(
        actor=actor,
        action="goal.update",
        obj=goal,
        school=goal.plan.school,
        before=before,
        after=audit.snapshot(goal, GOAL_FIELDS),
    )
    versions.mark_changed(school=goal.plan.school)
    return goal


@transaction.atomic
def measure_create(*, goal: Goal, actor: User, **fields) -> Measure:
    _open(goal.plan)
    if fields.get("target") is not None and fields.get("target") == fields.get("baseline"):
        raise ValidationError({"target": TARGET_EQUALS_BASELINE})
    measure = Measure(goal=goal, **fields)
    measure.full_clean()
    measure.save()
    measure.refresh_from_db()  # decimals as stored, so before and after read alike
    audit.record(
        actor=actor,
        action="measure.create",
        obj=measure,
        school=goal.plan.school,
        after=audit.snapshot(measure, MEASURE_FIELDS),
    )
    versions.mark_changed(school=goal.plan.school)
    return measure


def _check_measure(measure: Measure) -> None:
    if measure.target == measure.baseline:
        raise ValidationError({"target": TARGET_EQUALS_BASELINE})


@transaction.atomic
def measure_update(
    *, measure: Measure, actor: User, version: str | None = None, **fields
) -> Measure:
    """Change a measure, unless someone saved it since the form's `version` (StaleEdit)."""
    _open(measure.goal.plan)
    measure = (
        Measure.objects.select_for_update(of=("self",))
        .select_related("goal__plan__school")
        .get(pk=measure.pk)
    )
    edits.refuse_if_stale(measure, version, measure_version(measure))
    before = audit.snapshot(measure, MEASURE_FIELDS)
    model_update(instance=measure, fields=MEASURE_FIELDS, data=fields, check=_check_measure)
    measure.refresh_from_db()  # decimals as stored, so before and after read alike
    audit.record(
        actor=actor,
        action="measure.update",
        obj=measure,
        school=measure.goal.plan.school,
        before=before,
        after=audit.snapshot(measure, MEASURE_FIELDS),
    )
    versions.mark_changed(school=measure.goal.plan.school)
    return measure


@transaction.atomic
def datapoint_create(
    *,
    measure: Measure,
    actor: User,
    date: date,
    value: Decimal,
    n: int | None = None,
    group: str = "",
    source: str = "",
) -> DataPoint:
    _open(measure.goal.plan)
    point = DataPoint(measure=measure, date=date, value=value, n=n, group=group, source=source)
    point.full_clean()
    point.save()
    audit.record(
        actor=actor,
        action="measure.data_add",
        obj=measure,
        school=measure.goal.plan.school,
        after=audit.snapshot(point, ["date", "value", "n", "group"]),
    )
    versions.mark_changed(school=measure.goal.plan.school)
    return point


@dataclass
class CsvRejected(Exception):
    """The whole file is refused; `errors` lists (line number, message) for every bad line."""

    errors: list[tuple[int, str]]


def _group_code(raw: str) -> str | None:
    text = raw.strip().lower()
    if not text:
        return ""
    for code, label in StudentGroup.choices:
        if text in (code, str(label).lower()):
            return code
    return None


class _BadLine(Exception):
    """A line that cannot be read at all (not UTF-8, far too long): reading stops there."""

    def __init__(self, line: int, message):
        super().__init__(str(message))
        self.line, self.message = line, message


class _Lines:
    """The upload as text, one physical line at a time, each decoded and capped in length, so
    a file without line breaks or in another encoding never reaches memory whole. Decoding line
    by line (rather than through io.TextIOWrapper, which decodes 8 KB ahead) puts an encoding
    error on the line that holds it."""

    def __init__(self, binary: BinaryIO, max_bytes: int):
        self.binary, self.max_bytes = binary, max_bytes

    def __iter__(self) -> Iterator[str]:
        number = 0
        while raw := self.binary.readline(self.max_bytes + 1):
            number += 1
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            if len(raw) > self.max_bytes:
                raise _BadLine(number, CSV_LINE_TOO_LONG % {"limit": self.max_bytes})
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                raise _BadLine(number, CSV_NOT_TEXT) from None


def _datapoint_batches(file: BinaryIO, measure: Measure) -> Iterator[list[DataPoint]]:
    """Read the CSV as it streams and yield its points in batches; raise CsvRejected with every
    problem (up to CSV_MAX_REPORTED) at the end. Points stop being kept at the first problem,
    and the caller's transaction undoes the batches already written, so nothing is half
    imported. Memory holds one batch and the (date, group) keys already seen."""
    max_rows = settings.DATA_CSV_MAX_ROWS
    max_field = settings.DATA_CSV_MAX_FIELD_CHARS
    batch_size = settings.DATA_CSV_BATCH_ROWS
    file.seek(0)
    # A line holds a handful of short fields; allow 16 full ones (and 4 bytes a character).
    reader = csv.reader(_Lines(file, max_bytes=16 * max_field * 4), strict=True)
    errors: list[tuple[int, str]] = []
    rows = 0
    batch: list[DataPoint] = []
    try:
        first = next(reader, [])
        header = [cell.strip().lower() for cell in first]
        if header[:2] != ["date", "value"]:
            raise CsvRejected([(1, str(CSV_BAD_HEADER))])
        index = {
            name: header.index(name) for name in ("date", "value", "n", "group") if name in header
        }
        existing = set(measure.data_points.values_list("date", "group"))
        seen: dict[tuple, int] = {}
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            rows += 1
            if rows > max_rows:
                errors.append((line, str(CSV_TOO_MANY_ROWS % {"limit": max_rows})))
                break
            if any(len(cell) > max_field for cell in row):
                problems = [CSV_FIELD_TOO_LONG % {"limit": max_field}]
                point = None
            else:
                problems, point = _datapoint_from_row(row, index, measure, line, seen, existing)
            errors.extend((line, str(problem)) for problem in problems)
            if len(errors) >= CSV_MAX_REPORTED:
                errors.append((line, str(CSV_MORE_PROBLEMS % {"count": len(errors)})))
                break
            if point is not None and not errors:
                batch.append(point)
                if len(batch) >= batch_size:
                    yield batch
                    batch = []
    except csv.Error:
        errors.append((reader.line_num, str(CSV_MALFORMED)))
    except _BadLine as bad:
        errors.append((bad.line, str(bad.message)))
    if errors:
        raise CsvRejected(errors)
    if not rows:
        raise CsvRejected([(1, str(CSV_EMPTY))])
    if batch:
        yield batch


def _datapoint_from_row(row, index, measure, line, seen, existing):
    """One data line: its problems, or the point it makes."""

    def cell(name: str) -> str:
        i = index.get(name)
        return row[i].strip() if i is not None and i < len(row) else ""

    problems = []
    raw_date, raw_value, raw_n, raw_group = (cell(k) for k in ("date", "value", "n", "group"))
    try:
        on = date.fromisoformat(raw_date)
    except ValueError:
        on = None
        problems.append(CSV_BAD_DATE % {"value": raw_date})
    try:
        value = Decimal(raw_value)
        if not value.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        value = None
        problems.append(CSV_BAD_NUMBER % {"value": raw_value})
    n = None
    if raw_n:
        if raw_n.isdigit():
            n = int(raw_n)
        else:
            problems.append(CSV_BAD_N % {"value": raw_n})
    group = _group_code(raw_group)
    if group is None:
        problems.append(CSV_UNKNOWN_GROUP % {"value": raw_group})
    elif not group:
        group = measure.student_group
    if on is not None and group is not None:
        key = (on, group)
        if key in seen:
            problems.append(CSV_DUPLICATE % {"line": seen[key]})
        elif key in existing:
            problems.append(CSV_ALREADY % {"date": on.isoformat()})
        else:
            seen[key] = line
    if problems:
        return problems, None
    # Rounded to the column's 2 places as the database would, then held to its size, so a
    # value too large for the column is a line's problem and not a failed insert.
    value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    point = DataPoint(measure=measure, date=on, value=value, n=n, group=group, source="CSV")
    try:
        point.clean_fields(exclude=["measure"])
    except ValidationError as error:
        fields = DataPoint._meta
        return [
            f"{fields.get_field(name).verbose_name}: {message}"
            for name, messages in error.message_dict.items()
            for message in messages
        ], None
    return [], point


@transaction.atomic
def datapoints_import(*, measure: Measure, actor: User, file: BinaryIO) -> int:
    """Import a CSV of data points (date, value, n, group) whole, or refuse it whole."""
    _open(measure.goal.plan)
    count = 0
    for batch in _datapoint_batches(file, measure):
        DataPoint.objects.bulk_create(batch)
        count += len(batch)
    audit.record(
        actor=actor,
        action="measure.data_import",
        obj=measure,
        school=measure.goal.plan.school,
        after={"imported": count},
    )
    versions.mark_changed(school=measure.goal.plan.school)
    return count


@dataclass
class PointsRejected(Exception):
    """A batch of data points refused whole: `errors` maps each bad row's index (from 0) to
    {field: [messages]}."""

    errors: dict[int, dict[str, list[str]]]


@dataclass
class PointRow:
    """One data point to add, as a district's system sends it (already typed)."""

    measure: Measure | None  # None: not a measure of the caller's district
    date: date
    value: Decimal
    n: int | None = None
    group: str = ""
    source: str = ""


POINT_UNKNOWN_MEASURE = _("No such measure in this district.")


@transaction.atomic
def datapoints_add(*, actor: User, rows: list[PointRow]) -> list[DataPoint]:
    """Add data points to any measures of a district at once (an assessment system pushing its
    results): every row is checked first, by the rules of the CSV import, and either all are
    stored or none (PointsRejected names each bad row's problems)."""
    measures = {row.measure.pk: row.measure for row in rows if row.measure is not None}
    closed = set(
        WorkPlan.objects.filter(
            goals__measures__in=list(measures), status=WorkPlan.Status.CLOSED
        ).values_list("goals__measures", flat=True)
    )
    existing = set(
        DataPoint.objects.filter(measure__in=list(measures)).values_list(
            "measure_id", "date", "group"
        )
    )
    errors: dict[int, dict[str, list[str]]] = {}
    seen: dict[tuple, int] = {}
    points: list[DataPoint] = []
    for index, row in enumerate(rows):
        problems: dict[str, list[str]] = {}
        if row.measure is None:
            errors[index] = {"measure": [str(POINT_UNKNOWN_MEASURE)]}
            continue
        if row.measure.pk in closed:
            problems.setdefault("measure", []).append(str(PLAN_CLOSED))
        group = _group_code(row.group)
        if group is None:
            problems.setdefault("group", []).append(str(CSV_UNKNOWN_GROUP % {"value": row.group}))
        else:
            group = group or row.measure.student_group
            key = (row.measure.pk, row.date, group)
            if key in seen:
                problems.setdefault("date", []).append(
                    str(
                        _("Duplicate of row %(row)s (same measure, date and group).")
                        % {"row": seen[key]}
                    )
                )
            elif key in existing:
                problems.setdefault("date", []).append(
                    str(CSV_ALREADY % {"date": row.date.isoformat()})
                )
            else:
                seen[key] = index
        value = row.value
        if value.is_finite():
            value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        point = DataPoint(
            measure=row.measure,
            date=row.date,
            value=value,
            n=row.n,
            group=group or "",
            source=row.source,
        )
        try:
            point.clean_fields(exclude=["measure", "group"])
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                problems.setdefault(name, []).extend(str(m) for m in messages)
        if problems:
            errors[index] = problems
        else:
            points.append(point)
    if errors:
        raise PointsRejected(errors)
    DataPoint.objects.bulk_create(points)
    by_measure: dict[int, int] = {}
    for point in points:
        by_measure[point.measure_id] = by_measure.get(point.measure_id, 0) + 1
    schools = {}
    for pk, count in by_measure.items():
        measure = measures[pk]
        school = measure.goal.plan.school
        schools[school.pk] = school
        audit.record(
            actor=actor,
            action="measure.data_import",
            obj=measure,
            school=school,
            after={"imported": count},
        )
    for school in schools.values():
        versions.mark_changed(school=school)
    return points


# --- steps, learning, updates ---------------------------------------------------------


@transaction.atomic
def learning_activity_create(
    *,
    goal: Goal,
    actor: User,
    kind: str,
    title: str,
    date: date | None = None,
    tallies: list[tuple[str, int, int]] = (),
) -> LearningActivity:
    """Professional learning; look-fors are counted over classrooms, never per teacher."""
    _open(goal.plan)
    activity = LearningActivity(goal=goal, kind=kind, title=title, date=date)
    activity.full_clean()
    activity.save()
    for look_for, seen, visited in tallies:
        tally = LookForTally(activity=activity, look_for=look_for, seen=seen, visited=visited)
        tally.full_clean()
        tally.save()
    audit.record(
        actor=actor,
        action="goal.learning_add",
        obj=goal,
        school=goal.plan.school,
        after={"kind": kind, "title": title, "tallies": [list(t) for t in tallies]},
    )
    versions.mark_changed(school=goal.plan.school)
    return activity


def _check_owner(owner: User, school: School) -> None:
    forget_roles(owner)
    if not is_school_staff(owner, school):
        raise ValidationError({"owner": OWNER_NOT_STAFF})


@transaction.atomic
def step_create(*, goal: Goal, actor: User, **fields) -> ActionStep:
    _open(goal.plan)
    start, due = fields.get("start"), fields.get("due")
    if start and due and due < start:
        raise ValidationError({"due": DUE_BEFORE_START})
    _check_owner(fields["owner"], goal.plan.school)
    _check_team(fields.get("team"), goal.plan.school)
    step = ActionStep(goal=goal, **fields)
    step.full_clean()
    step.save()
    audit.record(
        actor=actor,
        action="step.create",
        obj=step,
        school=goal.plan.school,
        after=audit.snapshot(step, STEP_FIELDS),
    )
    versions.mark_changed(school=goal.plan.school)
    return step


@transaction.atomic
def step_update(
    *, step: ActionStep, actor: User, version: str | None = None, **fields
) -> ActionStep:
    """Change an action step, unless someone saved it since the form's `version` (StaleEdit)."""
    _open(step.goal.plan)
    step = (
        ActionStep.objects.select_for_update(of=("self",))
        .select_related("goal__plan__school")
        .get(pk=step.pk)
    )
    edits.refuse_if_stale(step, version, step_version(step))
    before = audit.snapshot(step, STEP_FIELDS)

    def check(step: ActionStep) -> None:
        if step.due < step.start:
            raise ValidationError({"due": DUE_BEFORE_START})
        if "owner" in fields:
            _check_owner(step.owner, step.goal.plan.school)
        _check_team(step.team, step.goal.plan.school)

    model_update(instance=step, fields=STEP_FIELDS, data=fields, check=check)
    audit.record(
        actor=actor,
        action="step.update",
        obj=step,
        school=step.goal.plan.school,
        before=before,
        after=audit.snapshot(step, STEP_FIELDS),
    )
    versions.mark_changed(school=step.goal.plan.school)
    return step


@transaction.atomic
def progress_update_create(
    *, step: ActionStep, actor: User, status: str, narrative: str, files=()
) -> ProgressUpdate:
    """The owner reports: the step takes the reported status; evidence goes to default storage."""
    _open(step.goal.plan)
    files = list(files)
    if len(files) > MAX_FILES:
        raise ValidationError({"evidence": TOO_MANY_FILES})
    for upload in files:
        try:
            check_file(upload, kind="evidence")
        except ValidationError as error:
            raise ValidationError({"evidence": error.messages}) from None
    step = ActionStep.objects.select_for_update().get(pk=step.pk)
    before = audit.snapshot(step, ["status"])
    update = ProgressUpdate(step=step, author=actor, status=status, narrative=narrative.strip())
    update.full_clean()
    update.save()
    for upload in files:
        evidence = Evidence(update=update, original_name=upload.name[:255], size=upload.size)
        evidence.file.save(upload.name, upload, save=False)
        evidence.save()
    step.status = status
    step.last_update_at = timezone.now()
    step.save(update_fields=["status", "last_update_at"])
    audit.record(
        actor=actor,
        action="step.progress",
        obj=step,
        school=step.goal.plan.school,
        before=before,
        after={
            "status": status,
            "narrative": update.narrative[:200],
            "evidence": [upload.name for upload in files],
        },
    )
    versions.mark_changed(school=step.goal.plan.school)
    return update


# --- meetings and the plan ------------------------------------------------------------

MEETING_OVER = _("This meeting is over: its agenda no longer changes.")
LINK_OTHER_SCHOOL = _("Only this school's plan can be linked to its meetings.")
LINK_DRAFT_PLAN = _("A draft plan cannot be linked to a meeting; make it active first.")
LINK_ALREADY = _("This agenda item already links to it.")
LINK_OTHER_SCHOOL_SURVEY = _("Only this school's surveys can be linked to its meetings.")
LINK_DRAFT_SURVEY = _("A draft survey has no results yet; open it before linking it to a meeting.")
NOTHING_TO_MONITOR = _(
    "No goal is off track and no step is overdue in the active plan: there is nothing to add."
)
NO_ACTIVE_PLAN = _("The school has no active plan to monitor.")
DECISION_ALREADY_TIED = _("This decision is already tied to that goal.")
DECISION_OTHER_SCHOOL = _("A decision can only be tied to a goal of its own school's plan.")
MONITOR_TITLE = _("Monitor the plan")
MONITOR_MINUTES = 15


def _open_meeting(meeting: Meeting) -> Meeting:
    """The meeting, locked, unless it is over (held or cancelled)."""
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("team__school")
        .get(pk=meeting.pk)
    )
    if meeting.is_closed:
        raise ValidationError(MEETING_OVER)
    return meeting


def _touch(meeting: Meeting) -> None:
    """The meeting's page shows the links: move its version stamp on (as teams' writes do)."""
    Meeting.objects.filter(pk=meeting.pk).update(updated_at=timezone.now())


def _plan_of(target) -> WorkPlan:
    if isinstance(target, Goal):
        return target.plan
    return target.goal.plan


@transaction.atomic
def agenda_link_add(
    *,
    actor: User,
    item: AgendaItem,
    goal: Goal | None = None,
    measure: Measure | None = None,
    step: ActionStep | None = None,
    survey: Survey | None = None,
) -> AgendaLink:
    """Link an agenda item to one goal, measure or step of the school's plan, or to one of
    the school's open or closed surveys (its results)."""
    meeting = _open_meeting(item.meeting)
    targets = [t for t in (goal, measure, step, survey) if t is not None]
    if len(targets) != 1:
        raise ValidationError(_("Choose one goal, measure, step or survey."))
    if survey is not None:
        if survey.school_id != meeting.team.school_id:
            raise ValidationError(LINK_OTHER_SCHOOL_SURVEY)
        if survey.status == SurveyStatus.DRAFT:
            raise ValidationError(LINK_DRAFT_SURVEY)
    else:
        plan = _plan_of(targets[0])
        if plan.school_id != meeting.team.school_id:
            raise ValidationError(LINK_OTHER_SCHOOL)
        if plan.status == WorkPlan.Status.DRAFT:
            raise ValidationError(LINK_DRAFT_PLAN)
    link = AgendaLink(
        item=item, goal=goal, measure=measure, step=step, survey=survey, added_by=actor
    )
    if AgendaLink.objects.filter(
        item=item, goal=goal, measure=measure, step=step, survey=survey
    ).exists():
        raise ValidationError(LINK_ALREADY)
    link.full_clean()
    link.save()
    _touch(meeting)
    audit.record(
        actor=actor,
        action="agenda_item.plan_link",
        obj=item,
        school=meeting.team.school,
        after={
            "goal": link.goal_id,
            "measure": link.measure_id,
            "step": link.step_id,
            "survey": link.survey_id,
        },
    )
    versions.mark_changed(school=meeting.team.school)
    return link


@transaction.atomic
def agenda_link_remove(*, actor: User, link: AgendaLink) -> None:
    meeting = _open_meeting(link.item.meeting)
    before = {
        "goal": link.goal_id,
        "measure": link.measure_id,
        "step": link.step_id,
        "survey": link.survey_id,
    }
    item = link.item
    link.delete()
    _touch(meeting)
    audit.record(
        actor=actor,
        action="agenda_item.plan_unlink",
        obj=item,
        school=meeting.team.school,
        before=before,
    )
    versions.mark_changed(school=meeting.team.school)


def monitoring_targets(plan: WorkPlan, *, today: date) -> tuple[list[Goal], list[ActionStep]]:
    """The plan's goals off track and its overdue steps, in the plan's order."""
    goals = selectors.goals_of(plan, today=today)
    off_track = [goal for goal in goals if goal.status == charts.Status.OFF_TRACK]
    overdue = [step for goal in goals for step in goal.steps.all() if step.is_overdue]
    return off_track, overdue


@transaction.atomic
def plan_monitor_add(*, actor: User, meeting: Meeting) -> AgendaItem:
    """One "Monitor the plan" item linking every off-track goal and every overdue step of the
    school's active plan; refused when nothing is off track or overdue."""
    meeting = _open_meeting(meeting)
    school = meeting.team.school
    plan = (
        WorkPlan.objects.filter(school=school, status=WorkPlan.Status.ACTIVE)
        .select_related("school__district")
        .order_by("-school_year__start")
        .first()
    )
    if plan is None:
        raise ValidationError(NO_ACTIVE_PLAN)
    off_track, overdue = monitoring_targets(plan, today=clock.today_in(school.district))
    if not off_track and not overdue:
        raise ValidationError(NOTHING_TO_MONITOR)
    item = teams.agenda_item_add(
        meeting=meeting,
        actor=actor,
        title=str(MONITOR_TITLE),
        minutes_allotted=MONITOR_MINUTES,
        kind=ItemKind.DISCUSS,
    )
    links = [AgendaLink(item=item, goal=goal, added_by=actor) for goal in off_track] + [
        AgendaLink(item=item, step=step, added_by=actor) for step in overdue
    ]
    AgendaLink.objects.bulk_create(links)
    audit.record(
        actor=actor,
        action="agenda_item.plan_monitor",
        obj=item,
        school=school,
        after={"goals": [g.pk for g in off_track], "steps": [s.pk for s in overdue]},
    )
    versions.mark_changed(school=school)
    return item


@transaction.atomic
def decision_goal_tie(*, actor: User, decision: Decision, goal: Goal) -> GoalDecision:
    """Tie a meeting's decision to the goal it serves; the plan shows it under the goal."""
    school = decision.meeting.team.school
    if goal.plan.school_id != school.pk:
        raise ValidationError(DECISION_OTHER_SCHOOL)
    if goal.plan.status == WorkPlan.Status.DRAFT:
        raise ValidationError(LINK_DRAFT_PLAN)
    if GoalDecision.objects.filter(decision=decision, goal=goal).exists():
        raise ValidationError(DECISION_ALREADY_TIED)
    tie = GoalDecision(decision=decision, goal=goal, added_by=actor)
    tie.full_clean()
    tie.save()
    _touch(decision.meeting)
    audit.record(
        actor=actor,
        action="goal.decision_tie",
        obj=goal,
        school=school,
        after={"decision": decision.pk, "text": decision.text[:200]},
    )
    versions.mark_changed(school=school)
    return tie


# --- coaching comments ----------------------------------------------------------------

COMMENT_EMPTY = _("Write the comment.")
COMMENT_NOT_OF_PLAN = _("The goal or step must belong to this plan.")
THREAD_CLOSED = _("This thread is closed: it takes no more answers.")


def _comment_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": COMMENT_EMPTY})
    return text


@transaction.atomic
def coaching_thread_open(
    *,
    actor: User,
    plan: WorkPlan,
    text: str,
    goal: Goal | None = None,
    step: ActionStep | None = None,
) -> CoachingComment:
    """A coach opens a thread on the plan, or on one of its goals or steps."""
    if (goal is not None and goal.plan_id != plan.pk) or (
        step is not None and step.goal.plan_id != plan.pk
    ):
        raise ValidationError(COMMENT_NOT_OF_PLAN)
    comment = CoachingComment(
        plan=plan, goal=goal, step=step, author=actor, text=_comment_text(text)
    )
    comment.full_clean()
    comment.save()
    audit.record(
        actor=actor,
        action="coaching.open",
        obj=plan,
        school=plan.school,
        after={"goal": comment.goal_id, "step": comment.step_id, "text": comment.text[:200]},
    )
    versions.mark_changed(school=plan.school)
    return comment


@transaction.atomic
def coaching_reply(*, actor: User, thread: CoachingComment, text: str) -> CoachingComment:
    """An answer in an open thread (the school's, or the coach's again)."""
    thread = (
        CoachingComment.objects.select_for_update()
        .select_related("plan__school")
        .get(pk=thread.pk, thread__isnull=True)
    )
    if not thread.is_open:
        raise ValidationError(THREAD_CLOSED)
    reply = CoachingComment(
        plan=thread.plan,
        goal=thread.goal,
        step=thread.step,
        thread=thread,
        author=actor,
        text=_comment_text(text),
    )
    reply.full_clean()
    reply.save()
    audit.record(
        actor=actor,
        action="coaching.reply",
        obj=thread.plan,
        school=thread.plan.school,
        after={"thread": thread.pk, "text": reply.text[:200]},
    )
    versions.mark_changed(school=thread.plan.school)
    return reply


@transaction.atomic
def coaching_thread_close(*, actor: User, thread: CoachingComment) -> CoachingComment:
    thread = (
        CoachingComment.objects.select_for_update()
        .select_related("plan__school")
        .get(pk=thread.pk, thread__isnull=True)
    )
    if not thread.is_open:
        raise ValidationError(THREAD_CLOSED)
    model_update(
        instance=thread,
        fields=["is_open", "closed_at"],
        data={"is_open": False, "closed_at": timezone.now()},
    )
    audit.record(
        actor=actor,
        action="coaching.close",
        obj=thread.plan,
        school=thread.plan.school,
        after={"thread": thread.pk},
    )
    versions.mark_changed(school=thread.plan.school)
    return thread


# --- soft delete ----------------------------------------------------------------------

ALREADY_DELETED = _("This was already deleted.")
NOT_DELETED = _("This is not deleted.")
PARENT_DELETED = _("Restore its goal first.")
DELETABLE = {"goal": Goal, "measure": Measure, "step": ActionStep}


def plan_of_item(item) -> WorkPlan:
    return item.plan if isinstance(item, Goal) else item.goal.plan


def _kind(item) -> str:
    return {Goal: "goal", Measure: "measure", ActionStep: "step"}[type(item)]


@transaction.atomic
def plan_item_delete(*, actor: User, item: Goal | Measure | ActionStep):
    """Take a goal, measure or step off the plan's pages and rollups; it is kept, audited,
    and can be restored."""
    model = type(item)
    item = model.all_objects.select_for_update(of=("self",)).get(pk=item.pk)
    plan = WorkPlan.objects.select_related("school").get(pk=plan_of_item(item).pk)
    _open(plan)
    if item.is_deleted:
        raise ValidationError(ALREADY_DELETED)
    item.deleted_at, item.deleted_by = timezone.now(), actor
    item.save(update_fields=["deleted_at", "deleted_by"])
    audit.record(
        actor=actor,
        action=f"{_kind(item)}.delete",
        obj=item,
        school=plan.school,
        before={"title": str(item)},
    )
    versions.mark_changed(school=plan.school)
    return item


@transaction.atomic
def plan_item_restore(*, actor: User, item: Goal | Measure | ActionStep):
    model = type(item)
    item = model.all_objects.select_for_update(of=("self",)).get(pk=item.pk)
    plan = WorkPlan.objects.select_related("school").get(pk=plan_of_item(item).pk)
    _open(plan)
    if not item.is_deleted:
        raise ValidationError(NOT_DELETED)
    if not isinstance(item, Goal) and Goal.all_objects.get(pk=item.goal_id).is_deleted:
        raise ValidationError(PARENT_DELETED)
    item.deleted_at, item.deleted_by = None, None
    item.save(update_fields=["deleted_at", "deleted_by"])
    audit.record(
        actor=actor,
        action=f"{_kind(item)}.restore",
        obj=item,
        school=plan.school,
        after={"title": str(item)},
    )
    versions.mark_changed(school=plan.school)
    return item
