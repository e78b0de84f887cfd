"""Invitations and reminders: in batches, one e-mail per person per round, in their language."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from leadership.models import Role
from tests.leadership.factories import person
from tests.voice.factories import add_question, draft_survey
from voice import services, tasks
from voice.models import SendRound

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_batches(settings):
    settings.SITE_URL = "http://testserver"
    settings.VOICE_SEND_BATCH = 2


def _open(world, capture):
    survey = draft_survey(world)
    question = add_question(world, survey)
    with capture(execute=True):
        services.survey_open(actor=world.principal, survey=survey)
    return survey, question


def test_opening_invites_everyone_asked_once_in_batches_in_their_language(
    world, django_capture_on_commit_callbacks
):
    spanish = person(
        Role.FAMILY, school=world.school, email="es@example.org", preferred_language="es"
    )
    survey, _q = _open(world, django_capture_on_commit_callbacks)
    asked = {world.principal.email, world.teacher_leader.email, world.staff.email}
    asked |= {world.family.email, spanish.email}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(asked)
    to_spanish = next(m for m in mail.outbox if m.to == ["es@example.org"])
    assert to_spanish.subject == "Su opinión, por favor: La voz del personal"
    assert "?lang=es" in to_spanish.body
    send_round = SendRound.objects.get(survey=survey)
    assert (send_round.total, send_round.sent, send_round.queued_all) == (5, 5, True)
    # A batch delivered again sends nothing more.
    ids = [world.staff.pk, spanish.pk]
    assert tasks.send_batch(send_round.pk, ids) == 0
    assert len(mail.outbox) == 5


def test_a_reminder_goes_only_to_those_who_have_not_answered(
    world, client, django_capture_on_commit_callbacks
):
    survey, question = _open(world, django_capture_on_commit_callbacks)
    services.response_submit(
        survey=survey, user=world.staff, values={question.pk: 3}, language="en"
    )
    mail.outbox.clear()
    client.force_login(world.principal)
    url = reverse("voice:survey_remind", kwargs={"slug": world.school.slug, "pk": survey.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert world.staff.email not in [m.to[0] for m in mail.outbox]
    assert len(mail.outbox) == 3
    assert all(m.subject.startswith("Reminder: ") for m in mail.outbox)
    page = client.get(response.url).content.decode()
    assert "3 of 3 e-mails sent" in page and "4 of 4 e-mails sent" in page


def test_reminders_go_out_only_while_open(world):
    survey = draft_survey(world)
    with pytest.raises(Exception) as error:
        services.survey_remind(actor=world.principal, survey=survey)
    assert "Reminders go out only while the survey is open." in str(error.value)
    assert not SendRound.objects.exists()
