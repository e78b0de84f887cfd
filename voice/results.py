"""A survey's results: counts computed by the database in a fixed number of queries, broken
down by group with small groups suppressed, and drawn as SVG on the server.

Suppression: when fewer people than the district's small-group threshold have answered a
question, none of its counts, shares, averages or ranks is shown, only how many answered (free
text excepted: it is never broken down, and is read by the owners only). A group whose answers
to a question are fewer than the threshold is not shown. While the overall figure minus the
shown groups would give the hidden ones away (one hidden group, or hidden groups under the
threshold together), the smallest shown group is hidden too (complementary suppression)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from itertools import groupby
from operator import itemgetter

from django.db import connection
from django.db.models import Avg, Case, CharField, Count, F, Max, Min, When
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from leadership import grades as grade_codes
from leadership import versions
from leadership.latest import LatestFragments
from leadership.models import Role, SchoolVersion

from . import pending
from .models import (
    CHOICE_KINDS,
    TEXT_KINDS,
    Answer,
    Participation,
    Question,
    QuestionKind,
    Response,
    StaffAudience,
    Stakeholder,
    Survey,
)
from .selectors import audience_size, audience_sizes, language_name
from .suppression import suppressed_groups, too_few

DIMENSIONS = {
    "stakeholder": gettext_lazy("Stakeholder group"),
    "role": gettext_lazy("Role"),
    "group_label": gettext_lazy("Class or grade"),
    "language": gettext_lazy("Language"),
    "grade": gettext_lazy("Grade (families)"),
    "class_grade": gettext_lazy("Grade of the class link (students)"),
}
# The grade dimensions: each is the grade of one stakeholder group only (a family's children's
# grade, or the grade a class link was made for); everyone else is grouped by stakeholder, so
# that no group mixes families with staff or students (a group that did could be subtracted
# from a stakeholder's figure to reveal a few families' answers).
GRADE_DIMENSIONS = {"grade": Stakeholder.FAMILY, "class_grade": Stakeholder.STUDENT}
# After the grades: a family of several grades, no grade known, then the other stakeholders.
_AFTER_GRADES = {
    grade_codes.SEVERAL: 0,
    "": 1,
    Stakeholder.STAFF.value: 2,
    Stakeholder.FAMILY.value: 3,
    Stakeholder.STUDENT.value: 4,
}
TEXTS_SHOWN = 500  # free-text answers on the page; the CSV has them all


# Said where a question's figures are not shown (the pages say it in their templates).
TOO_FEW_FOR_QUESTION = gettext_lazy(
    "Fewer than %(n)s people have answered this question: its results are shown once %(n)s have."
)


def group_label(dimension: str, value: str) -> str:
    if dimension == "stakeholder":
        return str(Stakeholder(value).label) if value in Stakeholder.values else value
    if dimension == "role":
        return str(Role(value).label) if value in Role.values else _("Not staff")
    if dimension == "language":
        return language_name(value)
    if dimension in GRADE_DIMENSIONS:
        if value in Stakeholder.values and value != GRADE_DIMENSIONS[dimension]:
            return str(Stakeholder(value).label)
        if not value:
            return _("No grade known") if dimension == "grade" else _("Students, no grade given")
        return grade_codes.label(value)
    return value or _("Signed in (no class link)")


def _group_order(dimension: str | None, value: str) -> tuple:
    """Groups in the order a reader expects: grades in school order, the rest by name."""
    if dimension in GRADE_DIMENSIONS:
        order = grade_codes.ORDER.get(
            value, len(grade_codes.ORDER) + _AFTER_GRADES.get(value, len(_AFTER_GRADES))
        )
        return (order, value)
    return (0, group_label(dimension, value))


def _grade_groups(answers, group_field: str, dimension: str):
    """`answers` with the group of a grade dimension as "grade_group": the response's grade
    for the dimension's stakeholder group, the stakeholder group for everyone else."""
    prefix = group_field.rpartition("__")[0]
    stakeholder = f"{prefix}__stakeholder" if prefix else "stakeholder"
    grade = f"{prefix}__grade" if prefix else "grade"
    return answers.annotate(
        grade_group=Case(
            When(**{stakeholder: GRADE_DIMENSIONS[dimension]}, then=F(grade)),
            default=F(stakeholder),
            output_field=CharField(),
        )
    ), "grade_group"


