"""Every writing service moves the school's data version once it commits, by itself.

No model signal of the school apps marks any more (only the admin-edited models leadership
owns keep one, leadership.signals): a service that writes without marking leaves the cached
pages stale. One case per writing service of teams, workplans, engagement and leadership."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from engagement import services as engagement
from engagement.models import CheckIn, EventStatus, RsvpStatus
from leadership import clock, versions
from leadership import services as leadership
from leadership.models import Role
from teams import services as teams
from teams.models import MeetingStatus
from tests.engagement.factories import EventFactory, RsvpFactory
from tests.leadership.factories import InvitationFactory, person
from tests.teams import factories as tf
from tests.workplans.factories import (
    ActionStepFactory,
    GoalFactory,
    MeasureFactory,
    WorkPlanFactory,
)
from workplans import services as workplans

NOW = datetime(2026, 10, 14, 15, 0, tzinfo=UTC)


def _plan(world):
    return WorkPlanFactory(school=world.school, school_year=tf.current_year(world.district))


def _goal(world):
    return GoalFactory(plan=_plan(world))


def _family(world, n):
    return person(Role.FAMILY, school=world.school, email=f"fam{n}@example.org")


# --- teams ---------------------------------------------------------------------------------


def teams_meeting_schedule(world):
    ilt = tf.ilt_for(world)
    return lambda: teams.meeting_schedule(
        team=ilt.team, actor=world.principal, starts_at=timezone.now() + timedelta(days=3)
    )


def teams_carry_open_actions(world):
    ilt = tf.ilt_for(world)
    held = tf.held_meeting(ilt)
    tf.action(ilt, held)
    upcoming = tf.meeting(ilt.team, days=0)
    return lambda: teams.carry_open_actions(meeting=upcoming)


def teams_meeting_start(world):
    m = tf.meeting(tf.ilt_for(world).team, days=0)
    return lambda: teams.meeting_start(meeting=m, actor=world.principal)


def teams_meeting_close(world):
    m = tf.live_meeting(tf.ilt_for(world))
    return lambda: teams.meeting_close(meeting=m, actor=world.principal)


def teams_attendance_mark(world):
    ilt = tf.ilt_for(world)
    m = tf.live_meeting(ilt, present=0)
    return lambda: teams.attendance_mark(
        meeting=m, member=ilt.leader, present=True, actor=world.principal
    )


def teams_agenda_item_add(world):
    m = tf.meeting(tf.ilt_for(world).team)
    return lambda: teams.agenda_item_add(
        meeting=m, actor=world.principal, title="Attendance", minutes_allotted=10
    )


def teams_agenda_item_move(world):
    m = tf.meeting(tf.ilt_for(world).team)
    tf.item(m, "First", 1)
    second = tf.item(m, "Second", 2)
    return lambda: teams.agenda_item_move(item=second, actor=world.principal, direction="up")


def teams_current_item_set(world):
    m = tf.live_meeting(tf.ilt_for(world))
    other = tf.item(m, "Next", 2)
    return lambda: teams.current_item_set(item=other, actor=world.principal)


def teams_minutes_save(world):
    m = tf.live_meeting(tf.ilt_for(world))
    return lambda: teams.minutes_save(
        item=m.current_item,
        actor=world.principal,
        notes="We agreed.",
        version=m.current_item.version,
    )


def teams_minutes_approve(world):
    ilt = tf.ilt_for(world)
    held = tf.held_meeting(ilt)
    tf.item(held)
    tf.meeting(ilt.team, days=0, status=MeetingStatus.IN_PROGRESS)
    return lambda: teams.minutes_approve(meeting=held, actor=world.principal)


def teams_agenda_send(world):
    m = tf.meeting(tf.ilt_for(world).team)
    tf.item(m)
    return lambda: teams.agenda_send(meeting=m, actor=world.principal)


def teams_poll_open(world):
    m = tf.live_meeting(tf.ilt_for(world))
    return lambda: teams.poll_open(
        item=m.current_item, actor=world.principal, kind="yes_no", question="Shall we?"
    )


def teams_vote_cast(world):
    poll = tf.open_poll(tf.live_meeting(tf.ilt_for(world)))
    return lambda: teams.vote_cast(poll=poll, user=world.teacher_leader, value="yes")


def teams_decision_record(world):
    ilt = tf.ilt_for(world)
    m = tf.live_meeting(ilt)
    return lambda: teams.decision_record(
        item=m.current_item,
        actor=world.principal,
        rule=ilt.schedule,
        model_used="majority",
        text="Start at 8",
        outcome="adopted",
    )


def teams_action_item_create(world):
    ilt = tf.ilt_for(world)
    m = tf.live_meeting(ilt)
    return lambda: teams.action_item_create(
        meeting=m,
        actor=world.principal,
        title="Share the data",
        owner=world.teacher_leader,
        due=date(2026, 10, 30),
    )


def teams_action_item_set_status(world):
    ilt = tf.ilt_for(world)
    a = tf.action(ilt, tf.held_meeting(ilt))
    return lambda: teams.action_item_set_status(action=a, actor=world.principal, status="done")


def teams_team_create(world):
    tf.current_year(world.district)
    return lambda: teams.team_create(
        school=world.school, actor=world.principal, kind="grade_level", name="Grade 3"
    )


def teams_member_add(world):
    ilt = tf.ilt_for(world)
    return lambda: teams.member_add(
        team=ilt.team,
        actor=world.principal,
        user=world.staff,
        stakeholder_group="classified",
        role="member",
    )


def teams_rule_save(world):
    ilt = tf.ilt_for(world)
    return lambda: teams.rule_save(
        team=ilt.team, actor=world.principal, area="hiring", model="consensus", who_decides="ILT"
    )


def teams_seat_set(world):
    ilt = tf.ilt_for(world)
    return lambda: teams.seat_set(
        team=ilt.team, actor=world.principal, stakeholder_group="student", seats_required=1
    )


# --- workplans -----------------------------------------------------------------------------


def workplans_plan_create(world):
    year = tf.current_year(world.district)
    return lambda: workplans.plan_create(
        school=world.school, school_year=year, actor=world.principal
    )


def workplans_plan_set_status(world):
    plan = WorkPlanFactory(
        school=world.school, school_year=tf.current_year(world.district), status="draft"
    )
    return lambda: workplans.plan_set_status(plan=plan, actor=world.principal, status="active")


def workplans_plan_set_published(world):
    plan = _plan(world)
    return lambda: workplans.plan_set_published(plan=plan, actor=world.principal, published=True)


def workplans_goal_create(world):
    plan = _plan(world)
    return lambda: workplans.goal_create(
        plan=plan, actor=world.principal, focus_area="instruction", smart_statement="By June."
    )


def workplans_goal_update(world):
    goal = _goal(world)
    return lambda: workplans.goal_update(
        goal=goal, actor=world.principal, smart_statement="By May, reading rises."
    )


def workplans_measure_create(world):
    goal = _goal(world)
    return lambda: workplans.measure_create(
        goal=goal,
        actor=world.principal,
        name="Attendance",
        unit="%",
        direction="up",
        baseline=Decimal("80"),
        baseline_date=date(2026, 9, 1),
        target=Decimal("90"),
        target_date=date(2027, 6, 1),
    )


def workplans_measure_update(world):
    measure = MeasureFactory(goal=_goal(world))
    return lambda: workplans.measure_update(
        measure=measure, actor=world.principal, target=Decimal("70")
    )


def workplans_datapoint_create(world):
    measure = MeasureFactory(goal=_goal(world))
    return lambda: workplans.datapoint_create(
        measure=measure, actor=world.principal, date=date(2026, 10, 1), value=Decimal("50")
    )


def workplans_datapoints_import(world):
    measure = MeasureFactory(goal=_goal(world))
    return lambda: workplans.datapoints_import(
        measure=measure, actor=world.principal, file=io.BytesIO(b"date,value\n2026-10-01,41\n")
    )


def workplans_learning_activity_create(world):
    goal = _goal(world)
    return lambda: workplans.learning_activity_create(
        goal=goal,
        actor=world.principal,
        kind="learning_walk",
        title="October walk",
        tallies=[("Students explain their reasoning", 7, 12)],
    )


def workplans_step_create(world):
    goal = _goal(world)
    return lambda: workplans.step_create(
        goal=goal,
        actor=world.principal,
        title="Walk classrooms",
        owner=world.teacher_leader,
        start=date(2026, 10, 1),
        due=date(2026, 12, 1),
    )


def workplans_step_update(world):
    step = ActionStepFactory(goal=_goal(world), owner=world.teacher_leader)
    return lambda: workplans.step_update(step=step, actor=world.principal, title="Walk again")


def workplans_progress_update_create(world):
    step = ActionStepFactory(goal=_goal(world), owner=world.teacher_leader)
    return lambda: workplans.progress_update_create(
        step=step, actor=world.teacher_leader, status="on_track", narrative="Walked six rooms."
    )


def _live_and_goal(world):
    live = tf.live_meeting(tf.ilt_for(world))
    return live, live.items.get(), _goal(world)


def workplans_agenda_link_add(world):
    _live, item, goal = _live_and_goal(world)
    return lambda: workplans.agenda_link_add(actor=world.principal, item=item, goal=goal)


def workplans_agenda_link_remove(world):
    _live, item, goal = _live_and_goal(world)
    link = workplans.agenda_link_add(actor=world.principal, item=item, goal=goal)
    return lambda: workplans.agenda_link_remove(actor=world.principal, link=link)


def workplans_plan_monitor_add(world):
    live, _item, goal = _live_and_goal(world)
    today = clock.today_in(world.district)
    ActionStepFactory(
        goal=goal,
        owner=world.teacher_leader,
        start=today - timedelta(days=9),
        due=today - timedelta(days=2),
    )
    return lambda: workplans.plan_monitor_add(actor=world.principal, meeting=live)


def workplans_decision_goal_tie(world):
    _live, item, goal = _live_and_goal(world)
    decision = teams.decision_record(
        item=item,
        actor=world.principal,
        rule=tf.ilt_for(world).schedule,
        model_used="majority",
        text="Adopt it",
        outcome="adopted",
    )
    return lambda: workplans.decision_goal_tie(actor=world.principal, decision=decision, goal=goal)


def workplans_coaching_thread_open(world):
    plan = _plan(world)
    return lambda: workplans.coaching_thread_open(
        actor=world.district_admin, plan=plan, text="Why?"
    )


def workplans_coaching_reply(world):
    thread = workplans.coaching_thread_open(actor=world.district_admin, plan=_plan(world), text="?")
    return lambda: workplans.coaching_reply(actor=world.staff, thread=thread, text="Because.")


def workplans_coaching_thread_close(world):
    thread = workplans.coaching_thread_open(actor=world.district_admin, plan=_plan(world), text="?")
    return lambda: workplans.coaching_thread_close(actor=world.principal, thread=thread)


def workplans_plan_item_delete(world):
    goal = _goal(world)
    return lambda: workplans.plan_item_delete(actor=world.principal, item=goal)


def workplans_plan_item_restore(world):
    goal = workplans.plan_item_delete(actor=world.principal, item=_goal(world))
    return lambda: workplans.plan_item_restore(actor=world.principal, item=goal)


# --- engagement ----------------------------------------------------------------------------


def engagement_event_create(world):
    starts = timezone.now() + timedelta(days=3)
    return lambda: engagement.event_create(
        school=world.school,
        actor=world.principal,
        texts={"en": ("Coffee with the principal", "")},
        kind="community_meeting",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        location="Library",
        capacity=30,
    )


def engagement_event_update(world):
    event = EventFactory(school=world.school)
    return lambda: engagement.event_update(
        event=event, actor=world.principal, texts={"en": ("Math night", "")}, location="Gym"
    )


def engagement_event_publish(world):
    event = EventFactory(school=world.school, status=EventStatus.DRAFT)
    return lambda: engagement.event_publish(event=event, actor=world.principal)


def engagement_event_cancel(world):
    event = EventFactory(school=world.school)
    return lambda: engagement.event_cancel(event=event, actor=world.principal)


def engagement_rsvp_submit(world):
    event = EventFactory(school=world.school)
    return lambda: engagement.rsvp_submit(event=event, family=world.family, adults=2)


def engagement_rsvp_cancel(world):
    rsvp = RsvpFactory(event=EventFactory(school=world.school), family=world.family)
    return lambda: engagement.rsvp_cancel(rsvp=rsvp, actor=world.family)


def engagement_waitlist_promote(world):
    event = EventFactory(school=world.school, capacity=2)
    RsvpFactory(event=event, family=_family(world, 1), status=RsvpStatus.WAITLISTED, adults=1)
    return lambda: engagement.waitlist_promote(event=event)


def engagement_check_in_rsvp(world):
    rsvp = RsvpFactory(event=EventFactory(school=world.school), family=world.family)
    return lambda: engagement.check_in_rsvp(rsvp=rsvp, actor=world.staff)


def engagement_check_in_walk_in(world):
    event = EventFactory(school=world.school)
    return lambda: engagement.check_in_walk_in(
        event=event, actor=world.staff, name="Ana Walk-in", party_size=2
    )


def engagement_feedback_submit(world):
    now = timezone.now()
    event = EventFactory(
        school=world.school, starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=1)
    )
    rsvp = RsvpFactory(event=event, family=world.family)
    CheckIn.objects.create(event=event, rsvp=rsvp, party_size=1)
    return lambda: engagement.feedback_submit(event=event, family=world.family, rating=5)


# --- leadership ----------------------------------------------------------------------------


def leadership_school_vision_update(world):
    return lambda: leadership.school_vision_update(
        school=world.school, actor=world.principal, vision_statement="Every child reads."
    )


def leadership_invitation_create(world):
    return lambda: leadership.invitation_create(
        actor=world.principal, email="new@example.org", role=Role.STAFF, school=world.school
    )


def leadership_invitation_revoke(world):
    invitation = InvitationFactory(school=world.school, email="new@example.org")
    return lambda: leadership.invitation_revoke(invitation=invitation, actor=world.principal)


def leadership_invitation_accept(world):
    invitation = InvitationFactory(
        school=world.school, role=Role.TEACHER_LEADER, email="new@example.org"
    )
    return lambda: leadership.invitation_accept(
        invitation=invitation, full_name="Ana Ruiz", password="a-long-enough-secret"
    )


def leadership_priority_save(world):
    year = tf.current_year(world.district)
    return lambda: leadership.priority_save(
        actor=world.district_admin, district=world.district, year=year, title="Families belong"
    )


SERVICES = [
    value
    for name, value in list(globals().items())
    if name.startswith(("teams_", "workplans_", "engagement_", "leadership_"))
]


@pytest.mark.parametrize("arrange", SERVICES, ids=lambda f: f.__name__)
def test_each_writing_service_moves_the_school_version_once_it_commits(
    world, arrange, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False):
        act = arrange(world)
        versions.track([world.school.pk])
        before = versions.version_of(world.school)
        with django_capture_on_commit_callbacks(execute=True):
            act()
            assert versions.version_of(world.school) == before  # not before the commit
        assert versions.version_of(world.school) > before
