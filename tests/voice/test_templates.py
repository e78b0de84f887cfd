"""Templates: a school copies one into its own draft, in its languages, and edits it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.teams.factories import ilt_for
from voice import catalog, selectors, services
from voice.models import Survey, SurveyStatus

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("key", list(catalog.TEMPLATES))
def test_each_template_copies_into_a_draft_ready_to_open(world, key):
    ilt_for(world)
    survey = services.survey_from_template(actor=world.principal, school=world.school, key=key)
    survey = selectors.survey_for_builder(pk=survey.pk).get(pk=survey.pk)
    assert survey.status == SurveyStatus.DRAFT and survey.template_key == key
    assert survey.questions.count() >= 4
    assert selectors.survey_problems(survey) == []
    services.survey_open(actor=world.principal, survey=survey)


@pytest.mark.parametrize("key", list(catalog.TEMPLATES))
def test_a_school_offering_vietnamese_opens_a_copied_template_as_it_is(world, key):
    """The demo district's schools speak English, Spanish and Vietnamese: the copy arrives
    written in all three, so the school can open it without translating it first."""
    ilt_for(world)
    world.school.languages = ["en", "es", "vi"]
    world.school.save()
    survey = services.survey_from_template(actor=world.principal, school=world.school, key=key)
    survey = selectors.survey_for_builder(pk=survey.pk).get(pk=survey.pk)
    assert selectors.survey_problems(survey) == []
    assert survey.title["vi"] != survey.title["en"]
    services.survey_open(actor=world.principal, survey=survey)
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.OPEN


def test_a_school_without_vietnamese_gets_no_vietnamese_texts(world):
    assert world.school.languages == ["en", "es"]
    survey = services.survey_from_template(
        actor=world.principal, school=world.school, key="pl_needs"
    )
    texts = [survey.title, survey.intro]
    texts += [section.title for section in survey.sections.all()]
    for question in survey.questions.all():
        texts += [question.text, *question.options]
    assert all(set(text) == {"en", "es"} for text in texts)


def test_the_copy_is_the_schools_to_change(world, client):
    client.force_login(world.principal)
    response = client.post(
        reverse("voice:survey_from_template", kwargs={"slug": world.school.slug}),
        {"template": "family_voice"},
    )
    survey = Survey.objects.get()
    assert response.status_code == 302 and response.url == survey.get_absolute_url()
    assert survey.families and survey.is_anonymous
    first = survey.questions.order_by("position").first()
    services.question_save(
        actor=world.principal,
        survey=survey,
        question=first,
        text={"en": "Changed", "es": "Cambiada"},
    )
    again = services.survey_from_template(
        actor=world.principal, school=world.school, key="family_voice"
    )
    assert again.questions.order_by("position").first().text["en"] != "Changed"


def test_a_school_language_the_template_lacks_is_flagged(world):
    world.school.languages = ["en", "es", "fr"]
    world.school.save()
    survey = services.survey_from_template(
        actor=world.principal, school=world.school, key="student_voice"
    )
    problems = selectors.survey_problems(selectors.survey_for_builder(pk=survey.pk).get())
    assert any(p.startswith("Missing in fr: the title") for p in problems)


def test_an_unknown_template_is_refused(world, client):
    client.force_login(world.principal)
    response = client.post(
        reverse("voice:survey_from_template", kwargs={"slug": world.school.slug}),
        {"template": "nope"},
        follow=True,
    )
    assert "There is no such template." in response.content.decode()
    assert not Survey.objects.exists()
