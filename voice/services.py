"""Every write of the voice app: building a survey, opening and closing it, class links, owners,
and answers. Answers are never audited (an audit entry would name who answered)."""

from __future__ import annotations

import logging
import random
import secrets
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from leadership import audit, clock, edits, outbox, versions
from leadership import grades as grade_codes
from leadership.models import STAFF_ROLES, AuditEntry, District, School, User
from leadership.updates import model_update
from teams.selectors import current_ilt

from . import catalog, pending, selectors, tokens
from . import results as survey_results
from .models import (
    CHOICE_KINDS,
    IDEA_MAX,
    LABEL_MAX,
    LONG_TEXT_MAX,
    MAX_OPTIONS,
    MAX_RANKED_OPTIONS,
    OPTION_KINDS,
    SHORT_TEXT_MAX,
    Answer,
    Idea,
    IdeaExchange,
    IdeaRating,
    ListeningSession,
    ListeningTheme,
    Participation,
    PlanEvidence,
    Question,
    QuestionKind,
    Response,
    Section,
    SendRound,
    StaffAudience,
    Stakeholder,
    StudentLink,
    Survey,
    SurveyStatus,
    Theme,
)
from .permissions import staff_role
from .plan import plan_link

logger = logging.getLogger(__name__)

NOT_A_DRAFT = _("An open or closed survey cannot be changed.")
CANNOT_OPEN = _("The survey cannot open yet.")
NOT_OPEN = _("This survey is not open, so your answers were not saved.")
NOT_IN_AUDIENCE = _("This survey is not for you.")
ALREADY_ANSWERED = _(
    "You have already answered this anonymous survey. To keep it anonymous, your answers "
    "cannot be found again from another device or session, so nothing was saved."
)
ANSWERED_FROM_DEVICE = _(
    "This survey has already been answered from this device, so nothing was saved."
)
REQUIRED = _("Please answer this question.")
NOT_SHOWN = _(
    "You answered a question that does not apply to your earlier answers, so nothing was "
    "saved. Please check your answers."
)
BAD_OPTION = _("Choose one of the options shown.")
TOO_LONG = _("Please keep this answer to %(max)s characters.")
BAD_RANKING = _("Give each option a different rank.")
TOO_MANY_OPTIONS = _("A question has at most %(max)s options.")
TOO_MANY_RANKED = _("A ranking has at most %(max)s options.")
NEEDS_OPTIONS = _("Give at least two options.")
SHOW_IF_EARLIER = _("The question it depends on must come earlier and offer choices.")
SHOW_IF_OPTION = _("Choose which answer of the earlier question shows this one.")
NOT_STAFF = _("An owner must be on the school's staff.")


SET_BY_DISTRICT = _(
    "This is the district's survey: its questions and settings are set by the district."
)


def _require_draft(survey: Survey) -> None:
    if is_district_copy(survey):
        raise ValidationError(SET_BY_DISTRICT)
    if survey.status != SurveyStatus.DRAFT:
        raise ValidationError(NOT_A_DRAFT)


def is_district_copy(survey: Survey) -> bool:
    """A school's copy of the district's survey (its questions are the district's)."""
    return survey.from_district


def _mark_changed(survey: Survey) -> None:
    # A draft of the district's survey is seen by no school (only its copies are, from
    # opening): its edits move no school's version; opening, closing and adding schools do.
    if survey.school_id is not None:
        versions.mark_changed(school=survey.school)


RESULTS_VERSION_CEILING = 2**31 - 2  # PositiveIntegerField holds up to 2**31 - 1


def _results_changed(survey: Survey | int) -> None:
    """Move the survey's results version in the current transaction, with the write itself: a
    results page read after the commit is built anew, one read before it is kept under the
    older version, never shown again. Its row is already locked by every answer (the checks
    of who may answer run under that lock), so the update makes no answer wait longer; and it
    writes only a random number, nothing that names whoever answered (docs/architecture.md,
    "Anonymous surveys")."""
    # A new random number, not the next one: a database restored from a backup (or a replica
    # promoted after losing commits) would otherwise count again through versions whose
    # fragments Redis still keeps, from data the restore took away.
    survey_pk = getattr(survey, "pk", survey)
    Survey.objects.filter(pk=survey_pk).update(
        results_version=secrets.randbelow(RESULTS_VERSION_CEILING) + 1
    )
    # The figures this process kept from before go once the write is visible.
    transaction.on_commit(lambda: survey_results.forget(survey_pk))


def _clean_texts(texts: dict[str, str], languages: list[str], max_length: int) -> dict:
    return {code: (texts.get(code) or "").strip()[:max_length] for code in languages}


@transaction.atomic
def survey_create(
    *,
    actor,
    school: School,
    title: dict[str, str],
    intro: dict[str, str] | None = None,
    is_anonymous: bool = True,
) -> Survey:
    languages = list(school.languages)
    survey = Survey(
        school=school,
        title=_clean_texts(title, languages, 200),
        intro=_clean_texts(intro or {}, languages, 2000),
        is_anonymous=is_anonymous,
        created_by=actor,
    )
    survey.full_clean()
    survey.save()
    audit.record(actor=actor, action="voice.survey_create", obj=survey, school=school)
    versions.mark_changed(school=school)
    return survey


SETTINGS_FIELDS = [
    "title",
    "intro",
    "is_anonymous",
    "staff_audience",
    "staff_roles",
    "families",
    "students",
    "family_grades",
]


def survey_version(survey: Survey) -> str:
    """The version of the settings form (the audience's teams included)."""
    return edits.version_of(
        survey, SETTINGS_FIELDS, teams=sorted(t.pk for t in survey.staff_teams.all())
    )


@transaction.atomic
def survey_update(
    *, actor, survey: Survey, teams=None, version: str | None = None, **data: Any
) -> Survey:
    survey = (
        Survey.objects.select_for_update(of=("self",))
        .select_related("school", "district")
        .get(pk=survey.pk)
    )
    _require_draft(survey)
    edits.refuse_if_stale(survey, version, survey_version(survey))
    languages = selectors.languages_of(survey)
    if "title" in data:
        data["title"] = _clean_texts(data["title"], languages, 200)
    if "intro" in data:
        data["intro"] = _clean_texts(data["intro"], languages, 2000)
    if "staff_roles" in data:
        data["staff_roles"] = [r for r in data["staff_roles"] if r in STAFF_ROLES]
    if "family_grades" in data:
        data["family_grades"] = (
            grade_codes.ordered(data["family_grades"]) if data.get("families", True) else []
        )
    before = audit.snapshot(survey, SETTINGS_FIELDS)
    model_update(instance=survey, fields=SETTINGS_FIELDS, data=data)
    if teams is not None and survey.school_id is not None:
        survey.staff_teams.set([t for t in teams if t.school_id == survey.school_id])
    audit.record(
        actor=actor,
        action="voice.survey_update",
        obj=survey,
        school=survey.school,
        before=before,
        after=audit.snapshot(survey, SETTINGS_FIELDS),
    )
    _mark_changed(survey)
    return survey


@transaction.atomic
def survey_owners_set(*, actor, survey: Survey, owners) -> Survey:
    owners = list(owners)
    for owner in owners:
        if not staff_role(owner, survey.school):
            raise ValidationError({"owners": NOT_STAFF})
    survey.owners.set(owners)
    audit.record(
        actor=actor,
        action="voice.survey_owners_set",
        obj=survey,
        school=survey.school,
        after={"owners": sorted(o.pk for o in owners)},
    )
    versions.mark_changed(school=survey.school)
    return survey


UNKNOWN_TEMPLATE = _("There is no such template.")


