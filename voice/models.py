"""Surveys, their sections and questions (texts per language), who may answer, and answers.

In an anonymous survey a `Response` names no person, and `Participation` (who has answered,
so reminders skip them) names no response. Both have random keys and no time of day; the
audit trail records no answer either. PostgreSQL's own columns would still pair them if both
were written together (`xmin`, the transaction, and the physical order of rows), so an
anonymous answer's transaction writes the response alone: the participation waits in Redis
(voice.pending) and is written later in a shuffled batch of at least the district's
small-group threshold of people (services.participations_flush). An answer can be narrowed
to such a batch, never to a person (docs/architecture.md, "Anonymous surveys").
"""

from __future__ import annotations

import uuid
from functools import cache

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from leadership.models import District, Grade, School

MAX_RANKED_OPTIONS = 7
MAX_OPTIONS = 20
SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 2000
LABEL_MAX = 80


class QuestionKind(models.TextChoices):
    AGREEMENT = "agreement", _("Agreement (5 points)")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    NUMBER = "number", _("Number")
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    RANKING = "ranking", _("Ranking")


CHOICE_KINDS = (QuestionKind.AGREEMENT, QuestionKind.SINGLE, QuestionKind.MULTIPLE)
OPTION_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RANKING)
TEXT_KINDS = (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT)

# The five points of the agreement scale, in order (option 0 to 4).
AGREEMENT_LABELS = (
    _("Strongly disagree"),
    _("Disagree"),
    _("Neither agree nor disagree"),
    _("Agree"),
    _("Strongly agree"),
)


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class StaffAudience(models.TextChoices):
    NONE = "none", _("No staff")
    ALL = "all", _("All staff")
    ROLES = "roles", _("Staff in chosen roles")
    TEAMS = "teams", _("Members of chosen teams")


class Stakeholder(models.TextChoices):
    STAFF = "staff", _("Staff")
    FAMILY = "family", _("Families")
    STUDENT = "student", _("Students")


