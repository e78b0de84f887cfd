"""The pages: building in the browser, answering signed in and through a class link."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms as django_forms
from django.urls import reverse

from tests.voice.factories import add_question, draft_survey, open_survey
from voice import services, tokens
from voice.models import Question, Response, StudentLink, Survey, SurveyStatus

pytestmark = pytest.mark.django_db


def _url(name, survey, **kw):
    return reverse(f"voice:{name}", kwargs={"slug": survey.school.slug, "pk": survey.pk, **kw})


def test_the_principal_builds_a_survey_in_the_browser(world, client):
    client.force_login(world.principal)
    response = client.post(
        reverse("voice:survey_create", kwargs={"slug": world.school.slug}),
        {"title_en": "PL needs", "title_es": "", "is_anonymous": "on"},
    )
    survey = Survey.objects.get()
    assert response.status_code == 302
    page = client.get(survey.get_absolute_url())
    assert "The survey has no questions." in page.content.decode()
    assert "Missing in Spanish: the title." in page.content.decode()
    response = client.post(
        _url("question_add", survey),
        {
            "kind": "single",
            "text_en": "Coaching?",
            "text_es": "¿Acompañamiento?",
            "options_en": "Yes\nNo",
            "options_es": "Sí\nNo",
            "required": "on",
        },
    )
    assert response.status_code == 302
    question = Question.objects.get()
    assert question.options == [{"en": "Yes", "es": "Sí"}, {"en": "No", "es": "No"}]
    response = client.post(_url("survey_open", survey), follow=True)
    assert "The survey cannot open yet." in response.content.decode()
    assert Survey.objects.get().status == SurveyStatus.DRAFT


def test_options_must_match_across_languages(world, client):
    survey = draft_survey(world)
    client.force_login(world.principal)
    response = client.post(
        _url("question_add", survey),
        {
            "kind": "single",
            "text_en": "A?",
            "text_es": "¿A?",
            "options_en": "Yes\nNo",
            "options_es": "Sí",
        },
    )
    assert response.status_code == 200
    assert "Give the same number of options in every language." in response.content.decode()
    assert not Question.objects.exists()


def test_a_family_answers_in_spanish_on_a_page_all_in_spanish(world, client):
    survey, q = open_survey(world)
    world.family.preferred_language = "es"
    world.family.save()
    client.force_login(world.family)
    page = client.get(_url("survey_answer", survey)).content.decode()
    assert "La voz del personal" in page and "Pertenezco aquí." in page
    assert "Totalmente de acuerdo" in page  # the scale, in Spanish
    assert "I belong here." not in page and "Strongly agree" not in page
    response = client.post(_url("survey_answer", survey), {f"q{q['belong'].pk}": "4", "lang": "es"})
    assert response.status_code == 302
    assert Response.objects.get().language == "es"
    # Answering again without the key: refused in Spanish, nothing more stored.
    client.cookies.clear()
    client.force_login(world.family)
    response = client.post(_url("survey_answer", survey), {f"q{q['belong'].pk}": "1", "lang": "es"})
    assert "Ya respondió esta encuesta anónima" in response.content.decode()
    assert Response.objects.count() == 1


def test_the_answer_page_says_whether_the_survey_is_named(world, client):
    survey, _q = open_survey(world, anonymous=False)
    client.force_login(world.staff)
    page = client.get(_url("survey_answer", survey)).content.decode()
    assert "This survey is not anonymous: your name is kept with your answers" in page


def test_an_anonymous_answer_can_be_changed_from_the_same_browser(world, client):
    survey, q = open_survey(world)
    client.force_login(world.staff)
    client.post(_url("survey_answer", survey), {f"q{q['belong'].pk}": "4"})
    response = client.post(_url("survey_answer", survey), {f"q{q['belong'].pk}": "2"})
    assert response.status_code == 302
    assert Response.objects.count() == 1
    assert Response.objects.get().answers.get().option == 2


def test_a_student_answers_through_the_class_link_once_per_session(world, client):
    survey, q = open_survey(world)
    link = StudentLink.objects.create(survey=survey, label="Grade 4", nonce=tokens.new_nonce())
    url = reverse("voice:student_answer", kwargs={"token": tokens.make_link_token(link)})
    assert client.get(url).status_code == 200
    response = client.post(url, {f"q{q['belong'].pk}": "3"})
    assert "Thank you: your answers were saved." in response.content.decode()
    saved = Response.objects.get()
    assert (saved.stakeholder, saved.group_label, saved.respondent) == ("student", "Grade 4", None)
    again = client.post(url, {f"q{q['belong'].pk}": "1"})
    assert "already been answered from this device" in again.content.decode()
    assert Response.objects.count() == 1


def test_a_tampered_or_withdrawn_link_answers_clearly(world, client):
    survey, q = open_survey(world)
    link = StudentLink.objects.create(survey=survey, label="Grade 4", nonce=tokens.new_nonce())
    token = tokens.make_link_token(link)
    response = client.get(reverse("voice:student_answer", kwargs={"token": token + "x"}))
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    link.is_active = False
    link.save()
    response = client.post(
        reverse("voice:student_answer", kwargs={"token": token}), {f"q{q['belong'].pk}": "3"}
    )
    assert response.status_code == 404
    assert not Response.objects.exists()


def test_an_expired_link_is_refused(world, client, settings):
    survey, q = open_survey(world)
    link = StudentLink.objects.create(survey=survey, label="Grade 4", nonce=tokens.new_nonce())
    settings.VOICE_LINK_MAX_AGE = -1
    url = reverse("voice:student_answer", kwargs={"token": tokens.make_link_token(link)})
    assert client.post(url, {f"q{q['belong'].pk}": "3"}).status_code == 404
    assert not Response.objects.exists()


def test_a_student_link_of_a_closed_survey_stores_nothing(world, client):
    survey, q = open_survey(world)
    link = StudentLink.objects.create(survey=survey, label="Grade 4", nonce=tokens.new_nonce())
    Survey.objects.filter(pk=survey.pk).update(status=SurveyStatus.CLOSED)
    url = reverse("voice:student_answer", kwargs={"token": tokens.make_link_token(link)})
    response = client.post(url, {f"q{q['belong'].pk}": "3"})
    assert "This survey is not open, so your answers were not saved." in response.content.decode()
    assert not Response.objects.exists()


def test_the_qr_code_is_svg_drawn_on_the_server(world, client):
    survey, _q = open_survey(world)
    link = StudentLink.objects.create(survey=survey, label="Grade 4", nonce=tokens.new_nonce())
    client.force_login(world.principal)
    response = client.get(_url("link_qr", survey, link_pk=link.pk))
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content and b"<script" not in response.content


def test_a_stale_question_edit_is_refused_and_both_versions_shown(world, client):
    from tests.voice.factories import add_question
    from voice import services

    survey = draft_survey(world)
    question = add_question(world, survey)
    client.force_login(world.principal)
    url = _url("question_edit", survey, question_pk=question.pk)
    page = client.get(url)
    version = page.context["form"].initial["version"]
    services.question_save(
        actor=world.teacher_leader,
        survey=survey,
        question=question,
        text={"en": "They wrote this.", "es": "Ellos escribieron esto."},
    )
    response = client.post(
        url,
        {"version": version, "kind": "agreement", "text_en": "Mine", "text_es": "Mía"},
    )
    assert response.status_code == 200
    assert "Someone else saved this while you were editing it" in response.content.decode()
    assert "They wrote this." in response.content.decode()
    question.refresh_from_db()
    assert question.text["en"] == "They wrote this."


@pytest.mark.parametrize(
    ("kind", "chosen", "given"),
    [
        ("radio", None, {"id": "id_q1"}),
        ("radio", 2, {"id": "id_q1", "aria-invalid": "true"}),
        ("radio", "1", {}),
        ("radio", None, {"id": ""}),
        ("radio", 0, {"id": "id_q1", "checked": False}),
        ("radio", 1, {"checked": True, "id": "id_q1"}),
        ("checkbox", [0, 2], {"id": "id_q1", "class": "x<y"}),
        ("checkbox", [], {"id": "id_q1", "required": True, "disabled": False}),
        ("checkbox", ["1"], {"aria-describedby": "id_q1_error", "id": "id_q1"}),
        ("select", None, {"id": "id_q1_r0"}),
        ("select", 2, {"id": "id_q1_r0", "aria-invalid": "true"}),
        ("select", "", {}),
        ("number", None, {"id": "id_q1"}),
        ("number", "abc", {"id": "id_q1", "aria-invalid": "true"}),
        ("number", Decimal("12.50"), {"id": "id_q1"}),
        ("text", 'x <y> & "z"', {"id": "id_q1"}),
        ("text", "", {"id": "id_q1", "disabled": True}),
        ("textarea", None, {"id": "id_q1"}),
        ("textarea", "Tom & <Jerry>\nline", {"id": "id_q1", "aria-invalid": "true"}),
    ],
)
def test_the_answer_widgets_are_the_html_of_djangos_own_widgets(kind, chosen, given):
    """The answer form writes its controls in Python: the same HTML as Django's templates,
    checked, selected, required, invalid and escaped alike."""
    from voice import widgets

    choices = list(enumerate(["Agree", "<b>Tom & Jerry's</b>", 'Say "no"']))
    ours, theirs, attrs = {
        "radio": (widgets.RadioSelect, django_forms.RadioSelect, {"aria-required": "true"}),
        "checkbox": (
            widgets.CheckboxSelectMultiple,
            django_forms.CheckboxSelectMultiple,
            {"aria-required": "true"},
        ),
        "select": (widgets.Select, django_forms.Select, {}),
        "number": (widgets.NumberInput, django_forms.NumberInput, {"step": "0.01"}),
        "text": (widgets.TextInput, django_forms.TextInput, {"maxlength": 200}),
        "textarea": (widgets.Textarea, django_forms.Textarea, {"rows": 4, "maxlength": 2000}),
    }[kind]
    if kind == "select":
        choices = [("", "—"), *((r, str(r)) for r in range(1, 4))]
    mine, django = ours(attrs=dict(attrs)), theirs(attrs=dict(attrs))
    if kind in ("radio", "checkbox", "select"):
        mine.choices = django.choices = choices
    expected = django.render("q1", chosen, dict(given))
    assert mine.render("q1", chosen, dict(given)) == expected
    if kind in ("radio", "checkbox"):
        assert "&lt;b&gt;Tom &amp; Jerry&#x27;s&lt;/b&gt;" in expected


@pytest.mark.parametrize("language", ["en", "es", "vi"])
@pytest.mark.parametrize("label", ["Coaching", "Why?", "<b>Tom & Jerry's</b>", ""])
def test_a_rank_label_is_djangos_label_tag(label, language):
    from django.utils import translation

    from voice.forms import AnswerForm
    from voice.widgets import label_tag

    with translation.override(language):
        form = AnswerForm(questions=[], language=language)
        form.fields["q1_r0"] = django_forms.ChoiceField(label=label, required=False)
        assert label_tag(form["q1_r0"]) == form["q1_r0"].label_tag()
        unnamed = AnswerForm(questions=[], language=language, auto_id=False)
        unnamed.fields["q1_r0"] = django_forms.ChoiceField(label=label, required=False)
        assert label_tag(unnamed["q1_r0"]) == unnamed["q1_r0"].label_tag()


def test_a_grouped_choice_still_goes_through_djangos_templates():
    from voice import widgets

    choices = [("Group <1>", [(0, "a"), (1, "b")]), (2, "c")]
    for ours, theirs in (
        (widgets.RadioSelect, django_forms.RadioSelect),
        (widgets.Select, django_forms.Select),
    ):
        expected = theirs(choices=choices).render("q1", 1, {"id": "id_q1"})
        assert ours(choices=choices).render("q1", 1, {"id": "id_q1"}) == expected


def test_the_answer_pages_take_the_same_queries_however_many_questions(
    world, client, django_assert_num_queries
):
    from django.test import Client

    small = draft_survey(world)
    add_question(world, small)
    services.survey_open(actor=world.principal, survey=small)
    large, _q = open_survey(world)
    client.force_login(world.staff)
    student = Client()

    def link_url(survey):
        link = StudentLink.objects.create(survey=survey, label="Grade 4", nonce=tokens.new_nonce())
        return reverse("voice:student_answer", kwargs={"token": tokens.make_link_token(link)})

    client.get(_url("survey_answer", small))  # warm the session and roles
    student.get(link_url(small))
    for survey in (small, large):
        answer, link = _url("survey_answer", survey), link_url(survey)
        # The session with the person and their roles, the school, the survey with its questions
        # (one query) and whether they answered (no sections, no teams). Staff asked as staff
        # are known to be asked from the roles read with them: no query for it.
        with django_assert_num_queries(4):
            page = client.get(answer).content.decode()
        assert page.count('type="radio"') >= 5
        # The link with its survey, school and district, then the questions (the device key
        # is a cookie, not in a session).
        with django_assert_num_queries(2):
            page = student.get(link).content.decode()
        assert page.count('type="radio"') >= 5


def test_the_answer_page_shows_its_sections(world, client):
    survey = draft_survey(world)
    section = services.section_add(
        actor=world.principal, survey=survey, title={"en": "About you", "es": "Sobre usted"}
    )
    add_question(world, survey, section=section)
    services.survey_open(actor=world.principal, survey=survey)
    client.force_login(world.staff)
    page = client.get(_url("survey_answer", survey)).content.decode()
    assert "<h2>About you</h2>" in page


def test_an_intro_in_english_only_keeps_the_survey_closed_and_says_what_is_missing(world, client):
    """A Spanish-speaking family would read the title and questions in Spanish and the intro
    in English: the builder names the missing text and the survey does not open."""
    survey = draft_survey(world)
    add_question(world, survey)
    survey = services.survey_update(
        actor=world.principal, survey=survey, intro={"en": "Five minutes, no more."}
    )
    client.force_login(world.principal)
    page = client.get(survey.get_absolute_url()).content.decode()
    assert "Missing in Spanish: the introduction." in page
    response = client.post(_url("survey_open", survey), follow=True)
    assert "The survey cannot open yet." in response.content.decode()
    assert "Missing in Spanish: the introduction." in response.content.decode()
    assert Survey.objects.get(pk=survey.pk).status == SurveyStatus.DRAFT

    services.survey_update(
        actor=world.principal,
        survey=survey,
        intro={"en": "Five minutes, no more.", "es": "Cinco minutos, no más."},
    )
    client.post(_url("survey_open", survey))
    assert Survey.objects.get(pk=survey.pk).status == SurveyStatus.OPEN
    client.force_login(world.family)
    page = client.get(_url("survey_answer", survey) + "?lang=es").content.decode()
    assert "Cinco minutos, no más." in page and "Five minutes" not in page


def test_a_survey_without_an_intro_in_any_language_still_opens(world):
    survey = draft_survey(world)
    add_question(world, survey)
    services.survey_open(actor=world.principal, survey=survey)
    assert Survey.objects.get(pk=survey.pk).status == SurveyStatus.OPEN


# --- refusals in the respondent's language -----------------------------------------------------
# The Spanish texts below are the catalogue's (locale/es/LC_MESSAGES/django.po).

NOT_OPEN_ES = "Esta encuesta no está abierta, por lo que sus respuestas no se guardaron."
LINK_INVALID_ES = "Este enlace no funciona"
LINK_INVALID_BODY_ES = "El enlace venció, fue retirado o está incompleto."
NOT_SHOWN_ES = "Respondió una pregunta que no corresponde según sus respuestas anteriores"
TOO_LONG_ES = "Limite esta respuesta a 2000 caracteres."


def _student_url(survey):
    link = StudentLink.objects.create(survey=survey, label="Grade 4", nonce=tokens.new_nonce())
    return reverse("voice:student_answer", kwargs={"token": tokens.make_link_token(link)})


def test_an_answer_after_closing_is_refused_in_spanish(world, client):
    survey, q = open_survey(world)
    student_url = _student_url(survey)
    services.survey_close(actor=world.principal, survey=survey)
    client.force_login(world.family)
    page = client.post(
        _url("survey_answer", survey), {f"q{q['belong'].pk}": "3", "lang": "es"}
    ).content.decode()
    assert NOT_OPEN_ES in page and "your answers were not saved" not in page
    page = client.post(student_url, {f"q{q['belong'].pk}": "3", "lang": "es"}).content.decode()
    assert NOT_OPEN_ES in page
    assert not Response.objects.exists()


def test_a_tampered_class_link_is_refused_in_the_browsers_language(world, client):
    survey, q = open_survey(world)
    url = _student_url(survey)
    response = client.post(url[:-3] + "xx/", {f"q{q['belong'].pk}": "3"}, HTTP_ACCEPT_LANGUAGE="es")
    page = response.content.decode()
    assert response.status_code == 404
    assert LINK_INVALID_ES in page and LINK_INVALID_BODY_ES in page
    assert "This link does not work" not in page
    assert not Response.objects.exists()


def test_an_expired_class_link_is_refused_in_the_browsers_language(world, client, settings):
    survey, q = open_survey(world)
    url = _student_url(survey)
    settings.VOICE_LINK_MAX_AGE = -1
    response = client.post(url, {f"q{q['belong'].pk}": "3"}, HTTP_ACCEPT_LANGUAGE="es")
    page = response.content.decode()
    assert response.status_code == 404
    assert LINK_INVALID_ES in page and LINK_INVALID_BODY_ES in page
    assert not Response.objects.exists()


@pytest.mark.parametrize("through", ["signed_in", "class_link"])
def test_an_answer_to_a_question_not_shown_is_refused_in_spanish(world, client, through):
    survey, q = open_survey(world)
    url = _student_url(survey) if through == "class_link" else _url("survey_answer", survey)
    if through == "signed_in":
        client.force_login(world.family)
    # "No" to "Do you teach reading?" hides "Which grades?", answered anyway.
    data = {
        f"q{q['belong'].pk}": "3",
        f"q{q['teach'].pk}": "1",
        f"q{q['grades'].pk}": ["0"],
        "lang": "es",
    }
    page = client.post(url, data).content.decode()
    assert NOT_SHOWN_ES in page and "does not apply" not in page
    assert not Response.objects.exists()


@pytest.mark.parametrize("through", ["signed_in", "class_link"])
def test_an_over_long_answer_is_refused_in_spanish(world, client, through):
    survey, q = open_survey(world)
    url = _student_url(survey) if through == "class_link" else _url("survey_answer", survey)
    if through == "signed_in":
        client.force_login(world.family)
    data = {f"q{q['belong'].pk}": "3", f"q{q['wish'].pk}": "a" * 2001, "lang": "es"}
    page = client.post(url, data).content.decode()
    assert TOO_LONG_ES in page and "Please keep this answer" not in page
    assert not Response.objects.exists()
