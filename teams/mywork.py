"""The teams part of "my work" (leadership.mywork): my open action items, every team."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from leadership.mywork import Entry, Section

from .models import ActionItem, ActionStatus
from .permissions import team_roles
from .selectors import open_proposals_for, proposed_items_of


def action_items(*, user, today) -> Section | None:
    """Open action items the person owns, in teams they still sit on or not, due first."""
    if not getattr(user, "is_authenticated", False):
        return None
    # Plain rows, not models: the list shows six columns of four tables (half the Python
    # work of building select_related's models, the query built included).
    rows = (
        ActionItem.objects.filter(owner=user, status=ActionStatus.OPEN)
        .order_by("due", "id")
        .values_list(
            "title",
            "due",
            "meeting_id",
            "meeting__team__name",
            "meeting__team__school__name",
            "meeting__team__school__slug",
        )
    )
    entries = [
        Entry(
            title=title,
            url=reverse("teams:meeting_detail", kwargs={"slug": slug, "pk": meeting_id}),
            context=f"{team} · {school}",
            due=due,
            overdue=due < today,
        )
        for title, due, meeting_id, team, school, slug in rows
    ]
    return Section(
        key="action-items",
        title=_("Action items"),
        entries=entries,
        empty=_("You have no open action items."),
        order=10,
    )


def proposals_to_answer(*, user, today) -> Section | None:
    """Open proposals of the person's teams still waiting for their answer, soonest first."""
    if not getattr(user, "is_authenticated", False):
        return None
    entries = [
        Entry(
            title=proposal.title,
            url=proposal.get_absolute_url(),
            context=f"{proposal.team.name} · {proposal.team.school.name}",
            due=timezone.localtime(proposal.closes_at).date(),
            status=_("Waiting for your answer"),
        )
        # No team seat, no proposal: the query is not even built.
        for proposal in (open_proposals_for(user) if team_roles(user) else ())
    ]
    return Section(
        key="proposals",
        title=_("Proposals to answer"),
        entries=entries,
        empty=_("No proposal waits for your answer."),
        order=15,
    )


def items_put_forward(*, user, today) -> Section | None:
    """Agenda items the person put forward: waiting, or answered in the last 30 days."""
    if not getattr(user, "is_authenticated", False):
        return None
    entries = [
        Entry(
            title=proposal.title,
            url=(
                proposal.item.meeting.get_absolute_url()
                if proposal.item_id
                else proposal.team.get_absolute_url()
            ),
            context=f"{proposal.team.name} · {proposal.team.school.name}",
            status=proposal.get_status_display(),
        )
        for proposal in (proposed_items_of(user) if team_roles(user) else ())
    ]
    if not entries:
        return None  # nothing put forward: no empty section for a person who never proposes
    return Section(
        key="items-put-forward",
        title=_("Agenda items you put forward"),
        entries=entries,
        order=30,
    )
