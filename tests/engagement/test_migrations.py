"""Schools that existed before calendar links were stored each get one, with its own random
token, when the database is migrated."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("engagement", "0001_initial")]


@pytest.mark.django_db(transaction=True)
def test_existing_schools_get_a_random_calendar_link():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()  # every app's, as the later tests need them
    # The schools and districts as they are now (leadership at its latest), engagement before
    # the links.
    before = BEFORE + [k for k in latest if k[0] == "leadership"]
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        District = old.get_model("leadership", "District")
        School = old.get_model("leadership", "School")
        district = District.objects.create(name="Before links", slug="before-links")
        for n in range(2):
            School.objects.create(district=district, name=f"School {n}", slug=f"school-{n}")
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)

    new = MigrationExecutor(connection).loader.project_state(latest).apps
    feeds = new.get_model("engagement", "CalendarFeed").objects.filter(
        school__district__slug="before-links"
    )
    tokens = {feed.token for feed in feeds if feed.person_id is None}
    assert len(tokens) == 2
    assert all(len(token) >= 32 for token in tokens)
