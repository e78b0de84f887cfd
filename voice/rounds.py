"""Two rounds of the same survey side by side (fall and spring): per question matched through
`copied_from` and compared only when asked the same way (kind, options and wording), each
round's n, shares, % agree or average and the change in points, overall and by group, with
each round's small groups suppressed, and no figure of a round where a question has fewer
answers than the threshold. Free text is never compared.

The district's own survey has rounds too: its figures are added up over the schools' copies
(and broken down by school), compared the same way."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from .models import CHOICE_KINDS, TEXT_KINDS, Question, QuestionKind, Survey, SurveyStatus
from .permissions import can_create_survey, is_owner
from .results import (
    DIMENSIONS,
    DISTRICT_DIMENSIONS,
    QuestionResult,
    district_results,
    survey_results,
)

MAX_ROUNDS = 20  # how far back the chain of rounds is followed


def _same_owner(survey: Survey, prefix: str = "") -> Q:
    """The surveys a round's chain runs through: the same school's, or for the district's own
    survey the district's own (a school's copy is never an earlier round of either)."""
    if survey.school_id is None:
        return Q(**{f"{prefix}district_id": survey.district_id, f"{prefix}school__isnull": True})
    return Q(**{f"{prefix}school_id": survey.school_id})


def earlier_rounds(survey: Survey, *, reader=None) -> list[Survey]:
    """The rounds this survey follows, newest first, within its school, or within its district
    for the district's own survey (a copy of the district's survey is not an earlier round).
    With a `reader`, only the rounds whose results that person may read (the results page's
    rule; a district's rounds are read by its admins, whom the district's pages admit). A
    fixed number of queries however many rounds: the chain in one, the rounds found in a
    second, their owners in a third when the reader's role does not already open them all."""
    parents = dict(
        Survey.objects.filter(_same_owner(survey))
        .exclude(status=SurveyStatus.DRAFT)
        .values_list("pk", "copied_from_id")
    )
    chain: list[int] = []
    seen = {survey.pk}
    current = survey.copied_from_id
    while current in parents and current not in seen and len(chain) < MAX_ROUNDS:
        chain.append(current)
        seen.add(current)
        current = parents[current]
    if not chain:
        return []
    loaded = Survey.objects.in_bulk(chain)
    found = [loaded[pk] for pk in chain if pk in loaded]
    for earlier in found:
        earlier.school = survey.school
        if survey.school_id is None:
            earlier.district = survey.district
    if reader is None or survey.school_id is None:
        return found
    if not can_create_survey(reader, survey.school):
        owners: dict[int, set[int]] = {earlier.pk: set() for earlier in found}
        rows = Survey.owners.through.objects.filter(survey_id__in=owners)
        for survey_id, user_id in rows.values_list("survey_id", "user_id"):
            owners[survey_id].add(user_id)
        for earlier in found:
            earlier._owner_ids = owners[earlier.pk]
    return [earlier for earlier in found if is_owner(reader, earlier)]


def matched_questions(earlier: Survey, later: Survey) -> dict[int, int]:
    """{later question id: earlier question id}, following each question's `copied_from`
    through the rounds between the two (one query)."""
    rows = Question.objects.filter(_same_owner(later, "survey__"), copied_from__isnull=False)
    parent = dict(rows.values_list("pk", "copied_from_id"))
    earlier_ids = set(earlier.questions.values_list("pk", flat=True))
    matched = {}
    for question in later.questions.all():
        current, steps = parent.get(question.pk), 0
        while current is not None and current not in earlier_ids and steps < MAX_ROUNDS:
            current, steps = parent.get(current), steps + 1
        if current in earlier_ids:
            matched[question.pk] = current
    return matched


@dataclass
class Change:
    label: str
    before: Decimal | int | None
    after: Decimal | int | None

    @property
    def delta(self):
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


SMALL = "small"  # suppressed in one round or both
MISSING_BEFORE = "missing_before"  # no answers from the group in the earlier round
MISSING_AFTER = "missing_after"  # none in this round


@dataclass
class GroupChange:
    label: str
    n_before: int | None
    n_after: int | None
    cells: list[Change] | None  # None: not compared, for `reason`
    reason: str = ""  # SMALL, MISSING_BEFORE or MISSING_AFTER when cells is None


@dataclass
class QuestionChange:
    number: int
    label: str
    kind: str
    n_before: int
    n_after: int
    measures: list[Change] = field(default_factory=list)
    groups: list[GroupChange] = field(default_factory=list)
    chart: SafeString | str = ""
    # Too few answers in that round: its figures are not shown (nor is a change).
    hidden_before: bool = False
    hidden_after: bool = False

    @property
    def is_number(self) -> bool:
        return self.kind == QuestionKind.NUMBER


