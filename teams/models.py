"""Teams (the ILT and others), seats, the decision-making charter, meetings, decisions, polls,
action items."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leadership import clock
from leadership.models import School, SchoolYear


class TeamKind(models.TextChoices):
    ILT = "ilt", _("Instructional Leadership Team")
    GRADE_LEVEL = "grade_level", _("Grade-level team")
    SUBJECT = "subject", _("Subject team")
    STUDENT_GROUP = "student_group", _("Student-group team")
    OTHER = "other", _("Other team")


class Cadence(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    BIWEEKLY = "biweekly", _("Every two weeks")
    MONTHLY = "monthly", _("Monthly")

    @classmethod
    def step(cls, cadence: str) -> timedelta:
        return {
            cls.WEEKLY: timedelta(weeks=1),
            cls.BIWEEKLY: timedelta(weeks=2),
            cls.MONTHLY: timedelta(weeks=4),
        }[cadence]


class StakeholderGroup(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    TEACHER = "teacher", _("Teacher")
    CLASSIFIED = "classified", _("Classified staff")
    SUPPORT = "support", _("Counselor or support staff")
    FAMILY = "family", _("Family")
    STUDENT = "student", _("Student")
    COMMUNITY = "community", _("Community partner")


class TeamRole(models.TextChoices):
    FACILITATOR = "facilitator", _("Facilitator")
    NOTE_TAKER = "note_taker", _("Note-taker")
    TIMEKEEPER = "timekeeper", _("Timekeeper")
    MEMBER = "member", _("Member")


class MinutesRule(models.TextChoices):
    NEXT_MEETING = "next_meeting", _("At the team's next meeting")
    AT_CLOSE = "at_close", _("When the meeting closes")


class Team(models.Model):
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="teams", verbose_name=_("school")
    )
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="teams", verbose_name=_("school year")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=TeamKind.choices)
    name = models.CharField(_("name"), max_length=150)
    purpose = models.TextField(_("purpose"), max_length=2000, blank=True)
    cadence = models.CharField(
        _("meets"), max_length=10, choices=Cadence.choices, default=Cadence.BIWEEKLY
    )
    minutes_rule = models.CharField(
        _("minutes are approved"),
        max_length=15,
        choices=MinutesRule.choices,
        default=MinutesRule.NEXT_MEETING,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When the row last changed, for API clients that sync changes (`updated_since`).
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year"],
                condition=models.Q(kind="ilt"),
                name="team_one_ilt_per_school_year",
                violation_error_message=_("The school already has an ILT for this school year."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("teams:team_detail", kwargs={"slug": self.school.slug, "pk": self.pk})


class TeamMemberQuerySet(models.QuerySet):
    def active(self) -> TeamMemberQuerySet:
        today = clock.today()
        return self.filter(is_active=True).exclude(term_end__lt=today)


class TeamMember(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="team_memberships",
        verbose_name=_("person"),
    )
    stakeholder_group = models.CharField(
        _("stakeholder group"), max_length=20, choices=StakeholderGroup.choices
    )
    role = models.CharField(
        _("team role"), max_length=20, choices=TeamRole.choices, default=TeamRole.MEMBER
    )
    term_start = models.DateField(_("term starts"), null=True, blank=True)
    term_end = models.DateField(_("term ends"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = TeamMemberQuerySet.as_manager()

    class Meta:
        ordering = ["team", "role", "id"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="teammember_unique_person"),
            models.CheckConstraint(
                condition=models.Q(term_end__isnull=True)
                | models.Q(term_start__isnull=True)
                | models.Q(term_end__gte=models.F("term_start")),
                name="teammember_term_in_order",
                violation_error_message=_("A term cannot end before it starts."),
            ),
        ]
        indexes = [models.Index(fields=["user", "is_active"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class StakeholderSeat(models.Model):
    """The charter's rule of who must be at the table: N seats for a stakeholder group."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="seats")
    stakeholder_group = models.CharField(
        _("stakeholder group"), max_length=20, choices=StakeholderGroup.choices
    )
    seats_required = models.PositiveSmallIntegerField(
        _("seats required"), default=1, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )

    class Meta:
        ordering = ["team", "stakeholder_group"]
        verbose_name = _("stakeholder seat")
        verbose_name_plural = _("stakeholder seats")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "stakeholder_group"], name="seat_one_row_per_group"
            ),
            models.CheckConstraint(
                condition=models.Q(seats_required__gte=1, seats_required__lte=20),
                name="seat_required_between_1_and_20",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_stakeholder_group_display()}: {self.seats_required}"


class DecisionModel(models.TextChoices):
    CONSENSUS = "consensus", _("Consensus")
    CONSENT = "consent", _("Consent (no objections)")
    MAJORITY = "majority", _("Majority vote")
    FIST_TO_FIVE = "fist_to_five", _("Fist-to-five")
    LEADER_AFTER_INPUT = "leader_after_input", _("Leader decides after input")
    DELEGATED = "delegated", _("Delegated")