class Survey(models.Model):
    """A school's survey; or, with no school and a district, the district's survey that is
    built once and copied into every active school when it opens (the copies keep
    `copied_from` to it, and their questions to its questions)."""

    school = models.ForeignKey(
        School,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="surveys",
        verbose_name=_("school"),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="district_surveys",
        verbose_name=_("district"),
    )
    # {language code: text}, one entry per language of the school (of any school of the
    # district, for a district's survey).
    title = models.JSONField(_("title"), default=dict)
    intro = models.JSONField(_("introduction"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    is_anonymous = models.BooleanField(_("anonymous"), default=True)
    staff_audience = models.CharField(
        _("staff"), max_length=10, choices=StaffAudience.choices, default=StaffAudience.NONE
    )
    staff_roles = models.JSONField(_("staff roles"), default=list, blank=True)
    staff_teams = models.ManyToManyField(
        "teams.Team", blank=True, related_name="+", verbose_name=_("teams")
    )
    families = models.BooleanField(_("families"), default=False)
    students = models.BooleanField(_("students (through class links)"), default=False)
    owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="owned_surveys", verbose_name=_("owners")
    )
    template_key = models.CharField(max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # How many people with an account were asked when it opened (the response rate's base).
    invited = models.PositiveIntegerField(default=0)
    # The survey this one was copied from (an earlier round, or the district's survey).
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )
    # With `families`: only the families of students in these grades (OneRoster codes, see
    # leadership.models.Grade); empty: every family of the school.
    family_grades = models.JSONField(_("grades of the families asked"), default=list, blank=True)
    # A school's copy of the district's survey (`copied_from` is then the district's survey,
    # not an earlier round of the school's own): the district sets its questions and settings,
    # and a school has at most one copy of each district survey.
    from_district = models.BooleanField(default=False, editable=False)
    # Themes of the school's list its owners found in its results (its free-text answers
    # above all), as listening sessions are tagged: the themes page counts it under each.
    themes = models.ManyToManyField(
        "ListeningTheme", blank=True, related_name="surveys", verbose_name=_("themes")
    )
    # Moved, in the same transaction, by every write that changes what its results page shows
    # (an answer stored or changed, a question added, edited, moved or deleted): the results
    # page keeps what it rendered under it (voice.results.questions_fragment).
    results_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        indexes = [models.Index(fields=["school", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(school__isnull=False, district__isnull=True)
                | Q(school__isnull=True, district__isnull=False),
                name="voice_survey_of_a_school_or_a_district",
            ),
            # Only copies of a district's survey: a school's next rounds also keep
            # `copied_from` (to its earlier round), and two of them may follow the same one.
            models.UniqueConstraint(
                fields=["copied_from", "school"],
                condition=Q(from_district=True),
                name="voice_one_copy_per_school",
            ),
        ]

    def __str__(self) -> str:
        return self.text("title") or f"#{self.pk}"

    def get_absolute_url(self) -> str:
        if self.school_id is None:
            return reverse(
                "district:survey_detail", kwargs={"slug": self.district.slug, "pk": self.pk}
            )
        return reverse("voice:survey_detail", kwargs={"slug": self.school.slug, "pk": self.pk})

    @property
    def is_district_survey(self) -> bool:
        """The district's own survey (built once, copied into every school)."""
        return self.school_id is None

    @property
    def default_language(self) -> str:
        if self.school_id is not None:
            return self.school.default_language
        return (self.district.languages or [settings.LANGUAGE_CODE])[0]

    def text(self, attr: str, language: str | None = None) -> str:
        values = getattr(self, attr) or {}
        for code in (language, self.default_language):
            if code and values.get(code):
                return values[code]
        return next((v for v in values.values() if v), "")

    @property
    def is_open(self) -> bool:
        return self.status == SurveyStatus.OPEN

    @property
    def is_draft(self) -> bool:
        return self.status == SurveyStatus.DRAFT


class Section(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField(default=0)
    title = models.JSONField(_("title"), default=dict)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return next((v for v in self.title.values() if v), f"#{self.pk}")


@cache
def _agreement_labels(language: str | None) -> tuple[str, ...]:
    """The scale's words in `language`, the active one when called: the catalogues do not
    change while the process runs, and a survey page asks for them once a question."""
    return tuple(str(label) for label in AGREEMENT_LABELS)


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(
        Section,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name=_("section"),
    )
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=QuestionKind.choices)
    text = models.JSONField(_("question"), default=dict)
    # [{language code: label}, ...] for single, multiple choice and ranking.
    options = models.JSONField(_("options"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    show_if = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("show only if this earlier question"),
    )
    show_if_option = models.PositiveSmallIntegerField(null=True, blank=True)
    # The question this one was copied from: the same question in an earlier round of the
    # survey, or in the district's survey that every school answers. Results are compared and
    # added up across copies through it.
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return next((v for v in self.text.values() if v), f"#{self.pk}")

    def label(self, language: str) -> str:
        return self.text.get(language) or str(self)

    def option_labels(self, language: str) -> list[str]:
        if self.kind == QuestionKind.AGREEMENT:
            return list(_agreement_labels(get_language()))
        return [option.get(language) or "" for option in self.options]


class StudentLink(models.Model):
    """A link (and QR code) a teacher shows a class or grade: answered without an account."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="links")
    label = models.CharField(_("class or grade"), max_length=LABEL_MAX)
    nonce = models.CharField(max_length=43, unique=True, editable=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The grade the link is for, if it is for one grade: students' answers by grade.
    grade = models.CharField(_("grade"), max_length=5, blank=True, choices=Grade.choices)

    class Meta:
        ordering = ["label", "id"]

    def __str__(self) -> str:
        return self.label


class Participation(models.Model):
    """This person has answered this survey (for reminders, and to answer once). It names no
    response, has a random key and no time. For an anonymous survey it is written by a batch
    of several people's participations, in one transaction and in random order, never by the
    answer's transaction; until then it is pending in Redis (voice.pending), and every reader
    of this table counts the pending ones too."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "user"], name="voice_participation_once")
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} · {self.user_id}"


class Response(models.Model):
    """One person's answers. `respondent` is set only in a named survey; the groups are what
    results are broken down by (and suppressed when small)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_responses",
    )
    stakeholder = models.CharField(max_length=10, choices=Stakeholder.choices)
    role = models.CharField(max_length=20, blank=True)
    group_label = models.CharField(max_length=LABEL_MAX, blank=True)
    language = models.CharField(max_length=10)
    submitted_on = models.DateField()
    # sha256 of a random key kept only in the respondent's browser: lets them change an
    # anonymous answer without the database knowing whose it is.
    edit_key_hash = models.CharField(max_length=64, blank=True, db_index=True)
    # A group, like `role`: the grade of a family's children (or "several", when the family
    # has children in more than one of the survey's grades: counting the answer once under
    # each grade would weigh such families twice and could single them out), or of a class
    # link made for one grade. Empty for staff and when no grade is known.
    grade = models.CharField(max_length=8, blank=True)
    # A class-link answer: sha256 of the survey and a random key kept in the device's session
    # (tokens.hash_device_key). It names no person, differs between surveys, and lets the
    # database refuse a second answer from the same session even when both arrive at once.
    device_key_hash = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "respondent"],
                condition=Q(respondent__isnull=False),
                name="voice_response_once_per_person",
            ),
            models.UniqueConstraint(
                fields=["survey", "device_key_hash"],
                condition=~Q(device_key_hash=""),
                name="voice_response_once_per_device",
            ),
        ]
        indexes = [models.Index(fields=["survey", "stakeholder"])]

    def __str__(self) -> str:
        return f"{self.survey_id} · {self.stakeholder}"


class Answer(models.Model):
    """One value: a chosen option (one row per option of a multiple choice), a rank given to
    an option, a number or a text."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    option = models.PositiveSmallIntegerField(null=True, blank=True)
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    number = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    text = models.TextField(blank=True, max_length=LONG_TEXT_MAX)

    class Meta:
        indexes = [models.Index(fields=["question", "option"])]

    def __str__(self) -> str:
        return f"{self.question_id}"


class SendRound(models.Model):
    """One round of e-mails about a survey: the invitation (number 0) or a reminder (1, 2...).
    `total` grows as the batches are queued and `sent` as they go out: the progress shown."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField(auto_now_add=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    total = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    queued_all = models.BooleanField(default=False)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "number"], name="voice_round_once")
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} · {self.number}"

    @property
    def is_reminder(self) -> bool:
        return self.number > 0

    @property
    def percent(self) -> int:
        return (
            round(100 * self.sent / self.total) if self.total else (100 if self.queued_all else 0)
        )


class PlanEvidence(models.Model):
    """What people said, put into the work plan: a survey question's result (a goal's evidence,
    or a data point it fed to a measure), or a theme heard in listening sessions or an idea
    exchange (a goal's evidence, with its counts when attached). The goal and measure live in
    workplans, above voice, so they are kept by id."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    options = models.JSONField(default=list, blank=True)
    dimension = models.CharField(max_length=20, blank=True)
    group_key = models.CharField(max_length=LABEL_MAX, blank=True)
    description = models.CharField(max_length=400)
    value = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    n = models.PositiveIntegerField(null=True, blank=True)
    taken_on = models.DateField()
    goal_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    measure_id = models.BigIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # A theme as the source instead of a survey question (exactly one source is set).
    listening_theme = models.ForeignKey(
        "ListeningTheme", on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    idea_theme = models.ForeignKey(
        "Theme", on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    # A theme's counts when it was attached: {"sessions", "ideas", "heard": {group: n}}.
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-taken_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(goal_id__isnull=False) | Q(measure_id__isnull=False),
                name="voice_evidence_has_a_target",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        survey__isnull=False,
                        question__isnull=False,
                        value__isnull=False,
                        n__isnull=False,
                        listening_theme__isnull=True,
                        idea_theme__isnull=True,
                    )
                    | Q(
                        survey__isnull=True,
                        question__isnull=True,
                        listening_theme__isnull=False,
                        idea_theme__isnull=True,
                        measure_id__isnull=True,
                    )
                    | Q(
                        survey__isnull=True,
                        question__isnull=True,
                        listening_theme__isnull=True,
                        idea_theme__isnull=False,
                        measure_id__isnull=True,
                    )
                ),
                name="voice_evidence_has_one_source",
            ),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def heard(self) -> list[str]:
        """Who a theme was heard from when it was attached, one phrase per group ("1 student",
        "4 family members"), in a fixed order: each phrase in the plural form its count takes
        in the reader's language."""
        found = (self.counts or {}).get("heard") or {}
        return [
            phrase(found[key]) % {"n": found[key]}
            for key, phrase in HEARD_PHRASES
            if found.get(key)
        ]


# Written out so that each phrase is found for translation with its plural.
HEARD_PHRASES = (
    ("students", lambda n: ngettext("%(n)s student", "%(n)s students", n)),
    ("families", lambda n: ngettext("%(n)s family member", "%(n)s family members", n)),
    ("staff", lambda n: ngettext("%(n)s staff member", "%(n)s staff", n)),
    ("community", lambda n: ngettext("%(n)s community member", "%(n)s community members", n)),
)


# --- idea exchange ----------------------------------------------------------------------------

IDEA_MAX = 280


class IdeaExchange(models.Model):
    """One open question; participants add short ideas without their names and rate a sample
    of others' ideas; the owner groups ideas into themes."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="idea_exchanges")
    question = models.JSONField(_("question"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    staff = models.BooleanField(_("all staff"), default=True)
    families = models.BooleanField(_("all families"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text()

    def get_absolute_url(self) -> str:
        return reverse("voice:exchange_detail", kwargs={"slug": self.school.slug, "pk": self.pk})

    def text(self, language: str | None = None) -> str:
        for code in (language, self.school.default_language):
            if code and self.question.get(code):
                return self.question[code]
        return next((v for v in self.question.values() if v), f"#{self.pk}")


class Theme(models.Model):
    exchange = models.ForeignKey(IdeaExchange, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(_("theme"), max_length=120)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["exchange", "name"], name="voice_theme_once")
        ]

    def __str__(self) -> str:
        return self.name


class Idea(models.Model):
    """An idea, with no author: only the stakeholder group of whoever wrote it."""

    exchange = models.ForeignKey(IdeaExchange, on_delete=models.CASCADE, related_name="ideas")
    text = models.CharField(_("idea"), max_length=IDEA_MAX)
    stakeholder = models.CharField(max_length=10, choices=Stakeholder.choices)
    theme = models.ForeignKey(
        Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="ideas"
    )
    is_hidden = models.BooleanField(default=False)
    # A keyed hash of this idea's random salt, the exchange and the author (tokens.author_key):
    # it names nobody, differs between two ideas of one person, and keeps an author's own
    # ideas out of the sample they are asked to rate (tokens.is_author recomputes it).
    author_key = models.CharField(max_length=64, blank=True, editable=False)
    author_salt = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text


class IdeaRating(models.Model):
    """A rating of an idea (1 to 5). `rater` is a keyed hash of the exchange and the person,
    so a person rates an idea once; it names nobody and differs from one exchange to the next."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="ratings")
    rater = models.CharField(max_length=64)
    stakeholder = models.CharField(max_length=10, choices=Stakeholder.choices)
    stars = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idea", "rater"], name="voice_rating_once"),
            models.CheckConstraint(
                condition=Q(stars__gte=1, stars__lte=5), name="voice_rating_one_to_five"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.idea_id}: {self.stars}"


# --- listening sessions -------------------------------------------------------------------------


class SessionKind(models.TextChoices):
    FOCUS_GROUP = "focus_group", _("Focus group")
    EMPATHY_INTERVIEW = "empathy_interview", _("Empathy interview")
    LEARNING_WALK = "learning_walk", _("Learning walk debrief")
    DESIGN_LAB = "design_lab", _("Design lab")


class ListeningTheme(models.Model):
    """A theme from the list the school keeps, to tag what was heard."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="listening_themes")
    name = models.CharField(_("theme"), max_length=120)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                "school",
                models.functions.Lower("name"),
                name="voice_listening_theme_once",
                violation_error_message=_("The school already has this theme."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class ListeningSession(models.Model):
    """A record of a focus group, interview, debrief or design lab: who was heard as counts by
    group (no names), the protocol, notes, quotes kept without names, and themes."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="listening_sessions")
    kind = models.CharField(_("kind"), max_length=20, choices=SessionKind.choices)
    held_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    protocol = models.TextField(_("protocol questions"), max_length=4000, blank=True)
    students_heard = models.PositiveIntegerField(_("students heard"), default=0)
    families_heard = models.PositiveIntegerField(_("family members heard"), default=0)
    staff_heard = models.PositiveIntegerField(_("staff heard"), default=0)
    community_heard = models.PositiveIntegerField(_("community members heard"), default=0)
    notes = models.TextField(_("notes"), max_length=10000, blank=True)
    quotes = models.TextField(_("quotes"), max_length=10000, blank=True)
    themes = models.ManyToManyField(ListeningTheme, blank=True, related_name="sessions")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("voice:session_detail", kwargs={"slug": self.school.slug, "pk": self.pk})

    @property
    def heard_total(self) -> int:
        return self.students_heard + self.families_heard + self.staff_heard + self.community_heard

    @property
    def quote_list(self) -> list[str]:
        return [line.strip() for line in self.quotes.splitlines() if line.strip()]
