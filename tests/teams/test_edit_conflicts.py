"""Two facilitators edit the charter, or an item's minutes, at once: the second sees both."""

import pytest
from django.test import Client
from django.urls import reverse

from teams import services
from teams.models import AgendaItem, DecisionRule, TeamRole
from tests.conflicts import stale_save_refused_then_resubmit_wins
from tests.teams import factories as f

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def facilitators(world, ilt):
    """The principal and the teacher leader, who co-facilitates the team."""
    ilt.leader.role = TeamRole.FACILITATOR
    ilt.leader.save()
    first, second = Client(), Client()
    first.force_login(world.principal)
    second.force_login(world.teacher_leader)
    return first, second


def _team_url(name, team):
    return reverse(name, kwargs={"slug": team.school.slug, "pk": team.pk})


def test_a_charter_line(world, ilt, facilitators):
    base = {"area": "Budget", "model": "consent", "quorum": 2}
    stale_save_refused_then_resubmit_wins(
        url=_team_url("teams:rule_save", ilt.team),
        page_url=_team_url("teams:team_detail", ilt.team),
        first=facilitators[0],
        second=facilitators[1],
        second_name=world.teacher_leader.full_name,
        theirs={**base, "who_decides": "The whole staff"},
        mine={**base, "who_decides": "The ILT and the PTA"},
        stored=lambda: DecisionRule.objects.get(pk=ilt.budget.pk).who_decides,
        their_value="The whole staff",
        my_value="The ILT and the PTA",
        shown=("The whole staff", "The ILT and the PTA"),
    )


def test_the_same_new_area_added_twice_is_a_conflict(world, ilt, facilitators):
    base = {"area": "Hiring", "model": "leader_after_input", "quorum": 0}
    stale_save_refused_then_resubmit_wins(
        url=_team_url("teams:rule_save", ilt.team),
        page_url=_team_url("teams:team_detail", ilt.team),
        first=facilitators[0],
        second=facilitators[1],
        second_name=world.teacher_leader.full_name,
        theirs={**base, "who_decides": "The principal"},
        mine={**base, "who_decides": "A hiring committee"},
        stored=lambda: DecisionRule.objects.get(team=ilt.team, area="Hiring").who_decides,
        their_value="The principal",
        my_value="A hiring committee",
        shown=("The principal", "A hiring committee"),
    )


def test_an_agenda_items_minutes(world, ilt, facilitators):
    m = f.live_meeting(ilt)
    item = m.current_item
    page_url = reverse("teams:meeting_detail", kwargs={"slug": world.school.slug, "pk": m.pk})
    stale_save_refused_then_resubmit_wins(
        url=reverse(
            "teams:minutes_save",
            kwargs={"slug": world.school.slug, "pk": m.pk, "item_pk": item.pk},
        ),
        page_url=page_url,
        after=f'id="notes-{item.pk}"',
        first=facilitators[0],
        second=facilitators[1],
        second_name=world.teacher_leader.full_name,
        theirs={"notes": "We agreed to pilot it."},
        mine={"notes": "We agreed to wait a term."},
        stored=lambda: AgendaItem.objects.get(pk=item.pk).notes,
        their_value="We agreed to pilot it.",
        my_value="We agreed to wait a term.",
        shown=("We agreed to pilot it.", "We agreed to wait a term."),
        headers=HX,
        message=str(services.MINUTES_STALE),
    )
