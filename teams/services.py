"""Every write of the teams app: teams, meetings, agenda, attendance, minutes, polls,
decisions, action items."""

from __future__ import annotations

import os
from collections import Counter
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from leadership import audit, clock, edits, outbox, versions
from leadership.models import Membership, SchoolYear, User
from leadership.permissions import is_principal
from leadership.updates import model_update
from leadership.uploads import size_label

from .models import (
    POLL_CHOICES,
    ActionItem,
    ActionStatus,
    AgendaItem,
    AgendaProposal,
    Attendance,
    Cadence,
    Decision,
    DecisionModel,
    DecisionOutcome,
    DecisionRule,
    ItemKind,
    Meeting,
    MeetingStatus,
    MinutesRule,
    MinutesStatus,
    Poll,
    PollKind,
    Proposal,
    ProposalAnswer,
    ProposalState,
    ProposalStatus,
    StakeholderSeat,
    Team,
    TeamMember,
    TeamRole,
    Vote,
)

MEETING_CLOSED = _("This meeting is closed; its agenda, attendance and polls can no longer change.")
MEETING_NOT_LIVE = _("Start the meeting first.")
MEETING_ALREADY_STARTED = _("This meeting has already started.")
MEETING_OTHER_DAY = _(
    "This meeting is scheduled for %(date)s, not today. Start it now only if the team is "
    "meeting now; otherwise reschedule it."
)
MINUTES_APPROVED = _("These minutes are approved and can no longer be edited.")
MINUTES_STALE = _(
    "Someone else saved the minutes of this item while you were typing. Their version is shown "
    "beside yours: combine them and save again."
)
MINUTES_NOT_HELD = _("Minutes are approved once the meeting has been held.")
MINUTES_NEED_NEXT_MEETING = _(
    "Minutes are approved at the team's next meeting, once it has started."
)
POLL_ANSWERED = _("You have already answered this poll. One answer per member.")
POLL_NOT_MEMBER = _("Only members of this team answer its polls.")
POLL_CLOSED = _("This poll is closed.")
POLL_BAD_CHOICE = _("Choose one of the answers offered.")
DECISION_WRONG_MODEL = _(
    "Refused: the team's charter says decisions on “%(area)s” are taken by %(rule)s, "
    "not by %(used)s."
)
DECISION_NO_QUORUM = _(
    "Refused: decisions on “%(area)s” need a quorum of %(quorum)s members present; "
    "%(present)s are marked present."
)
DECISION_POLL_MISMATCH = _("The poll's kind does not match how the decision was taken.")
ITEM_WRONG_MEETING = _("That agenda item belongs to another meeting.")
OWNER_NOT_MEMBER = _("The owner of an action item must be a member of the team.")
RECURRING_RANGE = _("Schedule between 1 and 20 meetings at once.")

# Which poll kinds can carry the tally of a decision model.
POLL_FOR_MODEL = {
    DecisionModel.FIST_TO_FIVE: PollKind.FIST_TO_FIVE,
    DecisionModel.MAJORITY: PollKind.YES_NO,
    DecisionModel.CONSENT: PollKind.CONSENT,
    DecisionModel.CONSENSUS: PollKind.FIST_TO_FIVE,
}


def _touch(meeting: Meeting) -> None:
    """Move the live page's version stamp on, so every follower fetches the change."""
    now = timezone.now()
    Meeting.objects.filter(pk=meeting.pk).update(updated_at=now)
    meeting.updated_at = now


def _locked(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("team__school")
        .get(pk=meeting.pk)
    )


def _require_open(meeting: Meeting) -> None:
    if meeting.is_closed:
        raise ValidationError(MEETING_CLOSED)


# --- meetings -------------------------------------------------------------------------


@transaction.atomic
def meeting_schedule(
    *,
    team: Team,
    actor: User,
    starts_at: datetime,
    duration_minutes: int = 60,
    location: str = "",
    repeat: int = 1,
) -> list[Meeting]:
    """One meeting, or `repeat` meetings on the team's cadence."""
    if not 1 <= repeat <= 20:
        raise ValidationError({"repeat": RECURRING_RANGE})
    step = Cadence.step(team.cadence)
    meetings = []
    for n in range(repeat):
        meeting = Meeting(
            team=team,
            starts_at=starts_at + step * n,
            duration_minutes=duration_minutes,
            location=location.strip(),
        )
        meeting.full_clean()
        meeting.save()
        audit.record(
            actor=actor,
            action="meeting.schedule",
            obj=meeting,
            school=team.school,
            after=audit.snapshot(meeting, ["team", "starts_at", "duration_minutes", "location"]),
        )
        versions.mark_changed(school=team.school)
        meetings.append(meeting)
    carry_open_actions(meeting=meetings[0])
    carry_due_reviews(team=team)
    return meetings


@transaction.atomic
def carry_open_actions(*, meeting: Meeting) -> int:
    """Put the team's open action items from earlier meetings on this meeting's agenda.

    Idempotent: an action already carried here is skipped (a unique constraint backs it).
    Returns how many items were added.
    """
    if meeting.is_closed:
        return 0
    open_actions = ActionItem.objects.filter(
        team_id=meeting.team_id,
        status=ActionStatus.OPEN,
        meeting__starts_at__lt=meeting.starts_at,
    ).exclude(carried_to__meeting=meeting)
    open_actions = list(open_actions.select_related("owner"))
    if not open_actions:
        return 0
    last = meeting.items.aggregate(m=Max("order"))["m"] or 0
    AgendaItem.objects.bulk_create(
        [
            AgendaItem(
                meeting=meeting,
                order=last + i + 1,
                title=str(_("Follow-up: %(title)s")) % {"title": action.title[:180]},
                minutes_allotted=5,
                presenter=str(action.owner)[:150],
                kind=ItemKind.INFORM,
                carried_action=action,
            )
            for i, action in enumerate(open_actions)
        ],
        ignore_conflicts=True,
    )
    _touch(meeting)
    versions.mark_changed_where(Team.objects.filter(pk=meeting.team_id).values("school_id"))
    return len(open_actions)


