"""Builders for teams, meetings and their parts, on top of the shared `world`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from leadership import clock
from leadership.models import SchoolYear
from teams.models import (
    ActionItem,
    AgendaItem,
    AgendaProposal,
    Attendance,
    DecisionModel,
    DecisionRule,
    Meeting,
    MeetingStatus,
    MinutesStatus,
    Poll,
    PollKind,
    StakeholderGroup,
    StakeholderSeat,
    Team,
    TeamKind,
    TeamMember,
    TeamRole,
)
from tests.leadership.factories import SchoolYearFactory


@dataclass
class Ilt:
    team: Team
    year: SchoolYear
    facilitator: TeamMember  # the world's principal
    leader: TeamMember  # the world's teacher leader
    family: TeamMember  # the world's family
    budget: DecisionRule  # consensus, quorum 2
    schedule: DecisionRule  # majority vote, no quorum
    curriculum: DecisionRule  # fist-to-five, quorum 2


def current_year(district) -> SchoolYear:
    year = SchoolYear.objects.filter(district=district, is_current=True).first()
    return year or SchoolYearFactory(district=district)


def ilt_for(world) -> Ilt:
    """The school's ILT: principal facilitates, teacher leader and family sit on it (once)."""
    cached = getattr(world, "_ilt", None)
    if cached is not None:
        return cached
    year = current_year(world.district)
    team = Team.objects.create(
        school=world.school, school_year=year, kind=TeamKind.ILT, name="Lincoln ILT"
    )
    facilitator = TeamMember.objects.create(
        team=team,
        user=world.principal,
        stakeholder_group=StakeholderGroup.ADMINISTRATOR,
        role=TeamRole.FACILITATOR,
    )
    leader = TeamMember.objects.create(
        team=team, user=world.teacher_leader, stakeholder_group=StakeholderGroup.TEACHER
    )
    family = TeamMember.objects.create(
        team=team, user=world.family, stakeholder_group=StakeholderGroup.FAMILY
    )
    StakeholderSeat.objects.bulk_create(
        [
            StakeholderSeat(
                team=team, stakeholder_group=StakeholderGroup.TEACHER, seats_required=2
            ),
            StakeholderSeat(team=team, stakeholder_group=StakeholderGroup.FAMILY, seats_required=1),
            StakeholderSeat(
                team=team, stakeholder_group=StakeholderGroup.CLASSIFIED, seats_required=1
            ),
        ]
    )
    rules = {
        area: DecisionRule.objects.create(
            team=team, area=area, model=model, who_decides="The ILT", quorum=quorum
        )
        for area, model, quorum in [
            ("budget", DecisionModel.CONSENSUS, 2),
            ("schedule", DecisionModel.MAJORITY, 0),
            ("curriculum", DecisionModel.FIST_TO_FIVE, 2),
        ]
    }
    ilt = Ilt(
        team=team,
        year=year,
        facilitator=facilitator,
        leader=leader,
        family=family,
        budget=rules["budget"],
        schedule=rules["schedule"],
        curriculum=rules["curriculum"],
    )
    world._ilt = ilt
    return ilt


def meeting(
    team: Team, *, days: int = 7, status: str = MeetingStatus.SCHEDULED, **extra
) -> Meeting:
    return Meeting.objects.create(
        team=team, starts_at=timezone.now() + timedelta(days=days), status=status, **extra
    )


def item(meeting: Meeting, title: str = "Reading data", order: int = 1, **extra) -> AgendaItem:
    return AgendaItem.objects.create(meeting=meeting, title=title, order=order, **extra)


def live_meeting(ilt: Ilt, *, present: int = 2) -> Meeting:
    """A meeting in progress with one current item and `present` members marked present."""
    m = meeting(ilt.team, days=0, status=MeetingStatus.IN_PROGRESS)
    first = item(m)
    m.current_item = first
    m.current_item_started_at = timezone.now()
    m.save()
    for member in [ilt.facilitator, ilt.leader, ilt.family][:present]:
        Attendance.objects.create(meeting=m, member=member, present=True)
    return m


def held_meeting(ilt: Ilt, *, days: int = -14, approved: bool = False) -> Meeting:
    return meeting(
        ilt.team,
        days=days,
        status=MeetingStatus.HELD,
        minutes_status=MinutesStatus.APPROVED if approved else MinutesStatus.DRAFT,
    )


def open_poll(m: Meeting, kind: str = PollKind.YES_NO) -> Poll:
    first = m.items.order_by("order").first() or item(m)
    return Poll.objects.create(item=first, kind=kind, question="Shall we?")


def action(ilt: Ilt, m: Meeting, *, owner=None, days: int = 7, **extra) -> ActionItem:
    return ActionItem.objects.create(
        team=ilt.team,
        meeting=m,
        title=extra.pop("title", "Share the reading data"),
        owner=owner or ilt.leader.user,
        due=clock.today_in(ilt.team.school.district) + timedelta(days=days),
        **extra,
    )


def proposal(ilt: Ilt, *, by=None, title: str = "Recess duty rota", **extra) -> AgendaProposal:
    return AgendaProposal.objects.create(
        team=ilt.team, proposed_by=by or ilt.leader.user, title=title, **extra
    )
