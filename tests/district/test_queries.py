"""The dashboard's SQL does not grow with the number of schools."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from district.models import SchoolRollup
from tests.district.conftest import add_schools

pytestmark = pytest.mark.django_db

# Budgets: a warm page (figures fresh, content cached: the session, read from the database
# since Redis holds no session, the user with their roles and the names the layout's
# navigation shows (one query), one query for the person's right to the district and the
# version of the figures, then the district for the page around the cached content: the
# page is no longer kept whole per
# session and CSRF token, a cache that served one browser only) and a cold one (every
# school's figures recomputed and the page rendered).
WARM_MAX = 4
COLD_MAX = 33  # SQLite splits the upsert of 60 rows in batches; one reads the survey rates


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _measure(world, client, url) -> tuple[int, int]:
    """Queries of a cold page (every school's figures recomputed) and of a warm one (its
    content cached)."""
    cache.clear()
    SchoolRollup.objects.all().delete()
    cold = _count(client, url)
    warm = _count(client, url)
    return cold, warm


@pytest.mark.parametrize(
    "params", ["", "?status=off_track&sort=-rsvps", "?q=school&page=last&grades=K-5"]
)
def test_dashboard_queries_are_the_same_at_10_and_60_schools(world, client_for, params):
    client = client_for(world.district_admin)
    url = reverse("district:district_dashboard", kwargs={"slug": world.district.slug}) + params
    client.get(url)  # the CSRF cookie, as a browser has it after its first page
    add_schools(world, 8)  # with Lincoln and Roosevelt: 10 schools
    cold_10, warm_10 = _measure(world, client, url)
    add_schools(world, 50, start=8)  # 60 schools
    cold_60, warm_60 = _measure(world, client, url)
    assert SchoolRollup.objects.count() == 60
    assert warm_10 == warm_60
    if connection.vendor == "postgresql":
        # SQLite caps the parameters of a statement, so Django splits the one upsert of every
        # school's figures into batches there; PostgreSQL takes it whole.
        assert cold_10 == cold_60
    assert warm_60 <= WARM_MAX, warm_60
    assert cold_60 <= COLD_MAX, cold_60


def test_csv_and_priorities_queries_are_the_same_at_10_and_60_schools(world, client_for):
    from tests.teams.factories import current_year
    from workplans.models import DistrictPriority, Goal

    client = client_for(world.district_admin)
    csv_url = reverse("district:district_dashboard_csv", kwargs={"slug": world.district.slug})
    priorities_url = reverse("district:district_priorities", kwargs={"slug": world.district.slug})
    priority = DistrictPriority.objects.create(
        district=world.district, school_year=current_year(world.district), title="Reading"
    )
    counts = []
    for start, n in ((0, 8), (8, 50)):
        add_schools(world, n, start=start)
        Goal.objects.update(district_priority=priority)
        client.get(csv_url)  # warm the figures
        counts.append((_count(client, csv_url), _count(client, priorities_url)))
    assert counts[0] == counts[1]
