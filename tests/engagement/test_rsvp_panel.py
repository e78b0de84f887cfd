"""The family's RSVP panel shows at once what was just written: the RSVP's own values, the
event's offer as staff last saved it, the reader's language. Its fields are rendered once per
(offer, values, language) and reused, so each change here must show on the next panel."""

from __future__ import annotations

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from engagement import services
from engagement.models import RsvpStatus
from leadership.models import Role
from tests.engagement.factories import EventFactory, RsvpFactory
from tests.leadership.factories import person


def _post(client, event, data):
    url = reverse("engagement:rsvp_submit", kwargs={"slug": event.school.slug, "pk": event.pk})
    headers = {"HX-Request": "true", "HX-Target": "my-rsvp", "HX-Trigger": "rsvp-form"}
    response = client.post(url, data, headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def _value(html, name):
    return re.search(rf'<input type="number" name="{name}" value="([^"]*)"', html).group(1)


DATA = {"adults": 1, "children": 0, "interpretation_language": "", "join_waitlist": "on"}


def test_each_rsvp_sent_shows_its_own_values_in_the_panel(world, event, client_for):
    client = client_for(world.family)
    first = _post(client, event, DATA)
    assert "You are going." in first and "1 person" in first
    assert (_value(first, "adults"), _value(first, "children")) == ("1", "0")
    assert 'name="join_waitlist"' not in first  # going: no waitlist choice

    changed = _post(
        client,
        event,
        dict(DATA, adults=2, children=1, interpretation_language="es", accessibility_needs="Ramp"),
    )
    assert (_value(changed, "adults"), _value(changed, "children")) == ("2", "1")
    assert '<option value="es" selected>' in changed
    assert ">\nRamp</textarea>" in changed
    assert "3 people" in changed

    # Another family of the same event starts from the form's own defaults.
    other = person(Role.FAMILY, school=world.school, email="other@example.org")
    page = client_for(other).get(event.get_absolute_url()).content.decode()
    assert (_value(page, "adults"), _value(page, "children")) == ("1", "0")
    assert 'name="join_waitlist"' in page and "Ramp" not in page


def test_the_panel_follows_the_event_offer_as_staff_change_it(world, event, client_for):
    client = client_for(world.family)
    before = _post(client, event, DATA)
    assert 'name="interpretation_language"' in before and 'name="childcare_count"' in before
    services.event_update(
        event=event,
        actor=world.principal,
        texts={"en": ("Family math night", "")},
        interpretation_languages=["vi"],
        offers_childcare=False,
    )
    after = _post(client, event, DATA)
    assert '<option value="vi">' in after and '<option value="es">' not in after
    assert 'name="childcare_count"' not in after


def test_the_panel_speaks_the_readers_language(world, event, client_for):
    english = _post(client_for(world.family), event, DATA)
    assert '<label for="id_adults">Adults:</label>' in english
    world.family.preferred_language = "es"
    world.family.save(update_fields=["preferred_language"])
    spanish = _post(client_for(world.family), event, DATA)
    assert '<label for="id_adults">Adultos:</label>' in spanish


def test_a_waitlisted_family_hears_its_place_and_keeps_the_waitlist_choice(world, client_for):
    event = EventFactory(school=world.school, capacity=2)
    RsvpFactory(event=event, family=person(Role.FAMILY, school=world.school, email="a@x.org"))
    RsvpFactory(
        event=event,
        family=person(Role.FAMILY, school=world.school, email="b@x.org"),
        status=RsvpStatus.WAITLISTED,
        waitlisted_at=timezone.now() - timedelta(hours=1),
    )
    html = _post(client_for(world.family), event, dict(DATA, adults=2))
    assert "you are on the waitlist (number 2)" in html  # the confirmation
    assert "You are number 2 on the waitlist." in html  # the status
    assert 'name="join_waitlist"' in html


def test_an_invalid_rsvp_shows_its_errors_on_the_fields(world, event, client_for):
    html = _post(client_for(world.family), event, dict(DATA, adults=0))
    assert 'role="alert"' in html
    assert 'aria-invalid="true"' in html and 'value="0"' in html
