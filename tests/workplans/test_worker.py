"""The weekly reminder through a real Celery worker and broker (Redis in CI), sent once."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail
from django.utils import timezone

from config.celery import app
from workplans.models import ReminderSent

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


def test_the_worker_reminds_the_owner_of_an_overdue_step_once(real_worker, finished, world, step):
    from workplans.tasks import queue_step_reminders, send_step_reminder

    today = timezone.localdate().isoformat()
    queued = queue_step_reminders.delay(today)
    assert wait_for(lambda: ReminderSent.objects.filter(step=step).exists())
    assert wait_for(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].to == [world.teacher_leader.email]
    assert queued.id in finished

    again = send_step_reminder.delay(world.teacher_leader.pk, today)
    assert wait_for(lambda: again.id in finished)
    assert finished[again.id] == 0
    assert len(mail.outbox) == 1