@transaction.atomic
def meeting_start(*, meeting: Meeting, actor: User, other_day: bool = False) -> Meeting:
    """Start a scheduled meeting; one dated another day (in the district's calendar) only
    when the facilitator confirms it (`other_day`), refused with code "other_day" before."""
    meeting = _locked(meeting)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError(MEETING_ALREADY_STARTED)
    district = meeting.team.school.district
    day = timezone.localtime(meeting.starts_at, clock.zone_of(district)).date()
    if day != clock.today_in(district) and not other_day:
        raise ValidationError(
            MEETING_OTHER_DAY % {"date": date_format(day, "DATE_FORMAT")}, code="other_day"
        )
    meeting.status = MeetingStatus.IN_PROGRESS
    first = meeting.items.order_by("order", "id").first()
    meeting.current_item = first
    meeting.current_item_started_at = timezone.now() if first else None
    meeting.save(update_fields=["status", "current_item", "current_item_started_at"])
    carry_open_actions(meeting=meeting)
    if meeting.current_item is None:
        meeting.current_item = meeting.items.order_by("order", "id").first()
        if meeting.current_item:
            meeting.current_item_started_at = timezone.now()
            meeting.save(update_fields=["current_item", "current_item_started_at"])
    _touch(meeting)
    audit.record(actor=actor, action="meeting.start", obj=meeting, school=meeting.team.school)
    versions.mark_changed(school=meeting.team.school)
    return meeting


@transaction.atomic
def meeting_close(*, meeting: Meeting, actor: User) -> Meeting:
    meeting = _locked(meeting)
    if meeting.status != MeetingStatus.IN_PROGRESS:
        raise ValidationError(MEETING_NOT_LIVE)
    meeting.status = MeetingStatus.HELD
    meeting.current_item = None
    meeting.save(update_fields=["status", "current_item"])
    Poll.objects.filter(item__meeting=meeting, is_open=True).update(is_open=False)
    _touch(meeting)
    audit.record(actor=actor, action="meeting.close", obj=meeting, school=meeting.team.school)
    versions.mark_changed(school=meeting.team.school)
    return meeting


@transaction.atomic
def attendance_mark(*, meeting: Meeting, member: TeamMember, present: bool, actor: User) -> None:
    meeting = _locked(meeting)
    _require_open(meeting)
    Attendance.objects.update_or_create(
        meeting=meeting, member=member, defaults={"present": present}
    )
    _touch(meeting)
    versions.mark_changed(school=meeting.team.school)


# --- agenda ---------------------------------------------------------------------------


@transaction.atomic
def agenda_item_add(
    *,
    meeting: Meeting,
    actor: User,
    title: str,
    minutes_allotted: int,
    kind: str = ItemKind.DISCUSS,
    presenter: str = "",
) -> AgendaItem:
    meeting = _locked(meeting)
    _require_open(meeting)
    last = meeting.items.aggregate(m=Max("order"))["m"] or 0
    item = AgendaItem(
        meeting=meeting,
        order=last + 1,
        title=title.strip(),
        minutes_allotted=minutes_allotted,
        kind=kind,
        presenter=presenter.strip(),
    )
    item.full_clean()
    item.save()
    _touch(meeting)
    audit.record(
        actor=actor,
        action="agenda_item.add",
        obj=item,
        school=meeting.team.school,
        after=audit.snapshot(item, ["title", "minutes_allotted", "kind", "presenter"]),
    )
    versions.mark_changed(school=meeting.team.school)
    return item