@dataclass
class OptionRow:
    label: str
    n: int
    percent: int
    cells: list[tuple[int, int] | None] = field(default_factory=list)  # (n, %); None: hidden


@dataclass
class Group:
    key: str
    label: str
    n: int
    hidden: bool


@dataclass
class QuestionResult:
    number: int
    question: Question
    label: str
    answered: int
    options: list[OptionRow] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    chart: SafeString | str = ""
    number_stats: dict | None = None
    ranking: list[dict] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    # Fewer answers than the threshold: no figure is shown (no options, groups, chart, average
    # or ranks are even computed), only how many answered. Never set on free text.
    figures_hidden: bool = False
    attach_url: SafeString | str = ""  # where it is put into the plan (the school's page sets it)
    # The id of its heading, "question 3" and its table's caption, as the pages show them.
    anchor: SafeString | str = ""
    question_name: SafeString | str = ""
    table_caption: SafeString | str = ""

    @property
    def is_choice(self) -> bool:
        return self.question.kind in CHOICE_KINDS

    @property
    def is_text(self) -> bool:
        return self.question.kind in TEXT_KINDS

    @property
    def any_hidden(self) -> bool:
        return any(g.hidden for g in self.groups)

    # What the results pages show of a question, built once per question rather than by the
    # template per option and per answer (the same HTML, escaped the same way: the words are
    # the catalogue's, as {% translate %} puts them, and every value is escaped).

    @property
    def heading(self) -> SafeString:
        return mark_safe(f"{self.number}. {escape(self.label)}")  # noqa: S308

    @property
    def answered_text(self) -> SafeString:
        n = self.answered
        return mark_safe(ngettext("%(n)s answer", "%(n)s answers", n) % {"n": n})  # noqa: S308

    @property
    def table_rows(self) -> SafeString:
        """The rows of the option table's body: the option, everyone's share, then each
        group's share or, for a hidden group, that it is not shown."""
        hidden = (
            f'<td><span class="vc-suppressed">{gettext("Not shown (small group)")}</span></td>'
            if self.any_hidden
            else ""
        )
        rows = []
        for row in self.options:
            cells = "".join(
                hidden if cell is None else f"<td>{cell[1]}% ({cell[0]})</td>" for cell in row.cells
            )
            rows.append(
                f'\n      <tr><th scope="row">{escape(row.label)}</th>'
                f"<td>{row.percent}% ({row.n})</td>{cells}</tr>\n    "
            )
        return mark_safe("".join(rows))  # noqa: S308

    @property
    def texts_html(self) -> SafeString:
        """The free-text answers as list items. The texts are escaped together, joined by NUL
        (which PostgreSQL's text never holds), then split into items."""
        joined = "\x00".join(self.texts)
        if joined.count("\x00") == len(self.texts) - 1:
            items = escape(joined).replace("\x00", "</li><li>")
        else:
            items = "</li><li>".join(escape(text) for text in self.texts)
        return mark_safe(f"<li>{items}</li>" if self.texts else "")  # noqa: S308


@dataclass
class Results:
    survey: Survey
    responses: int
    invited: int
    participated: int
    dimension: str | None
    threshold: int
    questions: list[QuestionResult]

    @property
    def rate(self) -> int | None:
        return _rate(self.participated, self.invited)

    @property
    def too_few(self) -> bool:
        """Fewer responses than the threshold in all: no question's figures are shown."""
        return too_few(self.responses, self.threshold)


def _rate(participated: int, asked: int) -> int | None:
    """Who answered over the people asked now: the same for a school's page and for its row
    on the district's (never above 100, should someone who answered have left since)."""
    if not asked:
        return None
    return min(100, round(100 * participated / asked))


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def response_rate(survey: Survey) -> tuple[int, int, int]:
    """(responses, people asked, people who answered). Who answered counts the participations
    written and those still pending (voice.pending), each person once; the people asked are
    kept under the school's version (people_asked).

    Pending people are read first: one written and cleared from Redis after that read is
    found by the count that follows (the other way round it would be missed by both). The
    counts and the school's version are then one query."""
    waiting = sorted(pending.members_or_none([survey.pk]).get(survey.pk, ()))
    responses, written, both, version = _counts(survey, waiting)
    return responses, people_asked(survey, version=version), written + len(waiting) - both


