"""What workplans shows on the teams pages, registered into teams.hooks in apps.ready()."""

from __future__ import annotations

from django.middleware.csrf import get_token
from django.template.loader import render_to_string

from leadership import clock
from teams import selectors as teams

from . import selectors
from .permissions import can_link_plan


def team_section(*, request, team) -> str:
    """The team's goals (with their status), its open steps, and its latest decisions."""
    user = request.user
    today = clock.today_in(team.school.district)
    goals, steps = selectors.team_work(user=user, team=team, today=today)
    decisions = list(
        teams.decision_log(user=user, school=team.school).filter(meeting__team=team)[:10]
    )
    return render_to_string(
        "workplans/includes/team_work.html",
        {"team": team, "goals": goals, "steps": steps, "decisions": decisions},
    )


def agenda_panels(*, request, meeting, items) -> dict[int, str]:
    """Beside each agenda item: its linked goals (status, charts, overdue steps), measures,
    steps and surveys (status, response rate, results); to whoever runs the meeting, the forms
    that link the item and tie its decisions."""
    user = request.user
    shown = selectors.meeting_plan(user=user, meeting=meeting, items=items)
    runs = can_link_plan(user, meeting)
    choices = selectors.plan_choices(user=user, school=meeting.team.school) if runs else []
    goal_choices = [
        (value, label)
        for _group, options in choices
        for value, label in options
        if value.startswith("goal:")
    ]
    tied = selectors.decisions_tied(
        [d.pk for item in items for d in item.decisions.all()] if shown or runs else []
    )
    panels = {}
    for item in items:
        entry = shown.get(item.pk)
        if entry is None and not (runs and choices):
            continue
        decisions = [(d, tied.get(d.pk, [])) for d in item.decisions.all()]
        panels[item.pk] = render_to_string(
            "workplans/includes/agenda_panel.html",
            {
                "item": item,
                "meeting": meeting,
                "school": meeting.team.school,
                "entry": entry,
                "runs": runs,
                "can_link": runs and not meeting.is_closed and bool(choices),
                "choices": choices,
                "goal_choices": goal_choices,
                "decisions": decisions,
                "csrf_token": get_token(request),  # rendered without the request's processors
            },
        )
    return panels


def meeting_section(*, request, meeting) -> str:
    """The "Monitor the plan" action, to whoever runs a meeting that is not over."""
    if meeting.is_closed or not can_link_plan(request.user, meeting):
        return ""
    return render_to_string(
        "workplans/includes/monitor_plan.html",
        {"meeting": meeting, "school": meeting.team.school, "csrf_token": get_token(request)},
    )
