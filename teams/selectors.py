"""Every read of the teams app, scoped to the acting user and prefetched for the page."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from leadership import clock
from leadership.models import School

from .models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    AgendaProposal,
    Attendance,
    Decision,
    Meeting,
    MeetingStatus,
    MinutesStatus,
    Poll,
    Proposal,
    ProposalAnswer,
    ProposalState,
    ProposalStatus,
    StakeholderSeat,
    Team,
    TeamKind,
    TeamMember,
    TeamRole,
)
from .permissions import can_see_all_teams, is_team_reader_of_school, team_roles


def facilitates_ilt(user, school: School) -> bool:
    """True when the user facilitates the school's ILT of the district's current school year.

    One query per request at most (cached on the user object), for the workplans app too.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    cache = getattr(user, "_accord_ilt_facilitated", None)
    if cache is None:
        today = clock.today()
        cache = frozenset(
            TeamMember.objects.filter(
                user=user,
                is_active=True,
                role=TeamRole.FACILITATOR,
                team__kind=TeamKind.ILT,
                team__school_year__is_current=True,
            )
            .exclude(term_end__lt=today)
            .values_list("team__school_id", flat=True)
        )
        user._accord_ilt_facilitated = cache
    return school.pk in cache


def current_ilt(school: School) -> Team | None:
    return (
        Team.objects.filter(school=school, kind=TeamKind.ILT, school_year__is_current=True)
        .select_related("school_year")
        .first()
    )


def teams_for(*, user, school: School) -> QuerySet[Team]:
    teams = Team.objects.filter(school=school).select_related("school_year")
    if not can_see_all_teams(user, school):
        teams = teams.filter(pk__in=list(team_roles(user)))
    return teams.annotate(
        member_count=Count("members", filter=Q(members__is_active=True), distinct=True)
    ).order_by("-school_year__start", "kind", "name")


@dataclass
class SeatStatus:
    group: str
    label: str
    required: int
    filled: int

    @property
    def vacant(self) -> int:
        return max(self.required - self.filled, 0)


def seat_status(team: Team, members: list[TeamMember] | None = None) -> list[SeatStatus]:
    """Required seats against active members per stakeholder group (members passed in to reuse)."""
    if members is None:
        members = list(team.members.active())
    filled = Counter(m.stakeholder_group for m in members)
    return [
        SeatStatus(
            group=seat.stakeholder_group,
            label=seat.get_stakeholder_group_display(),
            required=seat.seats_required,
            filled=filled.get(seat.stakeholder_group, 0),
        )
        for seat in team.seats.all()
    ]


def team_members(team: Team) -> list[TeamMember]:
    return list(team.members.active().select_related("user").order_by("role", "user__full_name"))


def former_members(team: Team) -> list[TeamMember]:
    """People who sat on the team: kept, with their seat's dates, for the team's history."""
    return list(
        team.members.exclude(pk__in=team.members.active().values("pk"))
        .select_related("user")
        .order_by("-term_end", "user__full_name")
    )


def team_meetings(team: Team, *, published_only: bool = False) -> QuerySet[Meeting]:
    meetings = team.meetings.select_related("team__school").annotate(item_count=Count("items"))
    if published_only:
        meetings = meetings.filter(minutes_status=MinutesStatus.APPROVED)
    return meetings.order_by("-starts_at")


def next_meeting(team: Team, *, now) -> Meeting | None:
    """The team's next meeting: still to be held (scheduled, or under way before its time),
    not merely the next date: a meeting held or cancelled early is not 'next'."""
    return (
        team.meetings.filter(
            starts_at__gt=now, status__in=[MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS]
        )
        .order_by("starts_at", "pk")
        .first()
    )


def overdue_actions(team: Team, today=None) -> QuerySet[ActionItem]:
    return team.action_items.filter(
        status=ActionStatus.OPEN, due__lt=today or clock.today_in(team.school.district)
    ).select_related("owner", "meeting__team__school")


def meeting_items(meeting: Meeting) -> list[AgendaItem]:
    polls = Poll.objects.prefetch_related("votes__member__user")
    return list(
        meeting.items.select_related(
            "carried_action__owner", "proposal__proposed_by"
        ).prefetch_related(
            Prefetch("polls", queryset=polls),
            Prefetch("decisions", queryset=Decision.objects.select_related("rule")),
            Prefetch("actions", queryset=ActionItem.objects.select_related("owner")),
        )
    )


