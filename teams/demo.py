"""Demo data of the teams app, in bulk: a few queries per kind of row, whatever the schools."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from leadership.models import Membership, Role

from .models import (
    ActionItem,
    AgendaItem,
    Attendance,
    Decision,
    DecisionModel,
    DecisionOutcome,
    DecisionRule,
    ItemKind,
    Meeting,
    MeetingStatus,
    MinutesStatus,
    StakeholderGroup,
    StakeholderSeat,
    Team,
    TeamKind,
    TeamMember,
    TeamRole,
)

SEATS = [
    (StakeholderGroup.ADMINISTRATOR, 1),
    (StakeholderGroup.TEACHER, 2),
    (StakeholderGroup.CLASSIFIED, 1),
    (StakeholderGroup.FAMILY, 1),
    (StakeholderGroup.STUDENT, 1),  # left vacant: the demo shows a flagged seat
]
RULES = [
    ("Budget", DecisionModel.CONSENSUS, "The whole ILT", 4),
    ("Schedule", DecisionModel.MAJORITY, "The whole ILT", 3),
    ("Curriculum", DecisionModel.FIST_TO_FIVE, "The whole ILT", 4),
    ("Hiring", DecisionModel.LEADER_AFTER_INPUT, "The principal, after hearing the ILT", 0),
]
HELD_ITEMS = [
    (
        "Reading data: winter screener",
        ItemKind.DISCUSS,
        20,
        "Grade 2 and 3 fluency below target; grade 1 on track. Intervention groups to be reviewed.",
    ),
    (
        "Adopt the phonics sequence for K-2",
        ItemKind.DECIDE,
        25,
        "Teachers piloted the sequence for six weeks. Concerns about materials cost were answered.",
    ),
    ("Family reading night", ItemKind.INFORM, 10, "Date set; interpretation in Spanish offered."),
]
NEXT_ITEMS = [
    ("Approve the minutes of the last meeting", ItemKind.DECIDE, 5),
    ("Attendance: chronic absence by grade", ItemKind.DISCUSS, 20),
    ("Schedule for spring learning walks", ItemKind.DECIDE, 15),
]


def _local(district, days: int) -> datetime:
    tz = zoneinfo.ZoneInfo(district.timezone)
    day = timezone.localdate() + timedelta(days=days)
    return datetime.combine(day, time(15, 30), tzinfo=tz)


@transaction.atomic
def seed(*, district, schools, year) -> str:
    have_ilt = set(
        Team.objects.filter(school__in=schools, school_year=year, kind=TeamKind.ILT).values_list(
            "school_id", flat=True
        )
    )
    todo = [school for school in schools if school.pk not in have_ilt]
    if not todo:
        return f"{len(schools)} ILTs already there; nothing added."

    people: dict[int, dict[str, list[int]]] = {}
    rows = (
        Membership.objects.active()
        .filter(school__in=todo)
        .order_by("user__email")
        .values_list("school_id", "role", "user_id")
    )
    for school_id, role, user_id in rows:
        people.setdefault(school_id, {}).setdefault(role, []).append(user_id)

    teams = Team.objects.bulk_create(
        [
            Team(
                school=school,
                school_year=year,
                kind=TeamKind.ILT,
                name=f"{school.name} ILT",
                purpose="Leads the school's work plan and keeps the school's decisions on record.",
                cadence="biweekly",
            )
            for school in todo
        ]
    )
    StakeholderSeat.objects.bulk_create(
        [
            StakeholderSeat(team=t, stakeholder_group=g, seats_required=n)
            for t in teams
            for g, n in SEATS
        ]
    )
    rules = DecisionRule.objects.bulk_create(
        [
            DecisionRule(team=t, area=area, model=model, who_decides=who, quorum=quorum)
            for t in teams
            for area, model, who, quorum in RULES
        ]
    )
    rule_of = {(r.team_id, r.area): r for r in rules}

    members = []
    for team in teams:
        roles = people.get(team.school_id, {})
        chosen = [
            (
                roles.get(Role.PRINCIPAL, [])[:1],
                StakeholderGroup.ADMINISTRATOR,
                TeamRole.FACILITATOR,
            ),
            (roles.get(Role.TEACHER_LEADER, [])[:1], StakeholderGroup.TEACHER, TeamRole.NOTE_TAKER),
            (
                roles.get(Role.TEACHER_LEADER, [])[1:2],
                StakeholderGroup.TEACHER,
                TeamRole.TIMEKEEPER,
            ),
            (roles.get(Role.STAFF, [])[:1], StakeholderGroup.CLASSIFIED, TeamRole.MEMBER),
            (roles.get(Role.FAMILY, [])[:1], StakeholderGroup.FAMILY, TeamRole.MEMBER),
        ]
        seen = set()
        for users, group, role in chosen:
            for user_id in users:
                if user_id not in seen:
                    seen.add(user_id)
                    members.append(
                        TeamMember(
                            team=team,
                            user_id=user_id,
                            stakeholder_group=group,
                            role=role,
                            term_start=year.start,
                            term_end=year.end,
                        )
                    )
    members = TeamMember.objects.bulk_create(members)
    members_of: dict[int, list[TeamMember]] = {}
    for member in members:
        members_of.setdefault(member.team_id, []).append(member)

    now = timezone.now()
    held = Meeting.objects.bulk_create(
        [
            Meeting(
                team=t,
                starts_at=_local(district, -14),
                location="Library",
                status=MeetingStatus.HELD,
                minutes_status=MinutesStatus.APPROVED,
                approved_at=now,
                agenda_sent_at=now,
            )
            for t in teams
        ]
    )
    upcoming = Meeting.objects.bulk_create(
        [Meeting(team=t, starts_at=_local(district, 7), location="Library") for t in teams]
    )
    Attendance.objects.bulk_create(
        [
            Attendance(meeting=m, member=member, present=True)
            for m in held
            for member in members_of.get(m.team_id, [])
        ]
    )
    held_items = AgendaItem.objects.bulk_create(
        [
            AgendaItem(
                meeting=m,
                order=n,
                title=title,
                kind=kind,
                minutes_allotted=minutes,
                notes=notes,
                version=2,
            )
            for m in held
            for n, (title, kind, minutes, notes) in enumerate(HELD_ITEMS, start=1)
        ]
    )
    AgendaItem.objects.bulk_create(
        [
            AgendaItem(meeting=m, order=n, title=title, kind=kind, minutes_allotted=minutes)
            for m in upcoming
            for n, (title, kind, minutes) in enumerate(NEXT_ITEMS, start=1)
        ]
    )
    team_of_meeting = {m.pk: m.team_id for m in held}
    decisions, actions = [], []
    for item in held_items:
        team_id = team_of_meeting[item.meeting_id]
        present = len(members_of.get(team_id, []))
        team_members = members_of.get(team_id, [])
        if item.order == 2:
            decisions.append(
                Decision(
                    item=item,
                    meeting_id=item.meeting_id,
                    rule=rule_of[(team_id, "Curriculum")],
                    model_used=DecisionModel.FIST_TO_FIVE,
                    text="Adopt the K-2 phonics sequence from January.",
                    rationale="Pilot classes gained; every member at 3 or above.",
                    outcome=DecisionOutcome.ADOPTED,
                    tally={
                        "poll": "Ready to adopt?",
                        "kind": "fist_to_five",
                        "counts": {
                            "0": 0,
                            "1": 0,
                            "2": 0,
                            "3": 1,
                            "4": 2,
                            "5": max(present - 3, 0),
                        },
                    },
                    present=present,
                )
            )
        if item.order in (1, 2) and len(team_members) > 1:
            actions.append(
                ActionItem(
                    team_id=team_id,
                    meeting_id=item.meeting_id,
                    item=item,
                    title="Review intervention groups"
                    if item.order == 1
                    else "Order K-2 materials",
                    owner_id=team_members[item.order % len(team_members)].user_id,
                    due=timezone.localdate() + timedelta(days=-2 if item.order == 1 else 10),
                )
            )
    Decision.objects.bulk_create(decisions)
    actions = ActionItem.objects.bulk_create(actions)
    upcoming_of = {m.team_id: m for m in upcoming}
    AgendaItem.objects.bulk_create(
        [
            AgendaItem(
                meeting=upcoming_of[a.team_id],
                order=10 + n,
                title=f"Follow-up: {a.title}",
                kind=ItemKind.INFORM,
                minutes_allotted=5,
                carried_action=a,
            )
            for n, a in enumerate(actions)
        ],
        ignore_conflicts=True,
    )
    return (
        f"{len(teams)} ILTs with {len(members)} members, {len(held)} held and "
        f"{len(upcoming)} scheduled meetings, {len(decisions)} decisions."
    )
