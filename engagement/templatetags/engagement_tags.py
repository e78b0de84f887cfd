"""Template tags of the engagement app: an event's text in a language, the school-page section."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import translation

from engagement import selectors, services
from engagement.permissions import can_manage_events, can_rotate_calendar_link

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
    feed_url = None
    if can_rotate_calendar_link(request.user, school):
        feed = services.calendar_feeds_for(school_ids=[school.pk])[school.pk]
        feed_url = request.build_absolute_uri(
            reverse("engagement:school_feed", kwargs={"token": feed.token})
        )
    return {
        "school": school,
        "events": [(event, event.text(language)) for event in events],
        "can_manage": can_manage_events(request.user, school),
        "feed_url": feed_url,
        "csrf_token": context.get("csrf_token"),
    }