@transaction.atomic
def survey_from_template(*, actor, school: School, key: str) -> Survey:
    """A draft survey of the school, copied from a template of the catalogue: its own texts,
    sections and questions, which the school then edits. For the ILT's self-assessment the
    audience is the school's current ILT."""
    template = catalog.TEMPLATES.get(key)
    if template is None:
        raise ValidationError(UNKNOWN_TEMPLATE)
    survey = survey_create(
        actor=actor,
        school=school,
        title=template["title"],
        intro=template["intro"],
        is_anonymous=template["anonymous"],
    )
    audience = dict(template["audience"])
    teams = None
    if audience.pop("ilt", False):
        ilt = current_ilt(school)
        teams = [ilt] if ilt else []
    survey = survey_update(actor=actor, survey=survey, teams=teams, **audience)
    Survey.objects.filter(pk=survey.pk).update(template_key=key)
    for section_data in template["sections"]:
        section = section_add(actor=actor, survey=survey, title=section_data["title"])
        for question in section_data["questions"]:
            question_save(actor=actor, survey=survey, section=section, **question)
    survey.template_key = key
    return survey


@transaction.atomic
def section_add(*, actor, survey: Survey, title: dict[str, str]) -> Section:
    _require_draft(survey)
    last = survey.sections.aggregate(last=Max("position"))["last"]
    section = Section(
        survey=survey,
        position=(last or 0) + 1,
        title=_clean_texts(title, selectors.languages_of(survey), 200),
    )
    section.full_clean()
    section.save()
    audit.record(actor=actor, action="voice.section_add", obj=section, school=survey.school)
    _mark_changed(survey)
    return section


def _check_question(question: Question, survey: Survey) -> None:
    errors: dict[str, list] = {}
    if question.kind in OPTION_KINDS:
        if len(question.options) < 2:
            errors.setdefault("options", []).append(NEEDS_OPTIONS)
        limit = MAX_RANKED_OPTIONS if question.kind == QuestionKind.RANKING else MAX_OPTIONS
        if len(question.options) > limit:
            message = TOO_MANY_RANKED if question.kind == QuestionKind.RANKING else TOO_MANY_OPTIONS
            errors.setdefault("options", []).append(ValidationError(message, params={"max": limit}))
    else:
        question.options = []
    if question.show_if_id is not None:
        earlier = question.show_if
        if (
            earlier.survey_id != survey.pk
            or earlier.kind not in CHOICE_KINDS
            or (question.pk and earlier.position >= question.position)
            or earlier.pk == question.pk
        ):
            errors.setdefault("show_if", []).append(SHOW_IF_EARLIER)
        elif question.show_if_option is None or question.show_if_option >= len(
            earlier.option_labels(survey.default_language)
        ):
            errors.setdefault("show_if_option", []).append(SHOW_IF_OPTION)
    else:
        question.show_if_option = None
    if question.section_id and question.section.survey_id != survey.pk:
        errors.setdefault("section", []).append(_("Choose a section of this survey."))
    if errors:
        raise ValidationError(errors)


QUESTION_FIELDS = ["kind", "text", "options", "required", "section", "show_if", "show_if_option"]


def question_version(question: Question) -> str:
    return edits.version_of(question, QUESTION_FIELDS)


@transaction.atomic
def question_save(
    *,
    actor,
    survey: Survey,
    question: Question | None = None,
    version: str | None = None,
    **data: Any,
) -> Question:
    """Add a question at the end (question=None) or change one (refused when someone saved
    it since `version` was read)."""
    survey = (
        Survey.objects.select_for_update(of=("self",))
        .select_related("school", "district")
        .get(pk=survey.pk)
    )
    _require_draft(survey)
    if question is not None:
        question = Question.objects.select_for_update().get(pk=question.pk, survey=survey)
        edits.refuse_if_stale(question, version, question_version(question))
    languages = selectors.languages_of(survey)
    if "text" in data:
        data["text"] = _clean_texts(data["text"], languages, 500)
    if "options" in data:
        data["options"] = [_clean_texts(option, languages, 200) for option in data["options"]]
    if question is None:
        last = survey.questions.aggregate(last=Max("position"))["last"]
        question = Question(survey=survey, position=(last or 0) + 1, **data)
        _check_question(question, survey)
        question.full_clean()
        question.save()
        action, before = "voice.question_add", {}
    else:
        before = audit.snapshot(question, QUESTION_FIELDS)
        model_update(
            instance=question,
            fields=QUESTION_FIELDS,
            data=data,
            check=lambda q: _check_question(q, survey),
        )
        action = "voice.question_update"
    audit.record(
        actor=actor,
        action=action,
        obj=question,
        school=survey.school,
        before=before,
        after=audit.snapshot(question, QUESTION_FIELDS),
    )
    _results_changed(survey)
    _mark_changed(survey)
    return question


def _locked_survey(question: Question) -> Survey:
    """The question's survey, read afresh and locked before any of its questions: the order
    in which saving a question takes them too, so that two owners editing one draft wait for
    each other instead of deadlocking."""
    return (
        Survey.objects.select_for_update(of=("self",))
        .select_related("school")
        .get(pk=question.survey_id)
    )


@transaction.atomic
def question_delete(*, actor, question: Question) -> None:
    survey = _locked_survey(question)
    _require_draft(survey)
    Question.objects.filter(show_if=question).update(show_if=None, show_if_option=None)
    audit.record(
        actor=actor,
        action="voice.question_delete",
        obj=question,
        school=survey.school,
        before=audit.snapshot(question, ["kind", "text"]),
    )
    question.delete()
    _results_changed(survey)
    _mark_changed(survey)


@transaction.atomic
def question_move(*, actor, question: Question, up: bool) -> None:
    """Swap the question with the one before (up) or after it, unless that breaks a "show only
    if" (a question must come after the one it depends on)."""
    survey = _locked_survey(question)
    _require_draft(survey)
    questions = list(survey.questions.select_for_update(of=("self",)).order_by("position", "id"))
    index = next(i for i, q in enumerate(questions) if q.pk == question.pk)
    other_index = index - 1 if up else index + 1
    if not 0 <= other_index < len(questions):
        return
    first, second = sorted([questions[index], questions[other_index]], key=lambda q: q.position)
    if second.show_if_id == first.pk:
        raise ValidationError(_("A question cannot move above the question it depends on."))
    questions[index], questions[other_index] = questions[other_index], questions[index]
    for position, q in enumerate(questions, start=1):
        if q.position != position:
            Question.objects.filter(pk=q.pk).update(position=position)
    audit.record(actor=actor, action="voice.question_move", obj=question, school=survey.school)
    _results_changed(survey)
    _mark_changed(survey)


@transaction.atomic
def survey_open(*, actor, survey: Survey) -> Survey:
    survey = (
        selectors.survey_for_builder(pk=survey.pk).select_for_update(of=("self",)).get(pk=survey.pk)
    )
    _require_draft(survey)
    if survey.school_id is None:
        raise ValidationError(CANNOT_OPEN)
    problems = selectors.survey_problems(survey)
    if problems:
        raise ValidationError([CANNOT_OPEN, *problems])
    survey.status = SurveyStatus.OPEN
    survey.opened_at = timezone.now()
    survey.invited = selectors.audience_size(survey)
    survey.save(update_fields=["status", "opened_at", "invited", "updated_at"])
    audit.record(actor=actor, action="voice.survey_open", obj=survey, school=survey.school)
    _start_round(actor=actor, survey=survey, number=0)
    versions.mark_changed(school=survey.school)
    return survey


FAN_OUT = "voice.tasks.fan_out"
NOT_OPEN_TO_REMIND = _("Reminders go out only while the survey is open.")


