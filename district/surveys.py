"""The district's surveys: built once by a district admin in every language its schools use,
opened in every active school at once, and read added up over the schools (by school too).

The builder's writes are voice's services; each school's copy is a survey of that school
(its principal sees it in the school's list, makes class links and reads the school's
results there)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from leadership import edits
from leadership.exports import csv_writer
from leadership.htmx import HtmxHttpRequest, apply_form_errors
from leadership.models import District
from leadership.permissions import district_view
from voice import catalog, selectors, services
from voice import results as survey_results
from voice import rounds as survey_rounds
from voice.forms import SectionForm
from voice.models import OPTION_KINDS, SendRound, Survey
from voice.views import compare_page, initial_of, next_round_page, question_page

from .forms import DistrictSurveyForm


def _list_url(district: District) -> str:
    return reverse("district:surveys", kwargs={"slug": district.slug})


def _survey(district: District, pk: int) -> Survey:
    survey = get_object_or_404(
        selectors.survey_for_builder(pk=pk), pk=pk, district=district, school__isnull=True
    )
    survey.district = district
    return survey


def _errors_to_messages(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _language(request, survey: Survey) -> str:
    languages = selectors.languages_of(survey)
    current = get_language() or ""
    return current if current in languages else languages[0]


@login_required
@require_safe
@district_view()
def survey_list(request: HtmxHttpRequest, district: District) -> HttpResponse:
    surveys = list(
        Survey.objects.filter(district=district, school__isnull=True).select_related("district")
    )
    return render(request, "district/surveys.html", {"district": district, "surveys": surveys})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@district_view()
def survey_create(request: HtmxHttpRequest, district: District) -> HttpResponse:
    languages = selectors.district_languages(district)
    form = DistrictSurveyForm(request.POST or None, languages=languages)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.district_survey_create(
                actor=request.user, district=district, **form.settings()
            )
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, _("The survey was created as a draft. Add its questions."))
            return redirect(survey.get_absolute_url())
    return render(
        request,
        "district/survey_create.html",
        {
            "school": district,
            "district": district,
            "form": form,
            "title": _("New district survey"),
            "intro": _(
                "It goes to every active school of the district at once, in each school's "
                "languages; results add up over the schools and can be broken down by school."
            ),
            "back": _list_url(district),
            "templates": [(key, t["name"]) for key, t in catalog.TEMPLATES.items()],
        },
    )


@login_required
@require_POST
@district_view()
def survey_from_template(request: HtmxHttpRequest, district: District) -> HttpResponse:
    try:
        survey = services.district_survey_from_template(
            actor=request.user, district=district, key=request.POST.get("template", "")
        )
    except ValidationError as error:
        _errors_to_messages(request, error)
        return redirect(reverse("district:survey_create", kwargs={"slug": district.slug}))
    messages.success(request, _("The template was copied into a new draft. Change it as you like."))
    return redirect(survey.get_absolute_url())


def _missing_by_question(questions, languages: list[str]) -> dict[int, list[str]]:
    missing: dict[int, list[str]] = {}
    for question in questions:
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
@district_view()
def survey_detail(request: HtmxHttpRequest, district: District, pk: int) -> HttpResponse:
    survey = _survey(district, pk)
    languages = selectors.languages_of(survey)
    language = _language(request, survey)
    questions = list(survey.questions.all())
    missing = _missing_by_question(questions, languages)
    for number, question in enumerate(questions, start=1):
        question.number = number
        question.shown_text = question.label(language)
        question.missing = missing.get(question.pk, [])
    problems = []
    if survey.is_draft:
        schools = list(district.schools.filter(is_active=True).order_by("name", "pk"))
        problems = services.district_survey_problems(survey, schools)
    # Active schools with no copy (created or active again since it opened): one query.
    schools_without = services.schools_without_copy(survey)
    # The invitations of each school's copy, as they go out (one query for every school).
    rounds = list(
        SendRound.objects.filter(survey__copied_from=survey, number=0)
        .select_related("survey__school")
        .order_by("survey__school__name", "survey__school_id")
    )
    return render(
        request,
        "district/survey_detail.html",
        {
            "district": district,
            "survey": survey,
            "title": survey.text("title", language),
            "languages": [selectors.language_name(code) for code in languages],
            "questions": questions,
            "sections": list(survey.sections.all()),
            "section_form": SectionForm(languages=languages),
            "problems": problems,
            "rounds": rounds,
            "schools_without": schools_without,
            "sent": sum(r.sent for r in rounds),
            "total": sum(r.total for r in rounds),
            "earlier_round": _earlier_round_title(survey, language),
        },
    )


def _earlier_round_title(survey: Survey, language: str) -> str:
    """The title of the round this one follows (the one its comparison opens with), or ''."""
    if survey.is_draft or not survey.copied_from_id:
        return ""
    earlier = survey_rounds.earlier_rounds(survey)
    return earlier[0].text("title", language) if earlier else ""


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@district_view()
def survey_settings(request: HtmxHttpRequest, district: District, pk: int) -> HttpResponse:
    survey = _survey(district, pk)
    languages = selectors.languages_of(survey)
    form = DistrictSurveyForm(
        request.POST or None,
        languages=languages,
        survey=survey,
        version=services.survey_version(survey),
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_update(
                actor=request.user,
                survey=survey,
                version=form.cleaned_data["version"] or None,
                **form.settings(),
            )
        except edits.StaleEdit as stale:
            fresh = DistrictSurveyForm(languages=languages, survey=stale.current)
            conflict = edits.show_conflict(form, stale, initial_of(fresh), place=district)
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, _("The survey's settings were saved."))
            return redirect(survey.get_absolute_url())
    return render(
        request,
        "voice/form_page.html",
        {
            "school": district,
            "form": form,
            "title": _("Survey settings"),
            "back": survey.get_absolute_url(),
            "conflict": conflict,
        },
    )


@login_required
@require_POST
@district_view()
def section_add(request: HtmxHttpRequest, district: District, pk: int) -> HttpResponse:
    survey = _survey(district, pk)
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
@district_view()
def question_form(
    request: HtmxHttpRequest, district: District, pk: int, question_pk: int | None = None
) -> HttpResponse:
    survey = _survey(district, pk)
    return question_page(request, survey=survey, place=district, question_pk=question_pk)


def _question(district: District, pk: int, question_pk: int):
    survey = _survey(district, pk)
    question = next((q for q in survey.questions.all() if q.pk == question_pk), None)
    if question is None:
        raise Http404
    question.survey = survey
    return question


@login_required
@require_POST
@district_view()
def question_delete(request: HtmxHttpRequest, district: District, pk: int, question_pk: int):
    question = _question(district, pk, question_pk)
    try:
        services.question_delete(actor=request.user, question=question)
    except ValidationError as error:
        _errors_to_messages(request, error)
    else:
        messages.success(request, _("The question was deleted."))
    return redirect(question.survey.get_absolute_url())


@login_required
@require_POST
@district_view()
def question_move(request: HtmxHttpRequest, district: District, pk: int, question_pk: int):
    question = _question(district, pk, question_pk)
    try:
        services.question_move(
            actor=request.user, question=question, up=request.POST.get("direction") == "up"
        )
    except ValidationError as error:
        _errors_to_messages(request, error)
    return redirect(question.survey.get_absolute_url() + f"#question-{question.pk}")


@login_required
@require_POST
@district_view()
def survey_open(request: HtmxHttpRequest, district: District, pk: int) -> HttpResponse:
    survey = _survey(district, pk)
    try:
        services.district_survey_open(actor=request.user, survey=survey)
    except ValidationError as error:
        _errors_to_messages(request, error)
    else:
        messages.success(
            request,
            _("The survey is open in every school; the invitations are going out."),
        )
    return redirect(survey.get_absolute_url())


@login_required
@require_POST
@district_view()
def survey_add_schools(request: HtmxHttpRequest, district: District, pk: int) -> HttpResponse:
    survey = _survey(district, pk)
    try:
        services.district_survey_add_schools(actor=request.user, survey=survey)
    except ValidationError as error:
        _errors_to_messages(request, error)
    else:
        messages.success(
            request,
            _(
                "The survey is open in the schools that joined since; their invitations "
                "are going out."
            ),
        )
    return redirect(survey.get_absolute_url())


@login_required
@require_POST
@district_view()
def survey_close(request: HtmxHttpRequest, district: District, pk: int) -> HttpResponse:
    survey = _survey(district, pk)
    try:
        services.district_survey_close(actor=request.user, survey=survey)
    except ValidationError as error:
        _errors_to_messages(request, error)
    else:
        messages.success(request, _("The survey is closed in every school."))
    return redirect(survey.get_absolute_url())


def _results(request, district: District, pk: int, *, text_limit):
    survey = get_object_or_404(
        Survey.objects.select_related("district"), pk=pk, district=district, school__isnull=True
    )
    language = _language(request, survey)
    found = survey_results.district_results(
        survey=survey,
        language=language,
        dimension=request.GET.get("by") or None,
        with_texts=True,
        text_limit=text_limit,
    )
    return survey, language, found


@login_required
@require_safe
@district_view()
def survey_results_page(request: HtmxHttpRequest, district: District, pk: int) -> HttpResponse:
    survey, language, found = _results(request, district, pk, text_limit=survey_results.TEXTS_SHOWN)
    return render(
        request,
        "district/survey_results.html",
        {
            "district": district,
            "survey": survey,
            "title": survey.text("title", language),
            "results": found,
            "dimensions": list(survey_results.DISTRICT_DIMENSIONS.items()),
        },
    )


@login_required
@require_safe
@district_view()
def survey_results_csv(request: HtmxHttpRequest, district: District, pk: int) -> HttpResponse:
    survey, language, found = _results(request, district, pk, text_limit=None)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="district-survey-{survey.pk}-results.csv"'
    )
    writer = csv_writer(response)
    writer.writerow([_("School"), _("People asked"), _("Answered"), _("Response rate")])
    for row in found.schools:
        writer.writerow([row.name, row.invited, row.participated, row.rate])
    # Added up over the schools: invitations (a person of two schools is asked in each).
    writer.writerow(
        [_("All schools (invitations added up)"), found.invited, found.participated, found.rate]
    )
    writer.writerow([])
    writer.writerows(survey_results.csv_rows(found, language=language))
    return response


# --- rounds -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@district_view()
def survey_next_round(request: HtmxHttpRequest, district: District, pk: int) -> HttpResponse:
    """Copy an open or closed district survey into a district draft for its next round (spring
    after fall); it opens in every school as the first round did, and the two rounds' results
    can then be compared, added up over the schools and school by school."""
    return next_round_page(request, survey=_survey(district, pk), place=district)


@login_required
@require_safe
@district_view()
def survey_compare(request: HtmxHttpRequest, district: District, pk: int) -> HttpResponse:
    """This round's results beside an earlier round's, added up over the schools or broken
    down by school (or by any group of a school's results), each round's small groups and
    schools suppressed."""
    survey = get_object_or_404(
        Survey.objects.select_related("district"), pk=pk, district=district, school__isnull=True
    )
    if survey.is_draft:
        raise Http404
    return compare_page(
        request,
        survey=survey,
        earlier_rounds=survey_rounds.earlier_rounds(survey),
        language=_language(request, survey),
        results_url=reverse("district:survey_results", kwargs={"slug": district.slug, "pk": pk}),
        dimensions=survey_results.DISTRICT_DIMENSIONS,
        context={"district": district},
    )
