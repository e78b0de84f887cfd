"""A step's free-text team becomes a link to the school's team of that name, and stays text
where no team matches; reversing writes the names back."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("workplans", "0003_districtpriority_to_leadership")]


def _latest(executor):
    return list(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_free_text_teams_become_links_where_the_name_matches():
    executor = MigrationExecutor(connection)
    latest = _latest(executor)
    executor.migrate(BEFORE)
    try:
        # Below workplans, unmoved: teams, and leadership as it is now.
        below = [key for key in latest if key[0] in ("teams", "leadership")]
        old = executor.loader.project_state(BEFORE + below).apps
        District = old.get_model("leadership", "District")
        School = old.get_model("leadership", "School")
        SchoolYear = old.get_model("leadership", "SchoolYear")
        User = old.get_model("leadership", "User")
        Team = old.get_model("teams", "Team")
        WorkPlan = old.get_model("workplans", "WorkPlan")
        Goal = old.get_model("workplans", "Goal")
        ActionStep = old.get_model("workplans", "ActionStep")
        district = District.objects.create(name="Migrating", slug="migrating")
        lincoln = School.objects.create(district=district, name="Lincoln", slug="m-lincoln")
        roosevelt = School.objects.create(district=district, name="Roosevelt", slug="m-roos")
        year = SchoolYear.objects.create(
            district=district, label="2026-27", start="2026-08-20", end="2027-06-10"
        )
        older = SchoolYear.objects.create(
            district=district, label="2025-26", start="2025-08-20", end="2026-06-10"
        )
        Team.objects.create(school=lincoln, school_year=older, kind="grade_level", name="Grade 3")
        grade3 = Team.objects.create(
            school=lincoln, school_year=year, kind="grade_level", name="Grade 3"
        )
        owner = User.objects.create(email="owner@example.org", full_name="Owner")

        def step(school, team):
            plan, _ = WorkPlan.objects.get_or_create(school=school, school_year=year)
            goal = Goal.objects.create(plan=plan, focus_area="curriculum", smart_statement="x")
            return ActionStep.objects.create(
                goal=goal,
                title=team or "none",
                owner=owner,
                team=team,
                start="2026-09-01",
                due="2026-10-01",
            ).pk

        matched = step(lincoln, "  grade 3 ")
        unmatched = step(lincoln, "Family team")
        elsewhere = step(roosevelt, "Grade 3")
        empty = step(lincoln, "")
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)

    new = MigrationExecutor(connection).loader.project_state(latest).apps
    steps = new.get_model("workplans", "ActionStep").objects
    assert (steps.get(pk=matched).team_id, steps.get(pk=matched).team_name) == (grade3.pk, "")
    assert (steps.get(pk=unmatched).team_id, steps.get(pk=unmatched).team_name) == (
        None,
        "Family team",
    )
    assert (steps.get(pk=elsewhere).team_id, steps.get(pk=elsewhere).team_name) == (None, "Grade 3")
    assert (steps.get(pk=empty).team_id, steps.get(pk=empty).team_name) == (None, "")

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        back = executor.loader.project_state(BEFORE).apps.get_model("workplans", "ActionStep")
        assert back.objects.get(pk=matched).team == "Grade 3"
        assert back.objects.get(pk=unmatched).team == "Family team"
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