class DecisionRule(models.Model):
    """One line of the team's written decision-making model."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="decision_rules")
    area = models.CharField(_("decision area"), max_length=100)
    model = models.CharField(_("decision model"), max_length=20, choices=DecisionModel.choices)
    who_decides = models.CharField(_("who decides"), max_length=200)
    quorum = models.PositiveSmallIntegerField(
        _("quorum"),
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=_("Members present needed for a decision; 0 means none."),
    )

    class Meta:
        ordering = ["team", "area"]
        verbose_name = _("decision rule")
        verbose_name_plural = _("decision rules")
        constraints = [
            models.UniqueConstraint(fields=["team", "area"], name="decisionrule_unique_area"),
        ]

    def __str__(self) -> str:
        return f"{self.area}: {self.get_model_display()}"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    IN_PROGRESS = "in_progress", _("In progress")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


class Meeting(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("length in minutes"),
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(480)],
    )
    location = models.CharField(_("place or link"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    minutes_status = models.CharField(
        _("minutes"), max_length=10, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT
    )
    current_item = models.ForeignKey(
        "AgendaItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    current_item_started_at = models.DateTimeField(null=True, blank=True)
    agenda_sent_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    # The .ics SEQUENCE: grows with each change attendees are told of (reschedule, cancel).
    sequence = models.PositiveIntegerField(default=0)
    cancel_reason = models.CharField(_("reason"), max_length=300, blank=True)
    # Bumped by every write that the live page shows: the ETag of the live region.
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [models.Index(fields=["team", "starts_at"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.team} · {self.starts_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse(
            "teams:meeting_detail", kwargs={"slug": self.team.school.slug, "pk": self.pk}
        )

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_closed(self) -> bool:
        return self.status in (MeetingStatus.HELD, MeetingStatus.CANCELLED)


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(TeamMember, on_delete=models.CASCADE, related_name="attendance")
    present = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {'present' if self.present else 'absent'}"


class ItemKind(models.TextChoices):
    INFORM = "inform", _("Inform")
    DISCUSS = "discuss", _("Discuss")
    DECIDE = "decide", _("Decide")


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=200)
    minutes_allotted = models.PositiveSmallIntegerField(
        _("minutes allotted"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
    )
    presenter = models.CharField(_("presenter"), max_length=150, blank=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=ItemKind.choices, default=ItemKind.DISCUSS
    )
    notes = models.TextField(_("minutes"), max_length=20000, blank=True)
    # Optimistic concurrency for the minutes: a save names the version it started from.
    version = models.PositiveIntegerField(default=1)
    carried_action = models.ForeignKey(
        "ActionItem", on_delete=models.CASCADE, null=True, blank=True, related_name="carried_to"
    )
    # The decision this item reviews (its review date came): one review item per decision.
    review_of = models.OneToOneField(
        "Decision", on_delete=models.CASCADE, null=True, blank=True, related_name="review_item"
    )

    class Meta:
        ordering = ["meeting", "order", "id"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minutes_allotted__gte=1, minutes_allotted__lte=240),
                name="agendaitem_timebox_1_to_240",
                violation_error_message=_("A time box is between 1 and 240 minutes."),
            ),
            models.UniqueConstraint(
                fields=["meeting", "carried_action"],
                condition=models.Q(carried_action__isnull=False),
                name="agendaitem_carry_once",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class DecisionOutcome(models.TextChoices):
    ADOPTED = "adopted", _("Adopted")
    REJECTED = "rejected", _("Not adopted")
    DEFERRED = "deferred", _("Deferred")


class Decision(models.Model):
    """A decision of a team: taken on an agenda item of a meeting, or on a proposal between
    meetings (then `proposal` is set and `item`, `meeting` are empty)."""

    item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, null=True, blank=True, related_name="decisions"
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="decisions"
    )
    proposal = models.OneToOneField(
        "Proposal", on_delete=models.CASCADE, null=True, blank=True, related_name="decision"
    )
    rule = models.ForeignKey(
        DecisionRule, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("area")
    )
    model_used = models.CharField(
        _("how it was decided"), max_length=20, choices=DecisionModel.choices
    )
    text = models.CharField(_("decision"), max_length=500)
    rationale = models.TextField(_("rationale"), max_length=4000, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=DecisionOutcome.choices)
    tally = models.JSONField(_("tally"), default=dict, blank=True)
    present = models.PositiveSmallIntegerField(default=0)
    review_on = models.DateField(_("review on"), null=True, blank=True)
    # Empty when the outcome of a proposal was stated at its deadline, by nobody in particular.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(meeting__isnull=False, item__isnull=False)
                | models.Q(proposal__isnull=False),
                name="decision_in_meeting_or_on_proposal",
            ),
        ]

    def __str__(self) -> str:
        return self.text


class PollKind(models.TextChoices):
    FIST_TO_FIVE = "fist_to_five", _("Fist-to-five")
    YES_NO = "yes_no", _("Yes / no / abstain")
    CONSENT = "consent", _("Consent (any objection?)")


POLL_CHOICES = {
    PollKind.FIST_TO_FIVE: [(str(n), str(n)) for n in range(6)],
    PollKind.YES_NO: [("yes", _("Yes")), ("no", _("No")), ("abstain", _("Abstain"))],
    PollKind.CONSENT: [("consent", _("I consent")), ("object", _("I object"))],
}


class Poll(models.Model):
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="polls")
    kind = models.CharField(_("kind of poll"), max_length=20, choices=PollKind.choices)
    question = models.CharField(_("question"), max_length=300)
    is_open = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("poll")
        verbose_name_plural = _("polls")

    def __str__(self) -> str:
        return self.question

    @property
    def choices(self) -> list[tuple[str, str]]:
        return POLL_CHOICES[self.kind]


class Vote(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(TeamMember, on_delete=models.CASCADE, related_name="votes")
    value = models.CharField(max_length=10)
    objection = models.CharField(_("objection"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["poll", "member"], name="vote_one_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.value}"


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class ActionItem(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="action_items")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items")
    item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    title = models.CharField(_("what"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="action_items",
        verbose_name=_("owner"),
    )
    due = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due", "id"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        indexes = [
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["team", "status"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.status == ActionStatus.OPEN and self.due < clock.today()


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the facilitator")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


def preread_path(instance: AgendaProposal, filename: str) -> str:
    return f"teams/prereads/{instance.team_id}/{filename}"


class AgendaProposal(models.Model):
    """An item a member puts forward for the agenda; the facilitator accepts it into a meeting
    or declines it with a reason the member sees."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="agenda_proposals")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="agenda_proposals",
        verbose_name=_("proposed by"),
    )
    title = models.CharField(_("item"), max_length=200)
    details = models.TextField(_("why it matters"), max_length=2000, blank=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=ItemKind.choices, default=ItemKind.DISCUSS
    )
    minutes_wanted = models.PositiveSmallIntegerField(
        _("time needed (minutes)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
    )
    link = models.URLField(_("pre-read link"), max_length=500, blank=True)
    file = models.FileField(_("pre-read file"), upload_to=preread_path, max_length=255, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    item = models.OneToOneField(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposal",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("agenda proposal")
        verbose_name_plural = _("agenda proposals")
        indexes = [
            models.Index(fields=["team", "status"]),
            models.Index(fields=["proposed_by", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="declined") | ~models.Q(reason=""),
                name="agendaproposal_declined_has_reason",
                violation_error_message=_("Say why the item is declined."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ProposalState(models.TextChoices):
    OPEN = "open", _("Open for answers")
    AWAITING_LEAD = "awaiting_lead", _("Waiting for the lead's decision")
    DECIDED = "decided", _("Decided")
    LAPSED = "lapsed", _("Lapsed without quorum")


class Proposal(models.Model):
    """A proposal decided between meetings, in a decision area of the team's charter, by the
    area's method and quorum; members answer before the deadline."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="proposals")
    rule = models.ForeignKey(
        DecisionRule,
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("decision area"),
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("proposal"), max_length=4000)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="opened_proposals"
    )
    closes_at = models.DateTimeField(_("answers close at"))
    # Each amendment starts a new round: answers to an earlier text no longer count.
    round = models.PositiveSmallIntegerField(default=1)
    state = models.CharField(
        _("state"), max_length=15, choices=ProposalState.choices, default=ProposalState.OPEN
    )
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=DecisionOutcome.choices, blank=True
    )
    outcome_note = models.CharField(max_length=500, blank=True)
    stated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        indexes = [
            models.Index(fields=["state", "closes_at"]),
            models.Index(fields=["team", "state"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "teams:proposal_detail", kwargs={"slug": self.team.school.slug, "pk": self.pk}
        )

    @property
    def is_open(self) -> bool:
        return self.state == ProposalState.OPEN


class ProposalAnswer(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="answers")
    member = models.ForeignKey(
        TeamMember, on_delete=models.CASCADE, related_name="proposal_answers"
    )
    round = models.PositiveSmallIntegerField(default=1)
    value = models.CharField(_("answer"), max_length=10)
    objection = models.CharField(_("objection"), max_length=500, blank=True)
    comment = models.CharField(_("comment"), max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("answer to a proposal")
        verbose_name_plural = _("answers to proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "member", "round"], name="proposalanswer_once_per_round"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.value}"