def _counts(survey: Survey, waiting: list[int]) -> tuple[int, int, int, int | None]:
    """(responses, participations written, those of them by the `waiting` people, the
    school's version or None): one statement, so one snapshot, the version read before the
    people asked are counted."""
    # The list padded to a power of two with its last id (the same IN): a statement for each
    # of a few sizes, not for every number of people pending during a surge of answers.
    people = waiting + waiting[-1:] * ((1 << (len(waiting) - 1).bit_length()) - len(waiting))
    params = [survey.pk, survey.pk, survey.pk, *people, survey.school_id]
    with connection.cursor() as cursor:
        cursor.execute(_counts_sql(len(people)), params)
        return cursor.fetchone()


@functools.lru_cache(maxsize=32)
def _counts_sql(waiting: int) -> str:
    """Written from the models' tables and columns, every value a parameter; `waiting`
    placeholders for the people pending (none: nobody is counted twice)."""
    response, participation = Response._meta, Participation._meta
    version = SchoolVersion._meta
    survey_of = participation.get_field("survey").column
    people = ", ".join(["%s"] * waiting) or "NULL"
    return (
        f'SELECT (SELECT COUNT(*) FROM "{response.db_table}" '  # noqa: S608
        f'WHERE "{response.get_field("survey").column}" = %s), '
        f'(SELECT COUNT(*) FROM "{participation.db_table}" WHERE "{survey_of}" = %s), '
        f'(SELECT COUNT(*) FROM "{participation.db_table}" WHERE "{survey_of}" = %s '
        f'AND "{participation.get_field("user").column}" IN ({people})), '
        f'(SELECT "{version.get_field("version").column}" FROM "{version.db_table}" '
        f'WHERE "{version.get_field("school").column}" = %s)'
    )


def people_asked(survey: Survey, *, version: int | None = versions.UNREAD) -> int:
    """How many people the survey asks now (voice.selectors.audience_size), kept under its
    school's version (`version`, when the caller read it) and its audience settings.

    Honest because every write that changes who is asked moves the school's version: a
    membership given, changed or ended (invitations, the admin, rostering, which marks the
    district), a person's account (leadership.signals), a family's grades (rostering), the
    survey's settings (voice.services). A survey asked of teams is counted anew each time."""
    if survey.school_id is None or survey.staff_audience == StaffAudience.TEAMS:
        return audience_size(survey)
    parts = [
        survey.staff_audience,
        ",".join(sorted(survey.staff_roles or [])),
        "families" if survey.families else "",
        ",".join(sorted(survey.family_grades or [])),
    ]
    return versions.cached_fragment(
        survey.school_id, "voice:asked", parts, lambda: audience_size(survey), version=version
    )


def _also_pending(waiting: dict[int, set[int]], prefix: str = "") -> dict:
    """The aggregate counting written participations of people also pending (a batch
    committed, not yet cleared from Redis), to count them once."""
    condition = pending.already_written(
        waiting, survey_field=f"{prefix}survey_id", user_field=f"{prefix}user_id"
    )
    return {} if condition is None else {"both": Count("id", filter=condition)}


def survey_results(
    *,
    survey: Survey,
    language: str,
    dimension: str | None,
    with_texts: bool,
    text_limit: int | None = TEXTS_SHOWN,
    with_questions: bool = True,
) -> Results:
    """Everything the results page shows, in a fixed number of queries (without its
    questions' figures when not `with_questions`: see `questions_fragment`)."""
    if dimension not in DIMENSIONS:
        dimension = None
    threshold = survey.school.district.small_group_threshold
    responses, invited, participated = response_rate(survey)
    found = Results(
        survey=survey,
        responses=responses,
        invited=invited,
        participated=participated,
        dimension=dimension,
        threshold=threshold,
        questions=[],
    )
    if with_questions:
        found.questions = question_results(
            found, language=language, with_texts=with_texts, text_limit=text_limit
        )
    return found


