"""The agenda e-mail: sent once per meeting, queued on commit, and by the periodic task."""

import os
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from teams import services
from teams.models import Meeting
from teams.tasks import send_meeting_agenda, send_upcoming_agendas
from tests.teams import factories as f


@pytest.mark.django_db(transaction=True)
def test_the_facilitator_sends_the_agenda_once(world, ilt, client_for):
    m = f.meeting(ilt.team, days=2)
    f.item(m, title="Reading data", minutes_allotted=15)
    client = client_for(world.principal)
    url = f"/schools/lincoln/meetings/{m.pk}/send-agenda/"
    client.post(url)
    assert sorted(msg.to[0] for msg in mail.outbox) == sorted(
        [world.principal.email, world.teacher_leader.email, world.family.email]
    )
    assert "Reading data" in mail.outbox[0].body
    assert "15 minutes" in mail.outbox[0].body
    m.refresh_from_db()
    assert m.agenda_sent_at is not None
    # The same task again (a retry, a second click) sends nothing more.
    assert send_meeting_agenda.delay(m.pk).get() is False
    client.post(url)
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_the_periodic_task_sends_agendas_of_meetings_starting_soon(
    world, ilt, django_capture_on_commit_callbacks
):
    soon = f.meeting(ilt.team, days=1)
    later = f.meeting(ilt.team, days=5)
    # The beat task queues through the outbox: its work is handed over on commit.
    with django_capture_on_commit_callbacks(execute=True):
        assert send_upcoming_agendas(hours=48) == 1
    assert Meeting.objects.get(pk=soon.pk).agenda_sent_at is not None
    assert Meeting.objects.get(pk=later.pk).agenda_sent_at is None
    assert send_upcoming_agendas(hours=48) == 0
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_the_agenda_is_not_queued_when_the_transaction_rolls_back(
    world, ilt, django_capture_on_commit_callbacks
):
    m = f.meeting(ilt.team, days=1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.agenda_send(meeting=m, actor=world.principal)
    from leadership import versions

    # Besides the dashboard's mark of the school (its audited change), one task is queued.
    queued = [cb for cb in callbacks if getattr(cb, "func", None) is not versions._mark]
    assert len(queued) == 1 and not mail.outbox


BROKER = os.environ.get("CELERY_BROKER_URL", "")


@pytest.mark.worker
@pytest.mark.skipif(
    not BROKER and os.environ.get("REQUIRE_E2E") != "1",
    reason="no CELERY_BROKER_URL: the real-worker test runs where a broker is configured",
)
def test_a_real_worker_mails_the_agenda_once(transactional_db, world):
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    ilt = f.ilt_for(world)
    m = f.meeting(ilt.team, days=1)
    app.conf.task_always_eager = False
    app.conf.broker_url = BROKER
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=15):
            services.agenda_send(meeting=m, actor=world.principal)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                if Meeting.objects.get(pk=m.pk).agenda_sent_at:
                    break
                time.sleep(0.1)
            send_upcoming_agendas.delay(48)
            send_meeting_agenda.delay(m.pk)
            time.sleep(1.5)
    finally:
        app.conf.task_always_eager = True
    assert Meeting.objects.get(pk=m.pk).agenda_sent_at is not None
    assert len(mail.outbox) == 3
    assert timezone.now() - Meeting.objects.get(pk=m.pk).agenda_sent_at < timedelta(minutes=1)


@pytest.mark.django_db
def test_an_agenda_that_failed_for_the_third_member_is_retried_for_that_member_alone(
    world, ilt, monkeypatch, settings, django_capture_on_commit_callbacks
):
    from collections import Counter

    from django.core.mail.backends.locmem import EmailBackend

    from leadership import outbox

    members = sorted([world.principal, world.teacher_leader, world.family], key=lambda u: u.pk)
    third = members[2].email
    tries: list[str] = []
    send = EmailBackend.send_messages

    def refuse_the_third_once(backend, messages):
        for message in messages:
            tries.append(message.to[0])
            if message.to == [third] and tries.count(third) == 1:
                raise OSError("451 try again later")
        return send(backend, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refuse_the_third_once)
    settings.OUTBOX_OVERDUE_SECONDS = 0
    m = f.meeting(ilt.team, days=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.agenda_send(meeting=m, actor=world.principal)
    assert Counter(msg.to[0] for msg in mail.outbox) == {members[0].email: 1, members[1].email: 1}
    # The third member's e-mail waits in the outbox; the retry sends it and nothing else.
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.sweep() == 1
        assert outbox.sweep() == 0
        assert send_meeting_agenda(m.pk) is False
    assert Counter(tries) == {members[0].email: 1, members[1].email: 1, third: 2}
    assert Counter(msg.to[0] for msg in mail.outbox) == {u.email: 1 for u in members}
