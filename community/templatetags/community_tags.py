"""Template tags of the community app: its part of the school page and of the family page."""

from __future__ import annotations

from django import template

from community.permissions import can_use_inbox, can_write_to_school

register = template.Library()


@register.inclusion_tag("community/includes/school_links.html", takes_context=True)
def community_school_section(context, school=None):
    """Links to the school's messages for whoever may use them (no query: roles are cached)."""
    user = context["request"].user
    school = school or context["school"]
    return {
        "school": school,
        "inbox": can_use_inbox(user, school),
        "write": can_write_to_school(user, school),
    }
