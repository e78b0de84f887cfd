"""The answer pages' reads from SQL compiled once: the same rows as the querysets they
replace, for every survey and link, and each write shown at once."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.voice.factories import add_question, draft_survey, open_survey
from voice import pending, selectors, services, tokens
from voice.models import Participation, QuestionKind, StudentLink, Survey

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def _answer_url(survey) -> str:
    return reverse("voice:survey_answer", kwargs={"slug": survey.school.slug, "pk": survey.pk})


def test_the_survey_and_its_questions_are_those_the_queryset_reads(world):
    survey, _q = open_survey(world)
    other, _q = open_survey(world, anonymous=False)
    for each in (survey, other):
        expected = selectors.survey_for_answering(pk=each.pk).get()
        found, questions = selectors.survey_to_answer(pk=each.pk, school=world.school)
        assert _fields(found) == _fields(expected)
        assert [_fields(q) for q in questions] == [_fields(q) for q in expected.questions.all()]
        assert found.school is world.school


def test_a_survey_without_questions_is_read_with_none(world):
    survey = draft_survey(world)
    found, questions = selectors.survey_to_answer(pk=survey.pk, school=world.school)
    assert _fields(found) == _fields(Survey.objects.get(pk=survey.pk))
    assert questions == []


def test_no_survey_of_another_school_nor_of_an_unknown_id(world, client):
    survey, _q = open_survey(world)
    assert selectors.survey_to_answer(pk=survey.pk, school=world.other_school) is None
    assert selectors.survey_to_answer(pk=survey.pk + 1000, school=world.school) is None
    assert selectors.survey_to_answer(pk=2**70, school=world.school) is None
    client.force_login(world.other_school_principal)
    url = reverse("voice:survey_answer", kwargs={"slug": world.other_school.slug, "pk": survey.pk})
    assert client.get(url).status_code == 404


def test_the_questions_follow_their_order_after_a_move(world):
    survey = draft_survey(world)
    first = add_question(world, survey)
    second = add_question(world, survey, QuestionKind.NUMBER, text={"en": "N?", "es": "¿N?"})
    services.question_move(actor=world.principal, question=second, up=True)
    _survey, questions = selectors.survey_to_answer(pk=survey.pk, school=world.school)
    assert [q.pk for q in questions] == [second.pk, first.pk]
    assert selectors.questions_in_order(survey) == questions


def test_what_the_owner_writes_is_on_the_answer_page_at_once(world, client):
    # Questions change only while the survey is a draft; a draft that asks the staff shows
    # them its page (not open yet), and the questions once it opens.
    survey = draft_survey(world)
    question = add_question(world, survey)
    added = add_question(world, survey, QuestionKind.SHORT_TEXT, text={"en": "Why?", "es": "¿?"})
    client.force_login(world.staff)
    assert "This survey is not open." in client.get(_answer_url(survey)).content.decode()
    services.question_save(
        actor=world.principal,
        survey=survey,
        question=question,
        version=services.question_version(question),
        kind=QuestionKind.AGREEMENT,
        text={"en": "I am heard here.", "es": "Me escuchan aquí."},
    )
    services.question_delete(actor=world.principal, question=added)
    services.survey_update(
        actor=world.principal, survey=survey, title={"en": "Staff climate", "es": "Clima"}
    )
    assert '<h1 lang="en">Staff climate</h1>' in client.get(_answer_url(survey)).content.decode()
    services.survey_open(actor=world.principal, survey=survey)
    page = client.get(_answer_url(survey)).content.decode()
    assert "I am heard here." in page and "I belong here." not in page
    assert f'id="question-{question.pk}"' in page
    assert f'id="question-{added.pk}"' not in page
    services.survey_close(actor=world.principal, survey=survey)
    page = client.get(_answer_url(survey)).content.decode()
    assert "This survey is not open." in page and "I am heard here." not in page


def test_has_answered_is_has_participated(world, monkeypatch):
    survey, _q = open_survey(world)
    people = [world.staff, world.principal, world.teacher_leader]
    pending.add(survey.pk, world.staff.pk)
    Participation.objects.create(survey=survey, user=world.principal)
    for person in people:
        assert selectors.has_answered(survey, person) == selectors.has_participated(survey, person)
    assert [selectors.has_answered(survey, p) for p in people] == [True, True, False]

    def down(*_args):
        raise pending.Unavailable("down")

    # During a Redis outage, the database's answer alone (as has_participated gives it).
    monkeypatch.setattr(pending, "contains", down)
    assert [selectors.has_answered(survey, p) for p in people] == [False, True, False]
    assert [selectors.has_participated(survey, p) for p in people] == [False, True, False]


def test_the_link_is_read_with_its_survey_school_and_district(world, django_assert_num_queries):
    survey, _q = open_survey(world)
    link = services.link_create(actor=world.principal, survey=survey, label="3B", grade="03")
    expected = StudentLink.objects.select_related("survey__school__district").get(pk=link.pk)
    with django_assert_num_queries(1):
        found = selectors.active_link(pk=link.pk, nonce=link.nonce)
        assert _fields(found) == _fields(expected)
        assert _fields(found.survey) == _fields(expected.survey)
        assert _fields(found.survey.school) == _fields(expected.survey.school)
        assert _fields(found.survey.school.district) == _fields(expected.survey.school.district)


def test_no_link_withdrawn_or_of_another_nonce(world, client):
    survey, _q = open_survey(world)
    link = services.link_create(actor=world.principal, survey=survey, label="3B")
    other = services.link_create(actor=world.principal, survey=survey, label="4A")
    assert selectors.active_link(pk=link.pk, nonce=other.nonce) is None
    assert selectors.active_link(pk=2**70, nonce=link.nonce) is None
    url = reverse("voice:student_answer", kwargs={"token": tokens.make_link_token(link)})
    assert client.get(url).status_code == 200
    services.link_withdraw(actor=world.principal, link=link)
    assert selectors.active_link(pk=link.pk, nonce=link.nonce) is None
    assert client.get(url).status_code == 404


def test_a_link_to_a_survey_of_no_school_reads_none(world):
    # Not made by the pages (a district's survey is answered through its schools' copies),
    # but read as select_related reads it should one exist.
    survey, _q = open_survey(world)
    link = services.link_create(actor=world.principal, survey=survey, label="3B")
    Survey.objects.filter(pk=survey.pk).update(school=None, district=world.district)
    found = selectors.active_link(pk=link.pk, nonce=link.nonce)
    assert found.survey.school is None
    assert found.survey.pk == survey.pk


# --- the blank form's sections, kept per content


def _page(client, url) -> str:
    # The CSRF token is masked anew on each page.
    return re.sub(
        r'(csrftoken": |csrfmiddlewaretoken" value=)"[^"]+"', "", client.get(url).content.decode()
    )


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_blank_sections_kept_are_those_written_anew(world, client, language):
    from voice import views

    survey, _q = open_survey(world)
    client.force_login(world.staff)
    url = _answer_url(survey) + f"?lang={language}"
    views._BLANK_SECTIONS.clear()
    first = _page(client, url)
    assert len(views._BLANK_SECTIONS) == 1
    # The same page from what was kept, and the same as written anew without it.
    assert _page(client, url) == first
    views._BLANK_SECTIONS.clear()
    views._BLANK_SECTIONS_MAX, kept_max = 0, views._BLANK_SECTIONS_MAX
    try:
        assert _page(client, url) == first
    finally:
        views._BLANK_SECTIONS_MAX = kept_max


def test_a_change_to_any_column_of_a_question_or_a_section_title_is_a_new_page(world, client):
    from voice import views

    survey = draft_survey(world)
    section = services.section_add(
        actor=world.principal, survey=survey, title={"en": "Part A", "es": "Parte A"}
    )
    question = add_question(world, survey, section=section)
    services.survey_open(actor=world.principal, survey=survey)
    client.force_login(world.staff)
    url = _answer_url(survey)
    page = _page(client, url)
    assert "Part A" in page and 'aria-required="true"' not in page
    # Written by hand: no service changes an open survey's questions, but whatever changes a
    # column changes the page.
    Question = type(question)
    Question.objects.filter(pk=question.pk).update(required=True)
    page = _page(client, url)
    assert 'aria-required="true"' in page
    Question.objects.filter(pk=question.pk).update(text={"en": "Seen?", "es": "¿Visto?"})
    assert "Seen?" in _page(client, url)
    type(section).objects.filter(pk=section.pk).update(title={"en": "Part B", "es": "Parte B"})
    page = _page(client, url)
    assert "Part B" in page and "Part A" not in page
    assert _page(client, url + "?lang=es").count("Parte B") == 1
    views._BLANK_SECTIONS.clear()
    assert _page(client, url) == page


def test_earlier_answers_and_sent_forms_are_never_the_blank_page(world, client):
    survey, q = open_survey(world, anonymous=False)
    client.force_login(world.staff)
    url = _answer_url(survey)
    blank = _page(client, url)
    assert "checked" not in blank
    client.post(url, {"lang": "en", f"q{q['belong'].pk}": "4", f"q{q['wish'].pk}": "More time"})
    mine = _page(client, url)
    assert mine.count("checked") == 1 and "More time" in mine
    # Another person is shown the blank form.
    client.force_login(world.teacher_leader)
    assert "checked" not in _page(client, url)
    # A form sent with an error keeps what was typed.
    page = client.post(url, {"lang": "en", f"q{q['hours'].pk}": "many", f"q{q['wish'].pk}": "X"})
    assert "X</textarea>" in page.content.decode()
    assert "X</textarea>" not in _page(client, url)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_kept_questions_are_the_page_the_template_writes(world, client, monkeypatch, language):
    from voice import views

    survey, _q = open_survey(world)
    section = services.section_add(
        actor=world.principal, survey=draft_survey(world), title={"en": "A", "es": "B"}
    )
    sectioned = section.survey
    add_question(world, sectioned)
    add_question(world, sectioned, QuestionKind.SHORT_TEXT, section=section, required=True)
    services.survey_open(actor=world.principal, survey=sectioned)
    link = services.link_create(actor=world.principal, survey=survey, label="3B")
    urls = [
        _answer_url(survey),
        _answer_url(sectioned),
        reverse("voice:student_answer", kwargs={"token": tokens.make_link_token(link)}),
    ]
    client.force_login(world.staff)
    kept = [_page(client, f"{url}?lang={language}") for url in urls]
    assert all('class="vc-question"' in page for page in kept)

    def written_by_the_template(questions, survey, language):
        form = views.AnswerForm(None, questions=questions, language=language)
        return views._sections(form, questions, survey, language, {}), ""

    monkeypatch.setattr(views, "_blank_sections", written_by_the_template)
    assert [_page(client, f"{url}?lang={language}") for url in urls] == kept
