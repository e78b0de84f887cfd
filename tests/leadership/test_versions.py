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

from community import services as community
from engagement import services as engagement
from engagement.models import CheckIn, EventStatus, RsvpStatus
from leadership import clock, versions
from leadership import services as leadership
from leadership.models import Role
from teams import services as teams
from teams.models import MeetingStatus, Proposal
from tests.community.factories import conversation
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


def teams_agenda_proposal_create(world):
    ilt = tf.ilt_for(world)
    return lambda: teams.agenda_proposal_create(
        team=ilt.team, actor=world.teacher_leader, title="Recess duty rota"
    )


def teams_agenda_proposal_accept(world):
    ilt = tf.ilt_for(world)
    proposal = tf.proposal(ilt)
    m = tf.meeting(ilt.team)
    return lambda: teams.agenda_proposal_accept(proposal=proposal, actor=world.principal, meeting=m)


def teams_agenda_proposal_decline(world):
    proposal = tf.proposal(tf.ilt_for(world))
    return lambda: teams.agenda_proposal_decline(
        proposal=proposal, actor=world.principal, reason="Next term"
    )


def teams_meeting_reschedule(world):
    m = tf.meeting(tf.ilt_for(world).team, days=3)
    return lambda: teams.meeting_reschedule(
        meeting=m, actor=world.principal, starts_at=timezone.now() + timedelta(days=4)
    )


def teams_meeting_cancel(world):
    m = tf.meeting(tf.ilt_for(world).team, days=3)
    return lambda: teams.meeting_cancel(meeting=m, actor=world.principal, reason="Snow")


def teams_member_remove(world):
    member = tf.ilt_for(world).family
    return lambda: teams.member_remove(member=member, actor=world.principal)


def teams_action_item_update(world):
    ilt = tf.ilt_for(world)
    action = tf.action(ilt, tf.live_meeting(ilt))
    return lambda: teams.action_item_update(
        action=action,
        actor=world.principal,
        title="Call",
        owner=world.family,
        due=action.due,
        version=None,
    )


def teams_minutes_rule_set(world):
    team = tf.ilt_for(world).team
    return lambda: teams.minutes_rule_set(team=team, actor=world.principal, minutes_rule="at_close")


def teams_poll_close(world):
    poll = tf.open_poll(tf.live_meeting(tf.ilt_for(world)))
    return lambda: teams.poll_close(poll=poll, actor=world.principal)


def _decision_proposal(world, model="consent", area="staffing"):
    ilt = tf.ilt_for(world)
    from teams.models import DecisionRule

    DecisionRule.objects.create(team=ilt.team, area=area, model=model, who_decides="ILT")
    return teams.proposal_open(
        team=ilt.team,
        actor=world.teacher_leader,
        area=area,
        title="Rota",
        text="Two adults",
        closes_at=timezone.now() + timedelta(days=2),
    )


def teams_proposal_open(world):
    ilt = tf.ilt_for(world)
    return lambda: teams.proposal_open(
        team=ilt.team,
        actor=world.teacher_leader,
        area="budget",
        title="Rota",
        text="Two adults",
        closes_at=timezone.now() + timedelta(days=2),
    )


def teams_proposal_answer(world):
    proposal = _decision_proposal(world)
    return lambda: teams.proposal_answer(proposal=proposal, user=world.family, value="consent")


def teams_proposal_amend(world):
    proposal = _decision_proposal(world)
    return lambda: teams.proposal_amend(proposal=proposal, actor=world.teacher_leader, text="One")