def team_proposals(team: Team, *, user, runs: bool) -> list[AgendaProposal]:
    """Agenda items put forward: whoever runs the meetings sees every one still waiting and
    the last answered; a member sees their own, with the answer and its reason."""
    proposals = team.agenda_proposals.select_related("proposed_by", "item__meeting__team__school")
    if not runs:
        return list(proposals.filter(proposed_by=user)[:50])
    waiting = list(proposals.filter(status=ProposalStatus.PENDING).order_by("created_at", "id"))
    answered = list(proposals.exclude(status=ProposalStatus.PENDING)[:20])
    return waiting + answered


def open_meetings(team: Team) -> list[Meeting]:
    """Meetings an accepted item can go to: not held, not cancelled, soonest first."""
    return list(
        team.meetings.filter(status__in=[MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS])
        .select_related("team__school")
        .order_by("starts_at")[:20]
    )


def proposed_items_of(user) -> QuerySet[AgendaProposal]:
    """Agenda items the person put forward on teams they still sit on: waiting, or answered in
    the last 30 days (for a "my work" list)."""
    return proposed_items_query(
        user_id=user.pk,
        team_ids=list(team_roles(user)),
        since=clock.today() - timedelta(days=30),
    ).select_related("team__school", "item__meeting__team__school")


def proposed_items_query(*, user_id: int, team_ids, since) -> QuerySet[AgendaProposal]:
    """As `proposed_items_of`, from what it reads: the person's id, their teams' ids and the
    first day of the 30 (teams.mywork compiles it once)."""
    return (
        AgendaProposal.objects.filter(proposed_by=user_id, team_id__in=team_ids)
        .filter(Q(status=ProposalStatus.PENDING) | Q(decided_at__date__gte=since))
        .order_by("-created_at", "-id")
    )


def team_open_proposals(team: Team) -> list[Proposal]:
    """The team's proposals: open ones first (soonest deadline), then the last stated."""
    proposals = team.proposals.select_related("rule", "team__school")
    open_ = list(proposals.filter(state=ProposalState.OPEN).order_by("closes_at", "id"))
    stated = list(proposals.exclude(state=ProposalState.OPEN).order_by("-created_at", "-id")[:10])
    return open_ + stated


def proposal_answers(proposal: Proposal) -> list[ProposalAnswer]:
    """The answers to the proposal's current version, with who gave them."""
    return list(
        proposal.answers.filter(round=proposal.round)
        .select_related("member__user")
        .order_by("created_at", "id")
    )


def open_proposals_for(user) -> QuerySet[Proposal]:
    """Open proposals of the person's teams that wait for their answer to the current version
    (for a "my work" list)."""
    return open_proposals_query(
        user_id=user.pk, team_ids=list(team_roles(user)), now=timezone.now()
    ).select_related("team__school", "rule")


def open_proposals_query(*, user_id: int, team_ids, now) -> QuerySet[Proposal]:
    """As `open_proposals_for`, from what it reads: the person's id, their teams' ids and the
    time (teams.mywork compiles it once)."""
    answered = ProposalAnswer.objects.filter(
        proposal=OuterRef("pk"), round=OuterRef("round"), member__user=user_id
    )
    return (
        Proposal.objects.filter(state=ProposalState.OPEN, team_id__in=team_ids, closes_at__gt=now)
        .exclude(Exists(answered))
        .order_by("closes_at", "id")
    )


def previous_meeting(meeting: Meeting) -> Meeting | None:
    return (
        Meeting.objects.filter(team=meeting.team_id, starts_at__lt=meeting.starts_at)
        .exclude(status="cancelled")
        .order_by("-starts_at")
        .first()
    )


