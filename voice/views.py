"""Pages of the voice app: the survey builder, opening and closing, class links and their QR
codes, answering (signed in, or through a class link), and results with their CSV."""

from __future__ import annotations

import io

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from leadership import edits, page
from leadership import grades as grade_codes
from leadership.exports import csv_writer
from leadership.html import text, translated
from leadership.htmx import HtmxHttpRequest
from leadership.htmx import apply_form_errors as _apply_form_errors
from leadership.models import School
from leadership.permissions import load_in_school, school_view
from leadership.prepared import Prepared

from . import catalog, selectors, services, tokens
from . import results as survey_results
from . import rounds as survey_rounds
from .forms import (
    AnswerForm,
    EvidenceForm,
    ExchangeForm,
    IdeaForm,
    LinkForm,
    NextRoundForm,
    QuestionForm,
    SectionForm,
    SessionForm,
    SurveyCreateForm,
    SurveySettingsForm,
    SurveyThemesForm,
    ThemeEvidenceForm,
)
from .models import (
    CHOICE_KINDS,
    OPTION_KINDS,
    Answer,
    Idea,
    IdeaExchange,
    ListeningTheme,
    Question,
    QuestionKind,
    Response,
    Stakeholder,
    StudentLink,
    Survey,
    SurveyStatus,
    Theme,
)
from .permissions import can_create_survey, can_list_surveys, can_listen, is_owner
from .plan import plan_link
from .widgets import label_tag

EDIT_COOKIE = "voice_edit_{}"
STUDENT_SESSION = "voice_answered"
# The device session's random key: a class-link answer is stored with its hash for the survey,
# and the database takes one answer per (survey, hash). It lives in a signed cookie of the
# browser session alone, never in the session's row: a session can belong to a person (a
# teacher who signs in on the classroom's computer), and the key beside their id would lead
# an administrator from the person to the answer.
DEVICE_COOKIE = "voice_device"
DEVICE_SALT = "voice.device"


def _device_key(request) -> tuple[str, bool]:
    """The browser session's device key and whether it is new (to be set on the response),
    made on the first visit to a class link (the page with the form), so that every post from
    that page carries the same one."""
    key = request.get_signed_cookie(DEVICE_COOKIE, default="", salt=DEVICE_SALT)
    if key:
        return key, False
    return tokens.new_device_key(), True