def _start_round(*, actor, survey: Survey, number: int) -> SendRound:
    send_round = SendRound.objects.create(survey=survey, number=number, started_by=actor)
    outbox.enqueue(FAN_OUT, send_round.pk, 0)
    return send_round


@transaction.atomic
def survey_remind(*, actor, survey: Survey) -> SendRound:
    """A reminder round: one e-mail to each person asked who has not answered yet."""
    survey = (
        Survey.objects.select_for_update(of=("self",)).select_related("school").get(pk=survey.pk)
    )
    if survey.status != SurveyStatus.OPEN:
        raise ValidationError(NOT_OPEN_TO_REMIND)
    last = survey.rounds.aggregate(last=Max("number"))["last"]
    send_round = _start_round(actor=actor, survey=survey, number=(last or 0) + 1)
    audit.record(
        actor=actor,
        action="voice.survey_remind",
        obj=survey,
        school=survey.school,
        after={"round": send_round.number},
    )
    versions.mark_changed(school=survey.school)
    return send_round


@transaction.atomic
def survey_close(*, actor, survey: Survey) -> Survey:
    survey = (
        Survey.objects.select_for_update(of=("self",)).select_related("school").get(pk=survey.pk)
    )
    if is_district_copy(survey):
        raise ValidationError(_("The district closes its survey in every school at once."))
    if survey.status != SurveyStatus.OPEN:
        raise ValidationError(_("Only an open survey can be closed."))
    survey.status = SurveyStatus.CLOSED
    survey.closed_at = timezone.now()
    survey.save(update_fields=["status", "closed_at", "updated_at"])
    _flush_on_close([survey.pk])
    audit.record(actor=actor, action="voice.survey_close", obj=survey, school=survey.school)
    versions.mark_changed(school=survey.school)
    return survey


# --- the district's surveys -------------------------------------------------------------------

DISTRICT_STAFF_AUDIENCES = (StaffAudience.NONE, StaffAudience.ALL, StaffAudience.ROLES)
NO_ACTIVE_SCHOOL = _("The district has no active school to ask.")
MISSING_FOR_SCHOOL = _("%(school)s needs the survey in %(language)s: missing %(items)s.")


@transaction.atomic
def district_survey_create(
    *,
    actor,
    district: District,
    title: dict[str, str],
    intro: dict[str, str] | None = None,
    is_anonymous: bool = True,
    staff_audience: str = StaffAudience.ALL,
    staff_roles: list[str] | None = None,
    families: bool = False,
    students: bool = False,
) -> Survey:
    """The district's survey, built once in every language its schools use; it reaches every
    active school when it opens."""
    if staff_audience not in DISTRICT_STAFF_AUDIENCES:
        staff_audience = StaffAudience.ALL
    languages = selectors.district_languages(district)
    survey = Survey(
        district=district,
        title=_clean_texts(title, languages, 200),
        intro=_clean_texts(intro or {}, languages, 2000),
        is_anonymous=is_anonymous,
        staff_audience=staff_audience,
        staff_roles=[r for r in staff_roles or [] if r in STAFF_ROLES],
        families=families,
        students=students,
        created_by=actor,
    )
    survey.full_clean()
    survey.save()
    audit.record(actor=actor, action="voice.district_survey_create", obj=survey)
    return survey


@transaction.atomic
def district_survey_from_template(*, actor, district: District, key: str) -> Survey:
    """The district's survey copied from a template of the catalogue (ILT self-assessments,
    which ask one school's team, are for schools: their staff audience becomes all staff)."""
    template = catalog.TEMPLATES.get(key)
    if template is None:
        raise ValidationError(UNKNOWN_TEMPLATE)
    audience = dict(template["audience"])
    audience.pop("ilt", None)
    if audience.get("staff_audience") not in DISTRICT_STAFF_AUDIENCES:
        audience["staff_audience"] = StaffAudience.ALL
    survey = district_survey_create(
        actor=actor,
        district=district,
        title=template["title"],
        intro=template["intro"],
        is_anonymous=template["anonymous"],
        **{
            k: v
            for k, v in audience.items()
            if k in ("staff_audience", "staff_roles", "families", "students")
        },
    )
    Survey.objects.filter(pk=survey.pk).update(template_key=key)
    survey.template_key = key
    for section_data in template["sections"]:
        section = section_add(actor=actor, survey=survey, title=section_data["title"])
        for question in section_data["questions"]:
            question_save(actor=actor, survey=survey, section=section, **question)
    return survey


def district_survey_problems(survey: Survey, schools) -> list[str]:
    """What keeps the district's survey from opening: no questions, no audience, no school,
    or a text missing in a language a school needs (naming the school and the language)."""
    problems: list[str] = []
    sections = list(survey.sections.all())
    questions = list(survey.questions.all())
    if not questions:
        problems.append(str(_("The survey has no questions.")))
    if not selectors.has_audience(survey):
        problems.append(str(_("The survey has no audience: choose staff, families or students.")))
    if not schools:
        problems.append(str(NO_ACTIVE_SCHOOL))
    missing_by_code: dict[str, list[str]] = {}
    for school in schools:
        for code in school.languages or [school.default_language]:
            if code not in missing_by_code:
                missing_by_code[code] = selectors.missing_texts(survey, sections, questions, code)
            if missing_by_code[code]:
                problems.append(
                    str(
                        MISSING_FOR_SCHOOL
                        % {
                            "school": school.name,
                            "language": selectors.language_name(code),
                            "items": ", ".join(missing_by_code[code]),
                        }
                    )
                )
    return problems


def _only(texts: dict, languages: list[str]) -> dict:
    return {code: texts.get(code, "") for code in languages}


def _audit_entries(*, actor, action: str, surveys) -> None:
    """One audit entry per school's copy (with its school), written in one statement."""
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                action=action,
                object_type=Survey._meta.label_lower,
                object_id=str(survey.pk),
                school_id=survey.school_id,
                before={},
                after={},
            )
            for survey in surveys
        ]
    )


def _copies_for_schools(*, actor, master: Survey, schools: list[School]) -> list[Survey]:
    """Each school's copy of the district's survey, opened: its texts in the school's
    languages, each question keeping `copied_from` to the district's question. A fixed number
    of statements whatever the number of schools and questions (bulk inserts, head-counts in
    one grouped query, audit entries at once), plus each school's invitation round on the
    outbox: one row per school, so each school's e-mails go out as its own survey's."""
    sections = list(master.sections.all())
    questions = list(master.questions.all())
    sizes = selectors.audience_sizes(master, [school.pk for school in schools])
    now = timezone.now()
    copies = []
    for school in schools:
        languages = list(school.languages or [school.default_language])
        copy = Survey(
            school=school,
            copied_from=master,
            from_district=True,
            title=_only(master.title, languages),
            intro=_only(master.intro or {}, languages),
            status=SurveyStatus.OPEN,
            opened_at=now,
            is_anonymous=master.is_anonymous,
            staff_audience=master.staff_audience,
            staff_roles=list(master.staff_roles),
            families=master.families,
            family_grades=list(master.family_grades),
            students=master.students,
            template_key=master.template_key,
            created_by=actor,
            invited=sizes.get(school.pk, 0),
        )
        # The keys point at rows just read; checking each would cost a query per school.
        copy.full_clean(
            exclude=["school", "district", "copied_from", "created_by"],
            validate_unique=False,
            validate_constraints=False,
        )
        copy._languages = languages
        copies.append(copy)
    Survey.objects.bulk_create(copies)
    section_copies: dict[tuple[int, int], Section] = {}
    for copy in copies:
        for section in sections:
            section_copies[copy.pk, section.pk] = Section(
                survey=copy, position=section.position, title=_only(section.title, copy._languages)
            )
    Section.objects.bulk_create(section_copies.values())
    question_copies: dict[tuple[int, int], Question] = {}
    for copy in copies:
        for question in questions:
            section = section_copies.get((copy.pk, question.section_id))
            question_copies[copy.pk, question.pk] = Question(
                survey=copy,
                copied_from=question,
                section=section,
                position=question.position,
                kind=question.kind,
                text=_only(question.text, copy._languages),
                options=[_only(option, copy._languages) for option in question.options],
                required=question.required,
                show_if_option=question.show_if_option,
            )
    Question.objects.bulk_create(question_copies.values())
    # A condition points at the copy's own earlier question, known once all are inserted.
    conditional = []
    for copy in copies:
        for question in questions:
            if question.show_if_id is not None:
                shown = question_copies[copy.pk, question.pk]
                shown.show_if = question_copies.get((copy.pk, question.show_if_id))
                conditional.append(shown)
    if conditional:
        Question.objects.bulk_update(conditional, ["show_if"])
    _audit_entries(actor=actor, action="voice.survey_open", surveys=copies)
    rounds = SendRound.objects.bulk_create(
        [SendRound(survey=copy, number=0, started_by=actor) for copy in copies]
    )
    for send_round in rounds:
        outbox.enqueue(FAN_OUT, send_round.pk, 0)
    return copies


