"""The teams part of the school page: my open action items and the ILT's seats."""

from __future__ import annotations

from django import template

from .. import selectors
from ..permissions import can_view_team, can_view_teams

register = template.Library()


@register.inclusion_tag("teams/includes/school_section_body.html", takes_context=True)
def teams_school_section(context) -> dict:
    school = context["school"]
    user = context["request"].user
    if not can_view_teams(user, school):
        return {"show": False}
    team, seats = selectors.ilt_seat_summary(school)
    return {
        "show": True,
        "school": school,
        "ilt": team if team is not None and can_view_team(user, team) else None,
        "seats": seats,
        "vacant": sum(seat.vacant for seat in seats),
        "my_actions": list(selectors.open_actions_of(user=user, school=school)[:20]),
        "request": context["request"],
    }
