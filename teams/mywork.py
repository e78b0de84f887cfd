"""The teams part of "my work" (leadership.mywork): my open action items, every team."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from leadership import clock
from leadership.mywork import Entry, Section
from leadership.prepared import PreparedRows

from .models import ActionItem, ActionStatus, ProposalStatus
from .permissions import team_roles
from .selectors import open_proposals_query, proposed_items_query

# The reads of the three lists, compiled once (leadership.prepared): plain rows, not models,
# the columns each list shows (half the Python work of building select_related's models).
_ACTION_ITEMS = PreparedRows(
    lambda owner: (
        ActionItem.objects.filter(owner=owner, status=ActionStatus.OPEN)
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
)
_PROPOSALS = PreparedRows(
    lambda user, teams, now: open_proposals_query(
        user_id=user, team_ids=teams, now=now
    ).values_list(
        "pk", "title", "closes_at", "team__name", "team__school__name", "team__school__slug"
    )
)
_PUT_FORWARD = PreparedRows(
    lambda user, teams, since: proposed_items_query(
        user_id=user, team_ids=teams, since=since
    ).values_list(
        "title",
        "status",
        "team_id",
        "team__name",
        "team__school__name",
        "team__school__slug",
        "item__meeting_id",
        "item__meeting__team__school__slug",
    )
)


def action_items(*, user, today) -> Section | None:
    """Open action items the person owns, in teams they still sit on or not, due first."""
    if not getattr(user, "is_authenticated", False):
        return None
    rows = _ACTION_ITEMS.rows(owner=user.pk)
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
    # No team seat, no proposal: the query is not even run.
    teams = tuple(team_roles(user))
    rows = _PROPOSALS.rows(user=user.pk, teams=teams, now=timezone.now()) if teams else ()
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
    teams = tuple(team_roles(user))
    rows = (
        _PUT_FORWARD.rows(user=user.pk, teams=teams, since=clock.today() - timedelta(days=30))
        if teams
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