def _open_master(survey: Survey) -> Survey:
    return (
        selectors.survey_for_builder(pk=survey.pk)
        .select_for_update(of=("self",))
        .get(pk=survey.pk, school__isnull=True)
    )


def _active_schools(district_id: int, *, without_copy_of: Survey | None = None) -> list[School]:
    schools = School.objects.filter(district_id=district_id, is_active=True)
    if without_copy_of is not None:
        schools = schools.exclude(
            pk__in=Survey.objects.filter(copied_from=without_copy_of, from_district=True).values(
                "school_id"
            )
        )
    return list(schools.order_by("name", "pk"))


@transaction.atomic
def district_survey_open(*, actor, survey: Survey) -> Survey:
    """Open the district's survey: one copy per active school, each opened with its own
    invitations (sent in batches through the outbox, per school, as a school's own survey);
    refused while a text is missing in a language some school needs."""
    master = _open_master(survey)
    if master.status != SurveyStatus.DRAFT:
        raise ValidationError(NOT_A_DRAFT)
    schools = _active_schools(master.district_id)
    problems = district_survey_problems(master, schools)
    if problems:
        raise ValidationError([CANNOT_OPEN, *problems])
    copies = _copies_for_schools(actor=actor, master=master, schools=schools)
    master.status = SurveyStatus.OPEN
    master.opened_at = timezone.now()
    master.invited = sum(copy.invited for copy in copies)
    master.save(update_fields=["status", "opened_at", "invited", "updated_at"])
    audit.record(
        actor=actor,
        action="voice.district_survey_open",
        obj=master,
        after={"schools": len(schools)},
    )
    versions.mark_changed(district=master.district_id)
    return master


NO_SCHOOL_TO_ADD = _("Every active school already has the survey.")


def schools_without_copy(survey: Survey) -> list[School]:
    """The active schools of the district that have no copy of its open survey (created or
    re-activated since it opened)."""
    if survey.school_id is not None or survey.status != SurveyStatus.OPEN:
        return []
    return _active_schools(survey.district_id, without_copy_of=survey)


@transaction.atomic
def district_survey_add_schools(*, actor, survey: Survey) -> list[Survey]:
    """Open the district's open survey in the active schools that joined since it opened (new,
    or active again), as it opened in the others; refused while a text is missing in a
    language one of them needs."""
    master = _open_master(survey)
    if master.status != SurveyStatus.OPEN:
        raise ValidationError(NOT_OPEN_TO_ADD)
    schools = _active_schools(master.district_id, without_copy_of=master)
    if not schools:
        raise ValidationError(NO_SCHOOL_TO_ADD)
    problems = district_survey_problems(master, schools)
    if problems:
        raise ValidationError([CANNOT_ADD, *problems])
    copies = _copies_for_schools(actor=actor, master=master, schools=schools)
    master.invited += sum(copy.invited for copy in copies)
    master.save(update_fields=["invited", "updated_at"])
    audit.record(
        actor=actor,
        action="voice.district_survey_add_schools",
        obj=master,
        after={"schools": [school.pk for school in schools]},
    )
    versions.mark_changed(school_ids=[school.pk for school in schools])
    return copies


NOT_OPEN_TO_ADD = _("Only an open survey can be opened in more schools.")
CANNOT_ADD = _("The survey cannot open in these schools yet.")


@transaction.atomic
def district_survey_close(*, actor, survey: Survey) -> Survey:
    """Close the district's survey and every school's copy of it (each copy's closing
    recorded with its school, as a school's own)."""
    master = Survey.objects.select_for_update().get(pk=survey.pk, school__isnull=True)
    if master.status != SurveyStatus.OPEN:
        raise ValidationError(_("Only an open survey can be closed."))
    now = timezone.now()
    copies = list(
        Survey.objects.select_for_update()
        .filter(copied_from=master, from_district=True, status=SurveyStatus.OPEN)
        .only("pk", "school_id")
    )
    Survey.objects.filter(pk__in=[copy.pk for copy in copies]).update(
        status=SurveyStatus.CLOSED, closed_at=now, updated_at=now
    )
    _audit_entries(actor=actor, action="voice.survey_close", surveys=copies)
    _flush_on_close([copy.pk for copy in copies])
    master.status = SurveyStatus.CLOSED
    master.closed_at = now
    master.save(update_fields=["status", "closed_at", "updated_at"])
    audit.record(actor=actor, action="voice.district_survey_close", obj=master)
    versions.mark_changed(district=master.district_id)
    return master


@transaction.atomic
def link_create(*, actor, survey: Survey, label: str, grade: str = "") -> StudentLink:
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": _("Name the class or grade.")})
    link = StudentLink(
        survey=survey,
        label=label[:LABEL_MAX],
        nonce=tokens.new_nonce(),
        grade=grade_codes.normalize(grade) or "",
    )
    link.full_clean()
    link.save()
    audit.record(actor=actor, action="voice.link_create", obj=link, school=survey.school)
    versions.mark_changed(school=survey.school)
    return link


@transaction.atomic
def link_withdraw(*, actor, link: StudentLink) -> StudentLink:
    link.is_active = False
    link.save(update_fields=["is_active"])
    audit.record(actor=actor, action="voice.link_withdraw", obj=link, school=link.survey.school)
    versions.mark_changed(school=link.survey.school)
    return link


# --- answers ------------------------------------------------------------------------------


def is_shown(question: Question, values: dict[int, Any]) -> bool:
    """Whether the respondent sees `question`, given their answers by question id."""
    if question.show_if_id is None:
        return True
    earlier = values.get(question.show_if_id)
    if isinstance(earlier, list):
        return question.show_if_option in earlier
    return earlier is not None and earlier == question.show_if_option


