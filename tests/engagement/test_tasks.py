"""Reminders and surveys: due ones are queued, each is sent once, in the family's language."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from engagement import tasks, tokens
from engagement.models import CheckIn, MessageKind, RsvpStatus, SentMessage
from tests.engagement.factories import EventFactory, RsvpFactory
from tests.leadership.factories import person

LINK = re.compile(r"http://testserver(/rsvp/[^\s\"<]+/)")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "http://testserver"


def test_reminders_go_once_to_everyone_going_soon_in_their_language(
    world, settings, client, django_capture_on_commit_callbacks
):
    from leadership.models import Role

    settings.ENGAGEMENT_REMINDER_HOURS = 24
    soon = EventFactory(school=world.school, starts_at=timezone.now() + timedelta(hours=20))
    later = EventFactory(school=world.school, starts_at=timezone.now() + timedelta(days=5))
    spanish = person(
        Role.FAMILY, school=world.school, email="es@example.org", preferred_language="es"
    )
    going = RsvpFactory(event=soon, family=spanish)
    RsvpFactory(
        event=soon, family=world.family, status=RsvpStatus.WAITLISTED, waitlisted_at=timezone.now()
    )
    RsvpFactory(event=later, family=world.family)

    # The beat task queues through the outbox: its work is handed over on commit.
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.queue_due_messages() == 1
    assert [m.to for m in mail.outbox] == [["es@example.org"]]
    message = mail.outbox[0]
    assert "Noche familiar de matemáticas" in message.subject
    assert SentMessage.objects.filter(rsvp=going, kind=MessageKind.REMINDER).count() == 1

    # Duplicate beat runs and a redelivered task send nothing more.
    assert tasks.queue_due_messages() == 0
    assert tasks.send_rsvp_message(going.pk, MessageKind.REMINDER) is False
    assert len(mail.outbox) == 1

    # The signed link in the reminder opens that RSVP without signing in.
    path = LINK.search(message.body).group(1)
    assert tokens.read_rsvp_token(path.split("/")[2]) == (going.pk, spanish.pk)
    response = client.get(path)
    assert response.status_code == 200
    assert "Noche familiar de matemáticas" in response.content.decode()


def test_a_failed_send_leaves_no_record_so_a_retry_sends(world, monkeypatch):
    event = EventFactory(school=world.school, starts_at=timezone.now() + timedelta(hours=3))
    rsvp = RsvpFactory(event=event, family=world.family)

    def broken(*args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken)
    with pytest.raises(OSError):
        tasks.send_rsvp_message.run(rsvp.pk, MessageKind.REMINDER)
    assert not SentMessage.objects.exists()
    monkeypatch.undo()
    assert tasks.send_rsvp_message(rsvp.pk, MessageKind.REMINDER) is True
    assert len(mail.outbox) == 1


def test_survey_goes_to_those_who_came_after_the_event(world, django_capture_on_commit_callbacks):
    now = timezone.now()
    event = EventFactory(
        school=world.school, starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=1)
    )
    came = RsvpFactory(event=event, family=world.family)
    CheckIn.objects.create(event=event, rsvp=came, party_size=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.queue_due_messages() == 1
    assert "How was Family math night?" in mail.outbox[0].subject
    assert (
        reverse("engagement:feedback", kwargs={"slug": world.school.slug, "pk": event.pk})
        in mail.outbox[0].body
    )
    assert tasks.queue_due_messages() == 0
