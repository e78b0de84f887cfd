"""Every cached page of the district app shows a change made by each writing service at once:
after the write, the page served (from its cache) is the page rendered with no cache at all,
and it differs from the page before the write.

Services covered here: teams (action_item_set_status, seat_set), workplans (step_update,
datapoint_create, goal_update), engagement (event_cancel, rsvp_submit) and leadership
(priority_save). The plan page and the family page are covered service by service in
tests/workplans/test_plan_cache.py and tests/engagement/test_queries_family.py.
"""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from engagement import services as engagement
from leadership import services as leadership
from teams import services as teams
from teams.models import ActionItem
from workplans import services as workplans


def _act_action_done(world, activity):
    action = ActionItem.objects.get(team=activity.ilt.team, title="Due next week")
    teams.action_item_set_status(action=action, actor=world.principal, status="done")


def _act_seats(world, activity):
    teams.seat_set(
        team=activity.ilt.team, actor=world.principal, stakeholder_group="family", seats_required=3
    )


def _act_step_done(world, activity):
    workplans.step_update(step=activity.step_open, actor=world.principal, status="done")


def _act_datapoint(world, activity):
    y = activity.ilt.year.start.year
    workplans.datapoint_create(
        measure=activity.measure, actor=world.principal, date=f"{y}-11-20", value="41"
    )


def _act_goal_unaligned(world, activity):
    workplans.goal_update(goal=activity.on_track, actor=world.principal, district_priority=None)


def _act_event_cancel(world, activity):
    engagement.event_cancel(event=activity.next_event, actor=world.principal)


def _act_rsvp(world, activity):
    engagement.rsvp_submit(event=activity.next_event, family=activity.families[1], adults=2)


def _act_priority(world, activity):
    leadership.priority_save(
        actor=world.district_admin,
        district=world.district,
        year=activity.ilt.year,
        title="Families belong",
    )


SERVICES = [
    _act_action_done,
    _act_seats,
    _act_step_done,
    _act_datapoint,
    _act_goal_unaligned,
    _act_event_cancel,
    _act_rsvp,
    _act_priority,
]


# What a page does not show at all (so only "served == rendered" can be asked of it): the
# dashboard's rows show no goal's alignment (only its priority filter does), the results and
# the drill-down no list of priorities.
NOT_SHOWN = {
    ("_act_goal_unaligned", "dashboard"),
    ("_act_goal_unaligned", "results"),
    ("_act_priority", "results"),
    ("_act_priority", "drilldown"),
}


def _pages(world):
    district = {"slug": world.district.slug}
    return {
        "dashboard": reverse("district:district_dashboard", kwargs=district),
        "results": reverse("district:district_dashboard", kwargs=district) + "?q=lincoln",
        "drilldown": reverse(
            "district:school_drilldown", kwargs={**district, "school": world.school.slug}
        ),
    }


def _get(client, url: str, page: str) -> str:
    headers = {"HX-Request": "true", "HX-Target": "dashboard-results"} if page == "results" else {}
    html = client.get(url, headers=headers).content.decode()
    return re.sub(r'(csrfmiddlewaretoken" value="|"x-csrftoken": ")[^"]+', r"\1", html)


@pytest.mark.parametrize("page", ["dashboard", "results", "drilldown"])
@pytest.mark.parametrize("act", SERVICES, ids=lambda f: f.__name__.removeprefix("_act_"))
def test_a_write_shows_at_once_on_the_cached_page(
    world, activity, client_for, django_capture_on_commit_callbacks, act, page
):
    client = client_for(world.district_admin)
    url = _pages(world)[page]
    _get(client, url, page)
    before = _get(client, url, page)  # served from the cache
    with django_capture_on_commit_callbacks(execute=True):
        act(world, activity)
    served = _get(client, url, page)
    cache.clear()
    rendered = _get(client, url, page)
    assert served == rendered
    if (act.__name__, page) not in NOT_SHOWN:
        assert served != before
