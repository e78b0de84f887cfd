"""The outbox: work is recorded with the write, handed to the broker on commit, swept after.

The `broker` fixture turns eager execution off and stands in for the broker's publish: it can
refuse (kombu's OperationalError, as a Redis that is down does) or keep what was published,
and `deliver()` runs the kept messages as a worker would.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from celery.utils.imports import symbol_by_name
from django.db import transaction
from kombu.exceptions import OperationalError

from leadership import outbox, services
from leadership.models import Invitation, OutboxTask, Role

INSTANT = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
SEND = "leadership.tasks.send_invitation_email"


class FakeBroker:
    def __init__(self):
        self.refuse = 0  # how many publishes to refuse from now on
        self.messages: list[tuple[str, list]] = []

    def publish(self, producer, body, *args, headers=None, **kwargs):
        if self.refuse:
            self.refuse -= 1
            raise OperationalError("Error 111 connecting to 127.0.0.1:6399. Connection refused.")
        self.messages.append((headers["task"], list(body[0])))

    def deliver(self):
        """Run what was published, once each, as a worker would."""
        messages, self.messages = self.messages, []
        for name, args in messages:
            symbol_by_name(name).apply(args=args)
        return messages


@pytest.fixture
def broker(monkeypatch):
    from config.celery import app

    fake = FakeBroker()
    monkeypatch.setattr(
        "kombu.messaging.Producer.publish",
        lambda producer, body, *a, **kw: fake.publish(producer, body, *a, **kw),
    )
    app.conf.task_always_eager = False
    yield fake
    app.conf.task_always_eager = True


@pytest.fixture(autouse=True)
def _broker_not_resting(monkeypatch):
    monkeypatch.setattr(outbox, "_broker_down_at", None)


@pytest.fixture
def clock():
    with time_machine.travel(INSTANT, tick=False) as traveller:
        yield traveller


def invite(world, email="new@example.org"):
    return services.invitation_create(
        actor=world.principal, email=email, role=Role.STAFF, school=world.school
    )


def test_the_outbox_row_is_written_with_the_invitation_and_rolled_back_with_it(
    world, broker, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        invite(world)
        assert OutboxTask.objects.filter(task=SEND).count() == 1
        raise RuntimeError("the request failed after the write")
    assert not Invitation.objects.exists()
    assert not OutboxTask.objects.exists()
    assert callbacks == [] and broker.messages == [] and mailoutbox == []


def test_the_task_is_handed_over_on_commit_and_marked(
    world, broker, clock, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation = invite(world)
    row = OutboxTask.objects.get()
    assert (row.task, row.args, row.dispatched_at) == (SEND, [invitation.pk], None)
    assert broker.messages == []  # nothing goes before the commit

    for callback in callbacks:  # the commit
        callback()
    row.refresh_from_db()
    assert row.dispatched_at == INSTANT and row.attempts == 1 and row.last_error == ""
    assert broker.deliver() == [(SEND, [invitation.pk])]
    assert [m.to for m in mailoutbox] == [["new@example.org"]]


def test_without_a_broker_the_task_runs_in_process_on_commit(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(world)
    assert OutboxTask.objects.get().dispatched_at is not None
    invitation.refresh_from_db()
    assert invitation.sent_at is not None and len(mailoutbox) == 1


def test_a_broker_down_at_commit_is_no_error_and_the_sweep_queues_the_work_once(
    world, client_for, broker, clock, mailoutbox, django_capture_on_commit_callbacks
):
    broker.refuse = 1  # the on-commit attempt only
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.principal).post(
            "/schools/lincoln/people/invite/",
            {"email": "new@example.org", "full_name": "", "role": "staff", "language": "en"},
            follow=True,
        )
    assert response.status_code == 200
    assert "Invitation sent to new@example.org." in response.text
    invitation = Invitation.objects.get()
    row = OutboxTask.objects.get()
    assert row.dispatched_at is None and row.attempts == 1
    assert "OperationalError" in row.last_error
    assert broker.messages == [] and mailoutbox == []

    # Not overdue yet: the sweep leaves a hand-over that may still be under way.
    assert outbox.sweep() == 0
    clock.shift(timedelta(seconds=61))
    assert outbox.sweep() == 1
    assert outbox.sweep() == 0  # swept twice: queued once
    row.refresh_from_db()
    assert row.dispatched_at is not None and row.attempts == 2
    assert broker.deliver() == [(SEND, [invitation.pk])]
    assert [m.to for m in mailoutbox] == [["new@example.org"]]
    invitation.refresh_from_db()
    assert invitation.sent_at is not None


def test_the_sweep_stops_while_the_broker_is_down_and_keeps_the_rows(world, broker, clock):
    with time_machine.travel(INSTANT - timedelta(minutes=5), tick=False):
        first = outbox.enqueue(SEND, 1)
        second = outbox.enqueue(SEND, 2)
    broker.refuse = 5
    assert outbox.sweep() == 0
    first.refresh_from_db()
    second.refresh_from_db()
    # One refusal is enough to tell the broker is down: the second row is not even tried.
    assert (first.attempts, second.attempts) == (1, 0)
    assert outbox.pending() == 2


def test_inviting_again_after_the_email_failed_sends_it_instead_of_refusing(
    world, client_for, broker, mailoutbox, django_capture_on_commit_callbacks
):
    broker.refuse = 1
    with django_capture_on_commit_callbacks(execute=True):
        first = invite(world)
    assert Invitation.objects.get().sent_at is None
    outbox._broker_down_at = None  # the broker is back (and has been seen to be)

    client = client_for(world.principal)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/schools/lincoln/people/invite/",
            {"email": "new@example.org", "full_name": "", "role": "staff", "language": "en"},
            follow=True,
        )
    assert "Invitation sent to new@example.org." in response.text
    assert "already invited" not in response.text
    assert Invitation.objects.get().pk == first.pk  # the same invitation, sent this time
    broker.deliver()
    assert [m.to for m in mailoutbox] == [["new@example.org"]]

    # Once it has gone, inviting again is refused with the reason.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/schools/lincoln/people/invite/",
            {"email": "new@example.org", "full_name": "", "role": "staff", "language": "en"},
        )
    assert str(services.ALREADY_INVITED % {"email": "new@example.org"}) in response.text
    assert len(mailoutbox) == 1 and broker.messages == []


def test_while_the_broker_is_down_a_commit_tries_it_once_and_leaves_the_rest_to_the_sweep(
    world, broker, settings, django_capture_on_commit_callbacks
):
    broker.refuse = 3
    with django_capture_on_commit_callbacks(execute=True):
        rows = [outbox.enqueue(SEND, pk) for pk in (1, 2, 3)]
    assert broker.refuse == 2  # one publish was tried
    attempts = list(
        OutboxTask.objects.filter(pk__in=[r.pk for r in rows]).values_list("attempts", flat=True)
    )
    assert attempts == [1, 0, 0] and outbox.pending() == 3
    # The sweep does not pause: it is how the work gets out once the broker is back.
    broker.refuse = 0
    settings.OUTBOX_OVERDUE_SECONDS = 0
    assert outbox.sweep() == 3
    assert [args for _name, args in broker.messages] == [[1], [2], [3]]


def test_the_sweep_runs_every_minute_and_a_lost_worker_gives_its_task_back(settings):
    from config.celery import app

    assert settings.CELERY_BEAT_SCHEDULE["leadership-sweep-outbox"] == {
        "task": "leadership.tasks.sweep_outbox",
        "schedule": 60,
    }
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert symbol_by_name(entry["task"]).name == entry["task"]
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    # Longer than the longest task, or Redis would hand a running task to a second worker.
    assert app.conf.broker_transport_options["visibility_timeout"] == 15 * 60


def test_rows_handed_over_a_week_ago_are_pruned_and_pending_ones_kept(world, clock):
    old = outbox.enqueue(SEND, 1)
    OutboxTask.objects.filter(pk=old.pk).update(dispatched_at=INSTANT - timedelta(days=8))
    recent = outbox.enqueue(SEND, 2)
    OutboxTask.objects.filter(pk=recent.pk).update(dispatched_at=INSTANT - timedelta(days=6))
    waiting = outbox.enqueue(SEND, 3)
    OutboxTask.objects.filter(pk=waiting.pk).update(created_at=INSTANT - timedelta(days=30))
    assert outbox.prune() == 1
    assert set(OutboxTask.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
