"""Template tags of the community app: its part of the school page and of the family page."""

from __future__ import annotations

from django import template
from django.utils import translation

from community import selectors
from community.permissions import can_announce, can_use_inbox, can_write_to_school

register = template.Library()


@register.inclusion_tag("community/includes/school_links.html", takes_context=True)
def community_school_section(context, school=None):
    """Links to the school's messages and announcements for whoever may use them."""
    request = context["request"]
    user = request.user
    school = school or context["school"]
    write = can_write_to_school(user, school)
    announcements = []
    if write:
        language = translation.get_language()
        rows = selectors.recent_announcements(user=user, request=request).get(school.pk, [])
        for row in rows:
            row.school = school  # the school in hand: its link and main language
        announcements = [(row, row.text(language)) for row in rows]
    return {
        "school": school,
        "inbox": can_use_inbox(user, school),
        "announce": can_announce(user, school),
        "write": write,
        "announcements": announcements,
    }
