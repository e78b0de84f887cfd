"""Input parsing and validation of the teams pages; no saving here."""

from __future__ import annotations

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from leadership.edits import VersionField
from leadership.uploads import UploadLimitFormMixin

from .models import (
    AgendaItem,
    Cadence,
    DecisionModel,
    DecisionOutcome,
    DecisionRule,
    ItemKind,
    MinutesRule,
    Poll,
    PollKind,
    StakeholderGroup,
    TeamKind,
    TeamRole,
)


class _OwnIds(forms.Form):
    """Several forms share the meeting page: each gets its own id prefix, same field names."""

    id_prefix = "id"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class MeetingForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Starts at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In the school's time zone."),
    )
    duration_minutes = forms.IntegerField(
        label=_("Length in minutes"), min_value=5, max_value=480, initial=60
    )
    location = forms.CharField(label=_("Place or link"), max_length=300, required=False)
    repeat = forms.IntegerField(
        label=_("Number of meetings"),
        min_value=1,
        max_value=20,
        initial=1,
        help_text=_("More than one schedules a series on the team's cadence."),
    )


class AgendaItemForm(_OwnIds):
    id_prefix = "item"
    title = forms.CharField(label=_("Item"), max_length=200)
    minutes_allotted = forms.IntegerField(
        label=_("Time box (minutes)"),
        min_value=1,
        max_value=240,
        initial=10,
        error_messages={
            "min_value": _("A time box is between 1 and 240 minutes."),
            "max_value": _("A time box is between 1 and 240 minutes."),
        },
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ItemKind.choices, initial=ItemKind.DISCUSS)
    presenter = forms.CharField(label=_("Presenter"), max_length=150, required=False)


