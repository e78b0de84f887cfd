"""Reminders through a real Celery worker and broker (Redis in CI)."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from engagement import tasks
from engagement.models import MessageKind, SentMessage
from tests.engagement.factories import EventFactory, RsvpFactory
from tests.worker import needs_broker, wait_for

pytestmark = needs_broker


def test_a_reminder_goes_through_the_worker_once(real_worker, finished, world, settings):
    settings.SITE_URL = "http://testserver"
    event = EventFactory(school=world.school, starts_at=timezone.now() + timedelta(hours=5))
    rsvp = RsvpFactory(event=event, family=world.family)

    beat = tasks.queue_due_messages.delay()
    assert wait_for(lambda: beat.id in finished)
    assert wait_for(
        lambda: SentMessage.objects.filter(rsvp=rsvp, kind=MessageKind.REMINDER).exists()
    )
    assert wait_for(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].to == [world.family.email]

    # A duplicate beat run and a redelivered send: nothing more goes out.
    again = tasks.send_rsvp_message.delay(rsvp.pk, MessageKind.REMINDER)
    beat_again = tasks.queue_due_messages.delay()
    assert wait_for(lambda: again.id in finished and beat_again.id in finished)
    assert finished[again.id] is False
    assert finished[beat_again.id] == 0
    assert len(mail.outbox) == 1
