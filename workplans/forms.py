"""Input parsing and validation for the workplans pages; nothing here saves."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from leadership.edits import VersionedModelForm
from leadership.models import DistrictPriority, SchoolYear
from leadership.uploads import UploadLimitFormMixin, limit_of, size_label
from teams.models import Team
from voice.models import Survey

from .models import (
    ActionStep,
    DataPoint,
    Goal,
    LearningActivity,
    Measure,
    StepStatus,
    StudentGroup,
)
from .services import DUE_BEFORE_START, TARGET_EQUALS_BASELINE

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlanCreateForm(forms.Form):
    school_year = forms.ModelChoiceField(label=_("School year"), queryset=SchoolYear.objects.none())
    copy_unfinished = forms.BooleanField(
        label=_("Start from last year's unfinished goals"), required=False
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_year"].queryset = SchoolYear.objects.filter(district=school.district)


def plan_teams(plan):
    """The teams a goal or step of the plan may belong to: the school's teams of its year."""
    return Team.objects.filter(school=plan.school, school_year=plan.school_year).order_by(
        "kind", "name"
    )


class GoalForm(VersionedModelForm):
    class Meta:
        model = Goal
        fields = [
            "focus_area",
            "district_priority",
            "smart_statement",
            "root_cause_notes",
            "team",
            "order",
        ]
        widgets = {
            "smart_statement": forms.Textarea(attrs={"rows": 3}),
            "root_cause_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district_priority"].queryset = DistrictPriority.objects.filter(
            district=plan.school.district, school_year=plan.school_year
        )
        self.fields["order"].required = False
        self.fields["team"].queryset = plan_teams(plan)


class MeasureForm(VersionedModelForm):
    class Meta:
        model = Measure
        fields = [
            "name",
            "unit",
            "direction",
            "baseline",
            "baseline_date",
            "target",
            "target_date",
            "student_group",
        ]
        widgets = {"baseline_date": DATE, "target_date": DATE}

    def clean(self):
        # By the field it concerns, as the service words it (the constraint alone would put
        # it above the form).
        data = super().clean()
        target, baseline = data.get("target"), data.get("baseline")
        if target is not None and target == baseline:
            self.add_error("target", TARGET_EQUALS_BASELINE)
        return data


class DataPointForm(forms.ModelForm):
    # The model also keeps survey groups (fed from voice); a person enters a student group.
    group = forms.ChoiceField(
        label=_("student group"), choices=[("", "---------"), *StudentGroup.choices], required=False
    )

    class Meta:
        model = DataPoint
        fields = ["date", "value", "n", "group", "source"]
        widgets = {"date": DATE}


class CsvUploadForm(UploadLimitFormMixin, forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: date (YYYY-MM-DD), value, n (group size, optional), group (optional). "
            "A file with any bad line is refused whole."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per form, so the limits read the settings and the person's language.
        limits = _("At most %(size)s and %(rows)s data lines a file.") % {
            "size": size_label(limit_of("data_csv")),
            "rows": number_format(settings.DATA_CSV_MAX_ROWS, force_grouping=True),
        }
        self.fields["file"].help_text = f"{self.fields['file'].help_text} {limits}"


class StepForm(VersionedModelForm):
    class Meta:
        model = ActionStep
        fields = ["title", "owner", "team", "team_name", "start", "due", "learning_activity"]
        widgets = {"start": DATE, "due": DATE}

    def __init__(self, *args, goal, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["team"].queryset = plan_teams(goal.plan)
        self.fields["learning_activity"].queryset = LearningActivity.objects.filter(goal=goal)

    def clean(self):
        # By the field it concerns, as the service words it (see MeasureForm.clean).
        data = super().clean()
        start, due = data.get("start"), data.get("due")
        if start and due and due < start:
            self.add_error("due", DUE_BEFORE_START)
        if data.get("team") is not None:
            data["team_name"] = ""  # the link replaces the text
        return data


class LearningActivityForm(forms.ModelForm):
    tallies = forms.CharField(
        label=_("Look-for tallies"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One look-for a line: what was looked for; classrooms where seen; classrooms visited. "
            "For example: Students explain their reasoning; 7; 12. Never name a teacher."
        ),
    )

    class Meta:
        model = LearningActivity
        fields = ["kind", "title", "date"]
        widgets = {"date": DATE}

    def clean_tallies(self):
        rows = []
        for number, line in enumerate(self.cleaned_data["tallies"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(";")]
            if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
                raise forms.ValidationError(
                    _("Line %(n)s: write the look-for; seen; visited."), params={"n": number}
                )
            seen, visited = int(parts[1]), int(parts[2])
            if seen > visited:
                raise forms.ValidationError(
                    _("Line %(n)s: seen cannot exceed the classrooms visited."),
                    params={"n": number},
                )
            rows.append((parts[0], seen, visited))
        return rows


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class ProgressUpdateForm(UploadLimitFormMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[c for c in StepStatus.choices if c[0] != StepStatus.NOT_STARTED],
        widget=forms.Select(attrs={"data-autofocus": ""}),
    )
    narrative = forms.CharField(
        label=_("What happened"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = MultipleFileField(
        label=_("Evidence files"),
        required=False,
        help_text=_(
            "Up to 5 files, 10 MB each: PDF, PNG, JPEG, Word, Excel, PowerPoint, text, CSV."
        ),
    )


class PlanLinkForm(forms.Form):
    """Which goal, measure, step or survey an agenda item links to ("goal:12", "survey:3"...)."""

    target = forms.ChoiceField(label=_("Goal, measure, step or survey"))

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = choices

    def target_of(self, school):
        """The chosen object, read again within the school (None when it is gone)."""
        kind, _sep, pk = self.cleaned_data["target"].partition(":")
        objects = {
            "goal": Goal.objects.filter(plan__school=school).select_related("plan"),
            "measure": Measure.objects.filter(goal__plan__school=school).select_related(
                "goal__plan"
            ),
            "step": ActionStep.objects.filter(goal__plan__school=school).select_related(
                "goal__plan"
            ),
            "survey": Survey.objects.filter(school=school),
        }[kind]
        return kind, objects.filter(pk=pk).first()


class DecisionGoalForm(forms.Form):
    goal = forms.ChoiceField(label=_("Goal"))

    def __init__(self, *args, goals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].choices = goals


class CoachingThreadForm(forms.Form):
    about = forms.ChoiceField(label=_("About"))
    text = forms.CharField(
        label=_("Comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, plan, goals, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("plan", _("The plan as a whole"))]
        for goal in goals:
            label = _("Goal %(n)s") % {"n": goal.order}
            choices.append((f"goal:{goal.pk}", f"{label}: {goal.smart_statement[:80]}"))
            choices += [
                (f"step:{step.pk}", f"{label} · {_('Step: %(title)s') % {'title': step.title}}")
                for step in goal.steps.all()
            ]
        self.fields["about"].choices = choices
        self.goals = {goal.pk: goal for goal in goals}
        self.steps = {step.pk: step for goal in goals for step in goal.steps.all()}

    def target(self) -> dict:
        kind, _sep, pk = self.cleaned_data["about"].partition(":")
        if kind == "goal":
            return {"goal": self.goals[int(pk)]}
        if kind == "step":
            return {"step": self.steps[int(pk)]}
        return {}


class CoachingReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