def teams_proposal_close_due(world):
    proposal = _decision_proposal(world)
    Proposal.objects.filter(pk=proposal.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    return lambda: teams.proposal_close_due(proposal=proposal)


def teams_proposal_lead_decide(world):
    proposal = _decision_proposal(world, model="leader_after_input", area="hiring")
    Proposal.objects.filter(pk=proposal.pk).update(state="awaiting_lead")
    return lambda: teams.proposal_lead_decide(
        proposal=proposal, actor=world.principal, outcome="adopted"
    )


def teams_carry_due_reviews(world):
    ilt = tf.ilt_for(world)
    m = tf.live_meeting(ilt)
    tf.meeting(ilt.team, days=5)
    from teams.models import Decision

    Decision.objects.create(
        item=m.current_item,
        meeting=m,
        rule=ilt.schedule,
        model_used="majority",
        text="Thursdays",
        outcome="adopted",
        review_on=clock.today_in(world.district) + timedelta(days=1),
    )
    return lambda: teams.carry_due_reviews(team=ilt.team)


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


def workplans_datapoints_add(world):
    measure = MeasureFactory(goal=_goal(world))
    row = workplans.PointRow(measure=measure, date=date(2026, 10, 1), value=Decimal("41"))
    return lambda: workplans.datapoints_add(actor=world.district_admin, rows=[row])


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


def workplans_agenda_link_add_survey(world):
    from voice.models import Survey, SurveyStatus

    _live, item, _plan_goal = _live_and_goal(world)
    survey = Survey.objects.create(
        school=world.school, title={"en": "Climate"}, status=SurveyStatus.CLOSED
    )
    return lambda: workplans.agenda_link_add(actor=world.principal, item=item, survey=survey)


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


def engagement_calendar_feed_rotate(world):
    return lambda: engagement.calendar_feed_rotate(school=world.school, actor=world.principal)


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


def leadership_family_grades_set(world):
    from leadership.models import Membership

    membership = Membership.objects.get(user=world.family, school=world.school)
    return lambda: leadership.family_grades_set(
        actor=world.principal, membership=membership, grades=["KG", "01"]
    )


def leadership_priority_save(world):
    year = tf.current_year(world.district)
    return lambda: leadership.priority_save(
        actor=world.district_admin, district=world.district, year=year, title="Families belong"
    )


def leadership_sign_on_provider_save(world):
    return lambda: leadership.sign_on_provider_save(
        actor=world.district_admin,
        district=world.district,
        kind="google",
        label="Riverside Google",
        client_id="id",
        secret="secret",
    )


def leadership_sign_on_provider_delete(world):
    provider = leadership.sign_on_provider_save(
        actor=world.district_admin,
        district=world.district,
        kind="google",
        label="Riverside Google",
        client_id="id",
        secret="secret",
    )
    return lambda: leadership.sign_on_provider_delete(actor=world.district_admin, provider=provider)


def leadership_district_password_sign_in_set(world):
    leadership.sign_on_provider_save(
        actor=world.district_admin,
        district=world.district,
        kind="google",
        label="Riverside Google",
        client_id="id",
        secret="secret",
    )
    return lambda: leadership.district_password_sign_in_set(
        actor=world.district_admin, district=world.district, allowed=False
    )


# --- community -----------------------------------------------------------------------------


def community_conversation_start(world):
    return lambda: community.conversation_start(
        actor=world.family, school=world.school, topic="question", subject="Bus", body="Which?"
    )


def community_message_reply(world):
    row = conversation(world.school, world.family)
    return lambda: community.message_reply(actor=world.staff, conversation=row, body="Oak St.")


def community_conversation_close(world):
    row = conversation(world.school, world.family)
    return lambda: community.conversation_close(actor=world.staff, conversation=row)


ANNOUNCEMENT_TEXTS = {"en": ("Closed Friday", "No school."), "es": ("Cerrado", "No hay clases.")}


def community_announcement_send(world):
    return lambda: community.announcement_send(
        actor=world.principal,
        school=world.school,
        families="all",
        to_staff=True,
        texts=ANNOUNCEMENT_TEXTS,
    )


def community_announcement_open(world):
    sent = community.announcement_send(
        actor=world.principal,
        school=world.school,
        families="all",
        to_staff=False,
        texts=ANNOUNCEMENT_TEXTS,
    )
    return lambda: community.announcement_open(announcement=sent, person=world.family)


def community_announcer_set(world):
    return lambda: community.announcer_set(
        actor=world.principal, school=world.school, person=world.staff, allowed=True
    )


def _partner(world):
    return community.partner_create(
        actor=world.principal,
        school=world.school,
        name="Food Bank",
        kinds=["food"],
        phone="555-0100",
        texts={"en": ("Groceries.", "")},
    )


def community_partner_create(world):
    return lambda: _partner(world)


def community_partner_remove(world):
    partner = _partner(world)
    return lambda: community.partner_remove(
        actor=world.principal, school=world.school, partner=partner
    )


def community_partner_update(world):
    partner = _partner(world)
    return lambda: community.partner_update(
        actor=world.principal,
        school=world.school,
        partner=partner,
        name="Food Bank",
        kinds=["food", "housing"],
        phone="555-0100",
        texts={"en": ("Groceries and rent help.", "")},
    )


def community_coordinator_set(world):
    return lambda: community.coordinator_set(
        actor=world.principal, school=world.school, person=world.staff, allowed=True
    )


def community_help_request_create(world):
    return lambda: community.help_request_create(
        actor=world.family, school=world.school, family=world.family, kind="food"
    )


def community_help_request_update(world):
    community.coordinator_set(
        actor=world.principal, school=world.school, person=world.staff, allowed=True
    )
    request = community.help_request_create(
        actor=world.family, school=world.school, family=world.family, kind="food"
    )
    return lambda: community.help_request_update(
        actor=world.staff, request=request, status="closed"
    )


# --- voice ---------------------------------------------------------------------------------


def _voice_draft(world):
    from tests.voice.factories import draft_survey

    return draft_survey(world)


def voice_survey_create(world):
    from voice import services as voice

    return lambda: voice.survey_create(
        actor=world.principal, school=world.school, title={"en": "PL", "es": "FP"}
    )


def voice_survey_update(world):
    from voice import services as voice

    survey = _voice_draft(world)
    return lambda: voice.survey_update(actor=world.principal, survey=survey, families=False)


def voice_survey_owners_set(world):
    from voice import services as voice

    survey = _voice_draft(world)
    return lambda: voice.survey_owners_set(
        actor=world.principal, survey=survey, owners=[world.teacher_leader]
    )


def voice_section_add(world):
    from voice import services as voice

    survey = _voice_draft(world)
    return lambda: voice.section_add(
        actor=world.principal, survey=survey, title={"en": "A", "es": "A"}
    )


def voice_question_save(world):
    from tests.voice.factories import add_question

    survey = _voice_draft(world)
    return lambda: add_question(world, survey)


def voice_question_delete(world):
    from tests.voice.factories import add_question
    from voice import services as voice

    question = add_question(world, _voice_draft(world))
    return lambda: voice.question_delete(actor=world.principal, question=question)


def voice_question_move(world):
    from tests.voice.factories import add_question
    from voice import services as voice

    survey = _voice_draft(world)
    add_question(world, survey)
    second = add_question(world, survey)
    return lambda: voice.question_move(actor=world.principal, question=second, up=True)


def voice_survey_open(world):
    from tests.voice.factories import add_question
    from voice import services as voice

    survey = _voice_draft(world)
    add_question(world, survey)
    return lambda: voice.survey_open(actor=world.principal, survey=survey)


def voice_survey_close(world):
    from tests.voice.factories import open_survey
    from voice import services as voice

    survey, _q = open_survey(world)
    return lambda: voice.survey_close(actor=world.principal, survey=survey)


def voice_link_create(world):
    from voice import services as voice

    survey = _voice_draft(world)
    return lambda: voice.link_create(actor=world.principal, survey=survey, label="Grade 4")


def voice_link_withdraw(world):
    from voice import services as voice

    link = voice.link_create(actor=world.principal, survey=_voice_draft(world), label="G4")
    return lambda: voice.link_withdraw(actor=world.principal, link=link)


def voice_response_submit(world):
    from tests.voice.factories import open_survey
    from voice import services as voice

    survey, q = open_survey(world)
    return lambda: voice.response_submit(
        survey=survey, user=world.staff, values={q["belong"].pk: 1}, language="en"
    )


def voice_student_response_submit(world):
    from tests.voice.factories import open_survey
    from voice import services as voice

    survey, q = open_survey(world)
    link = voice.link_create(actor=world.principal, survey=survey, label="G4")
    return lambda: voice.student_response_submit(
        link=link, values={q["belong"].pk: 1}, language="en"
    )


def voice_survey_from_template(world):
    from voice import services as voice

    return lambda: voice.survey_from_template(
        actor=world.principal, school=world.school, key="student_voice"
    )


def voice_survey_remind(world):
    from tests.voice.factories import open_survey
    from voice import services as voice

    survey, _q = open_survey(world)
    return lambda: voice.survey_remind(actor=world.principal, survey=survey)


def voice_evidence_attach(world):
    from tests.voice.factories import open_survey
    from voice import services as voice

    survey, q = open_survey(world)
    for user in [_family(world, n) for n in range(10)]:
        voice.response_submit(survey=survey, user=user, values={q["belong"].pk: 4}, language="en")
    goal = _goal(world)
    return lambda: voice.evidence_attach(
        actor=world.principal, survey=survey, question=q["belong"], options=[4], goal_id=goal.pk
    )


def _voice_exchange(world, open_it=True):
    from voice import services as voice

    exchange = voice.exchange_create(
        actor=world.principal,
        school=world.school,
        question={"en": "One?", "es": "¿Una?"},
        staff=True,
        families=True,
    )
    if open_it:
        exchange = voice.exchange_set_status(
            actor=world.principal, exchange=exchange, status="open"
        )
    return exchange


def voice_exchange_create(world):
    return lambda: _voice_exchange(world, open_it=False)


def voice_exchange_set_status(world):
    from voice import services as voice

    exchange = _voice_exchange(world, open_it=False)
    return lambda: voice.exchange_set_status(
        actor=world.principal, exchange=exchange, status="open"
    )


def voice_idea_add(world):
    from voice import services as voice

    exchange = _voice_exchange(world)
    return lambda: voice.idea_add(user=world.staff, exchange=exchange, text="Books")


def voice_idea_rate(world):
    from voice import services as voice

    idea = voice.idea_add(user=world.staff, exchange=_voice_exchange(world), text="Books")
    return lambda: voice.idea_rate(user=world.family, idea=idea, stars=4)


def voice_theme_add(world):
    from voice import services as voice

    exchange = _voice_exchange(world)
    return lambda: voice.theme_add(actor=world.principal, exchange=exchange, name="Books")


def voice_idea_set_theme(world):
    from voice import services as voice

    exchange = _voice_exchange(world)
    idea = voice.idea_add(user=world.staff, exchange=exchange, text="Books")
    theme = voice.theme_add(actor=world.principal, exchange=exchange, name="Books")
    return lambda: voice.idea_set_theme(actor=world.principal, idea=idea, theme=theme)


def voice_idea_hide(world):
    from voice import services as voice

    idea = voice.idea_add(user=world.staff, exchange=_voice_exchange(world), text="Rude")
    return lambda: voice.idea_hide(actor=world.principal, idea=idea, reason="Rude")


def voice_session_record(world):
    from voice import services as voice

    return lambda: voice.session_record(
        actor=world.staff,
        school=world.school,
        kind="focus_group",
        held_on=NOW.date() - timedelta(days=1),
        title="Grade 5",
        students_heard=6,
    )


def voice_listening_theme_add(world):
    from voice import services as voice

    return lambda: voice.listening_theme_add(
        actor=world.principal, school=world.school, name="Belonging"
    )


def voice_survey_next_round(world):
    from tests.voice.factories import open_survey
    from voice import services as voice

    survey, _q = open_survey(world)
    return lambda: voice.survey_next_round(
        actor=world.principal, survey=survey, title={"en": "Spring", "es": "Primavera"}
    )


def voice_theme_evidence_attach(world):
    from voice import services as voice

    theme = voice.listening_theme_add(actor=world.principal, school=world.school, name="Belonging")
    goal = _goal(world)
    return lambda: voice.theme_evidence_attach(
        actor=world.principal,
        school=world.school,
        goal_id=goal.pk,
        description="Heard often",
        listening_theme=theme,
    )


# A draft of the district's survey is seen by no school: building it moves no school's
# version (see DRAFTS_OF_THE_DISTRICT below); opening, adding schools and closing do.
def draft_district_survey_create(world):
    from voice import services as voice

    return lambda: voice.district_survey_create(
        actor=world.district_admin, district=world.district, title={"en": "Climate"}
    )


def draft_district_survey_from_template(world):
    from voice import services as voice

    return lambda: voice.district_survey_from_template(
        actor=world.district_admin, district=world.district, key="family_voice"
    )


def draft_district_survey_section_add(world):
    from tests.voice.factories import district_survey
    from voice import services as voice

    survey = district_survey(world)
    return lambda: voice.section_add(
        actor=world.district_admin, survey=survey, title={"en": "About you", "es": "Sobre usted"}
    )


def voice_district_survey_add_schools(world):
    from tests.voice.factories import district_survey
    from voice import services as voice
    from voice.models import Survey

    survey = district_survey(world, open_it=True)
    # Lincoln joins after the survey opened (its copy is gone, as for a new school).
    Survey.objects.filter(copied_from=survey, school=world.school).delete()
    return lambda: voice.district_survey_add_schools(actor=world.district_admin, survey=survey)


def voice_district_survey_open(world):
    from tests.voice.factories import district_survey
    from voice import services as voice

    survey = district_survey(world)
    return lambda: voice.district_survey_open(actor=world.district_admin, survey=survey)


def voice_district_survey_close(world):
    from tests.voice.factories import district_survey
    from voice import services as voice

    survey = district_survey(world, open_it=True)
    return lambda: voice.district_survey_close(actor=world.district_admin, survey=survey)


SERVICES = [
    value
    for name, value in list(globals().items())
    if name.startswith(
        ("teams_", "workplans_", "engagement_", "community_", "leadership_", "voice_")
    )
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


DRAFTS_OF_THE_DISTRICT = [
    draft_district_survey_create,
    draft_district_survey_from_template,
    draft_district_survey_section_add,
]


@pytest.mark.parametrize("arrange", DRAFTS_OF_THE_DISTRICT, ids=lambda f: f.__name__)
def test_a_draft_of_the_district_survey_moves_no_school_version(
    world, arrange, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False):
        act = arrange(world)
        versions.track([world.school.pk, world.other_school.pk])
        before = versions.versions_of([world.school.pk, world.other_school.pk])
        with django_capture_on_commit_callbacks(execute=True):
            act()
        assert versions.versions_of([world.school.pk, world.other_school.pk]) == before