def _with_device_cookie(request, response: HttpResponse, key: str) -> HttpResponse:
    response.set_signed_cookie(
        DEVICE_COOKIE,
        key,
        salt=DEVICE_SALT,
        path=request.path,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def _owned(request, pk: int) -> Survey:
    return load_in_school(request, selectors.survey_for_builder(pk=pk), "school", is_owner, pk=pk)


# Read on every view of the results: compiled once (leadership.prepared).
_SURVEY_OF_SCHOOL = Prepared(lambda school, pk: Survey.objects.filter(school=school, pk=pk))


def _owned_for_results(request, school: School, pk: int) -> Survey:
    """The survey whose results this owner reads, on the school the request already holds
    (checked after: the check reads the survey's school, which would be a query otherwise)."""
    survey = _SURVEY_OF_SCHOOL.first(school=school.pk, pk=pk)
    if survey is None:
        raise Http404
    survey.school = school
    if not is_owner(request.user, survey):
        raise PermissionDenied
    return survey


def _set_by_district(request, survey: Survey) -> HttpResponse | None:
    """A school's copy of the district's survey has no form to fill: back to its page, saying
    why (rather than a form that could only be refused on saving)."""
    if not services.is_district_copy(survey):
        return None
    messages.info(request, services.SET_BY_DISTRICT)
    return redirect(survey.get_absolute_url())


def _errors_to_messages(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- the list and the builder ----------------------------------------------------------------


@login_required
@require_safe
@school_view(can_list_surveys)
def survey_list(request: HtmxHttpRequest, school: School) -> HttpResponse:
    user = request.user
    surveys = list(selectors.school_surveys(user=user, school=school))
    to_answer = selectors.open_for(user=user, school=school)
    return render(
        request,
        "voice/survey_list.html",
        {
            "school": school,
            "surveys": [s for s in surveys if is_owner(user, s)],
            "to_answer": to_answer,
            "can_create": can_create_survey(user, school),
            "exchanges": list(selectors.exchanges_for(user=user, school=school)),
            "can_listen": can_listen(user, school),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@school_view(can_create_survey)
def survey_create(request: HtmxHttpRequest, school: School) -> HttpResponse:
    form = SurveyCreateForm(request.POST or None, languages=list(school.languages))
    if request.method == "POST" and form.is_valid():
        survey = services.survey_create(
            actor=request.user,
            school=school,
            is_anonymous=form.cleaned_data["is_anonymous"],
            **form.texts(),
        )
        messages.success(request, _("The survey was created as a draft. Add its questions."))
        return redirect(survey.get_absolute_url())
    return render(
        request,
        "voice/survey_create.html",
        {
            "school": school,
            "form": form,
            "title": _("New survey"),
            "back": _list_url(school),
            "templates": [(key, t["name"]) for key, t in catalog.TEMPLATES.items()],
        },
    )


@login_required
@require_POST
@school_view(can_create_survey)
def survey_from_template(request: HtmxHttpRequest, school: School) -> HttpResponse:
    try:
        survey = services.survey_from_template(
            actor=request.user, school=school, key=request.POST.get("template", "")
        )
    except ValidationError as error:
        _errors_to_messages(request, error)
        return redirect(reverse("voice:survey_create", kwargs={"slug": school.slug}))
    messages.success(request, _("The template was copied into a new draft. Change it as you like."))
    return redirect(survey.get_absolute_url())


def _list_url(school: School) -> str:
    return reverse("voice:survey_list", kwargs={"slug": school.slug})


def _missing_by_question(survey: Survey, languages: list[str]) -> dict[int, list[str]]:
    missing: dict[int, list[str]] = {}
    for question in survey.questions.all():
        for code in languages:
            text_missing = not (question.text or {}).get(code, "").strip()
            options_missing = question.kind in OPTION_KINDS and any(
                not (o.get(code) or "").strip() for o in question.options
            )
            if text_missing or options_missing:
                missing.setdefault(question.pk, []).append(selectors.language_name(code))
    return missing


@login_required
@require_safe
@school_view()
def survey_detail(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    survey = _owned(request, pk)
    languages = selectors.languages_of(survey)
    language = languages[0]
    questions = list(survey.questions.all())
    missing = _missing_by_question(survey, languages)
    numbers = {q.pk: i for i, q in enumerate(questions, start=1)}
    for question in questions:
        question.shown_text = question.label(language)
        question.missing = missing.get(question.pk, [])
        question.number = numbers[question.pk]
        if question.show_if_id:
            earlier = next((q for q in questions if q.pk == question.show_if_id), None)
            labels = earlier.option_labels(language) if earlier else []
            question.condition = _("Only if question %(n)s is “%(answer)s”") % {
                "n": numbers.get(question.show_if_id, "?"),
                "answer": labels[question.show_if_option]
                if earlier and question.show_if_option < len(labels)
                else "?",
            }
    links = list(survey.links.filter(is_active=True))
    for link in links:
        link.url = request.build_absolute_uri(
            reverse("voice:student_answer", kwargs={"token": tokens.make_link_token(link)})
        )
    return render(
        request,
        "voice/survey_detail.html",
        {
            "school": school,
            "survey": survey,
            "district_copy": survey.from_district,
            "title": survey.text("title", language),
            "questions": questions,
            "sections": list(survey.sections.all()),
            "problems": selectors.survey_problems(survey) if survey.is_draft else [],
            "section_form": SectionForm(languages=languages),
            "link_form": LinkForm(),
            "links": links,
            "audience_size": selectors.audience_size(survey),
            "family_grades": grade_codes.labels(survey.family_grades),
            "rounds": list(survey.rounds.all()),
            "can_start_round": can_create_survey(request.user, school),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@school_view()
def survey_settings(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    survey = _owned(request, pk)
    if refused := _set_by_district(request, survey):
        return refused
    languages = selectors.languages_of(survey)
    form = SurveySettingsForm(
        request.POST or None,
        survey=survey,
        languages=languages,
        version=services.survey_version(survey),
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_update(
                actor=request.user,
                survey=survey,
                teams=form.cleaned_data["staff_teams"],
                version=form.cleaned_data["version"],
                **form.settings(),
            )
            if can_create_survey(request.user, school):
                services.survey_owners_set(
                    actor=request.user, survey=survey, owners=form.cleaned_data["owners"]
                )
        except edits.StaleEdit as stale:
            fresh = SurveySettingsForm(survey=stale.current, languages=languages)
            conflict = edits.show_conflict(form, stale, initial_of(fresh), place=school)
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, _("The survey's settings were saved."))
            return redirect(survey.get_absolute_url())
    if not can_create_survey(request.user, school):
        del form.fields["owners"]
    return render(
        request,
        "voice/form_page.html",
        {
            "school": school,
            "form": form,
            "title": _("Survey settings"),
            "back": survey.get_absolute_url(),
            "conflict": conflict,
        },
    )


@login_required
@require_POST
@school_view()
def section_add(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    survey = _owned(request, pk)
    form = SectionForm(request.POST, languages=selectors.languages_of(survey))
    if form.is_valid():
        try:
            services.section_add(actor=request.user, survey=survey, title=form.titles())
        except ValidationError as error:
            _errors_to_messages(request, error)
        else:
            messages.success(request, _("The section was added."))
    else:
        messages.error(request, _("Give the section a title."))
    return redirect(survey.get_absolute_url())


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@school_view()
def question_form(
    request: HtmxHttpRequest, school: School, pk: int, question_pk: int | None = None
) -> HttpResponse:
    survey = _owned(request, pk)
    if refused := _set_by_district(request, survey):
        return refused
    return question_page(request, survey=survey, place=school, question_pk=question_pk)


def question_page(
    request: HtmxHttpRequest, *, survey: Survey, place, question_pk: int | None
) -> HttpResponse:
    """The page adding or editing one question of `survey`, for a school's survey or the
    district's (`place` is the school or the district the page is in)."""
    question = None
    if question_pk is not None:
        question = next((q for q in survey.questions.all() if q.pk == question_pk), None)
        if question is None:
            raise Http404
    languages = selectors.languages_of(survey)
    form = QuestionForm(
        request.POST or None,
        survey=survey,
        languages=languages,
        question=question,
        initial={"version": services.question_version(question)} if question else None,
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.question_save(
                actor=request.user, survey=survey, question=question, **form.question_data()
            )
        except edits.StaleEdit as stale:
            fresh = QuestionForm(survey=survey, languages=languages, question=stale.current)
            conflict = edits.show_conflict(form, stale, initial_of(fresh), place=place)
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, _("The question was saved."))
            return redirect(survey.get_absolute_url())
    return render(
        request,
        "voice/form_page.html",
        {
            "school": place,
            "form": form,
            "title": _("Edit question") if question else _("New question"),
            "back": survey.get_absolute_url(),
            "conflict": conflict,
        },
    )


def initial_of(form) -> dict:
    """What a fresh edit form shows, by field (for the two versions of a conflict)."""
    return {name: form.get_initial_for_field(field, name) for name, field in form.fields.items()}


def _question(request, pk: int, question_pk: int) -> Question:
    survey = _owned(request, pk)
    question = next((q for q in survey.questions.all() if q.pk == question_pk), None)
    if question is None:
        raise Http404
    question.survey = survey
    return question


@login_required
@require_POST
@school_view()
def question_delete(request: HtmxHttpRequest, school: School, pk: int, question_pk: int):
    question = _question(request, pk, question_pk)
    try:
        services.question_delete(actor=request.user, question=question)
    except ValidationError as error:
        _errors_to_messages(request, error)
    else:
        messages.success(request, _("The question was deleted."))
    return redirect(question.survey.get_absolute_url())


@login_required
@require_POST
@school_view()
def question_move(request: HtmxHttpRequest, school: School, pk: int, question_pk: int):
    question = _question(request, pk, question_pk)
    try:
        services.question_move(
            actor=request.user, question=question, up=request.POST.get("direction") == "up"
        )
    except ValidationError as error:
        _errors_to_messages(request, error)
    return redirect(question.survey.get_absolute_url() + f"#question-{question.pk}")


@login_required
@require_POST
@school_view()
def survey_open(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    survey = _owned(request, pk)
    try:
        services.survey_open(actor=request.user, survey=survey)
    except ValidationError as error:
        _errors_to_messages(request, error)
    else:
        messages.success(request, _("The survey is open."))
    return redirect(survey.get_absolute_url())


@login_required
@require_POST
@school_view()
def survey_close(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    survey = _owned(request, pk)
    try:
        services.survey_close(actor=request.user, survey=survey)
    except ValidationError as error:
        _errors_to_messages(request, error)
    else:
        messages.success(request, _("The survey is closed."))
    return redirect(survey.get_absolute_url())


@login_required
@require_POST
@school_view()
def survey_remind(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    survey = _owned(request, pk)
    try:
        services.survey_remind(actor=request.user, survey=survey)
    except ValidationError as error:
        _errors_to_messages(request, error)
    else:
        messages.success(
            request, _("A reminder is going out to everyone asked who has not answered yet.")
        )
    return redirect(survey.get_absolute_url() + "#sending")


# --- class links ----------------------------------------------------------------------------


@login_required
@require_POST
@school_view()
def link_create(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    survey = _owned(request, pk)
    form = LinkForm(request.POST)
    if form.is_valid():
        services.link_create(
            actor=request.user,
            survey=survey,
            label=form.cleaned_data["label"],
            grade=form.cleaned_data["grade"],
        )
        messages.success(request, _("The class link was made."))
    else:
        messages.error(request, _("Name the class or grade."))
    return redirect(survey.get_absolute_url() + "#links")


def _link(request, pk: int, link_pk: int) -> StudentLink:
    survey = _owned(request, pk)
    link = get_object_or_404(StudentLink, survey=survey, pk=link_pk, is_active=True)
    link.survey = survey
    return link


@login_required
@require_POST
@school_view()
def link_withdraw(request: HtmxHttpRequest, school: School, pk: int, link_pk: int):
    link = _link(request, pk, link_pk)
    services.link_withdraw(actor=request.user, link=link)
    messages.success(request, _("The class link no longer works."))
    return redirect(link.survey.get_absolute_url() + "#links")


@login_required
@require_safe
@school_view()
def link_qr(request: HtmxHttpRequest, school: School, pk: int, link_pk: int) -> HttpResponse:
    """The link's QR code, drawn on the server as SVG."""
    link = _link(request, pk, link_pk)
    url = request.build_absolute_uri(
        reverse("voice:student_answer", kwargs={"token": tokens.make_link_token(link)})
    )
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=6, border=2, xmldecl=True)
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


# --- answering --------------------------------------------------------------------------


def _respondent_language(request, survey: Survey) -> str:
    languages = selectors.languages_of(survey)
    user = request.user
    for code in (
        request.POST.get("lang") or request.GET.get("lang"),
        getattr(user, "preferred_language", None) if user.is_authenticated else None,
        translation.get_language(),
    ):
        if code in languages:
            return code
    return languages[0]


def _sections(
    form: AnswerForm,
    questions: list[Question],
    survey: Survey,
    language: str,
    errors,
    section_titles: dict[int, str] | None = None,
):
    """The questions grouped by section, each with its controls written out, its condition and
    its errors: the page's loop only places them."""
    sections: list[dict] = []
    by_section: dict[int | None, dict] = {}
    if section_titles is None:
        section_titles = selectors.section_titles(survey, questions, language)
    numbers = {q.pk: i for i, q in enumerate(questions, start=1)}
    by_pk = {q.pk: q for q in questions}
    for question in questions:
        key = question.section_id
        if key not in by_section:
            by_section[key] = {"title": section_titles.get(key, ""), "questions": []}
            sections.append(by_section[key])
        name = f"q{question.pk}"
        item = {
            "pk": question.pk,
            "number": numbers[question.pk],
            "label": question.label(language),
            "required": question.required,
            "is_ranking": question.kind == QuestionKind.RANKING,
            "condition": "",
            "show_if": "",
            "errors": errors.get(name, []),
        }
        if item["is_ranking"]:
            ranks = [form[f"{name}_r{i}"] for i in range(len(question.options))]
            item["ranks"] = [(label_tag(field), str(field)) for field in ranks]
        else:
            field = form[name]
            item["control"] = str(field)
            item["in_fieldset"] = getattr(field.field.widget, "input_type", "") in (
                "radio",
                "checkbox",
            )
            item["label_for"] = field.id_for_label
            # Rendered only when there are some: an empty list is an empty string.
            item["field_errors"] = field.errors if form.is_bound and field.errors else ""
        if question.show_if_id:
            earlier = by_pk.get(question.show_if_id)
            option_labels = earlier.option_labels(language) if earlier else []
            item["condition"] = _("Answer only if you answered “%(answer)s” to question %(n)s.") % {
                "answer": option_labels[question.show_if_option]
                if question.show_if_option < len(option_labels)
                else "",
                "n": numbers.get(question.show_if_id, ""),
            }
            item["show_if"] = f"q{question.show_if_id}:{question.show_if_option}"
        by_section[key]["questions"].append(item)
    return sections


# The sections of a blank form (nothing sent, no earlier answers) and the page's questions
# written from them, kept in the process under what writes them: the language, the section
# titles and every column of every question. An edit is a new key, so the page shows it at
# once; bounded by emptying when full.
_BLANK_SECTIONS: dict[tuple, tuple[list[dict], str]] = {}
_BLANK_SECTIONS_MAX = 256
_QUESTION_COLUMNS = tuple(field.attname for field in Question._meta.concrete_fields)


def _blank_sections(
    questions: list[Question], survey: Survey, language: str
) -> tuple[list[dict], str]:
    """_sections of an unbound form without initial values, and the answer page's questions
    written from them (its `questions` partial), once per content: the form is made only
    then."""
    titles = selectors.section_titles(survey, questions, language)
    key = (
        language,
        repr(sorted(titles.items())),
        repr([[getattr(q, name) for name in _QUESTION_COLUMNS] for q in questions]),
    )
    found = _BLANK_SECTIONS.get(key)
    if found is None:
        form = AnswerForm(None, questions=questions, language=language)
        sections = _sections(form, questions, survey, language, {}, section_titles=titles)
        html = render_to_string("voice/answer.html#questions", {"sections": sections})
        found = (sections, html)
        if len(_BLANK_SECTIONS) >= _BLANK_SECTIONS_MAX:
            _BLANK_SECTIONS.clear()
        _BLANK_SECTIONS[key] = found
    return found


def _service_errors(error: ValidationError) -> tuple[dict, list[str]]:
    if hasattr(error, "error_dict"):
        return {k: [str(m) for e in v for m in e.messages] for k, v in error.error_dict.items()}, []
    return {}, [str(m) for m in error.messages]


def _existing_values(response: Response | None, questions: list[Question]) -> dict:
    """The answers of `response` as the form's initial values: those to `questions` (the
    survey's, as the page read them)."""
    if response is None:
        return {}
    values: dict = {}
    questions = {q.pk: q for q in questions}
    for answer in Answer.objects.filter(response=response):
        question = questions.get(answer.question_id)
        if question is None:
            continue
        if answer.rank is not None:
            values.setdefault(question.pk, {})[answer.option] = answer.rank
        elif question.kind == QuestionKind.MULTIPLE:
            values.setdefault(question.pk, []).append(answer.option)
        elif answer.option is not None:
            values[question.pk] = answer.option
        elif answer.number is not None:
            values[question.pk] = answer.number
        else:
            values[question.pk] = answer.text
    return values


def _answer_page(request, survey, *, language, form, sections, errors_top, action, extra):
    context = {
        "survey": survey,
        "school": survey.school,
        "language": language,
        "title": survey.text("title", language),
        "intro": survey.text("intro", language),
        "form": form,
        "sections": sections,
        "errors_top": errors_top,
        "action": action,
        "other_languages": [
            (code, selectors.language_name(code))
            for code in selectors.languages_of(survey)
            if code != language
        ],
        **extra,
    }
    return render(request, "voice/answer.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@school_view()
def survey_answer(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    found = selectors.survey_to_answer(pk=pk, school=school)
    if found is None:
        raise Http404
    survey, questions = found
    selectors.with_teams(survey)
    user = request.user
    if not (selectors.is_asked_by_role(user, survey) or selectors.is_in_audience(user, survey)):
        # A draft is nobody's to see yet; a closed survey says it is closed first.
        if not survey.is_draft and selectors.is_family_outside_grades(request.user, survey):
            language = _respondent_language(request, survey)
            with translation.override(language):
                return render(
                    request,
                    "voice/not_for_grades.html",
                    {
                        "school": school,
                        "title": survey.text("title", language),
                        "grades": grade_codes.labels(survey.family_grades),
                        "closed": not survey.is_open,
                    },
                    status=403,
                )
        raise PermissionDenied
    language = _respondent_language(request, survey)
    with translation.override(language):
        cookie_name = EDIT_COOKIE.format(survey.pk)
        edit_key = request.get_signed_cookie(cookie_name, default="", salt="voice.edit")
        existing = None
        if not survey.is_anonymous:
            existing = Response.objects.filter(survey=survey, respondent=request.user).first()
        elif edit_key:
            existing = Response.objects.filter(
                survey=survey, edit_key_hash=tokens.hash_edit_key(edit_key)
            ).first()
        answered_elsewhere = (
            survey.is_anonymous
            and existing is None
            and selectors.has_answered(survey, request.user)
        )
        # Nothing sent and no earlier answers: the blank form, kept per content (no form is
        # made for it).
        blank = request.method != "POST" and existing is None
        form = None
        if not blank:
            form = AnswerForm(
                request.POST or None,
                questions=questions,
                language=language,
                initial_values=_existing_values(existing, questions),
            )
        errors, errors_top = {}, []
        if not survey.is_open:
            errors_top = [
                services.NOT_OPEN if request.method == "POST" else _("This survey is not open.")
            ]
        elif request.method == "POST" and form.is_valid():
            try:
                _response, key = services.response_submit(
                    survey=survey,
                    user=request.user,
                    values=form.values(),
                    language=language,
                    edit_key=edit_key,
                )
            except ValidationError as error:
                errors, errors_top = _service_errors(error)
            else:
                messages.success(
                    request,
                    _(
                        "Thank you: your answers were saved. You may change them until the "
                        "survey closes."
                    ),
                )
                response = redirect(
                    reverse("voice:survey_answer", kwargs={"slug": school.slug, "pk": survey.pk})
                    + f"?lang={language}"
                )
                if key:
                    response.set_signed_cookie(
                        cookie_name,
                        key,
                        salt="voice.edit",
                        max_age=365 * 24 * 3600,
                        httponly=True,
                        samesite="Lax",
                        secure=not settings.DEBUG,
                    )
                return response
        elif answered_elsewhere:
            errors_top = [str(services.ALREADY_ANSWERED)]
        questions_html = ""
        if blank:
            sections, questions_html = _blank_sections(questions, survey, language)
        else:
            sections = _sections(form, questions, survey, language, errors)
        return _answer_page(
            request,
            survey,
            language=language,
            form=form,
            sections=sections,
            errors_top=errors_top,
            action=request.path,
            extra={
                "answered": existing is not None,
                "can_answer": survey.is_open and not answered_elsewhere,
                "questions_html": questions_html,
            },
        )


def _link_from_token(token: str) -> StudentLink | None:
    read = tokens.read_link_token(token)
    if read is None:
        return None
    link_id, nonce = read
    return selectors.active_link(pk=link_id, nonce=nonce)


@require_http_methods(["GET", "HEAD", "POST"])
def student_answer(request: HttpRequest, token: str) -> HttpResponse:
    """A student answers through the class link: no account, one answer per device session."""
    link = _link_from_token(token)
    if link is None:
        return render(request, "voice/link_invalid.html", status=404)
    survey = link.survey  # read with the link, its school and district
    language = _respondent_language(request, survey)
    with translation.override(language):
        questions = selectors.questions_in_order(survey)
        answered = survey.pk in request.session.get(STUDENT_SESSION, [])
        blank = request.method != "POST"
        form = None
        if not blank:
            form = AnswerForm(request.POST or None, questions=questions, language=language)
        errors, errors_top = {}, []
        can_answer = survey.is_open and survey.students and not answered
        # Made when the form is shown, so two posts of it at once carry the same key.
        device_key, new_device = _device_key(request) if can_answer else ("", False)
        if not (survey.is_open and survey.students):
            errors_top = [
                str(services.NOT_OPEN)
                if request.method == "POST"
                else _("This survey is not open.")
            ]
        elif answered:
            errors_top = [str(services.ANSWERED_FROM_DEVICE)]
        elif request.method == "POST" and form.is_valid():
            try:
                services.student_response_submit(
                    link=link, values=form.values(), language=language, device_key=device_key
                )
            except ValidationError as error:
                errors, errors_top = _service_errors(error)
                if str(services.ANSWERED_FROM_DEVICE) in errors_top:
                    can_answer = False
            else:
                request.session[STUDENT_SESSION] = [
                    *request.session.get(STUDENT_SESSION, []),
                    survey.pk,
                ]
                thanks = render(
                    request,
                    "voice/answer_thanks.html",
                    {
                        "survey": survey,
                        "title": survey.text("title", language),
                        "language": language,
                    },
                )
                return _with_device_cookie(request, thanks, device_key) if new_device else thanks
        questions_html = ""
        if blank:
            sections, questions_html = _blank_sections(questions, survey, language)
        else:
            sections = _sections(form, questions, survey, language, errors)
        response = _answer_page(
            request,
            survey,
            language=language,
            form=form,
            sections=sections,
            errors_top=errors_top,
            action=request.path,
            extra={
                "answered": False,
                "can_answer": can_answer,
                "student": True,
                "questions_html": questions_html,
            },
        )
        if new_device:
            _with_device_cookie(request, response, device_key)
        return response


# --- results ------------------------------------------------------------------------------

# The results page's title, as voice/results.html says it (marked here for the catalogues).
RESULTS_TITLE = gettext_noop("Results")


@login_required
@require_safe
@school_view()
def survey_results_page(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    survey = _owned_for_results(request, school, pk)
    language = _respondent_language(request, survey)
    dimension = request.GET.get("by") or None
    found = survey_results.survey_results(
        survey=survey, language=language, dimension=dimension, with_texts=True, with_questions=False
    )

    def render_questions(questions) -> str:
        if not survey.is_draft:
            _set_attach_urls(school, survey, questions)
        found.questions = questions
        return render_to_string("voice/results.html#questions", {"results": found})

    title = survey.text("title", language)
    context = {
        "school": school,
        "survey": survey,
        "title": title,
        "results": found,
        "questions_html": survey_results.questions_fragment(
            found, language=language, render=render_questions
        ),
        "dimensions": [
            (key, str(label), key == found.dimension)
            for key, label in survey_results.DIMENSIONS.items()
        ],
        "earlier_round": _earlier_round_title(survey, request.user, language),
    }
    # The content block is kept (voice.results.CONTENT) under every value it is drawn from; the
    # layout around it is written for each request (leadership.page).
    scope = (survey.pk, survey.created_at)
    version = (survey.results_version, found.responses, found.participated, found.invited)
    parts = (
        translation.get_language(),
        get_script_prefix(),
        request.path,
        survey.get_absolute_url(),
        title,
        language,
        found.dimension or "",
        found.threshold,
        survey.is_draft,
        survey.school_id,
        school.slug,
        context["earlier_round"],
    )
    content = survey_results.CONTENT.get(scope, version, parts)
    if content is None:
        content = render_to_string("voice/results.html#content", context, request=request)
        survey_results.CONTENT.put(scope, version, parts, content)
    return page.render_template_page(
        request,
        "voice/results.html",
        context,
        content=content,
        title=f"{translated(RESULTS_TITLE)} · {text(title)}",
        extra_head=f'<link rel="stylesheet" href="{text(static("css/voice.css"))}">',
    )


def _set_attach_urls(school: School, survey: Survey, results) -> None:
    """Each choice question's address for putting its result into the plan, the URL reversed
    once: the question's id is the last number of its path."""
    sample = reverse(
        "voice:evidence_attach", kwargs={"slug": school.slug, "pk": survey.pk, "question_pk": 0}
    )
    head, _zero, tail = sample.rpartition("/0/")
    head, tail = escape(head), escape(tail)
    for result in results:
        if result.is_choice and not result.figures_hidden:
            result.attach_url = mark_safe(f"{head}/{result.question.pk}/{tail}")  # noqa: S308


def _earlier_round_title(survey: Survey, user, language: str) -> str:
    """The title of the latest earlier round whose results this person may read (the one the
    comparison opens with), or '' when there is none."""
    if not survey.copied_from_id:
        return ""
    readable = survey_rounds.earlier_rounds(survey, reader=user)
    return readable[0].text("title", language) if readable else ""


@login_required
@require_safe
@school_view()
def survey_results_csv(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    survey = _owned_for_results(request, school, pk)
    language = _respondent_language(request, survey)
    found = survey_results.survey_results(
        survey=survey,
        language=language,
        dimension=request.GET.get("by") or None,
        with_texts=True,
        text_limit=None,
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-results.csv"'
    writer = csv_writer(response)
    writer.writerows(survey_results.csv_rows(found, language=language))
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@school_view()
def evidence_attach(
    request: HtmxHttpRequest, school: School, pk: int, question_pk: int
) -> HttpResponse:
    """Put a question's result (for everyone or a group big enough to show) into the plan."""
    survey = load_in_school(request, selectors.survey_for_builder(pk=pk), "school", is_owner, pk=pk)
    question = next((q for q in survey.questions.all() if q.pk == question_pk), None)
    if question is None or survey.is_draft or question.kind not in CHOICE_KINDS:
        raise Http404
    language = _respondent_language(request, survey)
    found = survey_results.survey_results(
        survey=survey, language=language, dimension=None, with_texts=False
    )
    groups = []
    for dimension, dimension_label in survey_results.DIMENSIONS.items():
        by = survey_results.survey_results(
            survey=survey, language=language, dimension=dimension, with_texts=False
        )
        result = next(r for r in by.questions if r.question.pk == question.pk)
        groups += [
            (f"{dimension}:{g.key}", f"{dimension_label}: {g.label} (n={g.n})")
            for g in result.groups
            if not g.hidden
        ]
    link = plan_link()
    goals = link.goals(school=school) if link else []
    measures = link.measures(school=school) if link else []
    labels = question.option_labels(language)
    default = [3, 4] if question.kind == QuestionKind.AGREEMENT else []
    form = EvidenceForm(
        request.POST or None,
        labels=labels,
        groups=groups,
        goals=goals,
        measures=measures,
        initial={"options": default},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.evidence_attach(
                actor=request.user, survey=survey, question=question, **form.attach_data()
            )
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, _("The result was put into the plan."))
            return redirect(reverse("voice:survey_results", kwargs={"slug": school.slug, "pk": pk}))
    result = next(r for r in found.questions if r.question.pk == question.pk)
    return render(
        request,
        "voice/form_page.html",
        {
            "school": school,
            "form": form,
            "title": _("Put a result into the plan"),
            "intro": result.label,
            "back": reverse("voice:survey_results", kwargs={"slug": school.slug, "pk": pk}),
        },
    )


# --- idea exchange ----------------------------------------------------------------------------


def _exchange_owner(user, exchange: IdeaExchange) -> bool:
    return can_create_survey(user, exchange.school) or exchange.created_by_id == user.pk


def _exchange(request, pk: int, *, owner: bool) -> IdeaExchange:
    check = _exchange_owner if owner else None
    return load_in_school(
        request, IdeaExchange.objects.select_related("school__district"), "school", check, pk=pk
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@school_view(can_create_survey)
def exchange_create(request: HtmxHttpRequest, school: School) -> HttpResponse:
    form = ExchangeForm(request.POST or None, languages=list(school.languages))
    if request.method == "POST" and form.is_valid():
        try:
            exchange = services.exchange_create(
                actor=request.user, school=school, **form.exchange_data()
            )
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, _("The idea exchange was created. Open it when ready."))
            return redirect(exchange.get_absolute_url())
    return render(
        request,
        "voice/form_page.html",
        {
            "school": school,
            "form": form,
            "title": _("New idea exchange"),
            "back": _list_url(school),
        },
    )


@login_required
@require_safe
@school_view()
def exchange_detail(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    """The owner's page: open or close, themes, hiding, and ideas and themes ranked."""
    exchange = _exchange(request, pk, owner=True)
    language = _respondent_language(request, exchange)
    ideas, themes, groups = selectors.ideas_ranked(
        exchange=exchange, threshold=school.district.small_group_threshold
    )
    labels = [str(Stakeholder(g).label) for g in groups]
    for item in [*ideas, *themes]:
        item.group_cells = list(zip(labels, item.by_group, strict=True))
    return render(
        request,
        "voice/exchange_detail.html",
        {
            "school": school,
            "exchange": exchange,
            "question": exchange.text(language),
            "ideas": ideas,
            "themes": themes,
            "groups": labels,
            "threshold": school.district.small_group_threshold,
            # The people who may put a theme into the plan, when there is a plan to put it in.
            "can_attach": can_create_survey(request.user, school) and _plan_goals(school),
        },
    )


@login_required
@require_POST
@school_view()
def exchange_status(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    exchange = _exchange(request, pk, owner=True)
    status = SurveyStatus.OPEN if request.POST.get("status") == "open" else SurveyStatus.CLOSED
    try:
        services.exchange_set_status(actor=request.user, exchange=exchange, status=status)
    except ValidationError as error:
        _errors_to_messages(request, error)
    else:
        messages.success(
            request,
            _("The idea exchange is open.")
            if status == "open"
            else _("The idea exchange is closed."),
        )
    return redirect(exchange.get_absolute_url())


@login_required
@require_POST
@school_view()
def theme_add(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    exchange = _exchange(request, pk, owner=True)
    try:
        services.theme_add(actor=request.user, exchange=exchange, name=request.POST.get("name", ""))
    except ValidationError as error:
        _errors_to_messages(request, error)
    else:
        messages.success(request, _("The theme was added."))
    return redirect(exchange.get_absolute_url() + "#themes")


def _idea(request, pk: int, idea_pk: int) -> Idea:
    exchange = _exchange(request, pk, owner=True)
    idea = get_object_or_404(Idea, exchange=exchange, pk=idea_pk)
    idea.exchange = exchange
    return idea


@login_required
@require_POST
@school_view()
def idea_theme(request: HtmxHttpRequest, school: School, pk: int, idea_pk: int) -> HttpResponse:
    idea = _idea(request, pk, idea_pk)
    theme_id = request.POST.get("theme") or None
    theme = get_object_or_404(Theme, exchange=idea.exchange, pk=theme_id) if theme_id else None
    services.idea_set_theme(actor=request.user, idea=idea, theme=theme)
    messages.success(request, _("The idea's theme was saved."))
    return redirect(idea.exchange.get_absolute_url() + f"#idea-{idea.pk}")


@login_required
@require_POST
@school_view()
def idea_hide(request: HtmxHttpRequest, school: School, pk: int, idea_pk: int) -> HttpResponse:
    idea = _idea(request, pk, idea_pk)
    try:
        services.idea_hide(actor=request.user, idea=idea, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        _errors_to_messages(request, error)
    else:
        messages.success(request, _("The idea is hidden; the reason is in the audit trail."))
    return redirect(idea.exchange.get_absolute_url())


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@school_view()
def exchange_take(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    """A participant adds ideas and rates a sample of others' ideas."""
    exchange = _exchange(request, pk, owner=False)
    language = _respondent_language(request, exchange)
    with translation.override(language):
        try:
            services._exchange_stakeholder(request.user, exchange)
        except ValidationError as error:
            if exchange.status == SurveyStatus.OPEN:
                raise PermissionDenied from error
        form = IdeaForm(request.POST if "text" in request.POST else None)
        if request.method == "POST":
            try:
                if "text" in request.POST:
                    if form.is_valid():
                        services.idea_add(
                            user=request.user, exchange=exchange, text=form.cleaned_data["text"]
                        )
                        messages.success(request, _("Thank you: your idea was added."))
                        return redirect(request.path)
                else:
                    idea = get_object_or_404(Idea, exchange=exchange, pk=request.POST.get("idea"))
                    stars = request.POST.get("stars", "")
                    services.idea_rate(
                        user=request.user,
                        idea=idea,
                        stars=int(stars) if stars.isdigit() else 0,
                    )
                    messages.success(request, _("Thank you: your rating was saved."))
                    return redirect(request.path)
            except ValidationError as error:
                if hasattr(error, "error_dict") and "text" in error.error_dict:
                    _apply_form_errors(form, error)
                else:
                    _errors_to_messages(request, error)
                    return redirect(request.path)
        sample = (
            selectors.ideas_to_rate(
                exchange=exchange,
                rater=services.rater_key(request.user, exchange),
                user_id=request.user.pk,
            )
            if exchange.status == SurveyStatus.OPEN
            else []
        )
        return render(
            request,
            "voice/exchange_take.html",
            {
                "school": school,
                "exchange": exchange,
                "question": exchange.text(language),
                "form": form,
                "sample": sample,
                "is_open": exchange.status == SurveyStatus.OPEN,
            },
        )


# --- listening sessions -----------------------------------------------------------------------


@login_required
@require_safe
@school_view(can_listen)
def listening(request: HtmxHttpRequest, school: School) -> HttpResponse:
    """The school's listening sessions and its themes across sessions, surveys and idea
    exchanges, each source linked for those who may open it."""
    return render(
        request,
        "voice/listening.html",
        {
            "school": school,
            "sessions": list(selectors.school_sessions(school=school)),
            "themes": selectors.themes_across(school=school, user=request.user),
            "can_attach": can_create_survey(request.user, school) and _plan_goals(school),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@school_view(can_listen)
def session_create(request: HtmxHttpRequest, school: School) -> HttpResponse:
    form = SessionForm(request.POST or None, school=school)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "themes"}
        try:
            session = services.session_record(
                actor=request.user, school=school, themes=form.cleaned_data["themes"], **data
            )
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, _("The listening session was recorded."))
            return redirect(session.get_absolute_url())
    return render(
        request,
        "voice/form_page.html",
        {
            "school": school,
            "form": form,
            "title": _("Record a listening session"),
            "back": reverse("voice:listening", kwargs={"slug": school.slug}),
        },
    )


@login_required
@require_safe
@school_view(can_listen)
def session_detail(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    session = load_in_school(request, selectors.school_sessions(school=school), "school", pk=pk)
    return render(request, "voice/session_detail.html", {"school": school, "session": session})


@login_required
@require_POST
@school_view(can_listen)
def listening_theme_add(request: HtmxHttpRequest, school: School) -> HttpResponse:
    try:
        services.listening_theme_add(
            actor=request.user, school=school, name=request.POST.get("name", "")
        )
    except ValidationError as error:
        _errors_to_messages(request, error)
    else:
        messages.success(request, _("The theme was added to the school's list."))
    return redirect(reverse("voice:listening", kwargs={"slug": school.slug}) + "#themes")


# --- rounds -----------------------------------------------------------------------------------


def next_round_titles(survey: Survey, number: int) -> dict[str, str]:
    """The next round's title in each language of the survey, "<title> (round n)"."""
    titles = {}
    for code in selectors.languages_of(survey):
        with translation.override(code):
            titles[code] = _("%(title)s (round %(n)s)") % {
                "title": survey.text("title", code),
                "n": number,
            }
    return titles


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@school_view()
def survey_themes(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    """Its owners tag an open or closed survey with themes of the school's list."""
    survey = _owned(request, pk)
    if survey.is_draft:
        raise Http404
    # Bound on any POST: clearing every box posts no theme at all, and that is a choice too.
    form = SurveyThemesForm(
        request.POST if request.method == "POST" else None,
        school=school,
        initial={"themes": list(survey.themes.all())},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_themes_set(
                actor=request.user, survey=survey, themes=form.cleaned_data["themes"]
            )
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, _("The survey's themes were saved."))
            return redirect(reverse("voice:listening", kwargs={"slug": school.slug}) + "#themes")
    return render(
        request,
        "voice/form_page.html",
        {
            "school": school,
            "form": form,
            "title": _("Themes of this survey"),
            "intro": survey.text("title", _respondent_language(request, survey)),
            "back": reverse("voice:survey_results", kwargs={"slug": school.slug, "pk": pk}),
        },
    )


def next_round_page(request, *, survey: Survey, place) -> HttpResponse:
    """The page that starts the next round of an open or closed survey: a school's, or the
    district's own (`place` is the school or the district the page belongs to)."""
    if survey.is_draft:
        raise Http404
    number = len(survey_rounds.earlier_rounds(survey)) + 2
    form = NextRoundForm(
        request.POST or None,
        languages=selectors.languages_of(survey),
        initial_titles=next_round_titles(survey, number),
    )
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.survey_next_round(
                actor=request.user, survey=survey, title=form.titles()
            )
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(
                request,
                _("The next round was made as a draft, with the same questions and audience."),
            )
            return redirect(copy.get_absolute_url())
    return render(
        request,
        "voice/form_page.html",
        {
            "school": place,
            "form": form,
            "title": _("Start the next round"),
            "intro": _(
                "A new draft with the same questions, sections and audience. Its results can "
                "then be compared with this round's."
            ),
            "back": survey.get_absolute_url(),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@school_view(can_create_survey)
def survey_next_round(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    """Copy an open or closed survey into a draft for its next round (spring after fall). It
    makes a new survey, so it takes what making one takes (an owner the principal named
    runs a round but does not start one)."""
    return next_round_page(request, survey=_owned(request, pk), place=school)


def compare_page(
    request,
    *,
    survey: Survey,
    earlier_rounds: list[Survey],
    language: str,
    results_url: str,
    dimensions,
    context: dict,
) -> HttpResponse:
    """This round beside the earlier round asked for (?with=, the latest by default), broken
    down as asked (?by=): a school's survey or the district's own."""
    if not earlier_rounds:
        raise Http404
    wanted = request.GET.get("with", "")
    earlier = next((s for s in earlier_rounds if str(s.pk) == wanted), earlier_rounds[0])
    comparison = survey_rounds.compare_rounds(
        earlier=earlier,
        later=survey,
        language=language,
        dimension=request.GET.get("by") or None,
    )
    return render(
        request,
        "voice/compare.html",
        {
            **context,
            "survey": survey,
            "results_url": results_url,
            "title": survey.text("title", language),
            "earlier_title": earlier.text("title", language),
            "rounds": [(s.pk, s.text("title", language)) for s in earlier_rounds],
            "comparison": comparison,
            "dimensions": list(dimensions.items()),
        },
    )


@login_required
@require_safe
@school_view()
def survey_compare(request: HtmxHttpRequest, school: School, pk: int) -> HttpResponse:
    """This round's results beside an earlier round's, question by question."""
    survey = _owned_for_results(request, school, pk)
    # Only the rounds whose results this person may read: owning this round does not open
    # an earlier one's figures.
    return compare_page(
        request,
        survey=survey,
        earlier_rounds=survey_rounds.earlier_rounds(survey, reader=request.user),
        language=_respondent_language(request, survey),
        results_url=reverse("voice:survey_results", kwargs={"slug": school.slug, "pk": pk}),
        dimensions=survey_results.DIMENSIONS,
        context={"school": school},
    )


# --- themes into the plan ---------------------------------------------------------------------


def _plan_goals(school: School) -> bool:
    """Whether the school has a goal in a plan that is not closed to put a theme under."""
    link = plan_link()
    return link is not None and bool(link.goals(school=school))


def _theme_evidence_page(
    request: HtmxHttpRequest, school: School, *, back: str, name: str, **theme
) -> HttpResponse:
    link = plan_link()
    form = ThemeEvidenceForm(request.POST or None, goals=link.goals(school=school) if link else [])
    if request.method == "POST" and form.is_valid():
        try:
            services.theme_evidence_attach(
                actor=request.user,
                school=school,
                goal_id=form.cleaned_data["goal"],
                description=form.cleaned_data["description"],
                **theme,
            )
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, _("The theme was put into the plan as a goal's evidence."))
            return redirect(back)
    return render(
        request,
        "voice/form_page.html",
        {
            "school": school,
            "form": form,
            "title": _("Put a theme into the plan"),
            "intro": name,
            "back": back,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@school_view(can_create_survey)
def listening_theme_evidence(request: HtmxHttpRequest, school: School, theme_pk: int):
    """A theme of the school's list (heard across sessions and idea exchanges) as a goal's
    evidence."""
    theme = get_object_or_404(ListeningTheme, school=school, pk=theme_pk)
    back = reverse("voice:listening", kwargs={"slug": school.slug}) + "#themes"
    return _theme_evidence_page(request, school, back=back, name=theme.name, listening_theme=theme)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@school_view(can_create_survey)
def idea_theme_evidence(request: HtmxHttpRequest, school: School, pk: int, theme_pk: int):
    """A theme of an idea exchange as a goal's evidence."""
    exchange = _exchange(request, pk, owner=True)
    theme = get_object_or_404(Theme, exchange=exchange, pk=theme_pk)
    theme.exchange = exchange
    return _theme_evidence_page(
        request,
        school,
        back=exchange.get_absolute_url() + "#themes",
        name=theme.name,
        idea_theme=theme,
    )
