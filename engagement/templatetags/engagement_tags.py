"""Template tags of the engagement app: an event's text in a language, the school-page section."""

from __future__ import annotations

from django import template
from django.utils import translation

from engagement import selectors
from engagement.permissions import can_manage_events

register = template.Library()


@register.simple_tag
def event_text(event, language=None):
    """The event's title and description in `language`, falling back to the school's default."""
    return event.text(language or translation.get_language())


@register.inclusion_tag("engagement/includes/school_events.html", takes_context=True)
def school_events_section(context):
    """The school page's part: the next few events (2 queries: events, their texts)."""
    request = context["request"]
    school = context["school"]
    events = list(
        selectors.school_events(user=request.user, school=school, upcoming_only=True).order_by(
            "starts_at", "id"
        )[:5]
    )
    language = getattr(request.user, "preferred_language", None) or translation.get_language()
    return {
        "school": school,
        "events": [(event, event.text(language)) for event in events],
        "can_manage": can_manage_events(request.user, school),
    }
