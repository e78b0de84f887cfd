"""Many families press RSVP for the last seats at once: PostgreSQL keeps the count exact."""

import threading

import pytest
from django.db import connection, connections

from engagement import services
from engagement.models import Event, Rsvp, RsvpStatus
from leadership.models import Membership, Role, User
from tests.engagement.factories import EventFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL"
)

FAMILIES = 24
SEATS = 5


def test_concurrent_rsvps_never_overbook_and_none_is_lost(transactional_db, world):
    event = EventFactory(school=world.school, capacity=SEATS)
    users = User.objects.bulk_create(
        [User(email=f"rush{i}@example.org", full_name=f"Rush {i}") for i in range(FAMILIES)]
    )
    Membership.objects.bulk_create(
        [
            Membership(user=u, role=Role.FAMILY, district=world.district, school=world.school)
            for u in users
        ]
    )
    start = threading.Barrier(FAMILIES)
    errors: list[BaseException] = []

    def press_rsvp(user, adults):
        try:
            start.wait()
            services.rsvp_submit(event=event, family=user, adults=adults)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=press_rsvp, args=(user, 1 + i % 2)) for i, user in enumerate(users)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    event.refresh_from_db()
    rsvps = list(Rsvp.objects.filter(event=event))
    going = [r for r in rsvps if r.status == RsvpStatus.GOING]
    assert len(rsvps) == FAMILIES  # nobody lost
    assert {r.status for r in rsvps} <= {RsvpStatus.GOING, RsvpStatus.WAITLISTED}
    assert sum(r.party_size for r in going) == event.seats_taken <= SEATS
    assert event.seats_taken >= SEATS - 1  # the seats did not go to waste
    # Waitlist positions are distinct and ordered.
    waiting = Rsvp.objects.filter(event=event, status=RsvpStatus.WAITLISTED).order_by(
        "waitlisted_at", "id"
    )
    assert waiting.count() == FAMILIES - len(going)

    # Freeing seats promotes in order, never past capacity.
    first_going = going[0]
    services.rsvp_cancel(rsvp=first_going, actor=first_going.family)
    event.refresh_from_db()
    assert event.seats_taken <= SEATS
    assert event.seats_taken == sum(
        r.party_size for r in Rsvp.objects.filter(event=event, status=RsvpStatus.GOING)
    )
    assert Event.objects.get(pk=event.pk).seats_taken <= SEATS
