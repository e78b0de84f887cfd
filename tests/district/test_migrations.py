"""A database migrated under the old layout (the dashboard's figures and the schools' data
versions in leadership's rollup table, district priorities in workplans) migrates to the new
one without losing a row."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("leadership", "0006_roster_apply_heartbeat"),
    ("district", None),
    ("workplans", "0002_priority_title_once_per_year"),
]
# voice depends on the latest leadership migration, so going back unapplies it: bring it
# forward again with the others, or the tests after this one find no voice tables.
APPS = {"leadership", "district", "workplans", "voice"}


def _latest(executor) -> list[tuple[str, str]]:
    return [key for key in executor.loader.graph.leaf_nodes() if key[0] in APPS]


@pytest.mark.django_db(transaction=True)
def test_old_layout_migrates_without_loss():
    executor = MigrationExecutor(connection)
    latest = _latest(executor)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state([BEFORE[0], BEFORE[2]]).apps
        District = old.get_model("leadership", "District")
        School = old.get_model("leadership", "School")
        SchoolYear = old.get_model("leadership", "SchoolYear")
        SchoolRollup = old.get_model("leadership", "SchoolRollup")
        DistrictPriority = old.get_model("workplans", "DistrictPriority")
        WorkPlan = old.get_model("workplans", "WorkPlan")
        Goal = old.get_model("workplans", "Goal")
        district = District.objects.create(name="Old layout", slug="old-layout")
        school = School.objects.create(district=district, name="Old Lincoln", slug="old-lincoln")
        SchoolRollup.objects.create(
            school=school,
            as_of="2026-09-01",
            computed_at="2026-09-01T08:00:00Z",
            seats_filled=5,
            data_version=7,
        )
        year = SchoolYear.objects.create(
            district=district, label="2026-27", start="2026-08-20", end="2027-06-10"
        )
        priority = DistrictPriority.objects.create(
            district=district, school_year=year, title="Literacy", description="Read daily."
        )
        plan = WorkPlan.objects.create(school=school, school_year=year)
        Goal.objects.create(
            plan=plan, focus_area="curriculum", district_priority=priority, smart_statement="x"
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
    # The priority is leadership's now, in the same table, and the goal still points to it.
    moved = new.get_model("leadership", "DistrictPriority").objects.get(district__slug="old-layout")
    assert (moved.title, moved.description, moved.pk) == ("Literacy", "Read daily.", priority.pk)
    assert moved._meta.db_table == "workplans_districtpriority"
    goal = new.get_model("workplans", "Goal").objects.get(plan__school__slug="old-lincoln")
    assert goal.district_priority == moved
    assert goal._meta.get_field("district_priority").related_model._meta.app_label == "leadership"
