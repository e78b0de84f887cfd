"""Demo data: upcoming and past events, a full one with a waitlist, feedback; idempotent."""

from django.core.management import call_command

from engagement.models import CheckIn, Event, EventStatus, Feedback, Rsvp, RsvpStatus


def test_seed_demo_makes_events_and_is_idempotent(db):
    call_command("seed_demo", "--schools", "2", "--quiet-logins")
    counts = (Event.objects.count(), Rsvp.objects.count(), Feedback.objects.count())
    assert counts[0] == 8 and counts[1] > 0 and counts[2] > 0
    full = Event.objects.filter(capacity=6).first()
    assert full.seats_taken == full.capacity
    assert Rsvp.objects.filter(event=full, status=RsvpStatus.WAITLISTED).count() == 3
    assert Event.objects.filter(status=EventStatus.DRAFT).count() == 2
    assert CheckIn.objects.exists()
    for event in Event.objects.all():
        going = sum(r.party_size for r in event.rsvps.filter(status=RsvpStatus.GOING))
        assert event.seats_taken == going <= event.capacity
    call_command("seed_demo", "--schools", "2", "--quiet-logins")
    assert (Event.objects.count(), Rsvp.objects.count(), Feedback.objects.count()) == counts