def question_results(
    results: Results, *, language: str, with_texts: bool, text_limit: int | None = TEXTS_SHOWN
) -> list[QuestionResult]:
    """The figures of each question of the results' survey, by the results' dimension."""
    survey, dimension = results.survey, results.dimension
    return _question_results(
        questions=list(survey.questions.order_by("position", "id")),
        answers=Answer.objects.filter(response__survey=survey),
        question_field="question_id",
        group_field=f"response__{dimension}" if dimension else None,
        labels=lambda key: group_label(dimension, key),
        threshold=results.threshold,
        language=language,
        with_texts=with_texts,
        text_limit=text_limit,
    )


def questions_fragment(
    results: Results,
    *,
    language: str,
    render: Callable[[list[QuestionResult]], str],
    with_texts: bool = True,
) -> SafeString:
    """The survey's questions as `render` draws them from their figures, kept under the
    survey's results version (Survey.results_version).

    Honest because the version moves in the transaction of every write that changes the
    figures or the questions (voice.services._results_changed): the survey's row is read
    before any figure, so a page is never kept under a newer version than its data, and a
    version is never used again once a write has moved it. Everything else the fragment
    depends on is in the key: the language of the page and of the survey's texts, the
    breakdown, the district's threshold (changed outside the survey), whether the survey is a
    draft and its school's address (the links into the plan), whether free text is shown.
    With Redis unreachable every read misses and the fragment is drawn from the database.
    An open anonymous survey's fragment is kept in Redis only once it is closed; until then,
    its latest version's alone in the process's memory (LatestFragments)."""
    survey = results.survey

    def draw() -> str:
        return render(question_results(results, language=language, with_texts=with_texts))

    parts = (
        get_language(),
        language,
        results.dimension or "",
        results.threshold,
        "draft" if survey.is_draft else "open",
        survey.school.slug,
        "texts" if with_texts else "",
    )
    if survey.is_anonymous and survey.is_open:
        # Not kept in Redis while anonymous answers still come in: Redis holds who answered
        # (the pending participations, voice.pending) until they are written in batches, and
        # fragments kept between two answers, in the order Redis records them, would pair
        # each person with what they answered (docs/architecture.md, "Anonymous surveys").
        # This process keeps the latest version's alone, in its memory, briefly (LATEST).
        survey_key = (survey.pk, survey.created_at)
        html = LATEST.get(survey_key, survey.results_version, parts)
        if html is None:
            html = draw()
            LATEST.put(survey_key, survey.results_version, parts, html)
        return mark_safe(html)  # noqa: S308 (drawn by our own template, escaped there)
    html = versions.cached_for(f"voice:results:{survey.pk}", survey.results_version, parts, draw)
    return mark_safe(html)  # noqa: S308 (drawn by our own template, escaped there)


# Open anonymous surveys' results fragments, in this process's memory, at each survey's latest
# results version only, for a minute at most: a view that finds the version moved drops them,
# and so do an answer or a close committed in this process (voice.services). So no sequence of
# figures between answers is kept to set beside the order in which Redis recorded who
# answered, and nothing of it is written to Redis or a file (the process's memory is as
# private as its database connection; a core dump or swap is the operator's to keep off, as
# for the database's pages). Honest as the Redis fragments are: the version moves in every
# answer's transaction and is read with the survey's row before any figure.
LATEST = LatestFragments(scopes=32, max_bytes=16 * 1024 * 1024, seconds=60)

# The results page's content block (all but the layout), in this process's memory, kept per
# survey for its latest figures alone, a minute at most: the results version and the counts
# the page shows (read on every request) are its version, and everything else the block is
# drawn from is in its key (the languages, the addresses, the title, the breakdown, the
# threshold, the earlier round's title): the questions' fragment in it is itself kept under
# the results version and those same values (voice.results.questions_fragment). So a kept block
# is the one the template would draw now, and, as for that fragment, no sequence of figures
# between answers is kept; an answer or a close committed in this process drops it with
# LATEST (`forget`).
CONTENT = LatestFragments(scopes=64, max_bytes=8 * 1024 * 1024, seconds=60)


def forget(survey_pk: int) -> None:
    """Drop what this process keeps of the survey's results (a write to them committed)."""
    LATEST.forget(survey_pk)
    CONTENT.forget(survey_pk)


