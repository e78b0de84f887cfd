"""Goals and action steps belong to a team: a real link to teams.Team.

A step's free-text team becomes the link when a team of the plan's school has that name
(case and surrounding spaces ignored; the plan's school year preferred), and stays as text in
`team_name` when none does. Reversing writes the linked team's name back as text.
"""

import django.db.models.deletion
from django.db import migrations, models


def _teams_by_name(Team, school_id, cache):
    if school_id not in cache:
        by_name = {}
        for team in Team.objects.filter(school_id=school_id).order_by("id"):
            by_name.setdefault(team.name.strip().casefold(), []).append(team)
        cache[school_id] = by_name
    return cache[school_id]


def link_steps_to_teams(apps, schema_editor):
    Team = apps.get_model("teams", "Team")
    ActionStep = apps.get_model("workplans", "ActionStep")
    cache = {}
    steps = (
        ActionStep.objects.exclude(team_name="")
        .select_related("goal__plan")
        .only("id", "team_name", "goal__plan__school_id", "goal__plan__school_year_id")
    )
    for step in steps.iterator(chunk_size=500):
        plan = step.goal.plan
        candidates = _teams_by_name(Team, plan.school_id, cache).get(
            step.team_name.strip().casefold(), []
        )
        if not candidates:
            continue
        same_year = [t for t in candidates if t.school_year_id == plan.school_year_id]
        team = (same_year or candidates)[-1]
        ActionStep.objects.filter(pk=step.pk).update(team=team, team_name="")


def write_team_names_back(apps, schema_editor):
    ActionStep = apps.get_model("workplans", "ActionStep")
    for step in ActionStep.objects.filter(team__isnull=False).select_related("team").iterator():
        ActionStep.objects.filter(pk=step.pk).update(team_name=step.team.name[:120])


class Migration(migrations.Migration):
    dependencies = [
        ("teams", "0001_initial"),
        ("workplans", "0003_districtpriority_to_leadership"),
    ]

    operations = [
        migrations.RenameField(model_name="actionstep", old_name="team", new_name="team_name"),
        migrations.AlterField(
            model_name="actionstep",
            name="team_name",
            field=models.CharField(
                blank=True,
                help_text="Only for a team that is not in Accord; otherwise choose the team above.",
                max_length=120,
                verbose_name="other team (as written)",
            ),
        ),
        migrations.AddField(
            model_name="actionstep",
            name="team",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="action_steps",
                to="teams.team",
                verbose_name="team",
            ),
        ),
        migrations.AddField(
            model_name="goal",
            name="team",
            field=models.ForeignKey(
                blank=True,
                help_text="The team that drives this goal: its members enter data and update steps.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="goals",
                to="teams.team",
                verbose_name="team",
            ),
        ),
        migrations.RunPython(link_steps_to_teams, write_team_names_back),
    ]
