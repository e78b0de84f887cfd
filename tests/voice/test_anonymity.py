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