@transaction.atomic
def agenda_item_move(*, item: AgendaItem, actor: User, direction: str) -> None:
    """Swap the item with its neighbour above ("up") or below ("down")."""
    meeting = _locked(item.meeting)
    _require_open(meeting)
    items = list(meeting.items.order_by("order", "id"))
    index = next(i for i, it in enumerate(items) if it.pk == item.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    for order, it in enumerate(items, start=1):
        it.order = order
    AgendaItem.objects.bulk_update(items, ["order"])
    _touch(meeting)
    versions.mark_changed(school=meeting.team.school)


@transaction.atomic
def current_item_set(*, item: AgendaItem, actor: User) -> Meeting:
    meeting = _locked(item.meeting)
    if meeting.status != MeetingStatus.IN_PROGRESS:
        raise ValidationError(MEETING_NOT_LIVE)
    meeting.current_item = item
    meeting.current_item_started_at = timezone.now()
    meeting.save(update_fields=["current_item", "current_item_started_at"])
    _touch(meeting)
    versions.mark_changed(school=meeting.team.school)
    return meeting


class StaleMinutes(edits.StaleEdit):
    """The minutes changed since the editor loaded them; carries the saved version.

    The minutes keep the version counter they had before the other edit forms got their
    fingerprints (leadership.edits); the refusal and the page are the same."""

    def __init__(self, current: AgendaItem):
        super().__init__(
            current, str(current.version), entry=edits.last_saved(current), message=MINUTES_STALE
        )


@transaction.atomic
def minutes_save(*, item: AgendaItem, actor: User, notes: str, version: int) -> AgendaItem:
    """Save the minutes of an item if nobody saved since `version`; never overwrite silently."""
    meeting = _locked(item.meeting)
    if meeting.minutes_status == MinutesStatus.APPROVED:
        raise ValidationError(MINUTES_APPROVED)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(MEETING_CLOSED)
    current = AgendaItem.objects.select_for_update().get(pk=item.pk)
    if current.version != version:
        raise StaleMinutes(current)
    before = audit.snapshot(current, ["notes", "version"])
    current.notes = notes
    current.full_clean()
    AgendaItem.objects.filter(pk=current.pk, version=version).update(
        notes=notes, version=F("version") + 1
    )
    current.refresh_from_db()
    _touch(meeting)
    audit.record(
        actor=actor,
        action="minutes.save",
        obj=current,
        school=meeting.team.school,
        before=before,
        after=audit.snapshot(current, ["notes", "version"]),
    )
    versions.mark_changed(school=meeting.team.school)
    return current


def next_started(meeting: Meeting) -> bool:
    return Meeting.objects.filter(
        team_id=meeting.team_id,
        starts_at__gt=meeting.starts_at,
        status__in=[MeetingStatus.IN_PROGRESS, MeetingStatus.HELD],
    ).exists()


@transaction.atomic
def minutes_rule_set(*, team: Team, actor: User, minutes_rule: str) -> Team:
    """The team's rule for approving minutes: at the next meeting, or when the meeting closes."""
    before = audit.snapshot(team, ["minutes_rule"])
    model_update(instance=team, fields=["minutes_rule"], data={"minutes_rule": minutes_rule})
    audit.record(
        actor=actor,
        action="team.minutes_rule",
        obj=team,
        school=team.school,
        before=before,
        after=audit.snapshot(team, ["minutes_rule"]),
    )
    versions.mark_changed(school=team.school)
    return team


@transaction.atomic
def minutes_approve(*, meeting: Meeting, actor: User) -> Meeting:
    """Approve a held meeting's minutes: at the team's next meeting (started after it), or at
    once when the team's rule is to approve them when the meeting closes."""
    meeting = _locked(meeting)
    if meeting.status != MeetingStatus.HELD:
        raise ValidationError(MINUTES_NOT_HELD)
    if meeting.minutes_status == MinutesStatus.APPROVED:
        raise ValidationError(MINUTES_APPROVED)
    if meeting.team.minutes_rule != MinutesRule.AT_CLOSE and not next_started(meeting):
        raise ValidationError(MINUTES_NEED_NEXT_MEETING)
    meeting.minutes_status = MinutesStatus.APPROVED
    meeting.approved_at = timezone.now()
    meeting.save(update_fields=["minutes_status", "approved_at"])
    _touch(meeting)
    audit.record(
        actor=actor,
        action="minutes.approve",
        obj=meeting,
        school=meeting.team.school,
        before={"minutes_status": MinutesStatus.DRAFT},
        after={"minutes_status": MinutesStatus.APPROVED},
    )
    versions.mark_changed(school=meeting.team.school)
    return meeting


@transaction.atomic
def agenda_send(*, meeting: Meeting, actor: User) -> None:
    """Queue the agenda e-mail to the members; the task sends it once to each."""
    _require_open(meeting)
    audit.record(actor=actor, action="meeting.agenda_send", obj=meeting, school=meeting.team.school)
    versions.mark_changed(school=meeting.team.school)
    outbox.enqueue("teams.tasks.send_meeting_agenda", meeting.pk)


# --- polls ----------------------------------------------------------------------------


@transaction.atomic
def poll_open(*, item: AgendaItem, actor: User, kind: str, question: str) -> Poll:
    meeting = _locked(item.meeting)
    if meeting.status != MeetingStatus.IN_PROGRESS:
        raise ValidationError(MEETING_NOT_LIVE)
    poll = Poll(item=item, kind=kind, question=question.strip())
    poll.full_clean()
    poll.save()
    _touch(meeting)
    audit.record(actor=actor, action="poll.open", obj=poll, school=meeting.team.school)
    versions.mark_changed(school=meeting.team.school)
    return poll


POLL_ALREADY_CLOSED = _("This poll is already closed.")


@transaction.atomic
def poll_close(*, poll: Poll, actor: User) -> Poll:
    """Close a poll by hand (the meeting's close, or a decision on it, close it too)."""
    meeting = _locked(poll.item.meeting)
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if not poll.is_open:
        raise ValidationError(POLL_ALREADY_CLOSED)
    Poll.objects.filter(pk=poll.pk).update(is_open=False)
    poll.is_open = False
    _touch(meeting)
    audit.record(actor=actor, action="poll.close", obj=poll, school=meeting.team.school)
    versions.mark_changed(school=meeting.team.school)
    return poll


@transaction.atomic
def vote_cast(*, poll: Poll, user: User, value: str, objection: str = "") -> Vote:
    meeting = _locked(poll.item.meeting)
    member = TeamMember.objects.active().filter(team_id=meeting.team_id, user=user).first()
    if member is None:
        raise ValidationError(POLL_NOT_MEMBER)
    poll = Poll.objects.get(pk=poll.pk)
    if not poll.is_open or meeting.is_closed:
        raise ValidationError(POLL_CLOSED)
    if value not in {code for code, _label in poll.choices}:
        raise ValidationError({"value": POLL_BAD_CHOICE})
    vote = Vote(poll=poll, member=member, value=value, objection=objection.strip()[:500])
    try:
        # The unique constraint decides, so two taps at once still count once.
        with transaction.atomic():
            vote.save()
    except IntegrityError:
        raise ValidationError(POLL_ANSWERED) from None
    _touch(meeting)
    versions.mark_changed(school=meeting.team.school)
    return vote


def poll_tally(poll: Poll) -> dict[str, int]:
    """Counts per answer, in the poll's order; reads prefetched votes when there are."""
    counts = Counter(vote.value for vote in poll.votes.all())
    return {code: counts.get(code, 0) for code, _label in poll.choices}


# --- decisions ------------------------------------------------------------------------


@transaction.atomic
def decision_record(
    *,
    item: AgendaItem,
    actor: User,
    rule: DecisionRule,
    model_used: str,
    text: str,
    outcome: str,
    rationale: str = "",
    poll: Poll | None = None,
    review_on: date | None = None,
) -> Decision:
    """Record a decision, refused with the reason when it does not follow the team's charter."""
    meeting = _locked(item.meeting)
    if meeting.status != MeetingStatus.IN_PROGRESS:
        raise ValidationError(MEETING_NOT_LIVE)
    if rule.team_id != meeting.team_id or (poll is not None and poll.item.meeting_id != meeting.pk):
        raise ValidationError(ITEM_WRONG_MEETING)
    present = meeting.attendance.filter(present=True).count()
    tally = {}
    if poll is not None:
        if POLL_FOR_MODEL.get(model_used) != poll.kind:
            charter_check(rule=rule, model_used=model_used, present=present)
            raise ValidationError({"poll": DECISION_POLL_MISMATCH})
        tally = {"poll": poll.question, "kind": poll.kind, "counts": poll_tally(poll)}
    decision = _decision_save(
        actor=actor,
        team=meeting.team,
        rule=rule,
        model_used=model_used,
        text=text,
        rationale=rationale,
        outcome=outcome,
        tally=tally,
        present=present,
        review_on=review_on,
        item=item,
        meeting=meeting,
    )
    if poll is not None and poll.is_open:
        Poll.objects.filter(pk=poll.pk).update(is_open=False)
    _touch(meeting)
    return decision


def charter_check(*, rule: DecisionRule, model_used: str, present: int) -> None:
    """The charter's checks on every decision, taken in a meeting or on a proposal: the area's
    method, and its quorum (members present, or members who answered a proposal)."""
    if model_used != rule.model:
        raise ValidationError(
            DECISION_WRONG_MODEL
            % {
                "area": rule.area,
                "rule": rule.get_model_display(),
                "used": DecisionModel(model_used).label,
            }
        )
    if rule.quorum and present < rule.quorum:
        raise ValidationError(
            DECISION_NO_QUORUM % {"area": rule.area, "quorum": rule.quorum, "present": present}
        )


def _decision_save(
    *,
    actor: User | None,
    team: Team,
    rule: DecisionRule,
    model_used: str,
    text: str,
    rationale: str,
    outcome: str,
    tally: dict,
    present: int,
    review_on: date | None = None,
    item: AgendaItem | None = None,
    meeting: Meeting | None = None,
    proposal=None,
) -> Decision:
    """Write a decision to the log after the charter's checks; the one way both meetings and
    proposals record one."""
    charter_check(rule=rule, model_used=model_used, present=present)
    decision = Decision(
        item=item,
        meeting=meeting,
        proposal=proposal,
        rule=rule,
        model_used=model_used,
        text=text.strip(),
        rationale=rationale.strip(),
        outcome=outcome,
        tally=tally,
        present=present,
        review_on=review_on,
        recorded_by=actor,
    )
    decision.full_clean()
    decision.save()
    audit.record(
        actor=actor,
        action="decision.record",
        obj=decision,
        school=team.school,
        after=audit.snapshot(
            decision, ["rule", "model_used", "text", "rationale", "outcome", "tally", "present"]
        ),
    )
    versions.mark_changed(school=team.school)
    if review_on is not None:
        carry_due_reviews(team=team)
    return decision


REVIEW_TITLE = _("Review: %(text)s")


@transaction.atomic
def carry_due_reviews(*, team: Team) -> int:
    """Put a review item for each decision whose review date has come on the team's first
    open meeting on or after that date; once per decision (a unique link backs it)."""
    due = list(
        Decision.objects.filter(
            Q(meeting__team=team) | Q(proposal__team=team),
            review_on__isnull=False,
            review_item__isnull=True,
        )
    )
    added = 0
    district = team.school.district
    for decision in due:
        first = (
            team.meetings.filter(
                status__in=[MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS],
                starts_at__gte=clock.start_of_day(district, decision.review_on),
            )
            .order_by("starts_at")
            .first()
        )
        if first is None:
            continue
        last = first.items.aggregate(m=Max("order"))["m"] or 0
        AgendaItem.objects.create(
            meeting=first,
            order=last + 1,
            title=(str(REVIEW_TITLE) % {"text": decision.text})[:200],
            minutes_allotted=10,
            kind=ItemKind.DISCUSS,
            review_of=decision,
        )
        _touch(first)
        added += 1
    if added:
        versions.mark_changed(school=team.school)
    return added


# --- action items ---------------------------------------------------------------------


@transaction.atomic
def action_item_create(
    *, meeting: Meeting, actor: User, title: str, owner: User, due: date, item=None
) -> ActionItem:
    meeting = _locked(meeting)
    _require_open(meeting)
    if not TeamMember.objects.active().filter(team_id=meeting.team_id, user=owner).exists():
        raise ValidationError({"owner": OWNER_NOT_MEMBER})
    action = ActionItem(
        team_id=meeting.team_id,
        meeting=meeting,
        item=item,
        title=title.strip(),
        owner=owner,
        due=due,
    )
    action.full_clean()
    action.save()
    _touch(meeting)
    audit.record(
        actor=actor,
        action="action_item.create",
        obj=action,
        school=meeting.team.school,
        after=audit.snapshot(action, ["title", "owner", "due"]),
    )
    versions.mark_changed(school=meeting.team.school)
    return action


@transaction.atomic
def action_item_set_status(*, action: ActionItem, actor: User, status: str) -> ActionItem:
    before = audit.snapshot(action, ["status"])
    model_update(instance=action, fields=["status"], data={"status": status})
    audit.record(
        actor=actor,
        action="action_item.status",
        obj=action,
        school=action.team.school,
        before=before,
        after=audit.snapshot(action, ["status"]),
    )
    versions.mark_changed(school=action.team.school)
    return action


ACTION_FIELDS = ["title", "owner", "due"]


def action_version(action: ActionItem) -> str:
    return edits.version_of(action, ACTION_FIELDS)


@transaction.atomic
def action_item_update(
    *, action: ActionItem, actor: User, title: str, owner: User, due: date, version: str | None
) -> ActionItem:
    """Edit or reassign an action item; refused when someone saved it since the form loaded."""
    action = ActionItem.objects.select_for_update().select_related("team__school").get(pk=action.pk)
    edits.refuse_if_stale(action, version, action_version(action))
    if not TeamMember.objects.active().filter(team_id=action.team_id, user=owner).exists():
        raise ValidationError({"owner": OWNER_NOT_MEMBER})
    before = audit.snapshot(action, ACTION_FIELDS)
    model_update(
        instance=action,
        fields=ACTION_FIELDS,
        data={"title": title.strip(), "owner": owner, "due": due},
    )
    Meeting.objects.filter(pk=action.meeting_id).update(updated_at=timezone.now())
    audit.record(
        actor=actor,
        action="action_item.update",
        obj=action,
        school=action.team.school,
        before=before,
        after=audit.snapshot(action, ACTION_FIELDS),
    )
    versions.mark_changed(school=action.team.school)
    return action


# --- teams, seats and the charter -----------------------------------------------------

NOT_OF_SCHOOL = _("This person holds no role at this school.")
NO_CURRENT_YEAR = _("The district has no current school year.")


@transaction.atomic
def team_create(
    *, school, actor: User, kind: str, name: str, purpose: str = "", cadence: str = Cadence.BIWEEKLY
) -> Team:
    """A team of the district's current school year; the database keeps one ILT per year."""
    year = SchoolYear.objects.filter(district_id=school.district_id, is_current=True).first()
    if year is None:
        raise ValidationError(NO_CURRENT_YEAR)
    team = Team(
        school=school,
        school_year=year,
        kind=kind,
        name=name.strip(),
        purpose=purpose.strip(),
        cadence=cadence,
    )
    team.full_clean()
    team.save()
    audit.record(
        actor=actor,
        action="team.create",
        obj=team,
        school=school,
        after=audit.snapshot(team, ["kind", "name", "school_year", "cadence"]),
    )
    versions.mark_changed(school=school)
    return team


@transaction.atomic
def member_add(
    *,
    team: Team,
    actor: User,
    user: User,
    stakeholder_group: str,
    role: str,
    term_start: date | None = None,
    term_end: date | None = None,
) -> TeamMember:
    if not Membership.objects.active().filter(user=user, school_id=team.school_id).exists():
        raise ValidationError({"user": NOT_OF_SCHOOL})
    member = TeamMember.objects.filter(team=team, user=user).first() or TeamMember(
        team=team, user=user
    )
    before = audit.snapshot(member, ["stakeholder_group", "role", "is_active"]) if member.pk else {}
    member.stakeholder_group = stakeholder_group
    member.role = role
    member.term_start = term_start
    member.term_end = term_end
    member.is_active = True
    member.full_clean()
    member.save()
    audit.record(
        actor=actor,
        action="team_member.save",
        obj=member,
        school=team.school,
        before=before,
        after=audit.snapshot(member, ["user", "stakeholder_group", "role", "is_active"]),
    )
    versions.mark_changed(school=team.school)
    return member


RULE_FIELDS = ["area", "model", "who_decides", "quorum"]


def charter_version(team: Team, rules: list[DecisionRule] | None = None) -> str:
    """The version of the team's charter its form carries: every line of it.

    The form adds a line or changes any line (by its area), so the whole charter as the
    person saw it is what they edit; `rules` when the caller already read them."""
    rules = list(team.decision_rules.all()) if rules is None else rules
    lines = sorted([rule.area.lower(), rule.model, rule.who_decides, rule.quorum] for rule in rules)
    return edits.fingerprint({"charter": lines})


@transaction.atomic
def rule_save(
    *,
    team: Team,
    actor: User,
    area: str,
    model: str,
    who_decides: str,
    quorum: int = 0,
    version: str | None = None,
) -> DecisionRule:
    """Write one line of the charter (a new area, or a changed one), before/after audited;
    refused if someone changed the charter since the form's `version` (StaleEdit, carrying
    the line of this area as saved now, or a new one)."""
    area = area.strip()
    # One charter write at a time: the team's row is the charter's lock.
    Team.objects.select_for_update().values_list("pk", flat=True).get(pk=team.pk)
    rules = list(DecisionRule.objects.filter(team=team))
    rule = next((r for r in rules if r.area.lower() == area.lower()), None) or DecisionRule(
        team=team, area=area
    )
    edits.refuse_if_stale(rule, version, charter_version(team, rules), also=rules)
    before = audit.snapshot(rule, RULE_FIELDS) if rule.pk else {}
    rule.model = model
    rule.who_decides = who_decides.strip()
    rule.quorum = quorum
    rule.full_clean()
    rule.save()
    audit.record(
        actor=actor,
        action="decision_rule.save",
        obj=rule,
        school=team.school,
        before=before,
        after=audit.snapshot(rule, RULE_FIELDS),
    )
    versions.mark_changed(school=team.school)
    return rule


@transaction.atomic
def seat_set(*, team: Team, actor: User, stakeholder_group: str, seats_required: int) -> None:
    """Set the seats the charter requires for a group; 0 removes the requirement."""
    existing = StakeholderSeat.objects.filter(team=team, stakeholder_group=stakeholder_group)
    before = {"seats_required": existing.first().seats_required if existing.exists() else 0}
    if seats_required == 0:
        existing.delete()
    else:
        seat = existing.first() or StakeholderSeat(team=team, stakeholder_group=stakeholder_group)
        seat.seats_required = seats_required
        seat.full_clean()
        seat.save()
    audit.record(
        actor=actor,
        action="seat.set",
        obj=team,
        school=team.school,
        before={"group": stakeholder_group, **before},
        after={"group": stakeholder_group, "seats_required": seats_required},
    )
    versions.mark_changed(school=team.school)


# --- agenda items members put forward -------------------------------------------------

PROPOSAL_NOT_MEMBER = _("Only members of this team put items forward for its agenda.")
PROPOSAL_DECIDED = _("This proposal has already been answered.")
PROPOSAL_NEEDS_REASON = _("Say why the item is declined; the member who proposed it sees it.")
PROPOSAL_WRONG_MEETING = _("Choose a meeting of this team that has not been held.")
PREREAD_BAD_TYPE = _(
    "“%(name)s” is not a file the team can open here: attach a PDF, a Word, Excel, PowerPoint "
    "or OpenDocument file, a text or CSV file, or a PNG or JPEG picture."
)
PREREAD_TOO_LARGE = _("“%(name)s” is larger than %(limit)s, the most a pre-read may be.")

# Extension -> the first bytes its content must start with (None: plain text).
PREREAD_TYPES = {
    ".pdf": b"%PDF",
    ".docx": b"PK\x03\x04",
    ".xlsx": b"PK\x03\x04",
    ".pptx": b"PK\x03\x04",
    ".odt": b"PK\x03\x04",
    ".ods": b"PK\x03\x04",
    ".odp": b"PK\x03\x04",
    ".png": b"\x89PNG",
    ".jpg": b"\xff\xd8\xff",
    ".jpeg": b"\xff\xd8\xff",
    ".txt": None,
    ".csv": None,
}


def check_preread(upload) -> None:
    """Size, extension and the first bytes of the content must agree."""
    name = upload.name or ""
    limit = settings.UPLOAD_MAX_BYTES["evidence"]  # the upload handler stops larger ones first
    if upload.size > limit:
        raise ValidationError(PREREAD_TOO_LARGE % {"name": name, "limit": size_label(limit)})
    extension = os.path.splitext(name)[1].lower()
    if extension not in PREREAD_TYPES:
        raise ValidationError(PREREAD_BAD_TYPE % {"name": name})
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    magic = PREREAD_TYPES[extension]
    if magic is None:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            # A cut in the middle of a character at byte 2048 is still text.
            if len(head) < 2048 or b"\x00" in head:
                raise ValidationError(PREREAD_BAD_TYPE % {"name": name}) from None
    elif not head.startswith(magic):
        raise ValidationError(PREREAD_BAD_TYPE % {"name": name})


PROPOSAL_FIELDS = ["title", "details", "kind", "minutes_wanted", "link", "file_name"]


@transaction.atomic
def agenda_proposal_create(
    *,
    team: Team,
    actor: User,
    title: str,
    details: str = "",
    kind: str = ItemKind.DISCUSS,
    minutes_wanted: int = 10,
    link: str = "",
    upload=None,
) -> AgendaProposal:
    """A member puts an item forward, with a pre-read file or link; the facilitator answers."""
    if not TeamMember.objects.active().filter(team=team, user=actor).exists():
        raise ValidationError(PROPOSAL_NOT_MEMBER)
    proposal = AgendaProposal(
        team=team,
        proposed_by=actor,
        title=title.strip(),
        details=details.strip(),
        kind=kind,
        minutes_wanted=minutes_wanted,
        link=link.strip(),
    )
    if upload is not None:
        try:
            check_preread(upload)
        except ValidationError as error:
            raise ValidationError({"upload": error.messages}) from None
        proposal.file_name = os.path.basename(upload.name)[:255]
    proposal.full_clean(exclude=["file"])
    if upload is not None:
        proposal.file.save(upload.name, upload, save=False)
    proposal.save()
    audit.record(
        actor=actor,
        action="agenda_proposal.create",
        obj=proposal,
        school=team.school,
        after=audit.snapshot(proposal, PROPOSAL_FIELDS),
    )
    versions.mark_changed(school=team.school)
    return proposal


def _pending(proposal: AgendaProposal) -> AgendaProposal:
    locked = (
        AgendaProposal.objects.select_for_update(of=("self",))
        .select_related("team__school", "proposed_by")
        .get(pk=proposal.pk)
    )
    if locked.status != ProposalStatus.PENDING:
        raise ValidationError(PROPOSAL_DECIDED)
    return locked


@transaction.atomic
def agenda_proposal_accept(
    *, proposal: AgendaProposal, actor: User, meeting: Meeting
) -> AgendaItem:
    """Put the proposal on a meeting's agenda, the proposer as presenter."""
    proposal = _pending(proposal)
    if meeting.team_id != proposal.team_id or meeting.is_closed:
        raise ValidationError({"meeting": PROPOSAL_WRONG_MEETING})
    item = agenda_item_add(
        meeting=meeting,
        actor=actor,
        title=proposal.title,
        minutes_allotted=proposal.minutes_wanted,
        kind=proposal.kind,
        presenter=str(proposal.proposed_by)[:150],
    )
    proposal.status = ProposalStatus.ACCEPTED
    proposal.item = item
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "item", "decided_by", "decided_at"])
    audit.record(
        actor=actor,
        action="agenda_proposal.accept",
        obj=proposal,
        school=proposal.team.school,
        before={"status": ProposalStatus.PENDING},
        after={"status": ProposalStatus.ACCEPTED, "meeting": meeting.pk, "item": item.pk},
    )
    versions.mark_changed(school=proposal.team.school)
    return item


