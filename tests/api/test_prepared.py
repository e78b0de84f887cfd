"""Each of the API's prepared queries (leadership.prepared) gives exactly the rows of its
queryset, for every shape its callers use: values present and absent, lists of every length,
page sizes, another district's ids; and the shapes the routes use run the compiled SQL."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import F

from api import api as routes
from api import selectors, services
from leadership.models import Membership, Role, School
from leadership.prepared import Prepared
from tests.api.test_queries import _more_rows
from tests.engagement.factories import EventFactory, RsvpFactory
from workplans.models import Goal

pytestmark = pytest.mark.django_db


def _same(query: Prepared, **values):
    found = query.rows(**values)
    expected = list(query.queryset(**values))
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
        [found] = services._token_by_hash.rows(key_hash=key_hash)
        assert services._token_by_hash.is_prepared(key_hash=key_hash)
        [expected] = services._token_query(key_hash=key_hash)
        assert _token_fields(found) == _token_fields(expected)
        assert found.maker_runs_district is True
        assert found.district == api_world.tokens[name].district
    assert services._token_by_hash.rows(key_hash=services.hash_secret("acc_nobody")) == []
    revoked = services.hash_secret(api_world.secrets["revoked"])
    assert services._token_by_hash.rows(key_hash=revoked) == []
    # The maker stepping down is read by the same query, at once.
    Membership.objects.filter(user=world.district_admin, role=Role.DISTRICT_ADMIN).update(
        is_active=False
    )
    [found] = services._token_by_hash.rows(key_hash=services.hash_secret(api_world.secrets["read"]))
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
                        values = dict(district=target.pk, since=since, after=after, **extra)
                        found = _same(prepared, limit=limit + 1, **values)
                        seen += len(found)
                        assert prepared.is_prepared(limit=limit + 1, **values)
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
        # An empty list, or an id out of any id column's range, is the queryset's to read.
        assert selectors._event_texts.is_prepared(ids=ids) is (ids != [] and ids != [2**62])
        if ids == events:
            assert counted and texts