def _empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _validate(questions: list[Question], values: dict[int, Any], language: str) -> list[Answer]:
    """The Answer rows for `values` ({question id: value}), or a ValidationError by field."""
    errors: dict[str, list] = {}
    answers: list[Answer] = []
    shown_ids: set[int] = set()
    for question in questions:
        field = f"q{question.pk}"
        value = values.get(question.pk)
        if not is_shown(question, {k: v for k, v in values.items() if k in shown_ids}):
            if not _empty(value):
                errors.setdefault(field, []).append(NOT_SHOWN)
            continue
        shown_ids.add(question.pk)
        if _empty(value):
            if question.required:
                errors.setdefault(field, []).append(REQUIRED)
            continue
        count = len(question.option_labels(language))
        kind = question.kind
        if kind in (QuestionKind.AGREEMENT, QuestionKind.SINGLE):
            if not isinstance(value, int) or not 0 <= value < count:
                errors.setdefault(field, []).append(BAD_OPTION)
            else:
                answers.append(Answer(question=question, option=value))
        elif kind == QuestionKind.MULTIPLE:
            chosen = sorted(set(value)) if isinstance(value, list) else None
            if not chosen or any(not isinstance(v, int) or not 0 <= v < count for v in chosen):
                errors.setdefault(field, []).append(BAD_OPTION)
            else:
                answers.extend(Answer(question=question, option=v) for v in chosen)
        elif kind == QuestionKind.NUMBER:
            if not isinstance(value, Decimal | int):
                errors.setdefault(field, []).append(_("Enter a number."))
            else:
                answers.append(Answer(question=question, number=Decimal(value)))
        elif kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
            limit = SHORT_TEXT_MAX if kind == QuestionKind.SHORT_TEXT else LONG_TEXT_MAX
            text = str(value).strip()
            if len(text) > limit:
                errors.setdefault(field, []).append(
                    ValidationError(TOO_LONG, params={"max": limit})
                )
            elif text:
                answers.append(Answer(question=question, text=text))
        elif kind == QuestionKind.RANKING:
            # value: {option index: rank}; a required ranking ranks every option.
            ranks = value if isinstance(value, dict) else {}
            given = [r for r in ranks.values()]
            if (
                any(not isinstance(o, int) or not 0 <= o < count for o in ranks)
                or any(not isinstance(r, int) or not 1 <= r <= count for r in given)
                or len(set(given)) != len(given)
                or (question.required and len(given) != count)
            ):
                errors.setdefault(field, []).append(BAD_RANKING)
            else:
                answers.extend(
                    Answer(question=question, option=o, rank=r) for o, r in ranks.items()
                )
    if errors:
        raise ValidationError(errors)
    return answers


def _save_answers(response: Response, answers: list[Answer]) -> None:
    response.answers.all().delete()
    for answer in answers:
        answer.response = response
    Answer.objects.bulk_create(answers)


TRY_LATER = _("We can't take your answer just now; please try again in a few minutes.")


def response_submit(
    *,
    survey: Survey,
    user,
    values: dict[int, Any],
    language: str,
    edit_key: str = "",
) -> tuple[Response, str]:
    """A signed-in person's answers: stored once, changed until the survey closes.

    In a named survey the response names the person; in an anonymous one it does not, and
    `edit_key` (kept only in their browser) is how they find it again. Returns the response
    and the edit key to keep.

    In an anonymous survey the answer's transaction writes the response alone: that this
    person answered goes into the pending set (voice.pending), written to the database later
    in a batch of several people (`participations_flush`), so no transaction id or row order
    pairs the two. Without the pending set the answer is refused, never written beside its
    person."""
    added: list[int] = []
    committed: list[bool] = []
    try:
        return _response_submit(
            survey=survey,
            user=user,
            values=values,
            language=language,
            edit_key=edit_key,
            added=added,
            committed=committed,
        )
    except BaseException:
        # Recorded as pending but the answer's transaction did not commit: not answered. An
        # error after the commit (a hook of the commit) leaves the answer, and so the person.
        if added and not committed:
            try:
                pending.remove(survey.pk, added)
            except pending.Unavailable:
                logger.exception("a participation left pending without its answer")
        raise


@transaction.atomic
def _response_submit(
    *,
    survey: Survey,
    user,
    values: dict[int, Any],
    language: str,
    edit_key: str,
    added: list,
    committed: list,
) -> tuple[Response, str]:
    # Registered first, so it runs before any other hook of this commit that could fail.
    transaction.on_commit(lambda: committed.append(True))
    survey = (
        Survey.objects.select_for_update(of=("self",)).select_related("school").get(pk=survey.pk)
    )
    if survey.status != SurveyStatus.OPEN:
        raise ValidationError(NOT_OPEN)
    if not selectors.is_in_audience(user, survey):
        raise ValidationError(NOT_IN_AUDIENCE)
    questions = list(survey.questions.order_by("position", "id"))
    answers = _validate(questions, values, language)
    role = staff_role(user, survey.school)
    stakeholder = Stakeholder.STAFF if role else Stakeholder.FAMILY
    if survey.staff_audience == StaffAudience.NONE and survey.families:
        stakeholder, role = Stakeholder.FAMILY, ""
    groups = {
        "stakeholder": stakeholder,
        "role": role,
        "grade": selectors.family_grade_group(user, survey)
        if stakeholder == Stakeholder.FAMILY
        else "",
        "language": language,
        "submitted_on": clock.today_in(survey.school),
    }
    if not survey.is_anonymous:
        response, _created = Response.objects.update_or_create(
            survey=survey, respondent=user, defaults=groups
        )
        _save_answers(response, answers)
        Participation.objects.get_or_create(survey=survey, user=user)
        _results_changed(survey)
        versions.mark_changed(school=survey.school)
        return response, ""
    # Pending first, then the database: a batch is written before it leaves the pending set,
    # so someone flushed in between is found in one or the other.
    try:
        participated = pending.contains(survey.pk, user.pk)
    except pending.Unavailable as error:
        raise ValidationError(TRY_LATER) from error
    participated = participated or Participation.objects.filter(survey=survey, user=user).exists()
    response = None
    if participated:
        if edit_key:
            response = Response.objects.filter(
                survey=survey, edit_key_hash=tokens.hash_edit_key(edit_key)
            ).first()
        if response is None:
            raise ValidationError(ALREADY_ANSWERED)
        for name, value in groups.items():
            setattr(response, name, value)
        response.save()
    else:
        edit_key = tokens.new_edit_key()
        response = Response.objects.create(
            survey=survey, edit_key_hash=tokens.hash_edit_key(edit_key), **groups
        )
    _save_answers(response, answers)
    _results_changed(survey)
    versions.mark_changed(school=survey.school)
    if not participated:
        # Last, while the survey's row is locked: no second answer of this person can pass
        # the check above before this one is pending or rolled back.
        # Counted as added before the call: a reply lost after Redis took the person must
        # still take them out again when this answer rolls back.
        added.append(user.pk)
        try:
            newly = pending.add(survey.pk, user.pk)
        except pending.Unavailable as error:
            raise ValidationError(TRY_LATER) from error
        if not newly:
            # Pending already: another answer of theirs got there first (a database without
            # row locks, as SQLite). Theirs stands; this one is refused and rolled back.
            added.remove(user.pk)
            raise ValidationError(ALREADY_ANSWERED)
    return response, edit_key