@transaction.atomic
def agenda_proposal_decline(
    *, proposal: AgendaProposal, actor: User, reason: str
) -> AgendaProposal:
    """Decline with a reason the proposer sees on the team page."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": PROPOSAL_NEEDS_REASON})
    proposal = _pending(proposal)
    proposal.status = ProposalStatus.DECLINED
    proposal.reason = reason[:500]
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.full_clean(exclude=["file"])
    proposal.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    audit.record(
        actor=actor,
        action="agenda_proposal.decline",
        obj=proposal,
        school=proposal.team.school,
        before={"status": ProposalStatus.PENDING},
        after={"status": ProposalStatus.DECLINED, "reason": proposal.reason},
    )
    versions.mark_changed(school=proposal.team.school)
    return proposal


# --- proposals decided between meetings -----------------------------------------------

PROPOSAL_AREA_NOT_COVERED = _(
    "The charter of %(team)s has no decision area “%(area)s”: add it to the charter first, or "
    "choose one of its areas."
)
PROPOSAL_QUORUM_IMPOSSIBLE = _(
    "Refused: decisions on “%(area)s” need a quorum of %(quorum)s members, and the team has "
    "%(members)s active members. Change the charter or the team first."
)
PROPOSAL_DEADLINE_PAST = _("The deadline must be in the future.")
PROPOSAL_DEADLINE_FAR = _("The deadline can be at most 30 days away.")
PROPOSAL_ONLY_MEMBERS = _("Only members of this team open proposals and answer them.")
PROPOSAL_ANSWER_CLOSED = _("Answers to this proposal closed at %(when)s.")
PROPOSAL_ANSWERED = _("You have already answered this version of the proposal. One answer each.")
PROPOSAL_BAD_CHOICE = _("Choose one of the answers offered.")
PROPOSAL_OBJECTION_NEEDED = _("Say what you object to, so that the proposal can be amended.")
PROPOSAL_NOT_OPEN = _("This proposal is no longer open.")
PROPOSAL_NOT_AMENDER = _("Only the member who opened the proposal, or the facilitator, amends it.")
PROPOSAL_NOT_AWAITING_LEAD = _("This proposal is not waiting for the lead's decision.")
PROPOSAL_LEAD_OUTCOME = _("The lead decides to adopt it or not.")
PROPOSAL_NO_QUORUM_NOTE = _(
    "Lapsed: decisions on “%(area)s” need %(quorum)s answers; %(present)s members answered."
)
PROPOSAL_MAX_DAYS = 30
# The answer of a method in which members give input only (the lead, or a delegate, decides).
INPUT = "input"


def proposal_choices(model: str) -> list[tuple[str, str]]:
    """The answers a member gives under the area's method: the poll of the same method in a
    meeting, or input only where someone decides after hearing the team."""
    kind = POLL_FOR_MODEL.get(model)
    return POLL_CHOICES[kind] if kind else [(INPUT, _("I have given my input"))]


def stated_outcome(model: str, counts: dict[str, int]) -> str | None:
    """The outcome a method gives for the answers counted; None where a person decides."""
    if model == DecisionModel.CONSENT:
        return DecisionOutcome.REJECTED if counts.get("object") else DecisionOutcome.ADOPTED
    if model == DecisionModel.MAJORITY:
        adopted = counts.get("yes", 0) > counts.get("no", 0)
        return DecisionOutcome.ADOPTED if adopted else DecisionOutcome.REJECTED
    if model == DecisionModel.FIST_TO_FIVE:  # a fist or one finger blocks
        blocked = counts.get("0", 0) + counts.get("1", 0)
        return DecisionOutcome.REJECTED if blocked else DecisionOutcome.ADOPTED
    if model == DecisionModel.CONSENSUS:  # everyone at three fingers or more
        doubts = sum(counts.get(str(n), 0) for n in range(3))
        return DecisionOutcome.REJECTED if doubts else DecisionOutcome.ADOPTED
    return None


def proposal_counts(proposal: Proposal, answers: list[ProposalAnswer]) -> dict[str, int]:
    counts = Counter(a.value for a in answers if a.round == proposal.round)
    return {code: counts.get(code, 0) for code, _label in proposal_choices(proposal.rule.model)}


def _proposal_locked(proposal: Proposal) -> Proposal:
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("team__school__district", "rule")
        .get(pk=proposal.pk)
    )


def _proposal_member(team: Team, user: User) -> TeamMember | None:
    with clock.override(team.school):
        return TeamMember.objects.active().filter(team=team, user=user).first()


def _check_deadline(closes_at: datetime) -> None:
    now = timezone.now()
    if closes_at <= now:
        raise ValidationError({"closes_at": PROPOSAL_DEADLINE_PAST})
    if closes_at > now + timedelta(days=PROPOSAL_MAX_DAYS):
        raise ValidationError({"closes_at": PROPOSAL_DEADLINE_FAR})


PROPOSAL_FIELDS_AUDITED = ["rule", "title", "text", "closes_at", "round"]


@transaction.atomic
def proposal_open(
    *,
    team: Team,
    actor: User,
    area: str,
    title: str,
    text: str,
    closes_at: datetime,
) -> Proposal:
    """A member opens a proposal in a decision area of the charter; refused when the charter
    does not cover the area or its quorum could never be reached."""
    if _proposal_member(team, actor) is None:
        raise ValidationError(PROPOSAL_ONLY_MEMBERS)
    rule = next(
        (r for r in team.decision_rules.all() if r.area.lower() == area.strip().lower()), None
    )
    if rule is None:
        raise ValidationError(
            {"area": PROPOSAL_AREA_NOT_COVERED % {"team": team.name, "area": area.strip()}}
        )
    with clock.override(team.school):
        members = TeamMember.objects.active().filter(team=team).count()
    if rule.quorum > members:
        raise ValidationError(
            PROPOSAL_QUORUM_IMPOSSIBLE
            % {"area": rule.area, "quorum": rule.quorum, "members": members}
        )
    _check_deadline(closes_at)
    proposal = Proposal(
        team=team,
        rule=rule,
        title=title.strip(),
        text=text.strip(),
        opened_by=actor,
        closes_at=closes_at,
    )
    proposal.full_clean()
    proposal.save()
    audit.record(
        actor=actor,
        action="proposal.open",
        obj=proposal,
        school=team.school,
        after=audit.snapshot(proposal, PROPOSAL_FIELDS_AUDITED),
    )
    versions.mark_changed(school=team.school)
    return proposal


@transaction.atomic
def proposal_answer(
    *, proposal: Proposal, user: User, value: str, objection: str = "", comment: str = ""
) -> ProposalAnswer:
    """One answer per member to each version of the proposal, before the deadline. When every
    member has answered and nothing blocks, the outcome is stated at once."""
    proposal = _proposal_locked(proposal)
    member = _proposal_member(proposal.team, user)
    if member is None:
        raise ValidationError(PROPOSAL_ONLY_MEMBERS)
    if proposal.state != ProposalState.OPEN or proposal.closes_at <= timezone.now():
        when = timezone.localtime(proposal.closes_at, clock.zone_of(proposal.team.school))
        raise ValidationError(
            PROPOSAL_ANSWER_CLOSED % {"when": date_format(when, "DATETIME_FORMAT")}
        )
    if value not in {code for code, _label in proposal_choices(proposal.rule.model)}:
        raise ValidationError({"value": PROPOSAL_BAD_CHOICE})
    if value == "object" and not objection.strip():
        raise ValidationError({"objection": PROPOSAL_OBJECTION_NEEDED})
    answer = ProposalAnswer(
        proposal=proposal,
        member=member,
        round=proposal.round,
        value=value,
        objection=objection.strip()[:500],
        comment=comment.strip()[:1000],
    )
    try:
        # The unique constraint decides, so two taps at once still count once.
        with transaction.atomic():
            answer.save()
    except IntegrityError:
        raise ValidationError(PROPOSAL_ANSWERED) from None
    Proposal.objects.filter(pk=proposal.pk).update(updated_at=timezone.now())
    audit.record(
        actor=user,
        action="proposal.answer",
        obj=proposal,
        school=proposal.team.school,
        after={"round": answer.round, "value": value},
    )
    versions.mark_changed(school=proposal.team.school)
    _state_if_all_answered(proposal)
    return answer


def _state_if_all_answered(proposal: Proposal) -> None:
    answers = list(proposal.answers.filter(round=proposal.round))
    with clock.override(proposal.team.school):
        members = TeamMember.objects.active().filter(team=proposal.team).count()
    if len(answers) < members:
        return
    model = proposal.rule.model
    outcome = stated_outcome(model, proposal_counts(proposal, answers))
    # A block keeps the proposal open until the deadline, so that it can be amended; a vote
    # by majority is final once everyone has voted.
    if outcome == DecisionOutcome.ADOPTED or model == DecisionModel.MAJORITY or outcome is None:
        _state(proposal, answers)


def _state(proposal: Proposal, answers: list[ProposalAnswer]) -> None:
    """State the outcome under the area's method and quorum (locked proposal)."""
    rule = proposal.rule
    present = len(answers)
    now = timezone.now()
    if stated_outcome(rule.model, {}) is None:
        proposal.state = ProposalState.AWAITING_LEAD
        proposal.save(update_fields=["state", "updated_at"])
        return
    if rule.quorum and present < rule.quorum:
        proposal.state = ProposalState.LAPSED
        proposal.outcome_note = str(
            PROPOSAL_NO_QUORUM_NOTE % {"area": rule.area, "quorum": rule.quorum, "present": present}
        )[:500]
        proposal.stated_at = now
        proposal.updated_at = now
        proposal.save(update_fields=["state", "outcome_note", "stated_at", "updated_at"])
        audit.record(actor=None, action="proposal.lapse", obj=proposal, school=proposal.team.school)
    else:
        counts = proposal_counts(proposal, answers)
        outcome = stated_outcome(rule.model, counts)
        _decision_save(
            actor=None,
            team=proposal.team,
            rule=rule,
            model_used=rule.model,
            text=proposal.title,
            rationale=proposal.text,
            outcome=outcome,
            tally={"kind": POLL_FOR_MODEL.get(rule.model, ""), "counts": counts},
            present=present,
            proposal=proposal,
        )
        proposal.state = ProposalState.DECIDED
        proposal.outcome = outcome
        proposal.stated_at = now
        proposal.updated_at = now
        proposal.save(update_fields=["state", "outcome", "stated_at", "updated_at"])
    versions.mark_changed(school=proposal.team.school)
    outbox.enqueue("teams.tasks.announce_proposal_outcome", proposal.pk)


