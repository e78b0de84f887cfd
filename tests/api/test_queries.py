"""Each list route costs the same queries for one row as for many (no N+1): the token, with
whether its maker still runs the district (one), the page (one; for events, then that page's
RSVPs counted and its texts, one each). The dashboard's rows are the district app's
(tests/district/test_queries.py)."""

from datetime import timedelta

import pytest

from leadership.models import SchoolYear
from tests.api.conftest import build_data
from tests.engagement.factories import EventFactory, RsvpFactory
from tests.leadership.factories import SchoolFactory
from tests.teams import factories as tf

V1 = "/api/v1"

# route -> exact queries per request once the token's last use was noted this minute
COUNTS = {
    "/schools/": 2,
    "/school-years/": 2,
    "/teams/": 2,
    "/meetings/": 2,
    "/decisions/": 2,
    "/plans/": 2,
    "/goals/": 2,
    "/measures/": 2,
    "/data-points/": 2,
    "/events/": 4,
}


def _more_rows(world, n):
    from leadership.models import Role
    from tests.leadership.factories import person

    year = tf.current_year(world.district)
    for i in range(n):
        start = year.start.replace(year=year.start.year - 1 - i)
        SchoolYear.objects.create(
            district=world.district,
            label=f"{start.year}-{i}",
            start=start,
            end=start.replace(year=start.year + 1) - timedelta(days=1),
        )
        school = SchoolFactory(district=world.district, slug=f"more-{i}")
        data = build_data(school, year)
        family = person(Role.FAMILY, school=school, email=f"more{i}@example.org")
        RsvpFactory(event=data.event, family=family)
        EventFactory(school=school)


@pytest.mark.parametrize("path", list(COUNTS))
def test_list_queries_do_not_grow_with_rows(
    path, api_world, world, client, django_assert_num_queries
):
    auth = api_world.auth("read")
    client.get(f"{V1}{path}", **auth)  # notes the token's use
    with django_assert_num_queries(COUNTS[path]):
        few = client.get(f"{V1}{path}?limit=200", **auth)
    _more_rows(world, 4)
    with django_assert_num_queries(COUNTS[path]):
        many = client.get(f"{V1}{path}?limit=200", **auth)
    assert len(many.json()["items"]) > len(few.json()["items"]) >= 1
