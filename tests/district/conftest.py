"""A school with a known month of leadership activity, and a district of many such schools.

Every test here runs on 1 December of the current school year (at the hour the run is at):
data in September and November is past, a step due in May is ahead. Dates are built from
that year, never from a calendar year that will pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from engagement.models import CheckIn, Event, EventStatus, Rsvp, RsvpStatus
from leadership import clock
from leadership.models import Role, School
from teams.models import (
    ActionItem,
    Attendance,
    Meeting,
    MeetingStatus,
    StakeholderSeat,
    Team,
    TeamKind,
    TeamMember,
)
from tests.clock import mid_year, travel_to_day
from tests.engagement.factories import EventFactory, RsvpFactory
from tests.leadership.factories import SchoolFactory, person
from tests.teams import factories as tf
from workplans.models import ActionStep, DataPoint, DistrictPriority, Goal, Measure, WorkPlan


@dataclass
class Activity:
    ilt: tf.Ilt
    plan: WorkPlan
    on_track: Goal
    off_track: Goal
    no_data: Goal
    measure: Measure  # of the on-track goal
    step_open: ActionStep
    past_event: Event
    next_event: Event
    families: list
    priority: DistrictPriority


def _measure(goal: Goal, *points) -> Measure:
    y = goal.plan.school_year.start.year
    measure = Measure.objects.create(
        goal=goal,
        name=f"Measure of {goal.pk}",
        unit="%",
        direction="up",
        baseline=Decimal("40"),
        baseline_date=date(y, 8, 17),
        target=Decimal("60"),
        target_date=date(y + 1, 6, 11),
    )
    DataPoint.objects.bulk_create(
        [DataPoint(measure=measure, date=day, value=Decimal(value), n=200) for day, value in points]
    )
    return measure


@pytest.fixture(autouse=True)
def _mid_year(world):
    with travel_to_day(world.district, mid_year(clock.today_in(world.district))):
        yield


@pytest.fixture
def activity(world) -> Activity:
    return build_activity(world)


def build_activity(world) -> Activity:
    """Lincoln: ILT seats 2 of 4 filled, one meeting held 10 days ago (2 of 3 present), two open
    action items (one overdue); a plan with goals on track, off track and without data, aligned
    to a priority; 1 of 2 steps done; a family event held yesterday (2 parties going, 1 came,
    1 asked for interpretation) and one next week (1 party going)."""
    ilt = tf.ilt_for(world)
    now = timezone.now()
    held = Meeting.objects.create(
        team=ilt.team, starts_at=now - timedelta(days=10), status=MeetingStatus.HELD
    )
    Attendance.objects.bulk_create(
        [
            Attendance(meeting=held, member=ilt.facilitator, present=True),
            Attendance(meeting=held, member=ilt.leader, present=True),
            Attendance(meeting=held, member=ilt.family, present=False),
        ]
    )
    tf.action(ilt, held, days=-1, title="Overdue")
    tf.action(ilt, held, days=7, title="Due next week")
    priority = DistrictPriority.objects.create(
        district=world.district, school_year=ilt.year, title="Every student reads"
    )
    plan = WorkPlan.objects.create(
        school=world.school, school_year=ilt.year, status=WorkPlan.Status.ACTIVE
    )
    on_track = Goal.objects.create(
        plan=plan,
        focus_area="instruction",
        smart_statement="Reading rises",
        order=1,
        district_priority=priority,
    )
    off_track = Goal.objects.create(
        plan=plan,
        focus_area="instruction",
        smart_statement="Math rises",
        order=2,
        district_priority=priority,
    )
    no_data = Goal.objects.create(
        plan=plan, focus_area="climate", smart_statement="Attendance rises", order=3
    )
    y = ilt.year.start.year
    measure = _measure(on_track, (date(y, 9, 1), "41"), (date(y, 11, 1), "46"))
    _measure(off_track, (date(y, 9, 1), "40"), (date(y, 11, 1), "40.5"))
    _measure(no_data)
    ActionStep.objects.create(
        goal=on_track,
        title="Done step",
        owner=world.teacher_leader,
        start=date(y, 9, 1),
        due=date(y, 10, 1),
        status="done",
    )
    step_open = ActionStep.objects.create(
        goal=on_track,
        title="Open step",
        owner=world.teacher_leader,
        start=date(y, 9, 1),
        due=date(y + 1, 5, 1),
        status="not_started",
    )
    families = [world.family] + [
        person(Role.FAMILY, school=world.school, email=f"parent{n}@example.org") for n in range(3)
    ]
    past = EventFactory(
        school=world.school,
        starts_at=now - timedelta(days=1, hours=3),
        ends_at=now - timedelta(days=1, hours=1),
    )
    going = RsvpFactory(event=past, family=families[0], interpretation_language="es")
    RsvpFactory(event=past, family=families[1])
    CheckIn.objects.create(event=past, rsvp=going, party_size=1)
    upcoming = EventFactory(school=world.school)
    RsvpFactory(event=upcoming, family=families[0])
    return Activity(
        ilt=ilt,
        plan=plan,
        on_track=on_track,
        off_track=off_track,
        no_data=no_data,
        measure=measure,
        step_open=step_open,
        past_event=past,
        next_event=upcoming,
        families=families,
        priority=priority,
    )


EXPECTED = {
    "has_ilt": True,
    "seats_required": 4,
    "seats_filled": 2,
    "meetings_30d": 1,
    "attendance_30d": 67,
    "actions_open": 2,
    "actions_overdue": 1,
    "has_plan": True,
    "goals_total": 3,
    "goals_on_track": 1,
    "goals_at_risk": 0,
    "goals_off_track": 1,
    "goals_no_data": 1,
    "steps_total": 2,
    "steps_done": 1,
    "steps_done_pct": 50,
    "events_held": 1,
    "events_upcoming": 1,
    "rsvps": 3,
    "event_attendance": 50,
    "interpretation_requests": 1,
}


def add_schools(world, count: int, *, start: int = 0) -> list[School]:
    """`count` more schools of the district, each with an ILT, a held meeting with attendance,
    an action item, a plan with two goals and data, a step, and an event with an RSVP."""
    year = tf.current_year(world.district)
    y = year.start.year
    schools = [
        SchoolFactory(
            district=world.district,
            slug=f"school-{start + i:03d}",
            name=f"School {start + i:03d}",
            grade_span=["K-5", "6-8", "9-12"][i % 3],
        )
        for i in range(count)
    ]
    teams = Team.objects.bulk_create(
        [Team(school=s, school_year=year, kind=TeamKind.ILT, name="ILT") for s in schools]
    )
    StakeholderSeat.objects.bulk_create(
        [StakeholderSeat(team=t, stakeholder_group="teacher", seats_required=2) for t in teams]
    )
    members = TeamMember.objects.bulk_create(
        [TeamMember(team=t, user=world.teacher_leader, stakeholder_group="teacher") for t in teams]
    )
    now = timezone.now()
    meetings = Meeting.objects.bulk_create(
        [
            Meeting(team=t, starts_at=now - timedelta(days=5), status=MeetingStatus.HELD)
            for t in teams
        ]
    )
    Attendance.objects.bulk_create(
        [Attendance(meeting=m, member=member) for m, member in zip(meetings, members, strict=True)]
    )
    ActionItem.objects.bulk_create(
        [
            ActionItem(
                team=t,
                meeting=m,
                title="Follow up",
                owner=world.teacher_leader,
                due=clock.today_in(world.district) - timedelta(days=i % 2),
            )
            for i, (t, m) in enumerate(zip(teams, meetings, strict=True))
        ]
    )
    plans = WorkPlan.objects.bulk_create(
        [WorkPlan(school=s, school_year=year, status=WorkPlan.Status.ACTIVE) for s in schools]
    )
    goals = Goal.objects.bulk_create(
        [
            Goal(plan=p, focus_area="instruction", smart_statement=f"Goal {n}", order=n)
            for p in plans
            for n in (1, 2)
        ]
    )
    measures = Measure.objects.bulk_create(
        [
            Measure(
                goal=g,
                name="Reading",
                unit="%",
                direction="up",
                baseline=Decimal("40"),
                baseline_date=date(y, 8, 17),
                target=Decimal("60"),
                target_date=date(y + 1, 6, 11),
            )
            for g in goals
        ]
    )
    DataPoint.objects.bulk_create(  # on the path from baseline to target: on track
        [
            DataPoint(measure=m, date=day, value=Decimal(value), n=100)
            for m in measures
            for day, value in ((date(y, 9, 1), 41), (date(y, 11, 1), 46))
        ]
    )
    ActionStep.objects.bulk_create(
        [
            ActionStep(
                goal=g,
                title="Step",
                owner=world.teacher_leader,
                start=date(y, 9, 1),
                due=date(y, 12, 1),
                status="done" if i % 2 else "not_started",
            )
            for i, g in enumerate(goals)
        ]
    )
    events = Event.objects.bulk_create(
        [
            Event(
                school=s,
                kind="family_night",
                status=EventStatus.PUBLISHED,
                starts_at=now - timedelta(days=3),
                ends_at=now - timedelta(days=3, hours=-2),
                capacity=50,
                seats_taken=1,
            )
            for s in schools
        ]
    )
    Rsvp.objects.bulk_create(
        [Rsvp(event=e, family=world.family, status=RsvpStatus.GOING) for e in events]
    )
    return schools