def participations_flush(*, survey_id: int) -> int:
    """Write pending participations of a survey to the database; returns how many.

    While the survey is open, only once at least twice the district's threshold are pending,
    and then all but a random threshold of them: every batch, and the rest the close writes,
    holds at least the threshold (unless fewer people answered in all), and the people kept
    back blur which batch answered when. One transaction a batch, rows in shuffled order, so
    the batch's rows share one transaction id and their order says nothing. A person leaves
    the pending set only after their row is committed; writing one twice is a no-op (the
    unique constraint), so a worker killed in between loses and doubles nothing."""
    with transaction.atomic():
        # The survey's row locked: one flush of a survey at a time, and no answer or close
        # in between; the pending set is read under it.
        survey = (
            Survey.objects.select_for_update(of=("self",))
            .filter(pk=survey_id)
            .select_related("school__district")
            .only("pk", "status", "school__district__small_group_threshold")
        ).first()
        if survey is None:
            waiting = written_already = set()
        else:
            waiting = pending.members(survey_id)
            # People written by an earlier flush whose removal from Redis was lost: not
            # written again, and not counted toward this batch's size.
            written_already = set(
                Participation.objects.filter(survey_id=survey_id, user_id__in=waiting).values_list(
                    "user_id", flat=True
                )
            )
        unwritten = list(waiting - written_already)
        _shuffle(unwritten)
        batch = unwritten
        if survey is not None and survey.status == SurveyStatus.OPEN:
            threshold = survey.school.district.small_group_threshold if survey.school else 1
            kept_back = threshold if len(unwritten) >= 2 * threshold else len(unwritten)
            batch = unwritten[: len(unwritten) - kept_back]
        written = _write_participations(survey_id, batch) if batch else 0
    if survey is None:
        pending.forget(survey_id)
        return 0
    pending.remove(survey_id, [*batch, *written_already])
    if survey.status != SurveyStatus.OPEN and len(batch) == len(unwritten):
        pending.forget(survey_id)
    return written


def _shuffle(items: list) -> None:
    random.SystemRandom().shuffle(items)


def _write_participations(survey_id: int, user_ids: list[int]) -> int:
    """Insert the participations in the order given (already shuffled), skipping people
    already written and accounts deleted since they answered."""
    existing = set(User.objects.filter(pk__in=user_ids).values_list("pk", flat=True))
    rows = [Participation(survey_id=survey_id, user_id=u) for u in user_ids if u in existing]
    Participation.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _flush_on_close(survey_ids: list[int]) -> None:
    """The close writes whatever is pending, in its own transaction, and clears the sets once
    it has committed; with Redis unreachable the beat task writes them when it answers."""
    ids = list(survey_ids)
    transaction.on_commit(lambda: [survey_results.forget(pk) for pk in ids])
    try:
        found = pending.members_of(survey_ids)
    except pending.Unavailable:
        logger.warning("pending participations of closed surveys left to the beat task")
        return
    for survey_id, user_ids in found.items():
        batch = list(user_ids)
        _shuffle(batch)
        _write_participations(survey_id, batch)

    def clear():
        try:
            for survey_id, user_ids in found.items():
                pending.remove(survey_id, user_ids)
            for survey_id in survey_ids:
                pending.forget(survey_id)
        except pending.Unavailable:
            logger.warning("pending participations written; the beat task clears the sets")

    transaction.on_commit(clear)


@transaction.atomic
def student_response_submit(
    *, link: StudentLink, values: dict[int, Any], language: str, device_key: str = ""
) -> Response:
    """A student's answers through a class link: no account, no person, grouped by the
    link's class or grade. One answer per device session: `device_key` is the random key the
    session keeps (none given: a device not seen before), and a second answer with it is
    refused, by the database when two arrive at once."""
    survey = (
        Survey.objects.select_for_update(of=("self",))
        .select_related("school")
        .get(pk=link.survey_id)
    )
    if survey.status != SurveyStatus.OPEN or not survey.students or not link.is_active:
        raise ValidationError(NOT_OPEN)
    questions = list(survey.questions.order_by("position", "id"))
    answers = _validate(questions, values, language)
    device_key_hash = tokens.hash_device_key(device_key or tokens.new_device_key(), survey.pk)
    try:
        with transaction.atomic():
            response = Response.objects.create(
                survey=survey,
                stakeholder=Stakeholder.STUDENT,
                group_label=link.label,
                grade=link.grade,
                language=language,
                submitted_on=clock.today_in(survey.school),
                device_key_hash=device_key_hash,
            )
    except IntegrityError:
        raise ValidationError(ANSWERED_FROM_DEVICE) from None
    _save_answers(response, answers)
    _results_changed(survey)
    versions.mark_changed(school=survey.school)
    return response


# --- into the plan --------------------------------------------------------------------------

NOT_A_CHOICE = _("Only the result of an agreement or choice question can go into the plan.")
NO_OPTIONS = _("Choose which answers to count.")
TOO_FEW = _("Fewer than %(n)s people in this group answered: the result is too small to share.")
NO_TARGET = _("Choose a goal or a measure of an open plan.")
NO_PLAN = _("There is no work plan to put this result in.")


# The longest group a measure's data point keeps (workplans' DataPoint.group).
POINT_GROUP_MAX = 120


def results_date(survey: Survey) -> date:
    """The date a survey's results describe: the day it closed, or while it is open the day of
    its latest answer (today when nobody has answered yet). Not the day they are put into the
    plan: a result attached a month after the survey closed is not a month newer, and the
    same result attached twice has one date, so the plan refuses it the second time."""
    school = survey.school
    if survey.closed_at is not None:
        return clock.today_in(school, now=survey.closed_at)
    latest = survey.responses.aggregate(latest=Max("submitted_on"))["latest"]
    return latest or clock.today_in(school)


@transaction.atomic
def evidence_attach(
    *,
    actor,
    survey: Survey,
    question: Question,
    options: list[int],
    dimension: str = "",
    group_key: str = "",
    goal_id: int | None = None,
    measure_id: int | None = None,
) -> PlanEvidence:
    """Put the share of answers given to `options` (for everyone, or one group that is not
    suppressed) into the plan: as a goal's evidence, or as a measure's data point with its n
    and its group, dated as the survey's results are (see `results_date`)."""
    link = plan_link()
    if link is None:
        raise ValidationError(NO_PLAN)
    school = survey.school
    if question.survey_id != survey.pk or question.kind not in CHOICE_KINDS:
        raise ValidationError(NOT_A_CHOICE)
    language = school.default_language
    labels = question.option_labels(language)
    options = sorted({o for o in options if isinstance(o, int) and 0 <= o < len(labels)})
    if not options:
        raise ValidationError({"options": NO_OPTIONS})
    if (goal_id is None) == (measure_id is None):
        raise ValidationError({"target": NO_TARGET})
    if goal_id is not None and goal_id not in {pk for pk, _l in link.goals(school=school)}:
        raise ValidationError({"target": NO_TARGET})
    if measure_id is not None and measure_id not in {pk for pk, _l in link.measures(school=school)}:
        raise ValidationError({"target": NO_TARGET})
    # What is stored (the point's group, the description) is written in the school's language,
    # whoever attaches it: the same result attached by a principal reading Spanish and by one
    # reading English names one group ("Class or grade: Grade 3"), so the plan sees it once.
    with translation.override(language):
        found = survey_results.survey_results(
            survey=survey, language=language, dimension=dimension or None, with_texts=False
        )
        result = next(r for r in found.questions if r.question.pk == question.pk)
        if found.dimension and group_key != "":
            group = next((g for g in result.groups if g.key == group_key), None)
            if group is None or group.hidden:
                raise ValidationError(
                    {"group": ValidationError(TOO_FEW, params={"n": found.threshold})}
                )
            index = result.groups.index(group)
            n = group.n
            count = sum(result.options[o].cells[index][0] for o in options)
            group_label = group.label
            # The data point's group: which breakdown and which group ("Class or grade: Grade 3"),
            # so two groups of one day are two points, not one.
            point_group = f"{survey_results.DIMENSIONS[found.dimension]}: {group.label}"
        else:
            n = result.answered
            # Too few answered: no figure was counted, and none goes into the plan.
            if result.figures_hidden:
                raise ValidationError(
                    {"group": ValidationError(TOO_FEW, params={"n": found.threshold})}
                )
            count = sum(result.options[o].n for o in options)
            group_label = str(_("everyone"))
            dimension, group_key = "", ""
            point_group = ""
        if n < found.threshold:
            raise ValidationError(
                {"group": ValidationError(TOO_FEW, params={"n": found.threshold})}
            )
        value = (Decimal(100) * count / n).quantize(Decimal("0.1"))
        description = _("“%(question)s”: %(answers)s (%(group)s), survey “%(survey)s”") % {
            "question": result.label,
            "answers": " / ".join(labels[o] for o in options),
            "group": group_label,
            "survey": survey.text("title", language),
        }
        source = _("Survey “%(survey)s”") % {"survey": survey.text("title", language)}
    taken_on = results_date(survey)
    if measure_id is not None:
        link.add_point(
            actor=actor,
            school=school,
            measure_id=measure_id,
            date=taken_on,
            value=value,
            n=n,
            group=str(point_group)[:POINT_GROUP_MAX],
            source=str(source)[:120],
        )
    evidence = PlanEvidence(
        school=school,
        survey=survey,
        question=question,
        options=options,
        dimension=dimension,
        group_key=group_key,
        description=str(description)[:400],
        value=value,
        n=n,
        taken_on=taken_on,
        goal_id=goal_id,
        measure_id=measure_id,
        created_by=actor,
    )
    evidence.full_clean()
    evidence.save()
    audit.record(
        actor=actor,
        action="voice.evidence_attach",
        obj=evidence,
        school=school,
        after=audit.snapshot(evidence, ["goal_id", "measure_id", "value", "n", "description"]),
    )
    versions.mark_changed(school=school)
    return evidence


