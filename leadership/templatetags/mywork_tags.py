"""The counts of "my work" shown on the home page."""

from __future__ import annotations

from django import template

from .. import clock, mywork

register = template.Library()


@register.inclusion_tag("leadership/includes/my_work_counts.html", takes_context=True)
def my_work_counts(context) -> dict:
    user = context["request"].user
    return {"sections": mywork.sections(user=user, today=clock.today())}