@transaction.atomic
def proposal_close_due(*, proposal: Proposal) -> bool:
    """At the deadline: state the outcome (the periodic task calls this). The proposal's row
    lock orders it with a last answer arriving at the same moment."""
    proposal = _proposal_locked(proposal)
    if proposal.state != ProposalState.OPEN or proposal.closes_at > timezone.now():
        return False
    _state(proposal, list(proposal.answers.filter(round=proposal.round)))
    return True


@transaction.atomic
def proposal_amend(
    *, proposal: Proposal, actor: User, text: str, closes_at: datetime | None = None
) -> Proposal:
    """Amend an open proposal (after an objection, say): answers start over for the new text."""
    proposal = _proposal_locked(proposal)
    if proposal.state != ProposalState.OPEN:
        raise ValidationError(PROPOSAL_NOT_OPEN)
    runs = (
        is_principal(actor, proposal.team.school)
        or TeamMember.objects.active()
        .filter(team=proposal.team, user=actor, role=TeamRole.FACILITATOR)
        .exists()
    )
    if proposal.opened_by_id != actor.pk and not runs:
        raise ValidationError(PROPOSAL_NOT_AMENDER)
    before = audit.snapshot(proposal, PROPOSAL_FIELDS_AUDITED)
    data = {"text": text.strip(), "round": proposal.round + 1, "updated_at": timezone.now()}
    if closes_at is not None:
        _check_deadline(closes_at)
        data["closes_at"] = closes_at
    if proposal.closes_at <= timezone.now() and closes_at is None:
        raise ValidationError({"closes_at": PROPOSAL_DEADLINE_PAST})
    model_update(instance=proposal, fields=list(data), data=data)
    audit.record(
        actor=actor,
        action="proposal.amend",
        obj=proposal,
        school=proposal.team.school,
        before=before,
        after=audit.snapshot(proposal, PROPOSAL_FIELDS_AUDITED),
    )
    versions.mark_changed(school=proposal.team.school)
    return proposal


