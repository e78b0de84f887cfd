"""A database migrated under the old layout (the dashboard's figures in leadership) migrates
to the new one without losing a row."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("leadership", "0006_roster_apply_heartbeat"), ("district", None)]


def _latest(executor) -> list[tuple[str, str]]:
    return [
        key for key in executor.loader.graph.leaf_nodes() if key[0] in {"leadership", "district"}
    ]


@pytest.mark.django_db(transaction=True)
def test_old_layout_migrates_without_loss():
    executor = MigrationExecutor(connection)
    latest = _latest(executor)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE[:1]).apps
        District = old.get_model("leadership", "District")
        School = old.get_model("leadership", "School")
        SchoolRollup = old.get_model("leadership", "SchoolRollup")
        district = District.objects.create(name="Old layout", slug="old-layout")
        school = School.objects.create(district=district, name="Old Lincoln", slug="old-lincoln")
        SchoolRollup.objects.create(
            school=school,
            as_of="2026-09-01",
            computed_at="2026-09-01T08:00:00Z",
            seats_filled=5,
            data_version=7,
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)

    new = MigrationExecutor(connection).loader.project_state(latest).apps
    row = new.get_model("district", "SchoolRollup").objects.get(school__slug="old-lincoln")
    assert (row.school.slug, row.seats_filled, str(row.as_of)) == ("old-lincoln", 5, "2026-09-01")
    assert row._meta.db_table == "leadership_schoolrollup"
    # The school's data version moved to leadership, with its value.
    mark = new.get_model("leadership", "SchoolVersion").objects.get(school__slug="old-lincoln")
    assert mark.version == 7
