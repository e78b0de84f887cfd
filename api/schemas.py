"""What the API reads and writes, as pydantic schemas: the OpenAPI schema is generated from
these (and from the routes in api.api), so the documentation cannot drift from the code."""

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from annotated_types import MaxLen
from ninja import Field, Schema
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict

from engagement.models import EventKind, EventStatus
from teams.models import DecisionOutcome, MeetingStatus, TeamKind
from workplans.models import FocusArea, StudentGroup, WorkPlan

MAX_ID = 2**63 - 1
MAX_PAGE = 200


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("Text may not contain NUL characters.")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]

_ISO_INSTANT = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?"
)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso(pattern: re.Pattern, what: str):
    def check(value):
        if isinstance(value, str) and not pattern.fullmatch(value):
            raise ValueError(f"Not an ISO 8601 {what}.")
        if isinstance(value, int | float):  # pydantic would read a number as a Unix time
            raise ValueError(f"Not an ISO 8601 {what}.")
        return value

    return BeforeValidator(check)


def _utc(value: datetime) -> datetime:
    """An instant in UTC (UTC when no offset was given); an offset no place on Earth uses, or
    a year the conversion leaves, is refused rather than handed to the database."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    offset = value.utcoffset()
    if offset is None or abs(offset) > timedelta(hours=14):
        raise ValueError("The UTC offset must be between -14:00 and +14:00.")
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("The instant is out of range.") from None


# Dates and instants as ISO 8601 text only (never a number read as a Unix time).
Instant = Annotated[datetime, _iso(_ISO_INSTANT, "date and time"), AfterValidator(_utc)]
Day = Annotated[date, _iso(_ISO_DAY, "date")]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# A language code as the schools' settings hold them (en, es, zh-Hant...).
LanguageCode = Annotated[str, Field(pattern=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?$")]
# A language as an event names it for interpretation (free text, short).
LanguageName = Annotated[Text, Field(min_length=1, max_length=40)]


class Row(BaseModel):
    """A schema that pydantic alone checks, in its compiled core: a list route hands it plain
    rows (dicts of a values() query, keyed by the fields' aliases), so a page of 200 is read
    without ninja's getter (several Python calls a field) or a resolver per row. Its OpenAPI
    schema is a ninja Schema's."""

    model_config = ConfigDict(from_attributes=True)


class Unfit(Exception):
    """A value a row writer cannot vouch for: the page goes through the schema instead."""


def _instant(value: datetime) -> str:
    """An instant as the API writes it: Django's JSON encoder's format (milliseconds, `Z`
    for UTC), which ninja's renderer applies to what the schema gives."""
    text = value.isoformat()
    if value.microsecond:
        text = text[:23] + text[26:]
    if text.endswith("+00:00"):
        text = text.removesuffix("+00:00") + "Z"
    return text


def _every(kind: type) -> Callable[[list], list]:
    def check(value: list) -> list:
        for item in value:
            if type(item) is not kind:
                raise Unfit
        return value

    return check


def _keyed(write: Callable[[dict], dict]) -> Callable[[dict], dict]:
    def by_key(value: dict) -> dict:
        out = {}
        for key, item in value.items():
            if type(key) is not str or type(item) is not dict:
                raise Unfit
            out[key] = write(item)
        return out

    return by_key


def _after(check: Callable) -> Callable[[str], bool]:
    """True when an AfterValidator refuses the value (a ValueError is pydantic's refusal)."""

    def refused(value: str) -> bool:
        try:
            check(value)
        except ValueError:
            return True
        return False

    return refused


def _field(n: int, annotation, metadata: list, names: dict) -> tuple[list[str], str]:
    """How field n's value `v{n}` is checked (lines raising Unfit) and written (an
    expression), for a Row schema's annotation; `names` gathers what they refer to. Only
    what the API's Row schemas use: anything else is refused when the writer is built."""
    v = f"v{n}"
    args = get_args(annotation)
    if get_origin(annotation) in (UnionType, Union) and len(args) == 2 and type(None) in args:
        inner = next(a for a in args if a is not type(None))
        checks, expression = _field(n, inner, metadata, names)
        # None passes; anything else is checked as the inner type.
        guarded = [f"if {v} is not None:", *(f"    {line}" for line in checks)]
        if expression == v:
            return guarded, v
        return guarded, f"(None if {v} is None else {expression})"
    if metadata and annotation is not str:
        raise NotImplementedError(f"A row writer cannot check {metadata!r}.")
    simple = {int: "int", bool: "bool", str: "str", datetime: "datetime", list: "list"}
    for kind, name in simple.items():
        names[name] = kind
    if annotation in (int, bool):
        return [f"if type({v}) is not {simple[annotation]}: raise Unfit"], v
    if annotation is str:
        checks = [f"if type({v}) is not str: raise Unfit"]
        for i, item in enumerate(metadata):
            if isinstance(item, MaxLen):
                checks.append(f"if len({v}) > {int(item.max_length)}: raise Unfit")
            elif isinstance(item, AfterValidator) and item.func is _no_nul:
                checks.append(f"if '\\x00' in {v}: raise Unfit")
            elif isinstance(item, AfterValidator):
                names[f"A{n}_{i}"] = _after(item.func)
                checks.append(f"if A{n}_{i}({v}): raise Unfit")
            else:
                raise NotImplementedError(f"A row writer cannot check {item!r}.")
        return checks, v
    if annotation is datetime:
        names["_instant"] = _instant
        return [f"if type({v}) is not datetime: raise Unfit"], f"_instant({v})"
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        if not all(type(m.value) is str and str(m) == m.value for m in annotation):
            raise NotImplementedError(f"A row writer cannot write {annotation!r}.")
        names[f"C{n}"] = frozenset(m.value for m in annotation)
        return [f"if type({v}) is not str or {v} not in C{n}: raise Unfit"], v
    if isinstance(annotation, type) and issubclass(annotation, Row):
        names["dict"] = dict
        names[f"W{n}"] = row_writer(annotation)
        return [f"if type({v}) is not dict: raise Unfit"], f"W{n}({v})"
    if get_origin(annotation) is list and args in ((str,), (int,)):
        names[f"W{n}"] = _every(args[0])
        return [f"if type({v}) is not list: raise Unfit"], f"W{n}({v})"
    if get_origin(annotation) is dict and args[0] is str and issubclass(args[1], Row):
        names["dict"] = dict
        names[f"W{n}"] = _keyed(row_writer(args[1]))
        return [f"if type({v}) is not dict: raise Unfit"], f"W{n}({v})"
    raise NotImplementedError(f"A row writer cannot write {annotation!r}.")


def row_writer(schema: type[Row]) -> Callable[[dict], dict]:
    """A function writing one plain row (a dict keyed by the fields' aliases) as `schema`
    would give it for JSON: its fields in order, by name, instants already as text. It
    raises Unfit for any value the schema would not take exactly as it is (a wrong type,
    a choice the enum lacks, a text too long), so the caller lets the schema answer (and
    fail) as before. Its source is written once from the schema (one dict display, no
    loop over fields); tests/api/test_writers.py holds it against the schema's output."""
    names: dict = {"Unfit": Unfit}
    reads, checks, writes = [], [], []
    for n, (name, field) in enumerate(schema.model_fields.items()):
        field_checks, expression = _field(n, field.annotation, field.metadata, names)
        reads.append(f"        v{n} = row[{(field.alias or name)!r}]")
        checks.extend(f"    {line}" for line in field_checks)
        writes.append(f"        {name!r}: {expression},")
    source = "\n".join(
        [
            "def write(row):",
            "    try:",
            *reads,
            "    except (KeyError, TypeError):",
            "        raise Unfit from None",
            *checks,
            "    return {",
            *writes,
            "    }",
        ]
    )
    exec(compile(source, f"<row writer of {schema.__name__}>", "exec"), names)  # noqa: S102
    write = names["write"]
    write.source = source
    return write


# --- errors and pages -------------------------------------------------------------------


class ErrorBody(Schema):
    code: str = Field(..., examples=["not_found"])
    message: str
    details: Any = None


class ErrorOut(Schema):
    error: ErrorBody


class ListParams(Schema):
    cursor: str | None = Field(
        None,
        max_length=100,
        pattern=r"^[A-Za-z0-9_-]*$",
        description="The `next_cursor` of the previous page.",
    )
    limit: int = Field(50, ge=1, le=MAX_PAGE, description=f"Rows per page, at most {MAX_PAGE}.")
    updated_since: Instant | None = Field(
        None,
        description="Only rows changed at or after this instant (ISO 8601; UTC if no offset).",
    )


class SchoolParams(ListParams):
    school: Id | None = Field(None, description="Only this school's rows.")


class MeetingParams(SchoolParams):
    team: Id | None = Field(None, description="Only this team's meetings.")


class DecisionParams(SchoolParams):
    meeting: Id | None = Field(None, description="Only this meeting's decisions.")


class GoalParams(SchoolParams):
    plan: Id | None = Field(None, description="Only this plan's goals.")


class MeasureParams(SchoolParams):
    goal: Id | None = Field(None, description="Only this goal's measures.")


class DataPointParams(SchoolParams):
    measure: Id | None = Field(None, description="Only this measure's data points.")


# --- reads ------------------------------------------------------------------------------


class SchoolOut(Row):
    id: int
    name: str
    slug: str
    grade_span: str
    languages: list[str]
    is_active: bool
    student_count: int | None
    sourced_id: str
    updated_at: datetime


class SchoolYearOut(Schema):
    id: int
    label: str
    start: date
    end: date
    is_current: bool
    sourced_id: str
    updated_at: datetime


class TeamOut(Schema):
    id: int
    school: int = Field(..., alias="school_id")
    school_year: int = Field(..., alias="school_year_id")
    kind: TeamKind
    name: str
    purpose: str
    cadence: str
    created_at: datetime
    updated_at: datetime


class MeetingOut(Schema):
    id: int
    team: int = Field(..., alias="team_id")
    school: int = Field(..., alias="team.school_id")
    starts_at: datetime
    duration_minutes: int
    location: str
    status: MeetingStatus
    minutes_status: str
    approved_at: datetime | None
    updated_at: datetime


class DecisionOut(Schema):
    id: int
    meeting: int = Field(..., alias="meeting_id")
    school: int = Field(..., alias="meeting.team.school_id")
    text: str
    rationale: str
    outcome: DecisionOutcome
    model_used: str
    present: int
    review_on: date | None
    created_at: datetime
    updated_at: datetime = Field(..., alias="created_at", description="Decisions never change.")


class PlanOut(Schema):
    id: int
    school: int = Field(..., alias="school_id")
    school_year: int = Field(..., alias="school_year_id")
    status: WorkPlan.Status
    summary_published: bool
    created_at: datetime
    updated_at: datetime


class GoalOut(Row):
    id: int
    plan: int = Field(..., alias="plan_id")
    school: int = Field(..., alias="plan__school_id")
    focus_area: FocusArea
    district_priority: int | None = Field(..., alias="district_priority_id")
    smart_statement: str
    order: int
    updated_at: datetime


class MeasureOut(Schema):
    id: int
    goal: int = Field(..., alias="goal_id")
    school: int = Field(..., alias="goal.plan.school_id")
    name: str
    unit: str
    direction: str
    baseline: Decimal
    baseline_date: date
    target: Decimal
    target_date: date
    student_group: str
    updated_at: datetime


class DataPointOut(Schema):
    id: int
    measure: int = Field(..., alias="measure_id")
    date: date
    value: Decimal
    n: int | None
    group: str = Field(
        ...,
        description=(
            "Empty for everyone; otherwise a student-group code (as a measure's "
            "`student_group`), or, for a point added from a survey result, that result's group "
            "as written when it was attached, in the school's first language (for example "
            "`Class or grade: Grade 3`). Only points of no group or of the measure's own "
            "student group count towards its status."
        ),
    )
    source: str
    updated_at: datetime


class EventText(Row):
    title: Text = Field(..., max_length=200)
    description: Text = Field("", max_length=5000)


class RsvpCounts(Row):
    """How many families answered, never who or what they need."""

    going: int
    waitlisted: int
    cancelled: int
    adults_going: int
    children_going: int
    interpretation_requests: int
    childcare_requests: int


class EventOut(Row):
    id: int
    school: int = Field(..., alias="school_id")
    kind: EventKind
    status: EventStatus
    starts_at: datetime
    ends_at: datetime
    location: str
    online_link: str
    capacity: int
    seats_taken: int
    rsvp_deadline: datetime | None
    interpretation_languages: list[str]
    offers_childcare: bool
    offers_transport: bool
    offers_food: bool
    accessibility_notes: str
    texts: dict[str, EventText]
    rsvps: RsvpCounts
    updated_at: datetime


class DashboardRowOut(Schema):
    school: int = Field(..., alias="school_id")
    as_of: date
    computed_at: datetime
    has_ilt: bool
    seats_required: int
    seats_filled: int
    meetings_30d: int
    attendance_30d: int | None
    actions_open: int
    actions_overdue: int
    has_plan: bool
    goals_total: int
    goals_on_track: int
    goals_at_risk: int
    goals_off_track: int
    goals_no_data: int
    steps_total: int
    steps_done: int
    steps_done_pct: int | None
    events_held: int
    events_upcoming: int
    rsvps: int
    event_attendance: int | None
    interpretation_requests: int
    updated_at: datetime = Field(..., alias="computed_at")


def page_of(item: type[Schema]) -> type[Schema]:
    return type(
        f"{item.__name__.removesuffix('Out')}Page",
        (Schema,),
        {
            "__annotations__": {"items": list[item], "next_cursor": str | None},
            "__doc__": "One page; ask again with `cursor=next_cursor` while it is not null.",
        },
    )


# --- writes -----------------------------------------------------------------------------


class DataPointIn(Schema):
    measure: Id
    date: Day
    value: Decimal = Field(..., max_digits=10, decimal_places=2, allow_inf_nan=False)
    n: int | None = Field(None, ge=0, le=2_147_483_647)
    group: StudentGroup | None = Field(
        None,
        description=(
            "A student-group code; empty or absent for the measure's own group. Only these "
            "codes are accepted: a survey result's group, which a data point read back may "
            "carry, is added in Accord, not here."
        ),
    )
    source: Text = Field("", max_length=120)


class DataPointsIn(Schema):
    data_points: list[DataPointIn] = Field(..., min_length=1, max_length=1000)


class DataPointsOut(Schema):
    created: int
    data_points: list[DataPointOut]


class EventFields(Schema):
    kind: EventKind
    starts_at: Instant
    ends_at: Instant
    location: Text = Field("", max_length=300)
    online_link: Text = Field("", max_length=200)
    capacity: int = Field(..., ge=1, le=100_000)
    rsvp_deadline: Instant | None = None
    interpretation_languages: list[LanguageName] = Field(default_factory=list, max_length=20)
    offers_childcare: bool = False
    offers_transport: bool = False
    offers_food: bool = False
    accessibility_notes: Text = Field("", max_length=2000)
    texts: dict[LanguageCode, EventText] = Field(
        ...,
        max_length=10,
        description="Title and description by language; the school's first language is required.",
    )


class EventIn(EventFields):
    school: Id


class EventPatch(Schema):
    kind: EventKind | None = None
    starts_at: Instant | None = None
    ends_at: Instant | None = None
    location: Text | None = Field(None, max_length=300)
    online_link: Text | None = Field(None, max_length=200)
    capacity: int | None = Field(None, ge=1, le=100_000)
    rsvp_deadline: Instant | None = None
    interpretation_languages: list[LanguageName] | None = Field(None, max_length=20)
    offers_childcare: bool | None = None
    offers_transport: bool | None = None
    offers_food: bool | None = None
    accessibility_notes: Text | None = Field(None, max_length=2000)
    texts: dict[LanguageCode, EventText] | None = Field(None, max_length=10)