@transaction.atomic
def proposal_lead_decide(
    *, proposal: Proposal, actor: User, outcome: str, rationale: str = ""
) -> Decision:
    """Where the lead decides after input: the lead states the outcome once input is in."""
    proposal = _proposal_locked(proposal)
    if proposal.state != ProposalState.AWAITING_LEAD:
        raise ValidationError(PROPOSAL_NOT_AWAITING_LEAD)
    if outcome not in (DecisionOutcome.ADOPTED, DecisionOutcome.REJECTED):
        raise ValidationError({"outcome": PROPOSAL_LEAD_OUTCOME})
    answers = list(proposal.answers.filter(round=proposal.round))
    decision = _decision_save(
        actor=actor,
        team=proposal.team,
        rule=proposal.rule,
        model_used=proposal.rule.model,
        text=proposal.title,
        rationale=rationale or proposal.text,
        outcome=outcome,
        tally={"kind": "", "counts": {INPUT: len(answers)}},
        present=len(answers),
        proposal=proposal,
    )
    now = timezone.now()
    data = {"state": ProposalState.DECIDED, "outcome": outcome, "stated_at": now, "updated_at": now}
    model_update(instance=proposal, fields=list(data), data=data)
    outbox.enqueue("teams.tasks.announce_proposal_outcome", proposal.pk)
    return decision


