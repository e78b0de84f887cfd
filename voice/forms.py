"""Input of the voice pages: survey settings, a question, a class link, and the answer form
built from a survey's questions in one language."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import gettext_lazy as _

from leadership.edits import VersionField
from leadership.models import STAFF_ROLES, Grade, Membership, Role, User
from teams.models import Team

from .models import (
    CHOICE_KINDS,
    LABEL_MAX,
    LONG_TEXT_MAX,
    OPTION_KINDS,
    SHORT_TEXT_MAX,
    ListeningSession,
    ListeningTheme,
    Question,
    QuestionKind,
    StaffAudience,
)
from .selectors import grade_choices, language_name
from .widgets import CheckboxSelectMultiple, NumberInput, RadioSelect, Select, Textarea, TextInput

OPTIONS_MISMATCH = _("Give the same number of options in every language.")


def _lang_fields(form, name: str, label, languages, *, initial: dict, widget=None, required=False):
    for code in languages:
        form.fields[f"{name}_{code}"] = forms.CharField(
            label=f"{label} ({language_name(code)})",
            required=required and code == languages[0],
            max_length=2000 if widget else 200,
            widget=widget,
            initial=(initial or {}).get(code, ""),
        )


def _lang_values(cleaned: dict, name: str, languages) -> dict[str, str]:
    return {code: cleaned.get(f"{name}_{code}", "") for code in languages}


class SurveyCreateForm(forms.Form):
    is_anonymous = forms.BooleanField(
        label=_("Anonymous: no answer can be traced to the person who gave it"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, languages: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.languages = languages
        _lang_fields(self, "title", _("Title"), languages, initial={}, required=True)
        self.order_fields([f"title_{c}" for c in languages])

    def texts(self) -> dict:
        return {"title": _lang_values(self.cleaned_data, "title", self.languages)}


class SurveySettingsForm(forms.Form):
    version = VersionField()
    is_anonymous = forms.BooleanField(
        label=_("Anonymous: no answer can be traced to the person who gave it"), required=False
    )
    staff_audience = forms.ChoiceField(label=_("Staff"), choices=StaffAudience.choices)
    staff_roles = forms.MultipleChoiceField(
        label=_("Staff roles"),
        required=False,
        choices=[(r.value, r.label) for r in STAFF_ROLES],
        widget=forms.CheckboxSelectMultiple,
    )
    staff_teams = forms.ModelMultipleChoiceField(
        label=_("Teams"),
        required=False,
        queryset=Team.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    families = forms.BooleanField(label=_("All families of the school"), required=False)
    family_grades = forms.MultipleChoiceField(
        label=_("Only the families of students in these grades"),
        help_text=_("Leave all unticked to ask every family."),
        required=False,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
    )
    students = forms.BooleanField(
        label=_("Students, through a link or QR code per class or grade"), required=False
    )
    owners = forms.ModelMultipleChoiceField(
        label=_("Owners (build the survey and read its results with you)"),
        required=False,
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, survey, languages: list[str], version: str | None = None, **kwargs):
        initial = {
            "version": version,
            "is_anonymous": survey.is_anonymous,
            "staff_audience": survey.staff_audience,
            "staff_roles": survey.staff_roles,
            "staff_teams": list(survey.staff_teams.all()),
            "families": survey.families,
            "family_grades": survey.family_grades,
            "students": survey.students,
            "owners": list(survey.owners.all()),
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.languages = languages
        _lang_fields(self, "title", _("Title"), languages, initial=survey.title, required=True)
        _lang_fields(
            self, "intro", _("Introduction"), languages, initial=survey.intro, widget=forms.Textarea
        )
        self.order_fields([f"title_{c}" for c in languages] + [f"intro_{c}" for c in languages])
        # The school's grades, and any the survey already asks (a family since moved on).
        choices = dict(grade_choices(survey.school))
        choices.update({c: str(Grade(c).label) for c in survey.family_grades if c in Grade.values})
        self.fields["family_grades"].choices = [
            (code, choices[code]) for code in Grade.values if code in choices
        ]
        if not choices:
            del self.fields["family_grades"]
        self.fields["staff_teams"].queryset = Team.objects.filter(
            school=survey.school, school_year__is_current=True
        )
        staff_ids = Membership.objects.active().filter(
            school=survey.school, role__in=[Role.TEACHER_LEADER, Role.STAFF]
        )
        self.fields["owners"].queryset = User.objects.filter(
            pk__in=staff_ids.values("user_id")
        ).order_by("full_name", "email")

    def settings(self) -> dict:
        data = self.cleaned_data
        return {
            "title": _lang_values(data, "title", self.languages),
            "intro": _lang_values(data, "intro", self.languages),
            "is_anonymous": data["is_anonymous"],
            "staff_audience": data["staff_audience"],
            "staff_roles": list(data["staff_roles"]),
            "families": data["families"],
            "family_grades": list(data.get("family_grades") or []),
            "students": data["students"],
        }


class SectionForm(forms.Form):
    def __init__(self, *args, languages: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.languages = languages
        _lang_fields(self, "title", _("Section title"), languages, initial={}, required=True)

    def titles(self) -> dict:
        return _lang_values(self.cleaned_data, "title", self.languages)


class QuestionForm(forms.Form):
    version = VersionField(required=False)
    kind = forms.ChoiceField(label=_("Kind of question"), choices=QuestionKind.choices)
    section = forms.TypedChoiceField(
        label=_("Section"), required=False, coerce=int, empty_value=None
    )
    required = forms.BooleanField(label=_("Required"), required=False)
    show_if = forms.ChoiceField(label=_("Show this question only if"), required=False)

    def __init__(self, *args, survey, languages: list[str], question: Question | None, **kwargs):
        question_list = list(survey.questions.all())
        initial = dict(kwargs.pop("initial", None) or {})
        if question is not None:
            initial |= {
                "kind": question.kind,
                "section": question.section_id,
                "required": question.required,
                "show_if": f"{question.show_if_id}:{question.show_if_option}"
                if question.show_if_id
                else "",
            }
        super().__init__(*args, initial=initial, **kwargs)
        if question is None:
            del self.fields["version"]
        self.languages = languages
        default = languages[0]
        _lang_fields(
            self,
            "text",
            _("Question"),
            languages,
            initial=question.text if question else {},
            required=True,
        )
        for code in languages:
            lines = "\n".join(o.get(code, "") for o in question.options) if question else ""
            self.fields[f"options_{code}"] = forms.CharField(
                label=_("Options, one a line (%(language)s)") % {"language": language_name(code)},
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
                initial=lines,
                help_text=_("For single and multiple choice and ranking (up to 7 to rank)."),
            )
        self.sections = {s.pk: s for s in survey.sections.all()}
        self.fields["section"].choices = [("", _("No section"))] + [
            (pk, str(s)) for pk, s in self.sections.items()
        ]
        earlier = [
            q
            for q in question_list
            if q.kind in CHOICE_KINDS and (question is None or q.position < question.position)
        ]
        choices = [("", _("Always show it"))]
        for q in earlier:
            number = question_list.index(q) + 1
            for index, label in enumerate(q.option_labels(default)):
                choices.append(
                    (
                        f"{q.pk}:{index}",
                        _("Question %(n)s is “%(answer)s”") % {"n": number, "answer": label},
                    )
                )
        self.fields["show_if"].choices = choices
        self.earlier = {q.pk: q for q in earlier}
        self.order_fields(
            ["kind", "section"]
            + [f"text_{c}" for c in languages]
            + [f"options_{c}" for c in languages]
        )

    def clean(self):
        data = super().clean()
        per_language = {
            code: [
                line.strip()
                for line in (data.get(f"options_{code}") or "").splitlines()
                if line.strip()
            ]
            for code in self.languages
        }
        options: list[dict[str, str]] = []
        if data.get("kind") in OPTION_KINDS:
            lengths = {len(v) for v in per_language.values() if v}
            if len(lengths) > 1:
                self.add_error(f"options_{self.languages[0]}", OPTIONS_MISMATCH)
            count = max(lengths, default=0)
            options = [
                {
                    code: (values[i] if i < len(values) else "")
                    for code, values in per_language.items()
                }
                for i in range(count)
            ]
        data["options_list"] = options
        return data

    def question_data(self) -> dict:
        data = self.cleaned_data
        show_if, show_if_option = None, None
        if data.get("show_if"):
            pk, option = data["show_if"].split(":")
            show_if, show_if_option = self.earlier.get(int(pk)), int(option)
        return {
            "kind": data["kind"],
            "text": _lang_values(data, "text", self.languages),
            "options": data["options_list"],
            "required": data["required"],
            "section": self.sections.get(data.get("section")),
            "show_if": show_if,
            "show_if_option": show_if_option,
            "version": data.get("version") or None,
        }


class LinkForm(forms.Form):
    label = forms.CharField(
        label=_("Class or grade"),
        max_length=LABEL_MAX,
        help_text=_("For example “Grade 4” or “Room 12”."),
    )
    grade = forms.ChoiceField(
        label=_("Grade"),
        required=False,
        choices=[("", _("Not one grade")), *Grade.choices],
        help_text=_("If the link is for one grade, its answers can be shown by grade."),
    )


class _Pairs(BaseChoiceIterator):
    """Choices already in the form Django brings them to ((value, label) pairs, no groups),
    taken as they are: a field and its widget would otherwise normalize them again, option by
    option, for every question of every answer page."""

    def __init__(self, pairs):
        self.pairs = tuple(pairs)

    def __iter__(self):
        return iter(self.pairs)


class AnswerForm(forms.Form):
    """The questions of a survey in one language, with its values as the service takes them."""

    def __init__(self, *args, questions: list[Question], language: str, initial_values=None, **kw):
        super().__init__(*args, **kw)
        self.questions = questions
        initial_values = initial_values or {}
        for question in questions:
            name = f"q{question.pk}"
            label = question.label(language)
            labels = question.option_labels(language)
            common = {"label": label, "required": False}
            value = initial_values.get(question.pk)
            kind = question.kind
            if kind in (QuestionKind.AGREEMENT, QuestionKind.SINGLE):
                field = forms.TypedChoiceField(
                    choices=_Pairs(enumerate(labels)),
                    coerce=int,
                    empty_value=None,
                    widget=RadioSelect,
                    **common,
                )
            elif kind == QuestionKind.MULTIPLE:
                field = forms.TypedMultipleChoiceField(
                    choices=_Pairs(enumerate(labels)),
                    coerce=int,
                    widget=CheckboxSelectMultiple,
                    **common,
                )
            elif kind == QuestionKind.NUMBER:
                field = forms.DecimalField(
                    max_digits=12, decimal_places=2, widget=NumberInput, **common
                )
            elif kind == QuestionKind.SHORT_TEXT:
                # The limit is checked by the service, with a message; the browser's maxlength
                # keeps most people from typing past it.
                field = forms.CharField(
                    widget=TextInput(attrs={"maxlength": SHORT_TEXT_MAX}), **common
                )
            elif kind == QuestionKind.LONG_TEXT:
                field = forms.CharField(
                    widget=Textarea(attrs={"rows": 4, "maxlength": LONG_TEXT_MAX}), **common
                )
            else:  # ranking: one select per option
                ranks = _Pairs([("", "—")] + [(r, str(r)) for r in range(1, len(labels) + 1)])
                for index, option_label in enumerate(labels):
                    self.fields[f"{name}_r{index}"] = forms.TypedChoiceField(
                        label=option_label,
                        choices=ranks,
                        coerce=int,
                        empty_value=None,
                        required=False,
                        widget=Select,
                        initial=(value or {}).get(index),
                    )
                continue
            if value is not None:
                field.initial = value
            if question.required:
                field.widget.attrs["aria-required"] = "true"
            self.fields[name] = field

    def values(self) -> dict:
        data = self.cleaned_data
        values = {}
        for question in self.questions:
            name = f"q{question.pk}"
            if question.kind == QuestionKind.RANKING:
                ranks = {}
                for index in range(len(question.options)):
                    rank = data.get(f"{name}_r{index}")
                    if rank is not None:
                        ranks[index] = rank
                values[question.pk] = ranks
            elif question.kind == QuestionKind.NUMBER:
                value = data.get(name)
                values[question.pk] = Decimal(value) if value is not None else None
            else:
                values[question.pk] = data.get(name)
        return values


class EvidenceForm(forms.Form):
    """Which answers to count, for whom, and where in the plan it goes."""

    options = forms.TypedMultipleChoiceField(
        label=_("Count the people who answered"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    group = forms.ChoiceField(label=_("For"), required=False)
    target = forms.ChoiceField(label=_("Put it into the plan as"))

    def __init__(self, *args, labels, groups, goals, measures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["options"].choices = list(enumerate(labels))
        self.fields["group"].choices = [("", _("Everyone")), *groups]
        self.fields["target"].choices = [
            (_("Evidence for a goal"), [(f"goal:{pk}", label) for pk, label in goals]),
            (_("A data point of a measure"), [(f"measure:{pk}", label) for pk, label in measures]),
        ]

    def attach_data(self) -> dict:
        data = self.cleaned_data
        kind, pk = data["target"].split(":")
        dimension, _sep, key = (data.get("group") or "").partition(":")
        return {
            "options": data["options"],
            "dimension": dimension,
            "group_key": key,
            "goal_id": int(pk) if kind == "goal" else None,
            "measure_id": int(pk) if kind == "measure" else None,
        }


class ExchangeForm(forms.Form):
    staff = forms.BooleanField(label=_("All staff"), required=False, initial=True)
    families = forms.BooleanField(label=_("All families"), required=False)

    def __init__(self, *args, languages: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.languages = languages
        _lang_fields(self, "question", _("Open question"), languages, initial={}, required=True)
        self.order_fields([f"question_{c}" for c in languages])

    def exchange_data(self) -> dict:
        data = self.cleaned_data
        return {
            "question": _lang_values(data, "question", self.languages),
            "staff": data["staff"],
            "families": data["families"],
        }


class IdeaForm(forms.Form):
    text = forms.CharField(
        label=_("Your idea"),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 280}),
        help_text=_("Up to 280 characters. Your name is not kept with it."),
    )


class SessionForm(forms.ModelForm):
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        required=False,
        queryset=ListeningTheme.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ListeningSession
        fields = [
            "kind",
            "held_on",
            "title",
            "protocol",
            "students_heard",
            "families_heard",
            "staff_heard",
            "community_heard",
            "notes",
            "quotes",
        ]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}),
            "protocol": forms.Textarea(attrs={"rows": 4}),
            "notes": forms.Textarea(attrs={"rows": 6}),
            "quotes": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "protocol": _("The questions asked, one a line."),
            "students_heard": _("Counts only: no names of students are kept."),
            "quotes": _("One a line, without names or anything that would identify the speaker."),
        }

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = ListeningTheme.objects.filter(school=school)


class SurveyThemesForm(forms.Form):
    """Which themes of the school's list a survey's results were about."""

    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        required=False,
        queryset=ListeningTheme.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The themes of the school's list that its results, its written answers above all, "
            "speak to. The themes page counts the survey under each."
        ),
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = ListeningTheme.objects.filter(school=school)


class NextRoundForm(forms.Form):
    """The title of the next round, in each language of the school (prefilled)."""

    def __init__(self, *args, languages: list[str], initial_titles: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.languages = languages
        _lang_fields(self, "title", _("Title"), languages, initial=initial_titles, required=True)

    def titles(self) -> dict[str, str]:
        return _lang_values(self.cleaned_data, "title", self.languages)


class ThemeEvidenceForm(forms.Form):
    """Which goal of the plan a theme is evidence for, and what it says."""

    goal = forms.TypedChoiceField(label=_("Evidence for the goal"), coerce=int)
    description = forms.CharField(
        label=_("What it tells us"),
        max_length=400,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 400}),
        help_text=_("A sentence or two, shown on the goal with the theme's counts."),
    )

    def __init__(self, *args, goals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].choices = list(goals)
