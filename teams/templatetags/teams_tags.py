"""The teams part of the school page (my open action items, the ILT's seats), and the tags
through which the apps above teams add to its pages (teams.hooks)."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from .. import hooks, selectors
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


@register.simple_tag(takes_context=True)
def team_sections(context, team) -> str:
    """What the apps above teams show on a team's page (see teams.hooks)."""
    request = context["request"]
    return mark_safe("".join(hooks.team_sections(request=request, team=team)))  # noqa: S308


@register.simple_tag(takes_context=True)
def agenda_panels(context, meeting, items) -> dict[int, str]:
    """{item id: HTML} the apps above teams show beside each agenda item (see teams.hooks)."""
    panels = hooks.agenda_panels(request=context["request"], meeting=meeting, items=items)
    return {item_id: mark_safe("".join(html)) for item_id, html in panels.items()}  # noqa: S308


@register.simple_tag(takes_context=True)
def meeting_sections(context, meeting) -> str:
    """What the apps above teams show under a meeting's agenda (see teams.hooks)."""
    request = context["request"]
    return mark_safe("".join(hooks.meeting_sections(request=request, meeting=meeting)))  # noqa: S308


@register.filter
def panel_of(panels: dict, item) -> str:
    return panels.get(item.pk, "") if panels else ""
