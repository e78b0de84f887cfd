"""Fault: the broker (a private Redis) is down while people invite and RSVP.

The requests must commit and answer as usual, their e-mails waiting in the outbox; once Redis
is back, the sweep run by a real worker sends each e-mail exactly once per recipient.
"""

import os
import shutil
import socket
import subprocess
import time
from collections import Counter
from datetime import timedelta

import pytest
import redis
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from engagement.models import EventStatus, MessageKind, Rsvp, RsvpStatus, SentMessage
from leadership.models import Invitation, OutboxTask, Role
from tests.engagement.factories import EventFactory, RsvpFactory
from tests.leadership.factories import person
from tests.worker import wait_for

pytestmark = pytest.mark.faults

REDIS_SERVER = shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A redis-server of this test alone, on a spare port, that the test stops and starts."""

    def __init__(self, tmp_path):
        self.port = free_port()
        self.dir = tmp_path
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *(REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.dir)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)

        def answers() -> bool:
            try:
                return client.ping()
            except redis.ConnectionError:
                return False

        assert wait_for(answers, 10), "the private redis-server did not start"

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


@pytest.fixture
def private_redis(tmp_path):
    if REDIS_SERVER is None:
        if os.environ.get("REQUIRE_E2E") == "1":
            pytest.fail("REQUIRE_E2E=1 but redis-server is not installed")
        pytest.skip("redis-server is not installed")
    server = PrivateRedis(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def celery_on(private_redis, settings, monkeypatch):
    from leadership import outbox

    monkeypatch.setattr(outbox, "_broker_down_at", None)
    """Tasks go to the private Redis (no eager run); sweeps take rows at once."""
    from config.celery import app

    # Celery reads CELERY_BROKER_URL from the environment before its own setting.
    monkeypatch.setenv("CELERY_BROKER_URL", private_redis.url)

    def reset_pools():
        app._pool = None
        app.__dict__.get("amqp") and setattr(app.amqp, "_producer_pool", None)

    settings.OUTBOX_OVERDUE_SECONDS = 0
    previous = app.conf.broker_url
    app.conf.task_always_eager = False
    app.conf.broker_url = private_redis.url
    reset_pools()
    assert app.connection_for_write().port == private_redis.port
    yield app
    app.conf.task_always_eager = True
    app.conf.broker_url = previous
    reset_pools()


def per_recipient() -> Counter:
    return Counter((m.to[0], m.subject) for m in mail.outbox)


def test_requests_commit_while_the_broker_is_down_and_each_email_goes_once_after(
    transactional_db, private_redis, celery_on, world, client_for
):
    from celery.contrib.testing.worker import start_worker

    from leadership.tasks import sweep_outbox

    # Event 1 has one seat: the family holds it, Ana waits. Event 2: Ana and Bao are going.
    ana = person(Role.FAMILY, school=world.school, email="ana@example.org")
    bao = person(Role.FAMILY, school=world.school, email="bao@example.org")
    small = EventFactory(school=world.school, capacity=1)
    RsvpFactory(event=small, family=world.family)
    waiting = RsvpFactory(
        event=small, family=ana, status=RsvpStatus.WAITLISTED, waitlisted_at=timezone.now()
    )
    other = EventFactory(school=world.school, starts_at=timezone.now() + timedelta(days=9))
    RsvpFactory(event=other, family=ana)
    RsvpFactory(event=other, family=bao)

    # The broker was there, and is now gone.
    private_redis.start()
    private_redis.stop()

    statuses, timings = [], []

    def post(user, path, data=None):
        started = time.monotonic()
        response = client_for(user).post(path, data or {})
        timings.append(time.monotonic() - started)
        statuses.append(response.status_code)
        return response

    post(
        world.principal,
        "/schools/lincoln/people/invite/",
        {"email": "new@example.org", "full_name": "", "role": "staff", "language": "en"},
    )
    kw = {"slug": world.school.slug}
    post(world.family, reverse("engagement:rsvp_cancel", kwargs={**kw, "pk": small.pk}))
    post(world.principal, reverse("engagement:event_cancel", kwargs={**kw, "pk": other.pk}))

    print(f"\nrequests while Redis was down: {len(statuses)}, statuses {statuses}, ", end="")
    print(f"slowest {max(timings):.2f}s")
    assert statuses == [302, 302, 302]
    invitation = Invitation.objects.get(email="new@example.org")
    assert invitation.sent_at is None
    assert Rsvp.objects.get(pk=waiting.pk).status == RsvpStatus.GOING
    other.refresh_from_db()
    assert other.status == EventStatus.CANCELLED
    pending = sorted(
        (row.task.rsplit(".", 1)[1], *row.args)
        for row in OutboxTask.objects.filter(dispatched_at__isnull=True)
    )
    assert len(pending) == 4, pending  # invitation, promotion, two cancellations
    # The first hand-over found the broker down; the others were left to the sweep at once.
    assert "OperationalError" in OutboxTask.objects.earliest("pk").last_error
    assert mail.outbox == []

    # Redis is back; a real worker runs the sweep, which queues the four e-mails.
    private_redis.start()
    back = time.monotonic()
    expected = {
        "new@example.org": 1,
        "ana@example.org": 2,  # off the waitlist of event 1; event 2 cancelled
        "bao@example.org": 1,  # event 2 cancelled
    }
    with start_worker(celery_on, pool="solo", perform_ping_check=False, shutdown_timeout=15):
        sweep_outbox.delay()
        assert wait_for(lambda: len(mail.outbox) >= 4, 30), mail.outbox
        recovered = time.monotonic() - back
        # A second sweep (the next minute's) finds nothing left to queue.
        sweep_outbox.delay()
        assert wait_for(lambda: not OutboxTask.objects.filter(dispatched_at=None).exists(), 10)
        time.sleep(1.5)
    print(f"e-mails once Redis was back: {dict(Counter(m.to[0] for m in mail.outbox))}, ", end="")
    print(f"all sent {recovered:.2f}s after Redis started")

    assert Counter(m.to[0] for m in mail.outbox) == expected
    assert set(per_recipient().values()) == {1}
    invitation.refresh_from_db()
    assert invitation.sent_at is not None
    kinds = Counter(
        (m.rsvp.family.email, m.kind) for m in SentMessage.objects.select_related("rsvp__family")
    )
    assert kinds == {
        ("ana@example.org", MessageKind.PROMOTED): 1,
        ("ana@example.org", MessageKind.CANCELLED): 1,
        ("bao@example.org", MessageKind.CANCELLED): 1,
    }
