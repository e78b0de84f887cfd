"""The invitation e-mail task through a real Celery worker and broker (Redis in CI)."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail

from config.celery import app
from leadership import services
from leadership.models import Invitation, Role

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


def wait_for(predicate, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def finished():
    """Return values of the tasks the worker finished, by task id (there is no result backend)."""
    done: dict[str, object] = {}

    def record(sender=None, task_id=None, retval=None, **kwargs):
        done[task_id] = retval

    task_postrun.connect(record, weak=False)
    yield done
    task_postrun.disconnect(record)


def test_an_invitation_is_mailed_by_the_worker_once(real_worker, finished, world):
    invitation = services.invitation_create(
        actor=world.principal, email="via-worker@example.org", role=Role.STAFF, school=world.school
    )
    assert wait_for(lambda: Invitation.objects.get(pk=invitation.pk).sent_at is not None)
    assert [m.to for m in mail.outbox] == [["via-worker@example.org"]]

    # The same task delivered again (a retry, a duplicate) sends nothing more.
    from leadership.tasks import send_invitation_email

    again = send_invitation_email.delay(invitation.pk)
    assert wait_for(lambda: again.id in finished)
    assert finished[again.id] is False
    assert len(mail.outbox) == 1
