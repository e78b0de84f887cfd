"""Each prepared query (api.prepared) gives exactly the rows of its queryset, for every shape
its callers use: values present and absent, lists of every length, another district's ids."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import F

from api import api as routes
from api import selectors, services
from api.prepared import Prepared
from leadership.models import Membership, Role, School
from tests.api.test_queries import _more_rows
from tests.engagement.factories import EventFactory, RsvpFactory
from workplans.models import Goal

pytestmark = pytest.mark.django_db


def _same(query: Prepared, literal=None, **values):
    found = query(literal=literal, **values)
    expected = list(query.queryset(literal=literal, **values))
    assert found == expected
    return found


def _token_fields(token):
    return (
        {f.attname: getattr(token, f.attname) for f in token._meta.concrete_fields},
        {f.attname: getattr(token.district, f.attname) for f in token.district._meta.fields},
        {f.attname: getattr(token.created_by, f.attname) for f in token.created_by._meta.fields},
        token.maker_runs_district,
    )


def test_token_lookup_is_the_querysets(api_world, world):
    for name in ("read", "all", "other_district"):
        key_hash = services.hash_secret(api_world.secrets[name])
        [found] = services._token_by_hash(key_hash=key_hash)
        [expected] = services._token_query(key_hash=key_hash)
        assert _token_fields(found) == _token_fields(expected)
        assert found.maker_runs_district is True
        assert found.district == api_world.tokens[name].district
    assert services._token_by_hash(key_hash=services.hash_secret("acc_nobody")) == []
    revoked = services.hash_secret(api_world.secrets["revoked"])
    assert services._token_by_hash(key_hash=revoked) == []
    # The maker stepping down is read by the same query, at once.
    Membership.objects.filter(user=world.district_admin, role=Role.DISTRICT_ADMIN).update(
        is_active=False
    )
    [found] = services._token_by_hash(key_hash=services.hash_secret(api_world.secrets["read"]))
    assert found.maker_runs_district is False
    assert services.token_for_secret(api_world.secrets["read"]).maker_runs_district is False


def _instants(district):
    first = School.objects.filter(district=district).order_by("updated_at").first().updated_at
    return [
        None,
        first,
        first + timedelta(microseconds=1),
        (first + timedelta(hours=1)).astimezone(UTC),
        datetime(2999, 1, 1, tzinfo=UTC),
    ]


@pytest.mark.parametrize("query", ["_SCHOOLS", "_GOALS", "_EVENTS"])
def test_pages_are_the_querysets(query, api_world, world):
    _more_rows(world, 3)
    # Rows changed at different instants, so updated_since splits them.
    Goal.objects.filter(pk=api_world.mine.goal.pk).update(
        updated_at=F("updated_at") + timedelta(hours=2)
    )
    prepared = getattr(routes, query)
    district = world.district
    ids = [None, 0, 1, *School.objects.order_by("pk").values_list("pk", flat=True)]
    filters = {
        "_SCHOOLS": [{}],
        "_GOALS": [
            {"school": None, "plan": None},
            {"school": world.school.pk, "plan": None},
            {"school": None, "plan": api_world.mine.plan.pk},
            {"school": world.school.pk, "plan": api_world.mine.plan.pk},
            {"school": world.far_school.pk, "plan": None},
            {"school": None, "plan": api_world.theirs.plan.pk},
        ],
        "_EVENTS": [{"school": None}, {"school": world.school.pk}, {"school": world.far_school.pk}],
    }[query]
    seen = 0
    for other in (False, True):
        target = world.other_district if other else district
        for extra in filters:
            for since in _instants(target):
                for after in ids[:6]:
                    for limit in (1, 2, 50, 200):
                        found = _same(
                            prepared,
                            literal={"limit": limit + 1},
                            district=target.pk,
                            since=since,
                            after=after,
                            **extra,
                        )
                        seen += len(found)
    assert seen > 100


def test_event_counts_and_texts_are_the_querysets(api_world, world):
    _more_rows(world, 3)
    extra = EventFactory(school=world.school)
    RsvpFactory(event=extra, family=world.family, adults=3, children=2, childcare_count=1)
    events = list(selectors.event_rows(world.district).order_by("pk").values_list("pk", flat=True))
    theirs = api_world.theirs.event.pk
    for ids in ([], events[:1], events, [*events, theirs], [theirs], [2**62]):
        counted = _same(selectors._rsvps_counted, ids=ids)
        texts = _same(selectors._event_texts, ids=ids)
        if ids == events:
            assert counted and texts


def test_a_value_that_does_not_reach_the_sql_is_refused():
    ignoring = Prepared(lambda *, district: School.objects.all())
    with pytest.raises(NotImplementedError):
        ignoring(district=1)
    inlined = Prepared(lambda *, n: School.objects.order_by("pk")[:n])
    with pytest.raises(NotImplementedError):
        inlined(n=3)
    assert len(inlined(literal={}, n=None)) == School.objects.count()


def test_each_shape_is_compiled_once_and_values_never_leak_between_calls(world):
    query = Prepared(lambda *, district, after: _schools(district, after))
    assert query(district=world.district.pk, after=None) == list(_schools(world.district.pk, None))
    first = world.school.pk
    assert query(district=world.district.pk, after=first) == list(
        _schools(world.district.pk, first)
    )
    assert query(district=world.other_district.pk, after=None) == list(
        _schools(world.other_district.pk, None)
    )
    assert len(query._compiled) == 2


def _schools(district, after):
    rows = School.objects.filter(district_id=district).order_by("pk").values("pk", "name")
    return rows if after is None else rows.filter(pk__gt=after)


@pytest.mark.django_db(transaction=True)
def test_each_thread_runs_its_own_compiled_sql(world):
    """Django's connections are per thread, and so are a prepared query's compiled shapes."""
    import threading

    from django.db import connection

    query = Prepared(lambda *, district, after: _schools(district, after))
    expected = list(_schools(world.district.pk, None))
    assert query(district=world.district.pk, after=None) == expected
    found = {}

    def other():
        try:
            found["rows"] = query(district=world.district.pk, after=None)
            found["shapes"] = len(query._compiled)
        finally:
            connection.close()

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert found == {"rows": expected, "shapes": 1}
    assert len(query._compiled) == 1
