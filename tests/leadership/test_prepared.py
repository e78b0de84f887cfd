"""A prepared read gives the rows its queryset gives, compiled once."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from engagement.models import Event, EventStatus
from leadership.models import School
from leadership.prepared import Prepared, PreparedRows
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
    assert by_pk.first(pk=events[1].pk) == events[1]
    # Built twice on the first call (with stand-ins, then with the real id to check the SQL
    # is the same), never again.
    assert built == [built[0], events[0].pk]


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
    # An argument that does not reach the SQL as given (here: not used at all).
    with pytest.raises(TypeError, match="not found"):
        Prepared(lambda pk, school: School.objects.filter(pk=pk)).rows(pk=1, school=2)
    with pytest.raises(TypeError, match="ids and datetimes"):
        Prepared(lambda slugs: School.objects.filter(slug__in=slugs)).rows(slugs=["lincoln"])


def test_text_transformed_by_the_query_is_the_querysets_answer(world):
    """A pattern lookup writes the text into a parameter of its own (%text%): the stand-in is
    not found as given, and the read says so rather than answer wrongly."""
    with pytest.raises(TypeError, match="not found"):
        Prepared(lambda name: School.objects.filter(name__icontains=name)).rows(name="linc")
    # Text changed in Python before the query: the first call's check finds it and the read
    # stays the queryset's.
    stripped = Prepared(lambda slug: School.objects.filter(slug=slug.strip()))
    assert stripped.first(slug=f" {world.school.slug} ") == world.school
    assert stripped.first(slug=world.other_school.slug) == world.other_school


def test_a_value_computed_from_an_argument_is_the_querysets_answer(world, events):
    """The stand-in would freeze `since + 10 years` at 1901's: the first call finds the SQL
    differs and the read stays the queryset's own."""
    since = events[0].starts_at - timedelta(days=1)
    window = Prepared(
        lambda since: Event.objects.filter(
            starts_at__gte=since, starts_at__lt=since + timedelta(days=3650)
        ).order_by("pk")
    )
    for moment in (since, since + timedelta(days=2), since):
        expected = list(
            Event.objects.filter(
                starts_at__gte=moment, starts_at__lt=moment + timedelta(days=3650)
            ).order_by("pk")
        )
        assert window.rows(since=moment) == expected


def test_an_id_no_column_holds_finds_what_the_orm_finds(world, events):
    by_pk = Prepared(lambda pk: Event.objects.filter(pk=pk))
    assert by_pk.first(pk=events[0].pk) == events[0]
    assert by_pk.rows(pk=2**63) == []
    up_to = Prepared(lambda pk: Event.objects.filter(pk__lte=pk).order_by("pk"))
    assert up_to.rows(pk=2**63) == list(Event.objects.order_by("pk"))


def test_refuses_arguments_the_sql_would_misread(world, events):
    by_pk = Prepared(lambda pk: Event.objects.filter(pk=pk))
    by_pk.first(pk=events[0].pk)
    with pytest.raises(TypeError, match="ids and datetimes"):
        by_pk.rows(pk=None)  # "= NULL" where the ORM writes "IS NULL"
    since = Prepared(lambda since: Event.objects.filter(starts_at__gte=since))
    with pytest.raises(TypeError, match="aware"):
        since.rows(since=events[0].starts_at.replace(tzinfo=None))


@pytest.mark.parametrize(
    "build",
    [
        lambda pk: Event.objects.prefetch_related("translations").filter(pk=pk),
        lambda pk: Event.objects.filter(pk=pk).values("pk"),
        lambda pk: Event.objects.filter(pk=pk).annotate(n=Count("rsvps")),
        lambda pk: Event.objects.using("default").filter(pk=pk),
    ],
)
def test_refuses_querysets_whose_rows_are_not_one_model(world, events, build):
    with pytest.raises(TypeError, match="fills models"):
        Prepared(build).rows(pk=events[0].pk)


def _values(obj):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_every_field_is_the_orm_s_value_and_type(world, events):
    by_school = Prepared(lambda school: Event.objects.filter(school=school).order_by("pk"))
    rows = by_school.rows(school=world.school.pk)
    expected = list(Event.objects.filter(school=world.school).order_by("pk"))
    assert [_values(row) for row in rows] == [_values(e) for e in expected]
    for row, e in zip(rows, expected, strict=True):
        assert {k: type(v) for k, v in _values(row).items()} == {
            k: type(v) for k, v in _values(e).items()
        }
        assert row.starts_at.tzinfo is not None  # aware, as the ORM gives it
        assert row._state.adding is False and row._state.db == "default"


def test_a_read_of_some_columns_defers_the_rest_as_the_orm_does(world, events):
    titles = Prepared(lambda pk: Event.objects.only("pk", "location", "starts_at").filter(pk=pk))
    row = titles.first(pk=events[0].pk)
    expected = Event.objects.only("pk", "location", "starts_at").get(pk=events[0].pk)
    assert row.get_deferred_fields() == expected.get_deferred_fields() != set()
    assert (row.location, row.starts_at) == (expected.location, expected.starts_at)
    assert row.status == events[0].status  # a deferred field is read when asked for


# --- plain rows ---------------------------------------------------------------------------


def _event_rows(school_ids, since):
    return (
        Event.objects.filter(school_id__in=school_ids, starts_at__gte=since)
        .order_by("starts_at", "id")
        .values_list("pk", "school__slug", "starts_at", "interpretation_languages")
    )


