"""The rules of the teams app, through its services and the database."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from leadership import clock
from leadership.models import AuditEntry, SchoolYear
from teams import selectors, services
from teams.models import (
    ActionStatus,
    AgendaItem,
    Cadence,
    DecisionModel,
    DecisionOutcome,
    Meeting,
    MeetingStatus,
    MinutesStatus,
    PollKind,
    Team,
    TeamKind,
    TeamMember,
    TeamRole,
    Vote,
)
from tests.teams import factories as f

pytestmark = pytest.mark.django_db


# --- facilitates_ilt ------------------------------------------------------------------


def test_facilitates_ilt_is_true_for_the_facilitator_of_the_current_ilt(world, ilt):
    assert selectors.facilitates_ilt(world.principal, world.school)
    assert not selectors.facilitates_ilt(world.teacher_leader, world.school)
    assert not selectors.facilitates_ilt(world.principal, world.other_school)
    from django.contrib.auth.models import AnonymousUser

    assert not selectors.facilitates_ilt(AnonymousUser(), world.school)


def test_facilitates_ilt_reads_once_per_request(world, ilt, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert selectors.facilitates_ilt(world.principal, world.school)
        assert not selectors.facilitates_ilt(world.principal, world.other_school)


def test_facilitates_ilt_ignores_past_years_inactive_seats_and_other_teams(world, ilt):
    leader = world.teacher_leader
    TeamMember.objects.filter(pk=ilt.leader.pk).update(role=TeamRole.FACILITATOR, is_active=False)
    assert not selectors.facilitates_ilt(leader, world.school)
    past = SchoolYear.objects.create(
        district=world.district, label="2025-26", start="2025-08-18", end="2026-06-12"
    )
    old_ilt = Team.objects.create(
        school=world.school, school_year=past, kind=TeamKind.ILT, name="Old ILT"
    )
    grade = Team.objects.create(
        school=world.school, school_year=ilt.year, kind=TeamKind.GRADE_LEVEL, name="Grade 3"
    )
    for team in (old_ilt, grade):
        TeamMember.objects.create(
            team=team, user=world.staff, stakeholder_group="teacher", role=TeamRole.FACILITATOR
        )
    assert not selectors.facilitates_ilt(world.staff, world.school)


def test_one_ilt_per_school_and_year_is_held_by_the_database(world, ilt):
    with pytest.raises(IntegrityError), transaction.atomic():
        Team.objects.create(
            school=world.school, school_year=ilt.year, kind=TeamKind.ILT, name="Second ILT"
        )
    # Other kinds of team: as many as the school likes.
    Team.objects.create(school=world.school, school_year=ilt.year, kind="subject", name="Math")
    Team.objects.create(school=world.school, school_year=ilt.year, kind="subject", name="ELA")


def test_a_time_box_outside_1_to_240_minutes_is_refused_by_the_database(ilt):
    m = f.meeting(ilt.team)
    for minutes in (0, 241):
        with pytest.raises(IntegrityError), transaction.atomic():
            AgendaItem.objects.create(meeting=m, title="Absurd", minutes_allotted=minutes)


# --- meetings and agenda --------------------------------------------------------------


def test_a_series_is_scheduled_on_the_team_cadence(world, ilt):
    ilt.team.cadence = Cadence.BIWEEKLY
    ilt.team.save()
    start = timezone.make_aware(datetime(2026, 12, 1, 16, 0))
    meetings = services.meeting_schedule(
        team=ilt.team, actor=world.principal, starts_at=start, repeat=3
    )
    assert [m.starts_at for m in meetings] == [start + timedelta(weeks=2 * n) for n in range(3)]
    with pytest.raises(ValidationError):
        services.meeting_schedule(team=ilt.team, actor=world.principal, starts_at=start, repeat=21)


def test_a_closed_meeting_refuses_agenda_changes(world, ilt):
    m = f.held_meeting(ilt)
    with pytest.raises(ValidationError) as error:
        services.agenda_item_add(
            meeting=m, actor=world.principal, title="Late item", minutes_allotted=5
        )
    assert error.value.messages == [str(services.MEETING_CLOSED)]
    assert not m.items.exists()


def test_open_action_items_are_carried_to_the_next_meeting_once(world, ilt):
    earlier = f.held_meeting(ilt)
    open_action = f.action(ilt, earlier, title="Call the families")
    f.action(ilt, earlier, title="Done already", status=ActionStatus.DONE)
    (upcoming,) = services.meeting_schedule(
        team=ilt.team, actor=world.principal, starts_at=timezone.now() + timedelta(days=3)
    )
    carried = list(upcoming.items.filter(carried_action__isnull=False))
    assert [item.carried_action for item in carried] == [open_action]
    assert "Call the families" in carried[0].title
    # Starting the meeting carries again: nothing new.
    assert services.carry_open_actions(meeting=upcoming) == 0
    services.meeting_start(meeting=upcoming, actor=world.principal, other_day=True)
    assert upcoming.items.filter(carried_action__isnull=False).count() == 1


# --- minutes --------------------------------------------------------------------------


def test_a_stale_minutes_save_is_refused_and_keeps_the_saved_text(world, ilt):
    m = f.live_meeting(ilt)
    item = m.current_item
    services.minutes_save(item=item, actor=world.principal, notes="First version", version=1)
    with pytest.raises(services.StaleMinutes) as stale:
        services.minutes_save(item=item, actor=world.teacher_leader, notes="Mine", version=1)
    assert stale.value.current.notes == "First version"
    item.refresh_from_db()
    assert (item.notes, item.version) == ("First version", 2)


def test_minutes_are_approved_at_the_next_meeting_and_then_read_only(world, ilt):
    held = f.held_meeting(ilt)
    first = f.item(held, title="Budget")
    with pytest.raises(ValidationError) as error:
        services.minutes_approve(meeting=held, actor=world.principal)
    assert error.value.messages == [str(services.MINUTES_NEED_NEXT_MEETING)]
    f.meeting(ilt.team, days=0, status=MeetingStatus.IN_PROGRESS)
    services.minutes_approve(meeting=held, actor=world.principal)
    held.refresh_from_db()
    assert held.minutes_status == MinutesStatus.APPROVED
    with pytest.raises(ValidationError) as error:
        services.minutes_save(item=first, actor=world.principal, notes="Changed", version=1)
    assert error.value.messages == [str(services.MINUTES_APPROVED)]
    assert AuditEntry.objects.filter(action="minutes.approve", object_id=str(held.pk)).exists()


# --- polls ----------------------------------------------------------------------------


def test_a_member_answers_a_poll_once(world, ilt):
    poll = f.open_poll(f.live_meeting(ilt), PollKind.FIST_TO_FIVE)
    services.vote_cast(poll=poll, user=world.teacher_leader, value="4")
    with pytest.raises(ValidationError) as error:
        services.vote_cast(poll=poll, user=world.teacher_leader, value="5")
    assert error.value.messages == [str(services.POLL_ANSWERED)]
    assert services.poll_tally(poll) == {"0": 0, "1": 0, "2": 0, "3": 0, "4": 1, "5": 0}


def test_a_non_member_and_a_bad_answer_and_a_closed_poll_are_refused(world, ilt):
    m = f.live_meeting(ilt)
    poll = f.open_poll(m, PollKind.YES_NO)
    with pytest.raises(ValidationError) as error:
        services.vote_cast(poll=poll, user=world.staff, value="yes")
    assert error.value.messages == [str(services.POLL_NOT_MEMBER)]
    with pytest.raises(ValidationError):
        services.vote_cast(poll=poll, user=world.family, value="7")
    # A poll closes when the decision it informed is recorded; the meeting stays live.
    services.decision_record(
        item=m.current_item,
        actor=world.principal,
        rule=ilt.schedule,
        model_used=DecisionModel.MAJORITY,
        text="Thursdays",
        outcome=DecisionOutcome.ADOPTED,
        poll=poll,
    )
    with pytest.raises(ValidationError) as error:
        services.vote_cast(poll=poll, user=world.family, value="yes")
    assert error.value.messages == [str(services.POLL_CLOSED)]
    assert not Vote.objects.exists()


def test_one_vote_per_member_is_held_by_the_database(world, ilt):
    poll = f.open_poll(f.live_meeting(ilt))
    Vote.objects.create(poll=poll, member=ilt.leader, value="yes")
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(poll=poll, member=ilt.leader, value="no")


# --- decisions ------------------------------------------------------------------------


def test_a_decision_by_the_wrong_model_is_refused_with_the_reason(world, ilt):
    m = f.live_meeting(ilt)
    with pytest.raises(ValidationError) as error:
        services.decision_record(
            item=m.current_item,
            actor=world.principal,
            rule=ilt.budget,
            model_used=DecisionModel.MAJORITY,
            text="Buy the books",
            outcome=DecisionOutcome.ADOPTED,
        )
    message = error.value.messages[0]
    assert "budget" in message and "Consensus" in message and "Majority vote" in message
    assert not m.decisions.exists()


def test_a_decision_without_quorum_is_refused(world, ilt):
    m = f.live_meeting(ilt, present=1)
    with pytest.raises(ValidationError) as error:
        services.decision_record(
            item=m.current_item,
            actor=world.principal,
            rule=ilt.budget,
            model_used=DecisionModel.CONSENSUS,
            text="Buy the books",
            outcome=DecisionOutcome.ADOPTED,
        )
    assert "quorum of 2" in error.value.messages[0]
    assert "1 are marked present" in error.value.messages[0]


def test_a_decision_that_follows_the_charter_keeps_its_tally(world, ilt):
    m = f.live_meeting(ilt, present=3)
    poll = f.open_poll(m, PollKind.FIST_TO_FIVE)
    for user, value in [(world.principal, "5"), (world.teacher_leader, "3"), (world.family, "4")]:
        services.vote_cast(poll=poll, user=user, value=value)
    decision = services.decision_record(
        item=m.current_item,
        actor=world.principal,
        rule=ilt.curriculum,
        model_used=DecisionModel.FIST_TO_FIVE,
        text="Adopt the new phonics sequence",
        outcome=DecisionOutcome.ADOPTED,
        rationale="Everyone at 3 or above.",
        poll=poll,
    )
    assert decision.tally["counts"] == {"0": 0, "1": 0, "2": 0, "3": 1, "4": 1, "5": 1}
    assert decision.present == 3
    poll.refresh_from_db()
    assert not poll.is_open
    entry = AuditEntry.objects.get(action="decision.record")
    assert entry.after["text"] == "Adopt the new phonics sequence"


def test_the_poll_must_fit_the_decision_model(world, ilt):
    m = f.live_meeting(ilt, present=3)
    poll = f.open_poll(m, PollKind.CONSENT)
    with pytest.raises(ValidationError) as error:
        services.decision_record(
            item=m.current_item,
            actor=world.principal,
            rule=ilt.schedule,
            model_used=DecisionModel.MAJORITY,
            text="Thursdays",
            outcome=DecisionOutcome.ADOPTED,
            poll=poll,
        )
    assert str(services.DECISION_POLL_MISMATCH) in error.value.messages


def test_an_action_item_owner_must_sit_on_the_team(world, ilt):
    m = f.live_meeting(ilt)
    with pytest.raises(ValidationError) as error:
        services.action_item_create(
            meeting=m,
            actor=world.principal,
            title="Order books",
            owner=world.staff,
            due=clock.today_in(world.district),
        )
    assert error.value.message_dict["owner"] == [str(services.OWNER_NOT_MEMBER)]


def test_a_meeting_starts_once(world, ilt):
    m = f.meeting(ilt.team, days=0)
    f.item(m)
    services.meeting_start(meeting=m, actor=world.principal)
    m.refresh_from_db()
    assert m.status == MeetingStatus.IN_PROGRESS and m.current_item is not None
    with pytest.raises(ValidationError):
        services.meeting_start(meeting=m, actor=world.principal)
    assert Meeting.objects.get(pk=m.pk).status == MeetingStatus.IN_PROGRESS


def test_a_meeting_of_another_day_starts_only_when_confirmed(world, ilt):
    m = f.meeting(ilt.team, days=7)
    with pytest.raises(ValidationError) as error:
        services.meeting_start(meeting=m, actor=world.principal)
    assert error.value.code == "other_day"
    assert "not today" in error.value.messages[0]
    assert Meeting.objects.get(pk=m.pk).status == MeetingStatus.SCHEDULED
    services.meeting_start(meeting=m, actor=world.principal, other_day=True)
    assert Meeting.objects.get(pk=m.pk).status == MeetingStatus.IN_PROGRESS