# --- idea exchange ----------------------------------------------------------------------------

EXCHANGE_NOT_OPEN = _("This idea exchange is not open, so nothing was saved.")
EXCHANGE_NO_AUDIENCE = _("Choose staff, families or both.")
EXCHANGE_MISSING = _(
    "Write the question in every language of the school: missing in %(languages)s."
)
IDEA_EMPTY = _("Write your idea.")
IDEA_TOO_LONG = _("Please keep your idea to %(max)s characters.")
BAD_STARS = _("Rate from 1 to 5 stars.")
OWN_IDEA = _("Your own idea is not yours to rate: rate the ideas of others.")
HIDE_REASON = _("Say why the idea is hidden; the reason is kept in the audit trail.")


@transaction.atomic
def exchange_create(
    *, actor, school: School, question: dict[str, str], staff: bool, families: bool
) -> IdeaExchange:
    if not (staff or families):
        raise ValidationError(EXCHANGE_NO_AUDIENCE)
    exchange = IdeaExchange(
        school=school,
        question=_clean_texts(question, list(school.languages), 300),
        staff=staff,
        families=families,
        created_by=actor,
    )
    exchange.full_clean()
    exchange.save()
    audit.record(actor=actor, action="voice.exchange_create", obj=exchange, school=school)
    versions.mark_changed(school=school)
    return exchange


@transaction.atomic
def exchange_set_status(*, actor, exchange: IdeaExchange, status: str) -> IdeaExchange:
    exchange = IdeaExchange.objects.select_for_update().select_related("school").get(pk=exchange.pk)
    if status == SurveyStatus.OPEN:
        if exchange.status != SurveyStatus.DRAFT:
            raise ValidationError(NOT_A_DRAFT)
        missing = [
            selectors.language_name(code)
            for code in exchange.school.languages
            if not (exchange.question.get(code) or "").strip()
        ]
        if missing:
            raise ValidationError(EXCHANGE_MISSING, params={"languages": ", ".join(missing)})
    elif exchange.status != SurveyStatus.OPEN:
        raise ValidationError(_("Only an open idea exchange can be closed."))
    exchange.status = status
    exchange.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action=f"voice.exchange_{status}",
        obj=exchange,
        school=exchange.school,
        after={"status": status},
    )
    versions.mark_changed(school=exchange.school)
    return exchange


def _exchange_stakeholder(user, exchange: IdeaExchange) -> str:
    """The participant's group, or a ValidationError when the exchange is not for them."""
    if exchange.status != SurveyStatus.OPEN:
        raise ValidationError(EXCHANGE_NOT_OPEN)
    if exchange.staff and staff_role(user, exchange.school):
        return Stakeholder.STAFF
    if exchange.families and selectors.is_family_at(user, exchange.school):
        return Stakeholder.FAMILY
    raise ValidationError(NOT_IN_AUDIENCE)


@transaction.atomic
def idea_add(*, user, exchange: IdeaExchange, text: str) -> Idea:
    """A participant's idea, kept without their name."""
    stakeholder = _exchange_stakeholder(user, exchange)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": IDEA_EMPTY})
    if len(text) > IDEA_MAX:
        raise ValidationError({"text": ValidationError(IDEA_TOO_LONG, params={"max": IDEA_MAX})})
    salt = tokens.new_author_salt()
    idea = Idea.objects.create(
        exchange=exchange,
        text=text,
        stakeholder=stakeholder,
        author_key=tokens.author_key(user.pk, exchange.pk, salt),
        author_salt=salt,
    )
    versions.mark_changed(school=exchange.school)
    return idea


def rater_key(user, exchange: IdeaExchange) -> str:
    return tokens.rater_key(user.pk, exchange.pk)


@transaction.atomic
def idea_rate(*, user, idea: Idea, stars: int) -> IdeaRating:
    """A rating of another's idea; rating the same idea again changes it."""
    exchange = idea.exchange
    stakeholder = _exchange_stakeholder(user, exchange)
    if idea.is_hidden:
        raise ValidationError(EXCHANGE_NOT_OPEN)
    if tokens.is_author(idea, user.pk):
        raise ValidationError(OWN_IDEA)
    if not isinstance(stars, int) or not 1 <= stars <= 5:
        raise ValidationError({"stars": BAD_STARS})
    rating, _created = IdeaRating.objects.update_or_create(
        idea=idea,
        rater=rater_key(user, exchange),
        defaults={"stars": stars, "stakeholder": stakeholder},
    )
    versions.mark_changed(school=exchange.school)
    return rating


@transaction.atomic
def theme_add(*, actor, exchange: IdeaExchange, name: str) -> Theme:
    name = (name or "").strip()[:120]
    if not name:
        raise ValidationError({"name": _("Name the theme.")})
    theme, _created = Theme.objects.get_or_create(exchange=exchange, name=name)
    audit.record(actor=actor, action="voice.theme_add", obj=theme, school=exchange.school)
    versions.mark_changed(school=exchange.school)
    return theme


@transaction.atomic
def idea_set_theme(*, actor, idea: Idea, theme: Theme | None) -> Idea:
    if theme is not None and theme.exchange_id != idea.exchange_id:
        raise ValidationError(_("Choose a theme of this idea exchange."))
    before = {"theme": idea.theme_id}
    idea.theme = theme
    idea.save(update_fields=["theme"])
    audit.record(
        actor=actor,
        action="voice.idea_theme",
        obj=idea,
        school=idea.exchange.school,
        before=before,
        after={"theme": idea.theme_id},
    )
    versions.mark_changed(school=idea.exchange.school)
    return idea


