"""Families cancel and send their RSVP again, all at once, through the views: no 500, no overbook.

Each thread is one family's browser (its own test Client and database connection). Every
RSVP write locks the event first and then RSVPs in id order; a transaction PostgreSQL still
aborts (deadlock, serialization) is run again by `leadership.db.retry_on_conflict`.
"""

from __future__ import annotations

import random
import threading
from collections import Counter

import pytest
from django.contrib.messages import get_messages
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from engagement.models import Event, Rsvp, RsvpStatus
from engagement.services import rsvp_submit
from leadership import db
from leadership.models import Role
from tests.engagement.factories import EventFactory
from tests.leadership.factories import DistrictFactory, SchoolFactory, person

pytestmark = pytest.mark.faults

SEATS = 10
FAMILIES = 30
ROUNDS = 4

GOING_SAID = "You are going."
WAITLIST_SAID = "you are on the waitlist"
CANCEL_SAID = "Your RSVP is cancelled."
ALREADY_CANCELLED_SAID = "This RSVP is already cancelled."


@pytest.fixture
def storm_event(transactional_db):
    if connection.vendor != "postgresql":
        pytest.fail("the contention tests need PostgreSQL (set DATABASE_URL)")
    district = DistrictFactory(slug="storm", name="Storm")
    school = SchoolFactory(district=district, slug="storm-elementary", name="Storm Elementary")
    event = EventFactory(school=school, capacity=SEATS)
    families = [
        person(Role.FAMILY, school=school, email=f"storm{i}@example.org") for i in range(FAMILIES)
    ]
    # Everyone has answered before the storm: the first SEATS are going, the rest wait.
    for family in families:
        rsvp_submit(event=event, family=family, adults=1)
    return event, families


def _said(response) -> str:
    """What this request told the family: the last flash message (the client does not follow
    redirects, so the messages of earlier requests are still stored before it)."""
    said = [str(m) for m in get_messages(response.wsgi_request)]
    return said[-1] if said else ""


def test_cancel_and_resend_storm_no_500_no_overbooking(storm_event):
    event, families = storm_event
    rsvp_url = reverse("engagement:rsvp_submit", kwargs={"slug": event.school.slug, "pk": event.pk})
    cancel_url = reverse(
        "engagement:rsvp_cancel", kwargs={"slug": event.school.slug, "pk": event.pk}
    )
    start = threading.Barrier(FAMILIES)
    results: dict[int, list[tuple[str, int, str]]] = {f.pk: [] for f in families}
    crashes: list[BaseException] = []
    retries_before = db.retries_so_far()

    def family_browser(family, seed):
        chance = random.Random(seed)
        client = Client(raise_request_exception=False)
        client.force_login(family)
        try:
            start.wait(30)
            for round_ in range(ROUNDS):
                # Half cancel, half change their party (1 or 2 adults) and send it again.
                if (round_ + seed) % 2 == 0:
                    response = client.post(cancel_url)
                    action = "cancel"
                else:
                    adults = chance.choice([1, 2])
                    data = {"adults": adults, "children": 0, "join_waitlist": "on"}
                    response = client.post(rsvp_url, data)
                    action = f"submit{adults}"
                results[family.pk].append((action, response.status_code, _said(response)))
        except BaseException as error:
            crashes.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=family_browser, args=(family, i))
        for i, family in enumerate(families)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads)
    assert crashes == []

    retries = db.retries_so_far() - retries_before
    statuses = Counter(code for calls in results.values() for _a, code, _s in calls)
    requests = sum(statuses.values())
    print(f"\ncontention: {requests} requests, statuses {dict(statuses)}, {retries} retries")

    assert requests == FAMILIES * ROUNDS
    assert statuses[500] == 0
    assert set(statuses) <= {200, 302}

    event.refresh_from_db()
    rsvps = {r.family_id: r for r in Rsvp.objects.filter(event=event)}
    going = [r for r in rsvps.values() if r.status == RsvpStatus.GOING]
    # No overbooking, and the counter is the sum of the parties that are going.
    assert sum(r.party_size for r in going) == event.seats_taken <= SEATS
    # No seat left free while the head of the waitlist would fit in it.
    waiting = sorted(
        (r for r in rsvps.values() if r.status == RsvpStatus.WAITLISTED),
        key=lambda r: (r.waitlisted_at, r.pk),
    )
    if waiting:
        assert waiting[0].party_size > SEATS - event.seats_taken

    # Each family is where its last successful request put it (a waitlisted family may
    # since have been promoted; nobody is ever moved down).
    for family in families:
        done = [(a, said) for a, code, said in results[family.pk] if code == 302]
        assert done, f"{family} never got through"
        action, said = done[-1]
        final = rsvps[family.pk]
        if action == "cancel":
            assert CANCEL_SAID in said or ALREADY_CANCELLED_SAID in said, said
            assert final.status == RsvpStatus.CANCELLED
        elif GOING_SAID in said:
            assert final.status == RsvpStatus.GOING
            assert final.adults == int(action[-1])
        else:
            assert WAITLIST_SAID in said, said
            assert final.status in (RsvpStatus.WAITLISTED, RsvpStatus.GOING)
            assert final.adults == int(action[-1])
    assert Event.objects.get(pk=event.pk).seats_taken == event.seats_taken


def test_two_principals_save_the_vision_at_the_same_moment(transactional_db):
    """Both loaded the same version and press Save together: one wins, the other is shown
    both versions; neither is lost without the person knowing."""
    from leadership.edits import EDIT_STALE
    from leadership.services import school_vision_version

    district = DistrictFactory(slug="race", name="Race")
    school = SchoolFactory(district=district, slug="race-elementary", name="Race Elementary")
    principals = [
        person(Role.PRINCIPAL, school=school, email=f"race{i}@example.org") for i in range(2)
    ]
    url = reverse("leadership:school_vision_edit", kwargs={"slug": school.slug})
    version = school_vision_version(school)
    start = threading.Barrier(2)
    answers: dict[int, tuple[int, str]] = {}

    def save(i, principal):
        client = Client(raise_request_exception=False)
        client.force_login(principal)
        try:
            start.wait(30)
            response = client.post(url, {"vision_statement": f"Vision {i}", "version": version})
            answers[i] = (response.status_code, response.content.decode())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(i, p)) for i, p in enumerate(principals)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    codes = sorted(code for code, _page in answers.values())
    assert codes == [200, 302]
    (winner,) = [i for i, (code, _page) in answers.items() if code == 302]
    (loser_page,) = [page for code, page in answers.values() if code == 200]
    school.refresh_from_db()
    assert school.vision_statement == f"Vision {winner}"
    assert str(EDIT_STALE) in loser_page
    assert f"Vision {winner}" in loser_page and f"Vision {1 - winner}" in loser_page