def test_plain_rows_are_the_querysets_rows_for_each_call(world, events, django_assert_num_queries):
    built = []

    def build(schools, since):
        built.append(schools)
        return _event_rows(schools, since)

    read = PreparedRows(build)
    since = events[0].starts_at - timedelta(days=400)
    for schools in (
        (world.school.pk,),
        (world.other_school.pk,),
        (world.school.pk, world.other_school.pk),
        (world.other_school.pk, world.school.pk),
        (world.school.pk,),
    ):
        with django_assert_num_queries(1):
            rows = read.rows(schools=schools, since=since)
        # The same tuples, the fields converted as the ORM converts them.
        assert rows == list(_event_rows(schools, since))
        assert rows
        assert read.is_prepared(schools=schools, since=since)
    # One list length, one compiled query, checked on its first call: built twice for each.
    assert len(built) == 4


def test_plain_rows_a_day_as_an_argument_in_each_time_zone(world, events):
    """A datetime's date is read in the current time zone, which the ORM writes into the SQL:
    compiled once per time zone."""
    day = timezone.localtime(events[0].starts_at, ZoneInfo("UTC")).date()
    read = PreparedRows(
        lambda school, day: (
            Event.objects.filter(school=school, starts_at__date__gte=day)
            .order_by("id")
            .values_list("pk", "starts_at")
        )
    )
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"):
        with timezone.override(ZoneInfo(zone)):
            for moment in (day - timedelta(days=1), day, day + timedelta(days=1)):
                expected = list(
                    Event.objects.filter(school=world.school, starts_at__date__gte=moment)
                    .order_by("id")
                    .values_list("pk", "starts_at")
                )
                assert read.rows(school=world.school.pk, day=moment) == expected
            assert read.is_prepared(school=world.school.pk, day=day)
    assert len(read._compiled) == 3


def test_plain_rows_a_value_computed_from_an_argument_is_the_querysets_answer(world, events):
    read = PreparedRows(
        lambda schools: (
            Event.objects.filter(school_id__in=(*schools, schools[0] + 1))
            .order_by("id")
            .values_list("pk")
        )
    )
    for schools in ((world.school.pk,), (world.other_school.pk,)):
        expected = list(
            Event.objects.filter(school_id__in=(*schools, schools[0] + 1))
            .order_by("id")
            .values_list("pk")
        )
        assert read.rows(schools=schools) == expected
        assert not read.is_prepared(schools=schools)


def test_plain_rows_an_empty_list_is_the_querysets_answer(world, events):
    read = PreparedRows(
        lambda schools: Event.objects.filter(school_id__in=schools).values_list("pk")
    )
    assert read.rows(schools=()) == []


@pytest.mark.parametrize(
    "build",
    [
        lambda pk: Event.objects.filter(pk=pk),
        lambda pk: Event.objects.filter(pk=pk).values_list("pk", flat=True),
        lambda pk: Event.objects.filter(pk=pk).values("pk"),
        lambda pk: Event.objects.filter(pk=pk).annotate(n=Count("rsvps")).values_list("pk", "n"),
        lambda pk: Event.objects.using("default").filter(pk=pk).values_list("pk"),
    ],
)
def test_plain_rows_refuses_what_is_not_a_values_list(world, events, build):
    with pytest.raises(TypeError, match="values_list"):
        PreparedRows(build).rows(pk=events[0].pk)


def test_plain_rows_refuses_arguments_the_sql_would_misread(world):
    read = PreparedRows(lambda pks: Event.objects.filter(pk__in=pks).values_list("pk"))
    with pytest.raises(TypeError, match="tuple of ids"):
        read.rows(pks=("a",))
    with pytest.raises(TypeError, match="ids and datetimes"):
        read.rows(pks=[1, 2])


def test_plain_rows_an_id_named_twice_leaves_the_shape_prepared(world, events):
    """`__in` writes a repeated id once: that call is the queryset's own, and the next call of
    the same length still runs the compiled SQL."""
    read = PreparedRows(
        lambda schools: Event.objects.filter(school_id__in=schools).order_by("id").values_list("pk")
    )
    twice = (world.school.pk, world.school.pk)
    assert read.rows(schools=twice) == list(
        Event.objects.filter(school=world.school).order_by("id").values_list("pk")
    )
    both = (world.school.pk, world.other_school.pk)
    assert read.rows(schools=both) == list(Event.objects.order_by("id").values_list("pk"))
    assert read.is_prepared(schools=both)


def test_a_read_with_its_related_objects_is_the_orm_s(world, events, django_assert_num_queries):
    """select_related objects come filled as the ORM fills them, from the one query; the
    school is found by its slug (text compared as it is)."""

    def build(slug, pk):
        return (
            Event.objects.select_related("school__district")
            .filter(school__slug=slug, pk=pk)
            .order_by()[:1]
        )

    read = Prepared(build)
    for event in events:
        slug = event.school.slug
        expected = build(slug, event.pk).get()
        with django_assert_num_queries(1):
            found = read.first(slug=slug, pk=event.pk)
            school, district = found.school, found.school.district  # no query of their own
        assert _values(found) == _values(expected)
        assert _values(school) == _values(expected.school)
        assert _values(district) == _values(expected.school.district)
    assert read.first(slug=world.other_school.slug, pk=events[0].pk) is None  # not its school
    assert read.first(slug="no-such-school", pk=events[0].pk) is None
    # Text reaches the SQL as a parameter, never into it.
    hostile = "x' OR '1'='1"
    assert read.first(slug=hostile, pk=events[0].pk) is None
