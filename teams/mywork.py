"""The teams part of "my work" (leadership.mywork): my open action items, every team."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from leadership.mywork import Entry, Section

from .models import ActionItem, ActionStatus, ProposalStatus
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
    # No team seat, no proposal: the query is not even built. Plain rows, as above.
    rows = (
        open_proposals_for(user).values_list(
            "pk", "title", "closes_at", "team__name", "team__school__name", "team__school__slug"
        )
        if team_roles(user)
        else ()
    )
    waiting = _("Waiting for your answer")
    entries = [
        Entry(
            title=title,
            url=reverse("teams:proposal_detail", kwargs={"slug": slug, "pk": pk}),
            context=f"{team} · {school}",
            due=timezone.localtime(closes_at).date(),
            status=waiting,
        )
        for pk, title, closes_at, team, school, slug in rows
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
    rows = (
        proposed_items_of(user).values_list(
            "title",
            "status",
            "team_id",
            "team__name",
            "team__school__name",
            "team__school__slug",
            "item__meeting_id",
            "item__meeting__team__school__slug",
        )
        if team_roles(user)
        else ()
    )
    statuses = dict(ProposalStatus.choices)
    entries = [
        Entry(
            title=title,
            # An accepted item links to its meeting, any other to the team.
            url=(
                reverse("teams:meeting_detail", kwargs={"slug": meeting_slug, "pk": meeting_id})
                if meeting_id is not None
                else reverse("teams:team_detail", kwargs={"slug": slug, "pk": team_id})
            ),
            context=f"{team} · {school}",
            status=str(statuses.get(status, status)),
        )
        for title, status, team_id, team, school, slug, meeting_id, meeting_slug in rows
    ]
    if not entries:
        return None  # nothing put forward: no empty section for a person who never proposes
    return Section(
        key="items-put-forward",
        title=_("Agenda items you put forward"),
        entries=entries,
        order=30,
    )
