"""A prepared read gives the rows its queryset gives, compiled once."""

import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.db.models import Count, Q
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


def test_what_it_cannot_prepare_is_the_querysets_answer(world):
    """Never an error where the ORM answers: the read is the queryset's own."""
    # An argument that does not reach the SQL as given (here: not used at all).
    unused = Prepared(lambda pk, school: School.objects.filter(pk=pk))
    assert unused.rows(pk=world.school.pk, school=2) == [world.school]
    assert not unused.is_prepared(pk=world.school.pk, school=2)
    # A list of text is no list of ids.
    slugs = Prepared(lambda slugs: School.objects.filter(slug__in=slugs).order_by("pk"))
    assert slugs.rows(slugs=[world.school.slug]) == [world.school]
    assert not slugs.is_prepared(slugs=[world.school.slug])


def test_text_transformed_by_the_query_is_the_querysets_answer(world):
    """A pattern lookup writes the text into a parameter of its own (%text%): the stand-in is
    not found as given, and the read is the queryset's rather than a wrong one."""
    contains = Prepared(lambda name: School.objects.filter(name__icontains=name))
    assert contains.rows(name="linc") == list(School.objects.filter(name__icontains="linc"))
    assert contains.rows(name="linc")
    assert not contains.is_prepared(name="linc")
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


def test_arguments_the_sql_would_misread_are_the_querysets_answer(world, events):
    by_pk = Prepared(lambda pk: Event.objects.filter(pk=pk))
    by_pk.first(pk=events[0].pk)
    assert by_pk.rows(pk=None) == []  # a shape of its own: "IS NULL", as the ORM writes it
    assert by_pk.is_prepared(pk=None)
    since = Prepared(lambda since: Event.objects.filter(starts_at__gte=since).order_by("pk"))
    naive = events[0].starts_at.replace(tzinfo=None)
    with pytest.warns(RuntimeWarning):  # the ORM's own warning: the queryset reads it
        assert since.rows(since=naive) == list(
            Event.objects.filter(starts_at__gte=events[0].starts_at).order_by("pk")
        )
    assert not since.is_prepared(since=naive)
    assert by_pk.rows(pk=True) == list(Event.objects.filter(pk=True))


@pytest.mark.parametrize(
    ("build", "prepared"),
    [
        (lambda pk: Event.objects.prefetch_related("translations").filter(pk=pk), False),
        (lambda pk: Event.objects.extra(select={"one": "1"}).filter(pk=pk), False),
        (lambda pk: Event.objects.filter(pk=pk).values_list("pk", named=True), False),
        (lambda pk: Event.objects.filter(pk=pk).values("pk"), True),
        (lambda pk: Event.objects.filter(pk=pk).annotate(n=Count("rsvps")), True),
        (lambda pk: Event.objects.using("default").filter(pk=pk), True),
    ],
)
def test_every_kind_of_queryset_is_read_as_the_orm_reads_it(world, events, build, prepared):
    read = Prepared(build)
    for event in events:
        assert read.rows(pk=event.pk) == list(build(event.pk))
    assert read.is_prepared(pk=events[0].pk) is prepared
    if prepared and hasattr(read.first(pk=events[0].pk), "n"):
        assert read.first(pk=events[0].pk).n == build(events[0].pk).get().n == 0


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
        lambda pk: Event.objects.filter(pk=pk).values_list("pk", flat=True),
        lambda pk: Event.objects.filter(pk=pk).values("pk", "school__slug"),
        lambda pk: Event.objects.filter(pk=pk).annotate(n=Count("rsvps")).values_list("pk", "n"),
    ],
)
def test_plain_rows_of_every_kind(world, events, build):
    read = PreparedRows(build)
    for event in events:
        assert read.rows(pk=event.pk) == list(build(event.pk))
        assert read.is_prepared(pk=event.pk)


def test_plain_rows_arguments_the_sql_would_misread_are_the_querysets_answer(world, events):
    read = PreparedRows(
        lambda pks: Event.objects.filter(pk__in=pks).order_by("pk").values_list("pk")
    )
    as_text = (str(events[1].pk),)  # the ORM reads it as the id
    assert read.rows(pks=as_text) == [(events[1].pk,)]
    assert not read.is_prepared(pks=as_text)
    pks = [events[0].pk, events[2].pk]
    assert read.rows(pks=pks) == [(events[0].pk,), (events[2].pk,)]  # a list, as a tuple
    assert read.is_prepared(pks=pks)


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


# --- shapes: None, lists, page sizes, threads -----------------------------------------------


def _schools(district, after):
    rows = School.objects.filter(district_id=district).order_by("pk").values("pk", "name")
    return rows if after is None else rows.filter(pk__gt=after)


def test_each_shape_is_compiled_once_and_values_never_leak_between_calls(world):
    read = Prepared(lambda district, after: _schools(district, after))
    for district, after in (
        (world.district.pk, None),
        (world.district.pk, world.school.pk),
        (world.other_district.pk, None),
        (world.district.pk, 0),
    ):
        assert read.rows(district=district, after=after) == list(_schools(district, after))
        assert read.is_prepared(district=district, after=after)
    assert len(read._compiled) == 2  # after None, after an id