@dataclass
class Comparison:
    earlier: Survey
    later: Survey
    dimension: str | None
    threshold: int
    responses_before: int
    responses_after: int
    questions: list[QuestionChange]
    added: list[str]
    removed: list[str]
    changed: list[str]
    not_compared: list[str]

    @property
    def too_few_before(self) -> bool:
        return self.responses_before < self.threshold

    @property
    def too_few_after(self) -> bool:
        return self.responses_after < self.threshold


def _agree(counts: list[int], n: int) -> Decimal | None:
    return _share(counts[3] + counts[4], n) if n else None


def _share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"))


def _measures(result: QuestionResult, counts: list[int], n: int) -> list:
    values = [_share(count, n) for count in counts]
    if result.question.kind == QuestionKind.AGREEMENT:
        return [_agree(counts, n), *values]
    return values


def _measure_labels(result: QuestionResult, language: str) -> list[str]:
    labels = result.question.option_labels(language)
    if result.question.kind == QuestionKind.AGREEMENT:
        return [_("Agree or strongly agree"), *labels]
    return labels


def _group_measures(result: QuestionResult) -> dict[str, tuple]:
    """{group key: (label, n, measures)}, n and measures None for a group suppressed in this
    round."""
    found: dict[str, tuple] = {}
    for index, group in enumerate(result.groups):
        if group.hidden:
            found[group.key] = (group.label, None, None)
            continue
        counts = [row.cells[index][0] for row in result.options]
        found[group.key] = (group.label, group.n, _measures(result, counts, group.n))
    return found


def _same_question(a: Question, b: Question) -> bool:
    """Figures are compared answer by answer, so only a question asked the same way in both
    rounds: the same kind, the same number of options, the same wording of the question and
    of each option in every language both rounds wrote it in. A reordered option or a
    reworded question would pair unlike figures; a language added (a school that joined
    between the rounds) or dropped does not change what was asked."""
    if a.kind != b.kind or len(a.options) != len(b.options):
        return False
    pairs = [(a.text, b.text), *zip(a.options, b.options, strict=True)]
    for before, after in pairs:
        shared = [code for code in before if before.get(code) and after.get(code)]
        if not shared and (any(before.values()) or any(after.values())):
            return False
        if any(before[code].strip() != after[code].strip() for code in shared):
            return False
    return True


def compare_rounds(
    *, earlier: Survey, later: Survey, language: str, dimension: str | None
) -> Comparison:
    """The two rounds side by side, in a fixed number of queries whatever the answers: a
    school's survey, or the district's own added up over its schools (by school too)."""
    if later.school_id is None:
        results, dimensions = district_results, DISTRICT_DIMENSIONS
    else:
        results, dimensions = survey_results, DIMENSIONS
    if dimension not in dimensions:
        dimension = None
    before = results(survey=earlier, language=language, dimension=dimension, with_texts=False)
    after = results(survey=later, language=language, dimension=dimension, with_texts=False)
    matched = matched_questions(earlier, later)
    by_id = {r.question.pk: r for r in before.questions}
    used = set()
    compared, added, changed, not_compared = [], [], [], []
    for result in after.questions:
        old = by_id.get(matched.get(result.question.pk))
        if old is None:
            added.append(result.label)
            continue
        used.add(old.question.pk)
        if result.question.kind in TEXT_KINDS or result.question.kind == QuestionKind.RANKING:
            not_compared.append(result.label)
            continue
        if not _same_question(old.question, result.question):
            changed.append(result.label)
            continue
        compared.append(_compare_question(old, result, dimension, result.number, language))
    removed = [r.label for r in before.questions if r.question.pk not in used]
    return Comparison(
        earlier=earlier,
        later=later,
        dimension=dimension,
        threshold=after.threshold,
        responses_before=before.responses,
        responses_after=after.responses,
        questions=compared,
        added=added,
        removed=removed,
        changed=changed,
        not_compared=not_compared,
    )