def _sort_key(dimension: str | None, key: str, labels) -> tuple:
    if dimension in GRADE_DIMENSIONS:
        return _group_order(dimension, key)
    return (0, labels(key))


def _key(value) -> str:
    return "" if value is None else str(value)


def _question_results(
    *,
    questions: list[Question],
    answers,
    question_field: str,
    group_field: str | None,
    labels,
    threshold: int,
    language: str,
    with_texts: bool,
    text_limit: int | None,
) -> list[QuestionResult]:
    """The results of `questions` from `answers`, counted in SQL by `question_field` (the
    question's id, or the district question it was copied from) and by `group_field`: five
    queries at most, whatever the number of answers."""
    Q_ = question_field
    dimension = group_field.rpartition("__")[2] if group_field else None
    if dimension in GRADE_DIMENSIONS:
        answers, group_field = _grade_groups(answers, group_field, dimension)
    # Only the counts some question needs are asked for: a survey without ranking questions
    # sends no ranking query, and so on.
    kinds = {question.kind for question in questions}
    # {question: {option: {group: n}}} and {question: {group: n}}
    option_counts: dict = {}
    if kinds & set(CHOICE_KINDS):
        keys = [Q_, "option"] + ([group_field] if group_field else [])
        for row in (
            answers.filter(option__isnull=False, rank__isnull=True)
            .values(*keys)
            .annotate(n=Count("id"))
            .order_by()
        ):
            by_option = option_counts.setdefault(row[Q_], {})
            by_option.setdefault(row["option"], {})[_key(row.get(group_field))] = row["n"]
    answered: dict = {}
    answered_keys = [Q_] + ([group_field] if group_field else [])
    for row in (
        answers.values(*answered_keys).annotate(n=Count("response_id", distinct=True)).order_by()
    ):
        answered.setdefault(row[Q_], {})[_key(row.get(group_field))] = row["n"]
    numbers = {}
    if QuestionKind.NUMBER in kinds:
        numbers = {
            row[Q_]: row
            for row in answers.filter(number__isnull=False)
            .values(Q_)
            .annotate(n=Count("id"), avg=Avg("number"), low=Min("number"), high=Max("number"))
            .order_by()
        }
    ranks: dict[int, dict[int, dict]] = {}
    if QuestionKind.RANKING in kinds:
        for row in (
            answers.filter(rank__isnull=False)
            .values(Q_, "option")
            .annotate(n=Count("id"), avg=Avg("rank"))
            .order_by()
        ):
            ranks.setdefault(row[Q_], {})[row["option"]] = row
    texts: dict[int, list[str]] = {}
    if with_texts and kinds & set(TEXT_KINDS):
        rows = (
            answers.filter(question__kind__in=TEXT_KINDS)
            .exclude(text="")
            .order_by(Q_, "text")
            .values_list(Q_, "text")[:text_limit]
        )
        for question_id, group in groupby(rows, key=itemgetter(0)):
            texts[question_id] = [text for _question, text in group]

    # The words each question repeats, translated once (as {% translate %} puts them).
    name_text = _("question %(n)s")
    caption_text = _("Answers to question %(n)s")
    chart_text = _(
        "Share of answers to question %(n)s, by option; the table below gives the figures."
    )
    results = []
    for number, question in enumerate(questions, start=1):
        sizes = answered.get(question.pk, {})
        overall = sum(sizes.values())
        result = QuestionResult(
            number=number,
            question=question,
            label=question.label(language),
            answered=overall,
            anchor=mark_safe(f"r-{question.pk}"),  # noqa: S308 (an integer)
            question_name=mark_safe(name_text % {"n": number}),  # noqa: S308
            table_caption=mark_safe(caption_text % {"n": number}),  # noqa: S308
        )
        option_labels = question.option_labels(language)
        if question.kind not in TEXT_KINDS and too_few(overall, threshold):
            result.figures_hidden = True
        elif question.kind in CHOICE_KINDS:
            if not group_field:
                sizes = {}
            hidden = suppressed_groups(sizes, threshold) if group_field else set()
            result.groups = [
                Group(key=key, label=labels(key), n=n, hidden=key in hidden)
                for key, n in sorted(
                    sizes.items(), key=lambda item: _sort_key(dimension, item[0], labels)
                )
            ]
            counts = option_counts.get(question.pk, {})
            for index, label in enumerate(option_labels):
                by_group = counts.get(index, {})
                n = sum(by_group.values())
                row = OptionRow(label=label, n=n, percent=_percent(n, overall))
                row.cells = [
                    None
                    if group.hidden
                    else (by_group.get(group.key, 0), _percent(by_group.get(group.key, 0), group.n))
                    for group in result.groups
                ]
                result.options.append(row)
            result.chart = bar_chart(result, title=chart_text)
        elif question.kind == QuestionKind.NUMBER and question.pk in numbers:
            row = numbers[question.pk]
            result.number_stats = {
                "n": row["n"],
                "avg": Decimal(row["avg"]).quantize(Decimal("0.1")),
                "low": row["low"],
                "high": row["high"],
            }
        elif question.kind == QuestionKind.RANKING:
            by_option = ranks.get(question.pk, {})
            result.ranking = sorted(
                (
                    {
                        "label": label,
                        "n": by_option.get(i, {}).get("n", 0),
                        "avg": Decimal(by_option[i]["avg"]).quantize(Decimal("0.1"))
                        if i in by_option
                        else None,
                    }
                    for i, label in enumerate(option_labels)
                ),
                key=lambda r: (r["avg"] is None, r["avg"] or 0),
            )
        elif question.kind in TEXT_KINDS:
            result.texts = texts.get(question.pk, [])
        results.append(result)
    return results


