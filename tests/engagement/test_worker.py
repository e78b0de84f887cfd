"""Reminders through a real Celery worker and broker (Redis in CI)."""

import os
import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail
from django.utils import timezone

from config.celery import app
from engagement import tasks
from engagement.models import MessageKind, SentMessage
from tests.engagement.factories import EventFactory, RsvpFactory

BROKER = os.environ.get("CELERY_BROKER_URL", "")

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        not BROKER and os.environ.get("REQUIRE_E2E") != "1",
        reason="no CELERY_BROKER_URL: the real-worker test runs where a broker is configured",
    ),
]


@pytest.fixture
def real_worker(transactional_db):
    assert BROKER, "REQUIRE_E2E=1 needs CELERY_BROKER_URL for the real-worker test"
    app.conf.task_always_eager = False
    app.conf.broker_url = BROKER
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=15) as worker:
        yield worker
    app.conf.task_always_eager = True


@pytest.fixture
def finished():
    done: dict[str, object] = {}

    def record(sender=None, task_id=None, retval=None, **kwargs):
        done[task_id] = retval

    task_postrun.connect(record, weak=False)
    yield done
    task_postrun.disconnect(record)


def wait_for(predicate, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


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
