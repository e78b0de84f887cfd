"""An announcement whose e-mails fail part way: what went out stays sent, the rest goes out
when the mail server is back, and nobody receives it twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from community import services, tasks
from community.models import Delivery
from leadership.models import Role, SentMail
from tests.leadership.factories import person

TEXTS = {"en": ("Closed Friday", "No school."), "es": ("Cerrado el viernes", "Sin clases.")}


class FlakyMailServer(EmailBackend):
    """Accepts `accept` messages, then refuses every one (connection refused) until healed."""

    accept = 3
    healed = False

    def send_messages(self, messages):
        if not type(self).healed and len(mail.outbox) >= type(self).accept:
            raise ConnectionRefusedError("mail server down")
        return super().send_messages(messages)


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyMailServer"
    FlakyMailServer.healed = False
    yield FlakyMailServer
    FlakyMailServer.healed = False


@pytest.fixture
def seven_families(world):
    return [world.family] + [
        person(Role.FAMILY, school=world.school, email=f"f{n}@example.org") for n in range(6)
    ]


def test_a_send_that_fails_part_way_resumes_without_duplicates(
    world, seven_families, flaky, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(tasks, "BATCH", 3)
    with django_capture_on_commit_callbacks(execute=True):
        announcement = services.announcement_send(
            actor=world.principal, school=world.school, families="all", to_staff=False, texts=TEXTS
        )
    # Three went out before the server went down; the failed batch retried and gave up.
    assert len(mailoutbox) == 3
    assert Delivery.objects.filter(emailed_at__isnull=False).count() == 3
    assert SentMail.objects.filter(key__startswith="community.announcement:").count() == 3

    # Too early to resume: a batch may still be retrying.
    assert tasks.resume_announcements.apply().get() == 0

    flaky.healed = True
    later = timezone.now() + tasks.RESUME_AFTER + timedelta(minutes=1)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        assert tasks.resume_announcements.apply().get() == 1
    recipients = sorted(message.to[0] for message in mailoutbox)
    assert recipients == sorted(family.email for family in seven_families)  # each once
    assert not Delivery.objects.filter(emailed_at__isnull=True).exists()

    # And once everyone has it, resuming again sends nothing.
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        assert tasks.resume_announcements.apply().get() == 0
    assert len(mailoutbox) == 7
    assert announcement.deliveries.count() == 7
