"""The teams part of "my work" (leadership.mywork): my open action items, every team."""

from __future__ import annotations

from django.utils.translation import gettext as _

from leadership.mywork import Entry, Section

from .models import ActionItem, ActionStatus


def action_items(*, user, today) -> Section | None:
    """Open action items the person owns, in teams they still sit on or not, due first."""
    if not getattr(user, "is_authenticated", False):
        return None
    items = (
        ActionItem.objects.filter(owner=user, status=ActionStatus.OPEN)
        .select_related("meeting__team__school")
        .order_by("due", "id")
    )
    entries = [
        Entry(
            title=item.title,
            url=item.meeting.get_absolute_url(),
            context=f"{item.meeting.team.name} · {item.meeting.team.school.name}",
            due=item.due,
            overdue=item.due < today,
        )
        for item in items
    ]
    return Section(
        key="action-items",
        title=_("Action items"),
        entries=entries,
        empty=_("You have no open action items."),
        order=10,
    )