def decision_log(*, user, school: School, query: str = "") -> QuerySet[Decision]:
    """Decisions of the school's teams the user may read; non-members see approved minutes only."""
    decisions = Decision.objects.filter(
        Q(meeting__team__school=school) | Q(proposal__team__school=school)
    ).select_related("rule__team__school", "meeting__team__school", "item", "proposal")
    if not can_see_all_teams(user, school):
        member_teams = list(team_roles(user))
        visible = Q(meeting__team__in=member_teams) | Q(proposal__team__in=member_teams)
        if is_team_reader_of_school(user, school):
            # Minutes once approved; a proposal's outcome once stated.
            visible |= Q(meeting__minutes_status=MinutesStatus.APPROVED)
            visible |= Q(proposal__isnull=False)
        decisions = decisions.filter(visible)
    if query:
        decisions = decisions.filter(
            Q(text__icontains=query)
            | Q(rationale__icontains=query)
            | Q(rule__area__icontains=query)
            | Q(item__title__icontains=query)
        )
    when = Coalesce("meeting__starts_at", "proposal__stated_at", "created_at")
    return decisions.order_by(when.desc(), "-id")


def open_actions_of(*, user, school: School) -> QuerySet[ActionItem]:
    return (
        ActionItem.objects.filter(owner=user, team__school=school, status=ActionStatus.OPEN)
        .select_related("team")
        .order_by("due")
    )


def ilt_seat_summary(school: School) -> tuple[Team | None, list[SeatStatus]]:
    """The current ILT and its seat status, in two queries (seats and members prefetched)."""
    team = (
        Team.objects.filter(school=school, kind=TeamKind.ILT, school_year__is_current=True)
        .prefetch_related(
            Prefetch("seats", queryset=StakeholderSeat.objects.all()),
            Prefetch("members", queryset=TeamMember.objects.active(), to_attr="active_members"),
        )
        .first()
    )
    if team is None:
        return None, []
    return team, seat_status(team, team.active_members)


# --- district dashboard ---------------------------------------------------------------

HELD_WINDOW_DAYS = 30


def dashboard_figures(school_ids, *, year, now, today) -> dict[int, dict]:
    """ILT figures per school for the district dashboard, in four queries for any number of
    schools: seats filled/required, meetings held in the last 30 days and their attendance,
    open and overdue action items of the school year's ILT."""
    teams = list(
        Team.objects.filter(school_id__in=school_ids, kind=TeamKind.ILT, school_year=year)
        .prefetch_related(
            Prefetch("seats", queryset=StakeholderSeat.objects.all()),
            Prefetch("members", queryset=TeamMember.objects.active(), to_attr="active_members"),
        )
        .only("id", "school_id")
    )
    figures: dict[int, dict] = {}
    for team in teams:
        seats = seat_status(team, team.active_members)
        figures[team.school_id] = {
            "has_ilt": True,
            "seats_required": sum(s.required for s in seats),
            "seats_filled": sum(min(s.filled, s.required) for s in seats),
            "meetings_30d": 0,
            "attendance_30d": None,
            "actions_open": 0,
            "actions_overdue": 0,
        }
    team_school = {team.pk: team.school_id for team in teams}
    if not team_school:
        return figures
    since = now - timedelta(days=HELD_WINDOW_DAYS)
    held = Q(meeting__status=MeetingStatus.HELD, meeting__starts_at__gte=since)
    held &= Q(meeting__starts_at__lte=now, meeting__team_id__in=team_school)
    meetings = (
        Meeting.objects.filter(
            team_id__in=team_school, status=MeetingStatus.HELD, starts_at__gte=since
        )
        .filter(starts_at__lte=now)
        .values("team_id")
        .annotate(n=Count("id"))
    )
    for row in meetings:
        figures[team_school[row["team_id"]]]["meetings_30d"] = row["n"]
    attendance = (
        Attendance.objects.filter(held)
        .values("meeting__team_id")
        .annotate(present=Count("id", filter=Q(present=True)), total=Count("id"))
    )
    for row in attendance:
        if row["total"]:
            figure = figures[team_school[row["meeting__team_id"]]]
            figure["attendance_30d"] = round(100 * row["present"] / row["total"])
    actions = (
        ActionItem.objects.filter(team_id__in=team_school, status=ActionStatus.OPEN)
        .values("team_id")
        .annotate(open=Count("id"), overdue=Count("id", filter=Q(due__lt=today)))
    )
    for row in actions:
        figure = figures[team_school[row["team_id"]]]
        figure["actions_open"] = row["open"]
        figure["actions_overdue"] = row["overdue"]
    return figures