# --- changing a meeting, removing a member ----------------------------------------------

MEETING_NOT_SCHEDULED = _("Only a meeting that has not started can be rescheduled or cancelled.")
RESCHEDULE_PAST = _("A meeting cannot be moved into the past.")
CANCEL_NEEDS_REASON = _("Say why the meeting is cancelled; the members are told.")
MEMBER_ALREADY_OFF = _("This person no longer sits on the team.")


@transaction.atomic
def meeting_reschedule(
    *,
    meeting: Meeting,
    actor: User,
    starts_at: datetime,
    duration_minutes: int | None = None,
    location: str | None = None,
) -> Meeting:
    """Move a scheduled meeting; attendees are told and their calendar entry updated."""
    meeting = _locked(meeting)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError(MEETING_NOT_SCHEDULED)
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": RESCHEDULE_PAST})
    fields = ["starts_at", "duration_minutes", "location", "sequence"]
    before = audit.snapshot(meeting, fields)
    data = {
        "starts_at": starts_at,
        "duration_minutes": duration_minutes or meeting.duration_minutes,
        "location": meeting.location if location is None else location.strip(),
        "sequence": meeting.sequence + 1,
    }
    model_update(instance=meeting, fields=fields, data=data)
    _touch(meeting)
    audit.record(
        actor=actor,
        action="meeting.reschedule",
        obj=meeting,
        school=meeting.team.school,
        before=before,
        after=audit.snapshot(meeting, fields),
    )
    versions.mark_changed(school=meeting.team.school)
    outbox.enqueue("teams.tasks.announce_meeting_change", meeting.pk, meeting.sequence)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor: User, reason: str) -> Meeting:
    """Cancel a scheduled meeting with a reason; attendees are told, the .ics says CANCELLED."""
    meeting = _locked(meeting)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError(MEETING_NOT_SCHEDULED)
    if not reason.strip():
        raise ValidationError({"reason": CANCEL_NEEDS_REASON})
    fields = ["status", "cancel_reason", "sequence"]
    before = audit.snapshot(meeting, fields)
    data = {
        "status": MeetingStatus.CANCELLED,
        "cancel_reason": reason.strip()[:300],
        "sequence": meeting.sequence + 1,
    }
    model_update(instance=meeting, fields=fields, data=data)
    _touch(meeting)
    audit.record(
        actor=actor,
        action="meeting.cancel",
        obj=meeting,
        school=meeting.team.school,
        before=before,
        after=audit.snapshot(meeting, fields),
    )
    versions.mark_changed(school=meeting.team.school)
    outbox.enqueue("teams.tasks.announce_meeting_change", meeting.pk, meeting.sequence)
    return meeting


@transaction.atomic
def member_remove(*, member: TeamMember, actor: User) -> TeamMember:
    """Take a person off the team: their seat ends today; attendance, votes, answers and the
    audit trail keep their name (history kept, nothing deleted)."""
    member = TeamMember.objects.select_for_update().select_related("team__school").get(pk=member.pk)
    today = clock.today_in(member.team.school)
    if not member.is_active or (member.term_end is not None and member.term_end < today):
        raise ValidationError(MEMBER_ALREADY_OFF)
    fields = ["is_active", "term_end"]
    before = audit.snapshot(member, fields)
    term_end = today if member.term_start is None else max(today, member.term_start)
    model_update(instance=member, fields=fields, data={"is_active": False, "term_end": term_end})
    audit.record(
        actor=actor,
        action="team_member.remove",
        obj=member,
        school=member.team.school,
        before=before,
        after=audit.snapshot(member, fields),
    )
    versions.mark_changed(school=member.team.school)
    return member
