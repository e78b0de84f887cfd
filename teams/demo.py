"""Demo data of the teams app, in bulk: a school year of ILT meetings, a few queries a kind.

Per school: an ILT with seats, a written decision model, 15 meetings every two weeks from the
start of the year (those already over are held, with attendance, agenda, minutes, decisions and
action items; the rest are scheduled), and open action items carried from meeting to meeting
as the services do. The numbers vary between schools, deterministically (a random generator
seeded by the school's slug), so the district's pages show a spread.
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from leadership import clock, versions
from leadership.models import Membership, Role

from .models import (
    ActionItem,
    ActionStatus,
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

MEETINGS = 15
BATCH = 2000
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
QUORUM = {area: quorum for area, _model, _who, quorum in RULES}
MODEL = {area: model for area, model, _who, _quorum in RULES}
OPENER = ("Welcome, norms and the last meeting's minutes", ItemKind.INFORM, 5, "Norms reviewed.")
# Discussion and information items: title, kind, minutes, minutes of the item, action items.
TOPICS = [
    (
        "Reading data: fall screener",
        ItemKind.DISCUSS,
        20,
        "Grade 2 and 3 fluency below target; grade 1 on track. Intervention groups to be reviewed.",
        ["Review intervention groups by grade", "Share screener results with grade teams"],
    ),
    (
        "Attendance: chronic absence by grade",
        ItemKind.DISCUSS,
        20,
        "Kindergarten and grade 6 have the most chronic absence; mornings are the hard part.",
        ["Call families of students absent 3+ days", "Draft the attendance incentive plan"],
    ),
    (
        "Learning walk debrief: student discourse",
        ItemKind.DISCUSS,
        25,
        "Students explained their reasoning in 7 of 12 classrooms; sentence frames helped most.",
        ["Post the discourse look-fors in every classroom", "Schedule the next learning walk"],
    ),
    (
        "Work plan: where our measures stand",
        ItemKind.DISCUSS,
        20,
        "Two goals on track, one at risk; the team named what it will try next month.",
        ["Update the work plan steps after the data review"],
    ),
    (
        "Family engagement: conference turnout",
        ItemKind.DISCUSS,
        15,
        "Evening slots filled first; families asked for interpretation in Spanish and Vietnamese.",
        ["Add evening conference slots", "Book interpreters for conferences"],
    ),
    (
        "Coaching cycle check-in",
        ItemKind.INFORM,
        10,
        "Grade 3 cycle in week 4 of 6; teachers report more small-group time.",
        [],
    ),
    (
        "Behaviour data: referrals by location",
        ItemKind.DISCUSS,
        15,
        "Most referrals happen at lunch recess; more adults on the yard suggested.",
        ["Redraw the lunch supervision schedule"],
    ),
    (
        "Student voice survey results",
        ItemKind.DISCUSS,
        15,
        "78% of students say an adult at school knows them well; lower in grade 5.",
        ["Plan student focus groups for grade 5"],
    ),
    (
        "Family reading night",
        ItemKind.INFORM,
        10,
        "Date set; interpretation in Spanish offered, childcare by the after-school staff.",
        [],
    ),
    (
        "Professional development calendar",
        ItemKind.INFORM,
        10,
        "Two PD days left this semester: phonics and math talks.",
        ["Send the PD calendar to staff"],
    ),
]
# Decision items: title, minutes, area of the charter, decision, rationale, follow-up action.
DECISIONS = [
    (
        "Adopt the phonics sequence for K-2",
        25,
        "Curriculum",
        "Adopt the K-2 phonics sequence from January.",
        "Teachers piloted the sequence for six weeks; concerns about materials were answered.",
        "Order K-2 phonics materials",
    ),
    (
        "Protect a daily intervention block",
        20,
        "Schedule",
        "Hold a 30-minute intervention block every morning in grades 1-5.",
        "Screener data show the same students below benchmark in every grade.",
        "Publish the new bell schedule",
    ),
    (
        "Childcare at family events from the site budget",
        15,
        "Budget",
        "Pay for childcare at every evening family event this year.",
        "Families named childcare as the main reason they could not come.",
        "Book childcare staff for the next family night",
    ),
    (
        "Grade-team time on PD Wednesdays",
        20,
        "Schedule",
        "Give every other PD Wednesday to grade-team data cycles.",
        "Teams asked for time to act on the data together.",
        "Share the PD Wednesday rotation",
    ),
    (
        "Pilot student-led conferences in grades 3-5",
        25,
        "Curriculum",
        "Pilot student-led conferences in grades 3-5 in the spring.",
        "Portfolios are ready in most classrooms; teachers want a pilot before a full launch.",
        "Prepare the student-led conference guide",
    ),
    (
        "Decodable readers for grades 1-2",
        15,
        "Budget",
        "Buy a second set of decodable readers for grades 1-2.",
        "Classrooms share one set; students wait for books during small groups.",
        "Order the decodable readers",
    ),
    (
        "Counselor hiring panel",
        10,
        "Hiring",
        "The principal will hire the counselor after the panel's input.",
        "A teacher and a parent sit on the panel with the principal.",
        "Set the interview dates for the counselor panel",
    ),
]
NEXT_ITEMS = [
    ("Attendance: chronic absence by grade", ItemKind.DISCUSS, 20),
    ("Schedule for spring learning walks", ItemKind.DECIDE, 15),
    ("Work plan: where our measures stand", ItemKind.DISCUSS, 20),
]


@contextmanager
def timestamps_as_given(model, *names):
    """Let bulk_create write the dates the demo chose: auto_now(_add) would stamp them all now.

    Only the seeding command runs this, on one thread, around single bulk inserts.
    """
    fields = [model._meta.get_field(name) for name in names]
    saved = [(f.auto_now, f.auto_now_add) for f in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, (auto_now, auto_now_add) in zip(fields, saved, strict=True):
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def meeting_days(first: date, count: int) -> list[date]:
    """Every two weeks from `first`, skipping the winter break (from Dec 19 to Jan 3)."""
    days, day = [], first
    while len(days) < count:
        in_break = (day.month == 12 and day.day >= 19) or (day.month == 1 and day.day <= 3)
        if not in_break:
            days.append(day)
        day += timedelta(weeks=2)
    return days


def _tally(model: str, present: int, rng: random.Random) -> tuple[dict, str]:
    """The poll counts a decision taken by `model` would carry, and its outcome."""
    if model in (DecisionModel.FIST_TO_FIVE, DecisionModel.CONSENSUS):
        counts = {str(n): 0 for n in range(6)}
        low = 3 if model == DecisionModel.CONSENSUS else 2
        for _ in range(present):
            counts[str(rng.choice([low, 3, 4, 4, 5, 5]))] += 1
        outcome = DecisionOutcome.ADOPTED
        if model == DecisionModel.FIST_TO_FIVE and counts["2"] >= 2:
            outcome = DecisionOutcome.DEFERRED
        kind = "fist_to_five"
        return {"poll": "Ready to go ahead?", "kind": kind, "counts": counts}, outcome
    if model == DecisionModel.MAJORITY:
        no = rng.choice([0, 0, 1, 1, 2, 3])
        no = min(no, present)
        abstain = 1 if present - no > 2 and rng.random() < 0.3 else 0
        yes = present - no - abstain
        outcome = DecisionOutcome.ADOPTED if yes > no else DecisionOutcome.REJECTED
        counts = {"yes": yes, "no": no, "abstain": abstain}
        return {"poll": "Do we adopt it?", "kind": "yes_no", "counts": counts}, outcome
    return {}, DecisionOutcome.ADOPTED


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

    tz = clock.zone_of(district)
    now = timezone.now()
    today = clock.today_in(district)
    rngs = {school.pk: random.Random(f"{school.slug}:teams") for school in todo}

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
    members = TeamMember.objects.bulk_create(members, batch_size=BATCH)
    members_of: dict[int, list[TeamMember]] = {}
    for member in members:
        members_of.setdefault(member.team_id, []).append(member)

    # Meetings: every two weeks on the school's own weekday and hour.
    meetings: list[Meeting] = []
    for team in teams:
        rng = rngs[team.school_id]
        first = year.start + timedelta(days=rng.randint(1, 4))
        hour = rng.choice([time(7, 30), time(15, 30), time(15, 30), time(16, 0)])
        days = meeting_days(first, MEETINGS)
        starts = [datetime.combine(day, hour, tzinfo=tz) for day in days]
        held = [s for s in starts if s + timedelta(minutes=60) <= now]
        last_held = held[-1] if held else None
        for starts_at in starts:
            is_held = starts_at in held
            meetings.append(
                Meeting(
                    team=team,
                    starts_at=starts_at,
                    duration_minutes=60,
                    location=rng.choice(["Library", "Library", "Room 12", "Staff lounge"]),
                    status=MeetingStatus.HELD if is_held else MeetingStatus.SCHEDULED,
                    # Minutes are approved at the next meeting, so the latest stay a draft.
                    minutes_status=MinutesStatus.APPROVED
                    if is_held and starts_at != last_held
                    else MinutesStatus.DRAFT,
                    approved_at=starts_at + timedelta(days=14, minutes=10)
                    if is_held and starts_at != last_held
                    else None,
                    agenda_sent_at=starts_at - timedelta(days=2) if is_held else None,
                    updated_at=starts_at + timedelta(hours=1) if is_held else now,
                )
            )
    meetings = Meeting.objects.bulk_create(meetings, batch_size=BATCH)
    meetings_of: dict[int, list[Meeting]] = {}
    for meeting in meetings:
        meetings_of.setdefault(meeting.team_id, []).append(meeting)

    # Agenda items, decisions and action items of the held meetings. The objects are built
    # per team, then written kind by kind.
    attendance: list[Attendance] = []
    items: list[AgendaItem] = []
    pending_decisions: list[tuple[AgendaItem, Decision]] = []
    pending_actions: list[tuple[AgendaItem, ActionItem]] = []
    for team in teams:
        rng = rngs[team.school_id]
        team_members = members_of.get(team.pk, [])
        rate = rng.uniform(0.78, 0.97)
        note_taker = next(
            (m.user_id for m in team_members if m.role == TeamRole.NOTE_TAKER),
            team_members[0].user_id if team_members else None,
        )
        decision_pool = rng.sample(DECISIONS, len(DECISIONS))
        for meeting in meetings_of[team.pk]:
            if meeting.status != MeetingStatus.HELD:
                continue
            day = meeting.starts_at.date()
            present = {m.pk: rng.random() < rate for m in team_members}
            decide = decision_pool.pop() if decision_pool and rng.random() < 0.7 else None
            if decide is not None:
                # A decision needs its quorum: the absent are the first to be counted present.
                for m in team_members:
                    if sum(present.values()) >= QUORUM[decide[2]]:
                        break
                    present[m.pk] = True
            attendance.extend(
                Attendance(meeting=meeting, member=m, present=present[m.pk]) for m in team_members
            )
            order = 1
            title, kind, minutes, notes = OPENER
            items.append(
                AgendaItem(
                    meeting=meeting,
                    order=order,
                    title=title,
                    kind=kind,
                    minutes_allotted=minutes,
                    notes=notes,
                    version=2,
                )
            )
            for title, kind, minutes, notes, actions in rng.sample(TOPICS, rng.randint(2, 3)):
                order += 1
                item = AgendaItem(
                    meeting=meeting,
                    order=order,
                    title=title,
                    kind=kind,
                    minutes_allotted=minutes,
                    notes=notes,
                    version=2,
                )
                items.append(item)
                if actions and team_members and rng.random() < 0.6:
                    pending_actions.append(
                        (
                            item,
                            ActionItem(
                                team=team,
                                meeting=meeting,
                                title=rng.choice(actions),
                                owner_id=rng.choice(team_members).user_id,
                                due=day + timedelta(days=rng.choice([7, 10, 14, 21])),
                            ),
                        )
                    )
            if decide is not None:
                title, minutes, area, text, rationale, follow_up = decide
                order += 1
                item = AgendaItem(
                    meeting=meeting,
                    order=order,
                    title=title,
                    kind=ItemKind.DECIDE,
                    minutes_allotted=minutes,
                    notes=rationale,
                    version=2,
                )
                items.append(item)
                count = sum(present.values())
                tally, outcome = _tally(MODEL[area], count, rng)
                pending_decisions.append(
                    (
                        item,
                        Decision(
                            meeting=meeting,
                            rule=rule_of[(team.pk, area)],
                            model_used=MODEL[area],
                            text=text,
                            rationale=rationale,
                            outcome=outcome,
                            tally=tally,
                            present=count,
                            review_on=day + timedelta(days=90)
                            if outcome == DecisionOutcome.ADOPTED
                            else None,
                            recorded_by_id=note_taker,
                            created_at=meeting.starts_at + timedelta(minutes=45),
                        ),
                    )
                )
                if outcome == DecisionOutcome.ADOPTED and team_members:
                    pending_actions.append(
                        (
                            item,
                            ActionItem(
                                team=team,
                                meeting=meeting,
                                title=follow_up,
                                owner_id=rng.choice(team_members).user_id,
                                due=day + timedelta(days=rng.choice([7, 14, 21, 28])),
                            ),
                        )
                    )
        # The next meeting's agenda is written; later ones carry a standing item.
        upcoming = [m for m in meetings_of[team.pk] if m.status == MeetingStatus.SCHEDULED]
        for n, meeting in enumerate(upcoming):
            planned = NEXT_ITEMS if n == 0 else NEXT_ITEMS[2:]
            for order, (title, kind, minutes) in enumerate(planned, start=1):
                items.append(
                    AgendaItem(
                        meeting=meeting,
                        order=order,
                        title=title,
                        kind=kind,
                        minutes_allotted=minutes,
                    )
                )

    Attendance.objects.bulk_create(attendance, batch_size=BATCH)
    AgendaItem.objects.bulk_create(items, batch_size=BATCH)
    decisions = []
    for item, decision in pending_decisions:
        decision.item = item
        decisions.append(decision)
    with timestamps_as_given(Decision, "created_at"):
        Decision.objects.bulk_create(decisions, batch_size=BATCH)

    # Action items: most of those due are done, some are overdue, the recent ones are open.
    actions = []
    for item, action in pending_actions:
        rng = rngs[action.team.school_id]
        action.item = item
        action.created_at = action.meeting.starts_at + timedelta(minutes=50)
        if action.due < today:
            roll = rng.random()
            action.status = (
                ActionStatus.DONE
                if roll < 0.72
                else ActionStatus.DROPPED
                if roll < 0.78
                else ActionStatus.OPEN
            )
        else:
            action.status = ActionStatus.DONE if rng.random() < 0.2 else ActionStatus.OPEN
        actions.append(action)
    with timestamps_as_given(ActionItem, "created_at"):
        ActionItem.objects.bulk_create(actions, batch_size=BATCH)

    # Follow-ups: an action is carried to every later meeting while it is open (a done one
    # until its due date), and the open ones to the next scheduled meeting too, as
    # `services.carry_open_actions` does when a meeting is scheduled or started.
    actions_of: dict[int, list[ActionItem]] = {}
    for action in actions:
        actions_of.setdefault(action.team_id, []).append(action)
    next_order: dict[int, int] = {}
    for item in items:
        next_order[item.meeting_id] = max(next_order.get(item.meeting_id, 0), item.order)
    carried = []
    for team in teams:
        upcoming = [m for m in meetings_of[team.pk] if m.status == MeetingStatus.SCHEDULED]
        targets = [m for m in meetings_of[team.pk] if m.status == MeetingStatus.HELD]
        targets += upcoming[:1]
        for meeting in targets:
            for action in actions_of.get(team.pk, []):
                if action.meeting.starts_at >= meeting.starts_at:
                    continue
                still_open = action.status == ActionStatus.OPEN or (
                    meeting.status == MeetingStatus.HELD and action.due >= meeting.starts_at.date()
                )
                if not still_open:
                    continue
                next_order[meeting.pk] = next_order.get(meeting.pk, 0) + 1
                carried.append(
                    AgendaItem(
                        meeting=meeting,
                        order=next_order[meeting.pk],
                        title=f"Follow-up: {action.title}"[:200],
                        kind=ItemKind.INFORM,
                        minutes_allotted=5,
                        notes="Reported on." if meeting.status == MeetingStatus.HELD else "",
                        carried_action=action,
                    )
                )
    AgendaItem.objects.bulk_create(carried, batch_size=BATCH, ignore_conflicts=True)
    versions.mark_changed(school_ids=[school.pk for school in todo])  # bulk writes: no service
    held = sum(1 for m in meetings if m.status == MeetingStatus.HELD)
    return (
        f"{len(teams)} ILTs with {len(members)} members, {held} held and "
        f"{len(meetings) - held} scheduled meetings, {len(decisions)} decisions, "
        f"{len(actions)} action items."
    )
