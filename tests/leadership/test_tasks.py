"""The invitation e-mail task through a real Celery worker and broker (Redis in CI)."""

from django.core import mail

from leadership import services
from leadership.models import Invitation, Role
from tests.worker import needs_broker, wait_for

pytestmark = needs_broker


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