class MinutesForm(forms.Form):
    notes = forms.CharField(
        label=_("Minutes"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class PollForm(_OwnIds):
    id_prefix = "poll"
    kind = forms.ChoiceField(label=_("Kind of poll"), choices=PollKind.choices)
    question = forms.CharField(label=_("Question"), max_length=300)


class VoteForm(forms.Form):
    value = forms.CharField(max_length=10)
    objection = forms.CharField(label=_("Your objection"), max_length=500, required=False)


class DecisionForm(_OwnIds):
    id_prefix = "decision"
    item = forms.ModelChoiceField(label=_("Agenda item"), queryset=AgendaItem.objects.none())
    rule = forms.ModelChoiceField(
        label=_("Decision area"),
        queryset=DecisionRule.objects.none(),
        help_text=_("How it is decided follows the area's method in the team's charter."),
    )
    text = forms.CharField(label=_("Decision"), max_length=500)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=DecisionOutcome.choices)
    rationale = forms.CharField(
        label=_("Rationale"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    poll = forms.ModelChoiceField(
        label=_("Tally from poll"), queryset=Poll.objects.none(), required=False
    )
    review_on = forms.DateField(
        label=_("Review on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, meeting, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = meeting.items.all()
        self.fields["rule"].queryset = meeting.team.decision_rules.all()
        self.fields["poll"].queryset = Poll.objects.filter(item__meeting=meeting)
        # Labels from the already loaded items, so the select costs no query per option.
        self.fields["item"].choices = [("", "---------")] + [(i.pk, i.title) for i in items]
        self.fields["poll"].choices = [("", "---------")] + [
            (p.pk, p.question) for i in items for p in i.polls.all()
        ]


class ActionItemForm(_OwnIds):
    id_prefix = "action"
    title = forms.CharField(label=_("Action"), max_length=300)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int)
    due = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [(m.user_id, str(m.user)) for m in members]


class DecisionSearchForm(forms.Form):
    q = forms.CharField(label=_("Search decisions"), max_length=100, required=False)


class TeamForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of team"), choices=TeamKind.choices)
    name = forms.CharField(label=_("Name"), max_length=150)
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    cadence = forms.ChoiceField(label=_("Meets"), choices=Cadence.choices, initial=Cadence.BIWEEKLY)


class MemberForm(_OwnIds):
    id_prefix = "member"
    user = forms.TypedChoiceField(label=_("Person"), coerce=int)
    stakeholder_group = forms.ChoiceField(
        label=_("Stakeholder group"), choices=StakeholderGroup.choices
    )
    role = forms.ChoiceField(
        label=_("Team role"), choices=TeamRole.choices, initial=TeamRole.MEMBER
    )
    term_start = forms.DateField(
        label=_("Term starts"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    term_end = forms.DateField(
        label=_("Term ends"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "---------"), *people]


class RuleForm(_OwnIds):
    id_prefix = "rule"
    area = forms.CharField(label=_("Decision area"), max_length=100)
    model = forms.ChoiceField(label=_("Decision model"), choices=DecisionModel.choices)
    who_decides = forms.CharField(label=_("Who decides"), max_length=200)
    quorum = forms.IntegerField(
        label=_("Quorum"),
        min_value=0,
        max_value=100,
        initial=0,
        help_text=_("Members present needed for a decision; 0 means none."),
    )
    version = VersionField()


class SeatForm(_OwnIds):
    id_prefix = "seat"
    stakeholder_group = forms.ChoiceField(
        label=_("Stakeholder group"), choices=StakeholderGroup.choices
    )
    seats_required = forms.IntegerField(
        label=_("Seats required"),
        min_value=0,
        max_value=20,
        help_text=_("0 removes the requirement."),
    )


class AgendaProposalForm(UploadLimitFormMixin, _OwnIds):
    id_prefix = "proposal"
    title = forms.CharField(label=_("Item"), max_length=200)
    details = forms.CharField(
        label=_("Why it matters"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ItemKind.choices, initial=ItemKind.DISCUSS)
    minutes_wanted = forms.IntegerField(
        label=_("Time needed (minutes)"), min_value=1, max_value=240, initial=10
    )
    link = forms.URLField(
        label=_("Pre-read link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("A document the team should read first, if it is online."),
    )
    upload = forms.FileField(
        label=_("Pre-read file"),
        required=False,
        help_text=_("PDF, Word, Excel, PowerPoint, OpenDocument, text, CSV, PNG or JPEG."),
    )


class ProposalAcceptForm(_OwnIds):
    meeting = forms.TypedChoiceField(label=_("Meeting"), coerce=int)

    def __init__(self, *args, meetings, proposal, **kwargs):
        self.id_prefix = f"accept{proposal.pk}"
        super().__init__(*args, **kwargs)
        self.fields["meeting"].choices = [
            (m.pk, formats.date_format(timezone.localtime(m.starts_at), "DATETIME_FORMAT"))
            for m in meetings
        ]


class ProposalDeclineForm(_OwnIds):
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args, proposal, **kwargs):
        self.id_prefix = f"decline{proposal.pk}"
        super().__init__(*args, **kwargs)


class ProposalOpenForm(_OwnIds):
    id_prefix = "open"
    area = forms.CharField(label=_("Decision area"), max_length=100)
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("Proposal"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    closes_at = forms.DateTimeField(
        label=_("Answers close at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In the school's time zone. At most 30 days away."),
    )

    def __init__(self, *args, rules, **kwargs):
        super().__init__(*args, **kwargs)
        # A select of the charter's areas; the service refuses any other with its reason.
        self.fields["area"].widget = forms.Select(
            choices=[("", "---------")]
            + [(r.area, f"{r.area}: {r.get_model_display()}") for r in rules]
        )


class ProposalAnswerForm(forms.Form):
    value = forms.CharField(max_length=10)
    objection = forms.CharField(label=_("Your objection"), max_length=500, required=False)
    comment = forms.CharField(label=_("Comment"), max_length=1000, required=False)


class ProposalAmendForm(_OwnIds):
    id_prefix = "amend"
    text = forms.CharField(
        label=_("Amended proposal"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    closes_at = forms.DateTimeField(
        label=_("New deadline"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty to keep the deadline."),
    )


class LeadDecisionForm(_OwnIds):
    id_prefix = "lead"
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (DecisionOutcome.ADOPTED, DecisionOutcome.ADOPTED.label),
            (DecisionOutcome.REJECTED, DecisionOutcome.REJECTED.label),
        ],
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RescheduleForm(_OwnIds):
    id_prefix = "move"
    starts_at = forms.DateTimeField(
        label=_("New start"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In the school's time zone."),
    )
    duration_minutes = forms.IntegerField(label=_("Length in minutes"), min_value=5, max_value=480)
    location = forms.CharField(label=_("Place or link"), max_length=300, required=False)


class CancelForm(_OwnIds):
    id_prefix = "cancel"
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=300)


class ActionEditForm(_OwnIds):
    id_prefix = "edit"
    title = forms.CharField(label=_("Action"), max_length=300)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int)
    due = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))
    version = VersionField()

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [(m.user_id, str(m.user)) for m in members]


class MinutesRuleForm(_OwnIds):
    id_prefix = "minutes"
    minutes_rule = forms.ChoiceField(label=_("Minutes are approved"), choices=MinutesRule.choices)