def _compare_question(
    old: QuestionResult, new: QuestionResult, dimension: str | None, number: int, language: str
) -> QuestionChange:
    change = QuestionChange(
        number=number,
        label=new.label,
        kind=new.question.kind,
        n_before=old.answered,
        n_after=new.answered,
        hidden_before=old.figures_hidden,
        hidden_after=new.figures_hidden,
    )
    if new.question.kind == QuestionKind.NUMBER:
        if not old.figures_hidden:
            change.n_before = old.number_stats["n"] if old.number_stats else 0
        if not new.figures_hidden:
            change.n_after = new.number_stats["n"] if new.number_stats else 0
        change.measures = [
            Change(
                _("Average"),
                old.number_stats["avg"] if old.number_stats else None,
                new.number_stats["avg"] if new.number_stats else None,
            )
        ]
        return change
    if new.question.kind not in CHOICE_KINDS:
        return change
    labels = _measure_labels(new, language)
    # A round too few answered counted no option: a blank for each measure.
    blank = [None] * len(labels)
    values_before = (
        blank if old.figures_hidden else _measures(old, [r.n for r in old.options], old.answered)
    )
    values_after = (
        blank if new.figures_hidden else _measures(new, [r.n for r in new.options], new.answered)
    )
    change.measures = [
        Change(label, b, a) for label, b, a in zip(labels, values_before, values_after, strict=True)
    ]
    # A round too few answered shows no group either (each would be smaller still).
    if dimension and not (old.figures_hidden or new.figures_hidden):
        groups_before = _group_measures(old)
        groups_after = _group_measures(new)
        names = {key: row[0] for key, row in (groups_before | groups_after).items()}
        for key in sorted(names, key=names.get):
            b, a = groups_before.get(key), groups_after.get(key)
            # A group missing or suppressed in either round is not compared: a difference
            # would let the hidden figure be worked out.
            cells, reason = None, ""
            if key not in groups_before:
                reason = MISSING_BEFORE
            elif key not in groups_after:
                reason = MISSING_AFTER
            elif a[2] is None or b[2] is None:
                reason = SMALL
            else:
                cells = [
                    Change(label, vb, va) for label, vb, va in zip(labels, b[2], a[2], strict=True)
                ]
            change.groups.append(
                GroupChange(
                    label=names[key],
                    n_before=b[1] if cells else None,
                    n_after=a[1] if cells else None,
                    cells=cells,
                    reason=reason,
                )
            )
    change.chart = compare_chart(change)
    return change


ROW = 20
GAP = 10
LABEL_WIDTH = 230
BAR_WIDTH = 300


def compare_chart(change: QuestionChange) -> SafeString:
    """Two bars per answer, the earlier round above the later one, as SVG (classes and
    presentation attributes only: the page's CSP allows no inline style)."""
    pair = 2 * ROW + GAP
    height = pair * len(change.measures) + 24
    width = LABEL_WIDTH + BAR_WIDTH + 70
    title_id = f"compare-{change.number}-title"
    rows = []
    for i, measure in enumerate(change.measures):
        top = 24 + i * pair
        for j, (value, css) in enumerate(
            ((measure.before, "vc-bar-before"), (measure.after, "vc-bar"))
        ):
            length = round(BAR_WIDTH * float(value or 0) / 100)
            rows.append(
                (
                    top + j * ROW + 14,
                    measure.label[:40] if j == 0 else "",
                    LABEL_WIDTH,
                    top + j * ROW + 3,
                    length,
                    ROW - 6,
                    css,
                    LABEL_WIDTH + length + 6,
                    top + j * ROW + 14,
                    "—" if value is None else f"{value}%",
                )
            )
    bars = format_html_join(
        "",
        '<text x="0" y="{}" class="vc-label">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" class="{}"></rect>'
        '<text x="{}" y="{}" class="vc-value">{}</text>',
        rows,
    )
    legend = format_html(
        '<rect x="{}" y="2" width="12" height="12" class="vc-bar-before"></rect>'
        '<text x="{}" y="13" class="vc-value">{}</text>'
        '<rect x="{}" y="2" width="12" height="12" class="vc-bar"></rect>'
        '<text x="{}" y="13" class="vc-value">{}</text>',
        LABEL_WIDTH,
        LABEL_WIDTH + 16,
        _("Earlier round"),
        LABEL_WIDTH + 150,
        LABEL_WIDTH + 166,
        _("This round"),
    )
    return format_html(
        '<svg class="vc-chart" role="img" aria-labelledby="{}" viewBox="0 0 {} {}" '
        'xmlns="http://www.w3.org/2000/svg"><title id="{}">{}</title>{}{}</svg>',
        title_id,
        width,
        height,
        title_id,
        _(
            "Share of answers to question %(n)s in the earlier round and this one; "
            "the table below gives the figures."
        )
        % {"n": change.number},
        legend,
        bars,
    )
