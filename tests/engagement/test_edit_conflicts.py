"""Two staff members edit the same event: the second sees both versions and chooses."""

import pytest
from django.test import Client

from engagement.models import Event, EventTranslation
from leadership.models import Role
from tests.conflicts import STALE, stale_save_refused_then_resubmit_wins, version_in
from tests.engagement.factories import EventFactory
from tests.leadership.factories import person

HX = {"HTTP_HX_REQUEST": "true"}


def _fields(client, url) -> dict:
    initial = client.get(url).context["form"].initial
    return {
        key: (value.strftime("%Y-%m-%dT%H:%M") if hasattr(value, "strftime") else value)
        for key, value in initial.items()
        if value not in (None, False) and key != "version"
    }


@pytest.fixture
def editors(world):
    colleague = person(Role.PRINCIPAL, school=world.school, email="co.principal@example.org")
    first, second = Client(), Client()
    first.force_login(world.principal)
    second.force_login(colleague)
    return first, second, colleague


@pytest.mark.parametrize("headers", [HX, {}], ids=["htmx", "plain"])
def test_event(world, editors, headers):
    event = EventFactory(school=world.school, capacity=30, location="Library")
    first, second, colleague = editors
    url = f"/schools/{world.school.slug}/events/{event.pk}/edit/"
    base = _fields(first, url)
    stale_save_refused_then_resubmit_wins(
        url=url,
        first=first,
        second=second,
        second_name=colleague.full_name,
        theirs={**base, "location": "Gym"},
        mine={**base, "location": "Cafeteria"},
        stored=lambda: Event.objects.get(pk=event.pk).location,
        their_value="Gym",
        my_value="Cafeteria",
        shown=("Gym", 'value="Cafeteria"'),
        headers=headers,
        ok=lambda r: r.status_code == 302,
    )


def test_a_title_changed_in_another_language_is_a_conflict_too(world, editors):
    event = EventFactory(school=world.school)
    first, _second, _colleague = editors
    url = f"/schools/{world.school.slug}/events/{event.pk}/edit/"
    page = first.get(url).text
    fields = _fields(first, url)
    EventTranslation.objects.filter(event=event, language="es").update(title="Noche de ciencias")
    response = first.post(url, {**fields, "location": "Gym", "version": version_in(page)})
    assert response.status_code == 200
    assert STALE in response.content.decode()
    assert "Noche de ciencias" in response.content.decode()
    assert Event.objects.get(pk=event.pk).location == "Library"
