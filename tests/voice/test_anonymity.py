"""Anonymity held by the tables: no column of an answer or a response of an anonymous survey
leads to a person, and nothing orders or times a participation beside a response."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models

from tests.voice.factories import open_survey
from voice import pending, services
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
    # Who answered is pending outside the database until a batch is written (voice.pending).
    assert not Participation.objects.filter(survey=survey).exists()
    assert pending.members(survey.pk) == {world.staff.pk, world.teacher_leader.pk, world.family.pk}
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
    assert not Participation.objects.filter(survey__copied_from=master).exists()
    assert sum(len(v) for v in pending.members_of(c.pk for c in Survey.objects.all()).values()) == 2
    # Nothing of the district's copies is written down beside the answer that names anyone:
    # the answer rows point at their response and question only.
    for answer in Answer.objects.filter(response__survey__copied_from=master):
        linked = {
            f.name
            for f in Answer._meta.concrete_fields
            if f.is_relation and getattr(answer, f.attname) is not None
        }
        assert linked <= {"response", "question"}


def _xmins(table: str, survey_id: int) -> list[tuple[int, str, int | None]]:
    """(transaction id that wrote the row, physical position, user) of each row of a survey."""
    from django.db import connection

    user = "user_id" if table == "voice_participation" else "NULL"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT xmin::text::bigint, ctid::text, {user} FROM {table} WHERE survey_id = %s",  # noqa: S608
            [survey_id],
        )
        return cursor.fetchall()


def _pairing_candidates(responses, participations) -> list[set[int]]:
    """What the rows themselves say of each anonymous response: the people whose participation
    was written by the response's transaction, or else by the first transaction after it that
    wrote any (the next insertion). The set of people an answer can be narrowed to."""
    by_xmin: dict[int, set[int]] = {}
    for xmin, _ctid, user in participations:
        by_xmin.setdefault(xmin, set()).add(user)
    candidates = []
    for xmin, _ctid, _user in responses:
        later = sorted(x for x in by_xmin if x >= xmin)
        candidates.append(by_xmin[later[0]] if later else set())
    return candidates


@pytest.mark.django_db(transaction=True)
def test_the_database_cannot_pair_a_person_with_an_anonymous_answer(world):
    """xmin (the transaction that wrote a row) and physical order are in every PostgreSQL
    table: neither may pair a participation with a response, only narrow a response to a
    batch of at least the district's threshold of people."""
    from django.db import connection

    from leadership.models import Role
    from tests.leadership.factories import person

    if connection.vendor != "postgresql":
        pytest.skip("xmin is PostgreSQL's")
    threshold = 3
    world.district.small_group_threshold = threshold
    world.district.save(update_fields=["small_group_threshold"])
    survey, q = open_survey(world)
    people = [person(Role.STAFF, school=world.school) for _ in range(8)]
    for user in people[:4]:
        services.response_submit(
            survey=survey, user=user, values={q["belong"].pk: 1}, language="en"
        )
    _flush()
    for user in people[4:]:
        services.response_submit(
            survey=survey, user=user, values={q["belong"].pk: 3}, language="en"
        )
    _flush()
    services.survey_close(actor=world.principal, survey=survey)

    responses = _xmins("voice_response", survey.pk)
    participations = _xmins("voice_participation", survey.pk)
    assert len(responses) == len(participations) == 8
    assert {user for _x, _c, user in participations} == {user.pk for user in people}
    # No participation was written by an answer's transaction.
    assert not {x for x, _c, _u in responses} & {x for x, _c, _u in participations}
    # Each batch (the rows one transaction wrote) holds at least the threshold of people, so
    # the next insertion after an answer narrows it to that many at best.
    batches: dict[int, int] = {}
    for xmin, _ctid, _user in participations:
        batches[xmin] = batches.get(xmin, 0) + 1
    assert min(batches.values()) >= threshold, batches
    assert all(len(c) >= threshold for c in _pairing_candidates(responses, participations))


def _flush() -> None:
    """What beat runs every minute."""
    from voice import tasks

    tasks.flush_participations()