@transaction.atomic
def idea_hide(*, actor, idea: Idea, reason: str) -> Idea:
    """Hide an idea (abuse, names, anything that must not be shown); the reason goes to the
    audit trail with the text as it was."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": HIDE_REASON})
    idea.is_hidden = True
    idea.save(update_fields=["is_hidden"])
    audit.record(
        actor=actor,
        action="voice.idea_hide",
        obj=idea,
        school=idea.exchange.school,
        before={"text": idea.text},
        after={"hidden": True, "reason": reason[:500]},
    )
    versions.mark_changed(school=idea.exchange.school)
    return idea


# --- listening sessions -----------------------------------------------------------------------

SESSION_FIELDS = [
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
NOBODY_HEARD = _("Say how many people were heard, by group.")
SESSION_IN_FUTURE = _("A listening session is recorded after it is held.")


@transaction.atomic
def session_record(*, actor, school: School, themes=(), **data: Any) -> ListeningSession:
    session = ListeningSession(school=school, created_by=actor, **data)
    if session.heard_total == 0:
        raise ValidationError(NOBODY_HEARD)
    if session.held_on and session.held_on > clock.today_in(school):
        raise ValidationError({"held_on": SESSION_IN_FUTURE})
    session.full_clean()
    session.save()
    session.themes.set([t for t in themes if t.school_id == school.pk])
    audit.record(
        actor=actor,
        action="voice.session_record",
        obj=session,
        school=school,
        after=audit.snapshot(session, ["kind", "held_on", "title"]),
    )
    versions.mark_changed(school=school)
    return session


THEMES_OF_DRAFT = _("A draft has no results yet to find themes in.")


@transaction.atomic
def survey_themes_set(*, actor, survey: Survey, themes) -> Survey:
    """Tag a survey with themes of its school's list (what its results, its free-text answers
    above all, were about), as a listening session is tagged: the themes page then counts it
    and links to it under each theme."""
    if survey.school_id is None or survey.is_draft:
        raise ValidationError(THEMES_OF_DRAFT)
    chosen = [theme for theme in themes if theme.school_id == survey.school_id]
    before = sorted(survey.themes.values_list("pk", flat=True))
    survey.themes.set(chosen)
    audit.record(
        actor=actor,
        action="voice.survey_themes",
        obj=survey,
        school=survey.school,
        before={"themes": before},
        after={"themes": sorted(theme.pk for theme in chosen)},
    )
    versions.mark_changed(school=survey.school)
    return survey


@transaction.atomic
def listening_theme_add(*, actor, school: School, name: str) -> ListeningTheme:
    name = (name or "").strip()[:120]
    if not name:
        raise ValidationError({"name": _("Name the theme.")})
    theme = ListeningTheme(school=school, name=name)
    theme.full_clean()
    theme.save()
    audit.record(actor=actor, action="voice.listening_theme_add", obj=theme, school=school)
    versions.mark_changed(school=school)
    return theme


# --- rounds ---------------------------------------------------------------------------------

NEXT_ROUND_OF_DRAFT = _("A draft has no results yet: open it before starting its next round.")


@transaction.atomic
def survey_next_round(*, actor, survey: Survey, title: dict[str, str]) -> Survey:
    """The next round of a survey (spring after fall): a draft with the same audience, owners,
    sections and questions (each "show only if" pointing at the new copy of its question),
    every copy remembering what it was copied from so the two rounds can be compared.

    The district's survey has its next round the same way: a district draft, which opens in
    every school as the first round did (each school's copy then follows the new round)."""
    if survey.status == SurveyStatus.DRAFT:
        raise ValidationError(NEXT_ROUND_OF_DRAFT)
    school = survey.school
    languages = selectors.languages_of(survey)
    title = _clean_texts(title, languages, 200)
    if not any(title.values()):
        title = dict(survey.title)
    copy = Survey(
        school=school,
        district=survey.district if school is None else None,
        title=title,
        intro=dict(survey.intro or {}),
        is_anonymous=survey.is_anonymous,
        staff_audience=survey.staff_audience,
        staff_roles=list(survey.staff_roles or []),
        families=survey.families,
        family_grades=list(survey.family_grades or []),
        students=survey.students,
        template_key=survey.template_key,
        copied_from=survey,
        created_by=actor,
    )
    copy.full_clean()
    copy.save()
    copy.staff_teams.set(survey.staff_teams.all())
    copy.owners.set(survey.owners.all())
    sections = {}
    for section in survey.sections.order_by("position", "id"):
        sections[section.pk] = Section.objects.create(
            survey=copy, position=section.position, title=dict(section.title)
        )
    questions: dict[int, Question] = {}
    for question in survey.questions.order_by("position", "id"):
        new = Question(
            survey=copy,
            section=sections.get(question.section_id),
            position=question.position,
            kind=question.kind,
            text=dict(question.text),
            options=[dict(option) for option in question.options],
            required=question.required,
            # Earlier questions come first, so the one it depends on is already copied.
            show_if=questions.get(question.show_if_id),
            show_if_option=question.show_if_option if question.show_if_id in questions else None,
            copied_from=question,
        )
        new.full_clean()
        new.save()
        questions[question.pk] = new
    audit.record(
        actor=actor,
        action="voice.survey_next_round",
        obj=copy,
        school=school,
        after={"copied_from": survey.pk, "questions": len(questions)},
    )
    _mark_changed(copy)
    return copy


# --- themes into the plan -----------------------------------------------------------------

NO_GOAL = _("Choose a goal of an open plan.")
NO_DESCRIPTION = _("Say in a sentence what the theme tells the goal.")
ONE_THEME = _("Choose one theme.")
NOT_THE_SCHOOLS = _("This theme is not one of the school's.")


def theme_counts(*, school: School, listening_theme=None, idea_theme=None) -> dict:
    """A theme's counts as the themes page shows them: for a theme of the school's list, the
    listening sessions and surveys tagged with it, the people heard in the sessions by group,
    and the ideas under idea-exchange themes of the same name; for an idea-exchange theme,
    its shown ideas."""
    if listening_theme is not None:
        row = next(
            r for r in selectors.themes_across(school=school) if r["theme"].pk == listening_theme.pk
        )
        sessions = row["sessions"]
        return {
            "sessions": len(sessions),
            "surveys": len(row["surveys"]),
            "ideas": row["ideas"],
            "heard": {
                "students": sum(s.students_heard for s in sessions),
                "families": sum(s.families_heard for s in sessions),
                "staff": sum(s.staff_heard for s in sessions),
                "community": sum(s.community_heard for s in sessions),
            },
        }
    return {"sessions": 0, "ideas": idea_theme.ideas.filter(is_hidden=False).count(), "heard": {}}


@transaction.atomic
def theme_evidence_attach(
    *,
    actor,
    school: School,
    goal_id: int,
    description: str,
    listening_theme: ListeningTheme | None = None,
    idea_theme: Theme | None = None,
) -> PlanEvidence:
    """Put a theme (of the school's list, or of an idea exchange) into the plan as a goal's
    evidence, with what it tells the goal and its counts as of today."""
    link = plan_link()
    if link is None:
        raise ValidationError(NO_PLAN)
    if (listening_theme is None) == (idea_theme is None):
        raise ValidationError(ONE_THEME)
    owner_school = (
        listening_theme.school_id if listening_theme is not None else idea_theme.exchange.school_id
    )
    if owner_school != school.pk:
        raise ValidationError(NOT_THE_SCHOOLS)
    if goal_id not in {pk for pk, _l in link.goals(school=school)}:
        raise ValidationError({"goal": NO_GOAL})
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": NO_DESCRIPTION})
    evidence = PlanEvidence(
        school=school,
        listening_theme=listening_theme,
        idea_theme=idea_theme,
        description=description[:400],
        counts=theme_counts(school=school, listening_theme=listening_theme, idea_theme=idea_theme),
        taken_on=clock.today_in(school),
        goal_id=goal_id,
        created_by=actor,
    )
    evidence.full_clean()
    evidence.save()
    audit.record(
        actor=actor,
        action="voice.theme_evidence_attach",
        obj=evidence,
        school=school,
        after=audit.snapshot(
            evidence, ["goal_id", "listening_theme_id", "idea_theme_id", "description", "counts"]
        ),
    )
    versions.mark_changed(school=school)
    return evidence
