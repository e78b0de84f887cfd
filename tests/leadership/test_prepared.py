"""A prepared read gives the rows its queryset gives, compiled once."""

from datetime import timedelta

import pytest
from django.db import transaction

from engagement.models import Event, EventStatus
from leadership.models import School
from leadership.prepared import Prepared
from tests.engagement.factories import EventFactory


@pytest.fixture
def events(world):
    return [
        EventFactory(school=world.school),
        EventFactory(school=world.school, status=EventStatus.DRAFT),
        EventFactory(school=world.other_school),
    ]


def test_rows_are_the_querysets_rows_for_each_call(world, events, django_assert_num_queries):
    published = Prepared(
        lambda school, pk: Event.objects.filter(
            school=school, status=EventStatus.PUBLISHED, pk__gte=pk
        )
    )
    for school in (world.school, world.other_school):
        expected = list(Event.objects.filter(school=school, status=EventStatus.PUBLISHED))
        with django_assert_num_queries(1):
            rows = published.rows(school=school.pk, pk=0)
        assert rows == expected
        # Whole rows, the fields converted as the ORM converts them.
        assert [row.__dict__.keys() for row in rows] == [e.__dict__.keys() for e in expected]
        assert [row.interpretation_languages for row in rows] == [
            e.interpretation_languages for e in expected
        ]
    # From the draft's id on, the school has nothing published (the draft is not).
    assert published.first(school=world.school.pk, pk=events[1].pk) is None
    assert published.first(school=world.school.pk, pk=10**9) is None


def test_the_sql_is_compiled_once(world, events):
    built = []

    def build(pk):
        built.append(pk)
        return Event.objects.filter(pk=pk)

    by_pk = Prepared(build)
    assert by_pk.first(pk=events[0].pk) == events[0]
    assert by_pk.first(pk=events[2].pk) == events[2]
    assert len(built) == 1


def test_a_moment_as_an_argument(world, events):
    starting = Prepared(
        lambda school, since: Event.objects.filter(school=school, starts_at__gte=since)
    )
    for since in (events[0].starts_at, events[0].starts_at + timedelta(seconds=1)):
        expected = list(Event.objects.filter(school=world.school, starts_at__gte=since))
        assert starting.rows(school=world.school.pk, since=since) == expected


@pytest.mark.django_db(transaction=True)
def test_a_locking_read(world, events):
    locked = Prepared(lambda pk: Event.objects.select_for_update().filter(pk=pk))
    with transaction.atomic():
        assert locked.first(pk=events[0].pk) == events[0]


def test_refuses_what_it_cannot_prepare(world):
    with pytest.raises(TypeError, match="select_related"):
        Prepared(lambda pk: Event.objects.select_related("school").filter(pk=pk)).rows(pk=1)
    # An argument that does not reach the SQL as given (here: not used at all).
    with pytest.raises(TypeError, match="not found"):
        Prepared(lambda pk, school: School.objects.filter(pk=pk)).rows(pk=1, school=2)
    with pytest.raises(TypeError, match="ids and datetimes"):
        Prepared(lambda slug: School.objects.filter(slug=slug)).rows(slug="lincoln")
