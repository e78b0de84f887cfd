"""What workplans shows on the teams pages, registered into teams.hooks in apps.ready()."""

from __future__ import annotations

from django.template.loader import render_to_string

from leadership import clock
from teams import selectors as teams

from . import selectors


def team_section(*, user, team) -> str:
    """The team's goals (with their status), its open steps, and its latest decisions."""
    today = clock.today_in(team.school.district)
    goals, steps = selectors.team_work(user=user, team=team, today=today)
    decisions = list(
        teams.decision_log(user=user, school=team.school).filter(meeting__team=team)[:10]
    )
    return render_to_string(
        "workplans/includes/team_work.html",
        {"team": team, "goals": goals, "steps": steps, "decisions": decisions},
    )
