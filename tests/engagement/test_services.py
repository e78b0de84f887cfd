"""Events, RSVPs, capacity and waitlist, check-in and feedback, through the services."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from engagement import services
from engagement.models import (
    CheckIn,
    Event,
    EventStatus,
    Feedback,
    MessageKind,
    Rsvp,
    RsvpStatus,
    SentMessage,
)
from engagement.selectors import waitlist_position
from leadership.models import AuditEntry, Role
from tests.engagement.factories import EventFactory
from tests.leadership.factories import person


def family_at(school, n, language="en"):
    return person(
        Role.FAMILY, school=school, email=f"fam{n}@example.org", preferred_language=language
    )


def messages_of(exc) -> str:
    return " ".join(exc.value.messages)


def test_event_create_saves_texts_per_language_and_falls_back(world):
    now = timezone.now()
    event = services.event_create(
        school=world.school,
        actor=world.principal,
        texts={"en": ("Coffee with the principal", "Talk"), "es": ("", "")},
        kind="community_meeting",
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=1),
        location="Cafeteria",
        online_link="",
        capacity=30,
        rsvp_deadline=None,
        interpretation_languages=["es"],
        offers_childcare=True,
        offers_transport=False,
        offers_food=True,
        accessibility_notes="Step-free entrance on Oak St.",
    )
    assert event.status == EventStatus.DRAFT
    assert event.text("es").title == "Coffee with the principal"  # falls back to the default
    assert AuditEntry.objects.filter(action="event.create", object_id=str(event.pk)).exists()


def test_event_needs_a_title_in_the_default_language_and_a_place(world):
    now = timezone.now()
    with pytest.raises(ValidationError) as exc:
        services.event_create(
            school=world.school,
            actor=world.principal,
            texts={"en": ("", ""), "es": ("Hola", "")},
            kind="workshop",
            starts_at=now + timedelta(days=1),
            ends_at=now + timedelta(days=1, hours=1),
            capacity=10,
        )
    assert str(services.PLACE_REQUIRED) in messages_of(exc)
    assert not Event.objects.exists()


def test_rsvp_takes_seats_and_a_party_that_does_not_fit_is_waitlisted(world):
    event = EventFactory(school=world.school, capacity=4)
    a, b, c = (family_at(world.school, n) for n in range(3))
    first = services.rsvp_submit(event=event, family=a, adults=2, children=1)
    second = services.rsvp_submit(event=event, family=b, adults=2, children=0)
    third = services.rsvp_submit(event=event, family=c, adults=1)
    event.refresh_from_db()
    assert (first.status, second.status, third.status) == (
        RsvpStatus.GOING,
        RsvpStatus.WAITLISTED,
        RsvpStatus.WAITLISTED,
    )
    assert event.seats_taken == 3
    assert waitlist_position(second) == 1 and waitlist_position(third) == 2


def test_party_bigger_than_seats_left_is_refused_when_not_joining_the_waitlist(world):
    event = EventFactory(school=world.school, capacity=3)
    a, b = family_at(world.school, 1), family_at(world.school, 2)
    services.rsvp_submit(event=event, family=a, adults=2)
    with pytest.raises(ValidationError) as exc:
        services.rsvp_submit(event=event, family=b, adults=2, join_waitlist=False)
    assert "1 seat(s) are left" in messages_of(exc)
    assert not Rsvp.objects.filter(family=b).exists()
    event.refresh_from_db()
    assert event.seats_taken == 2


def test_a_going_family_cannot_grow_past_the_seats_left(world):
    event = EventFactory(school=world.school, capacity=3)
    a = family_at(world.school, 1)
    rsvp = services.rsvp_submit(event=event, family=a, adults=2)
    with pytest.raises(ValidationError):
        services.rsvp_submit(event=event, family=a, adults=2, children=2)
    rsvp.refresh_from_db()
    event.refresh_from_db()
    assert (rsvp.party_size, rsvp.status, event.seats_taken) == (2, RsvpStatus.GOING, 2)


def test_cancelling_promotes_the_waitlist_in_order_whole_parties_and_tells_them(
    world, django_capture_on_commit_callbacks
):
    event = EventFactory(school=world.school, capacity=4)
    a, b, c, d = (family_at(world.school, n, "es") for n in range(4))
    going = services.rsvp_submit(event=event, family=a, adults=4)
    big = services.rsvp_submit(event=event, family=b, adults=3)  # waitlisted first
    small = services.rsvp_submit(event=event, family=c, adults=1)  # second
    later = services.rsvp_submit(event=event, family=d, adults=1)  # third
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.rsvp_cancel(rsvp=going, actor=a)

    statuses = dict(Rsvp.objects.values_list("family__email", "status"))
    assert statuses[b.email] == RsvpStatus.GOING and statuses[c.email] == RsvpStatus.GOING
    assert statuses[d.email] == RsvpStatus.WAITLISTED  # 4 seats: 3 + 1, the next party waits
    event.refresh_from_db()
    assert event.seats_taken == 4
    later.refresh_from_db()
    assert waitlist_position(later) == 1
    # Each promoted family is told once, in Spanish (the event's Spanish title).
    assert sorted(m.to[0] for m in mail.outbox) == sorted([b.email, c.email])
    assert all("Noche familiar de matemáticas" in m.subject for m in mail.outbox)
    assert big.pk and small.pk


def test_promotion_stops_at_the_first_party_that_does_not_fit(world):
    event = EventFactory(school=world.school, capacity=3)
    a, b, c = (family_at(world.school, n) for n in range(3))
    going = services.rsvp_submit(event=event, family=a, adults=2)
    services.rsvp_submit(event=event, family=b, adults=3)  # waits: only 1 seat left
    services.rsvp_submit(event=event, family=c, adults=1)  # waits behind b, no queue-jumping
    assert Rsvp.objects.get(family=c).status == RsvpStatus.WAITLISTED
    services.rsvp_submit(event=event, family=a, adults=1)  # frees one seat: b still does not fit
    assert Rsvp.objects.get(family=b).status == RsvpStatus.WAITLISTED
    assert Rsvp.objects.get(family=c).status == RsvpStatus.WAITLISTED
    services.rsvp_cancel(rsvp=going, actor=a)
    assert Rsvp.objects.get(family=b).status == RsvpStatus.GOING


def test_when_the_head_of_the_waitlist_leaves_the_next_party_that_fits_goes(world):
    event = EventFactory(school=world.school, capacity=3)
    a, b, c = (family_at(world.school, n) for n in range(3))
    services.rsvp_submit(event=event, family=a, adults=2)  # 1 seat left
    head = services.rsvp_submit(event=event, family=b, adults=2)  # does not fit: waits
    services.rsvp_submit(event=event, family=c, adults=1)  # fits, but waits behind b
    assert Rsvp.objects.get(family=c).status == RsvpStatus.WAITLISTED
    services.rsvp_cancel(rsvp=head, actor=b)
    assert Rsvp.objects.get(family=c).status == RsvpStatus.GOING
    event.refresh_from_db()
    assert event.seats_taken == 3


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"adults": 0}, "adults"),
        ({"adults": -1}, "adults"),
        ({"adults": 500}, "adults"),
        ({"adults": 1, "children": -2}, "children"),
        ({"adults": 1, "children": 99}, "children"),
        ({"adults": 1, "children": 1, "childcare_count": 2}, "childcare_count"),
    ],
)
def test_absurd_party_sizes_are_refused(world, event, kwargs, field):
    with pytest.raises(ValidationError) as exc:
        services.rsvp_submit(event=event, family=world.family, **kwargs)
    assert field in exc.value.error_dict
    assert not Rsvp.objects.exists()


def test_rsvp_refused_after_deadline_for_cancelled_drafts_and_other_schools(world):
    now = timezone.now()
    late = EventFactory(school=world.school, rsvp_deadline=now - timedelta(hours=1))
    cancelled = EventFactory(school=world.school, status=EventStatus.CANCELLED)
    draft = EventFactory(school=world.school, status=EventStatus.DRAFT)
    far = EventFactory(school=world.far_school)
    for target, message in [
        (late, services.DEADLINE_PASSED),
        (cancelled, services.EVENT_CANCELLED),
        (draft, services.EVENT_NOT_OPEN),
        (far, services.NOT_YOUR_SCHOOL),
    ]:
        with pytest.raises(ValidationError) as exc:
            services.rsvp_submit(event=target, family=world.family, adults=1)
        assert str(message) in messages_of(exc)
    assert not Rsvp.objects.exists()


def test_the_database_refuses_overbooking_even_past_the_services(world, event):
    with pytest.raises(IntegrityError):
        Event.objects.filter(pk=event.pk).update(seats_taken=event.capacity + 1)


def test_cancelling_an_event_tells_everyone_who_rsvpd_once(
    world, django_capture_on_commit_callbacks
):
    event = EventFactory(school=world.school, capacity=1)
    a, b = family_at(world.school, 1), family_at(world.school, 2, "es")
    services.rsvp_submit(event=event, family=a, adults=1)
    services.rsvp_submit(event=event, family=b, adults=1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(event=event, actor=world.principal)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([a.email, b.email])
    spanish = next(m for m in mail.outbox if m.to == [b.email])
    assert "Noche familiar de matemáticas" in spanish.subject
    assert SentMessage.objects.filter(kind=MessageKind.CANCELLED).count() == 2
    with pytest.raises(ValidationError):
        services.event_cancel(event=event, actor=world.principal)
    assert len(mail.outbox) == 2


def test_check_in_walk_in_and_feedback(world):
    now = timezone.now()
    event = EventFactory(school=world.school)
    rsvp = services.rsvp_submit(event=event, family=world.family, adults=2)
    services.check_in_rsvp(rsvp=rsvp, actor=world.staff)
    with pytest.raises(ValidationError):
        services.check_in_rsvp(rsvp=rsvp, actor=world.staff)
    services.check_in_walk_in(event=event, actor=world.staff, name="Ana Walk-in", party_size=3)
    assert CheckIn.objects.filter(event=event).count() == 2

    with pytest.raises(ValidationError) as exc:
        services.feedback_submit(event=event, family=world.family, rating=5)
    assert str(services.FEEDBACK_TOO_EARLY) in messages_of(exc)
    Event.objects.filter(pk=event.pk).update(
        starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=1)
    )
    event.refresh_from_db()
    services.feedback_submit(event=event, family=world.family, rating=4, comment="Great")
    services.feedback_submit(event=event, family=world.family, rating=5, comment="Even better")
    assert list(Feedback.objects.values_list("rating", "comment")) == [(5, "Even better")]
    other = family_at(world.school, 9)
    with pytest.raises(ValidationError) as exc:
        services.feedback_submit(event=event, family=other, rating=1)
    assert str(services.NOT_ATTENDED) in messages_of(exc)


def test_a_waiting_family_that_changes_its_party_keeps_its_place(world):
    event = EventFactory(school=world.school, capacity=2)
    a, b, c = (family_at(world.school, n) for n in range(3))
    services.rsvp_submit(event=event, family=a, adults=2)
    first = services.rsvp_submit(event=event, family=b, adults=2)
    second = services.rsvp_submit(event=event, family=c, adults=1)
    joined = first.waitlisted_at
    first = services.rsvp_submit(event=event, family=b, adults=1, children=1)
    assert first.status == RsvpStatus.WAITLISTED and first.waitlisted_at == joined
    assert (waitlist_position(first), waitlist_position(second)) == (1, 2)
