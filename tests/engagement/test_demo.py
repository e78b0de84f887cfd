"""Demo data: a school year of events per school, RSVPs with needs, a full one with a waitlist,
check-ins and feedback at past events; seats as the services keep them; idempotent."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from engagement.models import (
    CheckIn,
    Event,
    EventStatus,
    Feedback,
    Rsvp,
    RsvpStatus,
    SentMessage,
)
from leadership.models import Role, User

pytestmark = pytest.mark.usefixtures("demo_mid_year")


def counts():
    return [m.objects.count() for m in (Event, Rsvp, CheckIn, Feedback, SentMessage)]


def test_seed_demo_makes_a_year_of_events_and_is_idempotent(db):
    call_command("seed_demo", "--schools", "2", "--quiet-logins")
    first = counts()
    now = timezone.now()
    assert first[0] == 40
    past = Event.objects.filter(ends_at__lte=now)
    upcoming = Event.objects.filter(ends_at__gt=now)
    assert past.exists() and upcoming.exists()
    assert Event.objects.filter(status=EventStatus.DRAFT).count() == 2
    assert not Rsvp.objects.filter(event__status=EventStatus.DRAFT).exists()
    assert not upcoming.exclude(status__in=[EventStatus.PUBLISHED, EventStatus.DRAFT]).exists()
    # Upcoming published events take RSVPs; past ones have check-ins and feedback.
    assert Rsvp.objects.filter(event__in=upcoming, status=RsvpStatus.GOING).exists()
    assert not CheckIn.objects.filter(event__in=upcoming).exists()
    assert not Feedback.objects.filter(event__in=upcoming).exists()
    assert CheckIn.objects.filter(event__in=past, rsvp__isnull=True).exists()  # walk-ins
    came = set(CheckIn.objects.filter(rsvp__isnull=False).values_list("event", "rsvp__family"))
    gave = set(Feedback.objects.values_list("event", "family"))
    assert gave and gave <= came
    assert not Rsvp.objects.filter(created_at__gt=now).exists()
    # Some families ask for interpretation, childcare or access.
    assert Rsvp.objects.exclude(interpretation_language="").exists()
    assert Rsvp.objects.filter(childcare_count__gt=0).exists()
    assert Rsvp.objects.exclude(accessibility_needs="").exists()
    # Seats: the parties going, within capacity; the head of a waitlist does not fit.
    with_waitlist = 0
    for event in Event.objects.prefetch_related("rsvps"):
        rsvps = list(event.rsvps.all())
        going = sum(r.party_size for r in rsvps if r.status == RsvpStatus.GOING)
        assert event.seats_taken == going <= event.capacity
        waiting = sorted(
            (r for r in rsvps if r.status == RsvpStatus.WAITLISTED),
            key=lambda r: (r.waitlisted_at, r.pk),
        )
        if waiting:
            with_waitlist += 1
            assert waiting[0].party_size > event.capacity - event.seats_taken
    assert with_waitlist >= 2  # the heads above were checked: one waitlist per school at least
    full = upcoming.filter(rsvps__status=RsvpStatus.WAITLISTED).distinct()
    assert full.values("school").distinct().count() == 2  # a waitlist at every school

    call_command("seed_demo", "--schools", "2", "--quiet-logins")
    assert counts() == first


def test_the_demo_speaks_three_languages(db):
    """Some families read Vietnamese, and every event is written in each school's languages,
    its place and notes too."""
    call_command("seed_demo", "--schools", "1", "--quiet-logins")
    assert User.objects.filter(preferred_language="vi", memberships__role=Role.FAMILY).exists()
    event = Event.objects.select_related("school").first()
    assert event.school.languages == ["en", "es", "vi"]
    vietnamese = event.text("vi")
    assert vietnamese.language == "vi"
    assert vietnamese.location.startswith(("Nhà ăn trường", "Thư viện trường"))
    assert vietnamese.accessibility_notes
    assert Rsvp.objects.filter(interpretation_language="vi").exists()