@pytest.mark.django_db(transaction=True)
def test_each_thread_reads_with_its_own_connection(world):
    """The compiled SQL is shared; each thread runs it on its own connection, with that
    connection's converters."""
    read = Prepared(lambda district, after: _schools(district, after))
    expected = list(_schools(world.district.pk, None))
    assert read.rows(district=world.district.pk, after=None) == expected
    found = {}

    def other():
        try:
            found["rows"] = read.rows(district=world.district.pk, after=None)
        finally:
            connection.close()

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert found["rows"] == expected
    assert len(read._compiled) == 1


def test_a_page_s_limit_and_offset_are_written_per_call(world, events):
    """Every page size and page is one shape: the LIMIT and OFFSET are written into the
    compiled SQL for each call, never compiled again (nor grown in memory)."""
    built = []

    def build(school):
        built.append(school)
        return Event.objects.filter(school__district=school).order_by("pk")

    read = Prepared(build)
    every = list(Event.objects.filter(school__district=world.district).order_by("pk"))
    for limit in range(1, 201):
        assert read.rows(limit=limit, school=world.district.pk) == every[:limit]
    for offset in range(1, 5):
        for limit in (1, 2, 7):
            assert (
                read.rows(limit=limit, offset=offset, school=world.district.pk)
                == every[offset : offset + limit]
            )
    assert read.rows(school=world.district.pk) == every
    # Three shapes (LIMIT, LIMIT and OFFSET, neither), each built twice on its first call.
    assert len(read._compiled) == 3 and len(built) == 6
    assert all(read._compiled.values())


def test_the_shapes_kept_are_bounded(world, events):
    read = Prepared(
        lambda pks: Event.objects.filter(pk__in=pks).order_by("pk").values_list("pk"),
        max_shapes=3,
    )
    ids = [e.pk for e in events]
    for n in range(1, 8):
        pks = [*ids, *range(10**6, 10**6 + n)]
        assert read.rows(pks=pks) == [(pk,) for pk in ids]
    assert len(read._compiled) == 3


# --- what the API's first engine got wrong ------------------------------------------------


_COMPUTED = {
    "id plus three": (lambda a: Event.objects.filter(pk__lt=a + 3).order_by("pk"), "ids"),
    "a day before": (
        lambda a: Event.objects.filter(starts_at__gte=a - timedelta(days=1)).order_by("pk"),
        "moments",
    ),
    "text stripped": (lambda a: School.objects.filter(name=a.strip()).order_by("pk"), "names"),
    "text as given or within": (
        lambda a: School.objects.filter(Q(name=a) | Q(name__icontains=a)).order_by("pk"),
        "names",
    ),
}


@pytest.mark.parametrize("case", list(_COMPUTED))
def test_arguments_computed_with_are_the_querysets_answer(world, events, case):
    """`build` computing with an argument would freeze the stand-in's result into the SQL:
    the first call's check finds it, and every call is the queryset's own."""
    build, kind = _COMPUTED[case]
    values = {
        "ids": [events[0].pk - 2, events[1].pk, events[2].pk + 5, 0],
        "moments": [e.starts_at + timedelta(hours=h) for e in events for h in (-30, 20)],
        "names": [f" {world.school.name} ", world.other_school.name, "Linc", "oos", "zzz"],
    }[kind]
    read = Prepared(build)
    for value in values:
        assert read.rows(a=value) == list(build(value)), value


def test_a_32_bit_integer_column_compared_is_prepared_and_right(world, events):
    """A stand-in out of a 32-bit column's range makes Django drop (or empty) the condition;
    the stand-ins are within it, and a real value out of it is the queryset's to read."""
    Event.objects.filter(pk=events[0].pk).update(seats_taken=5)
    fewer = Prepared(lambda n: Event.objects.filter(seats_taken__lt=n).order_by("pk"))
    for n in (0, 1, 5, 6, 2**31 - 1, 2**31, 2**40, -1):
        assert fewer.rows(n=n) == list(Event.objects.filter(seats_taken__lt=n).order_by("pk")), n
    assert fewer.is_prepared(n=1)
    assert not fewer.is_prepared(n=2**31)
    exactly = Prepared(lambda n: Event.objects.filter(seats_taken=n).order_by("pk"))
    assert exactly.rows(n=5) == [events[0]]
    assert exactly.rows(n=2**40) == []
    assert exactly.is_prepared(n=5)


def test_what_cannot_be_prepared_is_read_by_its_queryset_never_an_error(world):
    ignoring = Prepared(lambda district: School.objects.order_by("pk"))
    assert ignoring.rows(district=1) == list(School.objects.order_by("pk"))
    assert not ignoring.is_prepared(district=1)
    inlined = Prepared(lambda n: School.objects.order_by("pk")[:n])  # LIMIT n: in the SQL
    for n in (1, 2, 3):
        assert inlined.rows(n=n) == list(School.objects.order_by("pk")[:n])
    assert not inlined.is_prepared(n=1)
    assert inlined.rows(n=None) == list(School.objects.order_by("pk"))
    decimal = Prepared(lambda pk: School.objects.filter(pk=pk))
    assert decimal.rows(pk=float(world.school.pk)) == [world.school]
    assert Prepared(lambda pks: School.objects.filter(pk__in=pks)).rows(pks=[]) == []


def test_many_page_sizes_keep_one_shape(world, events):
    """A token asking for every ?limit= from 1 to 200 compiles nothing new."""
    read = Prepared(lambda district: _schools(district, None))
    for limit in range(1, 201):
        read.rows(limit=limit, district=world.district.pk)
    assert len(read._compiled) == 1
