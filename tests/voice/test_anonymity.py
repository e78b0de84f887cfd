"""Anonymity held by the tables: no column of an answer or a response of an anonymous survey
leads to a person, and nothing orders or times a participation beside a response."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models

from tests.voice.factories import open_survey
from voice import services
from voice.models import Answer, Participation, Response

pytestmark = pytest.mark.django_db

USER = apps.get_model("leadership", "User")


def _links_to_user(model) -> list[str]:
    return [
        f.name
        for f in model._meta.get_fields()
        if isinstance(f, models.ForeignKey) and f.related_model is USER
    ]


def test_no_table_joins_an_anonymous_answer_to_a_person(world):
    survey, q = open_survey(world)
    for user in (world.staff, world.teacher_leader, world.family):
        services.response_submit(
            survey=survey, user=user, values={q["belong"].pk: 2}, language="en"
        )
    # Answers have no column naming a person; the response's only one stays empty.
    assert _links_to_user(Answer) == []
    assert _links_to_user(Response) == ["respondent"]
    assert not Response.objects.filter(survey=survey, respondent__isnull=False).exists()
    # Participation names the person and nothing of the response: no key to it, no time, and
    # random ids, so neither the order of rows nor a timestamp pairs the two.
    fields = {f.name for f in Participation._meta.concrete_fields}
    assert fields == {"id", "survey", "user"}
    for model in (Participation, Response, Answer):
        assert isinstance(model._meta.pk, models.UUIDField)
    assert not any(isinstance(f, models.DateTimeField) for f in Response._meta.concrete_fields)
    assert Participation.objects.filter(survey=survey).count() == 3
    assert Response.objects.filter(survey=survey).count() == 3


def test_a_district_survey_adds_no_table_and_its_copies_stay_anonymous(world):
    from tests.voice.factories import district_survey
    from voice.models import Survey

    master = district_survey(world, open_it=True)
    # The copies answer into the same tables as a school's own survey, so the same rules
    # hold: no model of the app (none was added for the district) links an answer or a
    # response to a person, the response's one link stays empty, and a participation names
    # the person but neither the response nor a time.
    for model in apps.get_app_config("voice").get_models():
        points_at = {
            f.related_model
            for f in model._meta.get_fields()
            if f.is_relation and f.concrete and model is not Response
        }
        if points_at & {Response, Answer}:
            assert USER not in points_at, model.__name__
    assert _links_to_user(Answer) == []
    assert _links_to_user(Response) == ["respondent"]
    assert {f.name for f in Participation._meta.concrete_fields} == {"id", "survey", "user"}
    for copy in Survey.objects.filter(copied_from=master):
        question = copy.questions.order_by("position").first()
        user = world.staff if copy.school_id == world.school.pk else world.other_school_principal
        services.response_submit(survey=copy, user=user, values={question.pk: 1}, language="en")
    copies = Response.objects.filter(survey__copied_from=master)
    assert copies.count() == 2
    assert not copies.filter(respondent__isnull=False).exists()
    assert Participation.objects.filter(survey__copied_from=master).count() == 2
    # Nothing of the district's copies is written down beside the answer that names anyone:
    # the answer rows point at their response and question only.
    for answer in Answer.objects.filter(response__survey__copied_from=master):
        linked = {
            f.name
            for f in Answer._meta.concrete_fields
            if f.is_relation and getattr(answer, f.attname) is not None
        }
        assert linked <= {"response", "question"}