# --- the district's survey, added up over its schools' copies ---------------------------------

DISTRICT_DIMENSIONS = {"school": gettext_lazy("School"), **DIMENSIONS}


@dataclass
class SchoolRate:
    school_id: int
    name: str
    invited: int
    participated: int
    responses: int
    status: str

    @property
    def rate(self) -> int | None:
        return _rate(self.participated, self.invited)


@dataclass
class DistrictResults(Results):
    schools: list[SchoolRate] = field(default_factory=list)


def district_results(
    *,
    survey: Survey,
    language: str,
    dimension: str | None,
    with_texts: bool,
    text_limit: int | None = TEXTS_SHOWN,
) -> DistrictResults:
    """The district's survey over every school's copy, in a fixed number of queries whatever
    the number of schools and answers: answers are counted by the district question their
    question was copied from, and by school when broken down by school. Small groups (and the
    group that would give one away by subtraction) are suppressed under the district's
    threshold, as for a school's survey.

    People asked are counted now, as on each school's results page (one grouped query for
    every school), so a school's rate is the same on both pages; added up over the schools
    they are invitations: someone working in two schools is asked in each.

    Who is protected: a district admin owns every school's copy and may read each school's
    own results page, answers and breakdowns included. Suppressing small schools here
    protects the shared district report (and its CSV), which travels further than the
    admin; it does not keep a school's answers from the admin."""
    if dimension not in DISTRICT_DIMENSIONS:
        dimension = None
    threshold = survey.district.small_group_threshold
    questions = list(survey.questions.order_by("position", "id"))
    copies = list(
        Survey.objects.filter(copied_from=survey, from_district=True)
        .values("pk", "school_id", "school__name", "status")
        .order_by("school__name", "school_id")
    )
    responses_by_school = dict(
        Response.objects.filter(survey__copied_from=survey)
        .values_list("survey__school_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    waiting = pending.members_or_none(row["pk"] for row in copies)
    participated_by_school = {
        row["survey__school_id"]: row["n"] - row.get("both", 0)
        for row in Participation.objects.filter(survey__copied_from=survey)
        .values("survey__school_id")
        .annotate(n=Count("id"), **_also_pending(waiting))
        .order_by()
    }
    for row in copies:
        if row["pk"] in waiting:
            participated_by_school[row["school_id"]] = participated_by_school.get(
                row["school_id"], 0
            ) + len(waiting[row["pk"]])
    asked = audience_sizes(survey, [row["school_id"] for row in copies])
    schools = [
        SchoolRate(
            school_id=row["school_id"],
            name=row["school__name"],
            invited=asked.get(row["school_id"], 0),
            participated=participated_by_school.get(row["school_id"], 0),
            responses=responses_by_school.get(row["school_id"], 0),
            status=row["status"],
        )
        for row in copies
    ]
    # By school: each school answers its own copy, so the copy names the school (and the
    # count needs no join beyond the response).
    names = {str(row["pk"]): row["school__name"] for row in copies}
    if dimension == "school":
        group_field = "response__survey_id"

        def labels(key):
            return names.get(key, key)
    else:
        group_field = f"response__{dimension}" if dimension else None

        def labels(key):
            return group_label(dimension, key)

    answers = Answer.objects.filter(question__copied_from__survey=survey)
    results = _question_results(
        questions=questions,
        answers=answers,
        question_field="question__copied_from_id",
        group_field=group_field,
        labels=labels,
        threshold=threshold,
        language=language,
        with_texts=with_texts,
        text_limit=text_limit,
    )
    if dimension == "school":
        # Keyed by the school rather than by its copy, so one school is one group in every
        # round of the survey (the comparison of rounds pairs them by key).
        school_of = {str(row["pk"]): str(row["school_id"]) for row in copies}
        for result in results:
            for group in result.groups:
                group.key = school_of.get(group.key, group.key)
    return DistrictResults(
        survey=survey,
        responses=sum(row.responses for row in schools),
        invited=sum(row.invited for row in schools),
        participated=sum(row.participated for row in schools),
        dimension=dimension,
        threshold=threshold,
        questions=results,
        schools=schools,
    )


BAR_HEIGHT = 22
LABEL_WIDTH = 230
BAR_WIDTH = 300


def bar_chart(result: QuestionResult, *, title: str | None = None) -> SafeString:
    """One horizontal bar per option, with its share, as SVG (no scripts, no styles: the
    colours come from presentation attributes and the stylesheet). Built as one string: the
    figures are integers, and only the labels and the title are escaped."""
    rows = result.options
    height = BAR_HEIGHT * len(rows) + 8
    width = LABEL_WIDTH + BAR_WIDTH + 60
    title_id = f"chart-{result.question.pk}-title"
    bars = []
    for i, row in enumerate(rows):
        y = i * BAR_HEIGHT
        bar = round(BAR_WIDTH * row.percent / 100)
        bars.append(
            f'<text x="0" y="{y + 16}" class="vc-label">{escape(row.label[:40])}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{bar}" height="{BAR_HEIGHT - 8}" '
            f'class="vc-bar"></rect>'
            f'<text x="{LABEL_WIDTH + bar + 6}" y="{y + 16}" class="vc-value">{row.percent}%</text>'
        )
    if title is None:
        title = _(
            "Share of answers to question %(n)s, by option; the table below gives the figures."
        )
    return mark_safe(  # noqa: S308 (every value put in is escaped or an integer)
        f'<svg class="vc-chart" role="img" aria-labelledby="{title_id}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{title_id}">{escape(title % {"n": result.number})}</title>'
        f"{''.join(bars)}</svg>"
    )


def csv_rows(results: Results, *, language: str):
    """The export: per question, option and group, with hidden cells said so (and a question
    too few answered, with how many did); free text last, never by group."""
    yield [_("Question"), _("Answer"), _("Group"), _("Answers"), _("Percent")]
    hidden = TOO_FEW_FOR_QUESTION % {"n": results.threshold}
    for result in results.questions:
        if result.figures_hidden:
            yield [result.label, "", _("Everyone"), result.answered, hidden]
        elif result.is_choice:
            for row in result.options:
                yield [result.label, row.label, _("Everyone"), row.n, row.percent]
                for group, cell in zip(result.groups, row.cells, strict=True):
                    yield [
                        result.label,
                        row.label,
                        group.label,
                        "" if cell is None else cell[0],
                        _("suppressed (small group)") if cell is None else cell[1],
                    ]
        elif result.number_stats:
            stats = result.number_stats
            yield [result.label, _("Average"), _("Everyone"), stats["n"], stats["avg"]]
        elif result.ranking:
            for row in result.ranking:
                yield [result.label, row["label"], _("Average rank"), row["n"], row["avg"]]
        for text in result.texts:
            yield [result.label, text, "", "", ""]
