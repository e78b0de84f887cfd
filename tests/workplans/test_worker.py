"""The weekly reminder through a real Celery worker and broker (Redis in CI), sent once."""

from django.core import mail

from leadership import clock
from tests.worker import needs_broker, wait_for
from workplans.models import ReminderSent

pytestmark = needs_broker


def test_the_worker_reminds_the_owner_of_an_overdue_step_once(real_worker, finished, world, step):
    from workplans.tasks import queue_step_reminders, send_step_reminder

    today = clock.today_in(world.district).isoformat()
    queued = queue_step_reminders.delay(today)
    assert wait_for(lambda: ReminderSent.objects.filter(step=step).exists())
    assert wait_for(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].to == [world.teacher_leader.email]
    assert queued.id in finished

    again = send_step_reminder.delay(world.teacher_leader.pk, today)
    assert wait_for(lambda: again.id in finished)
    assert finished[again.id] == 0
    assert len(mail.outbox) == 1
