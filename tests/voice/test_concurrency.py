"""A student presses "Send" twice at once on a class link: one answer is stored, the other
gets the "already answered from this device" message (PostgreSQL's unique index decides)."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client
from django.urls import reverse

from tests.voice.factories import open_survey
from voice import services, tokens
from voice.models import Answer, Response, Stakeholder, StudentLink

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL"
)


def _link(survey) -> StudentLink:
    return StudentLink.objects.create(survey=survey, label="Grade 4", nonce=tokens.new_nonce())


def test_two_posts_from_one_session_at_once_store_one_answer(transactional_db, world, monkeypatch):
    survey, q = open_survey(world)
    url = reverse("voice:student_answer", kwargs={"token": tokens.make_link_token(_link(survey))})
    device = Client()
    # The page with the form: the device's key is set in a cookie of the browser session.
    assert device.get(url).status_code == 200
    assert "voice_device" in device.cookies

    # Both posts get past the view's reading of the session before either is saved: the race
    # a double press (or two tabs) makes, which the session alone cannot see.
    both_read = threading.Barrier(2, timeout=30)
    submit = services.student_response_submit

    def submit_after_both_read(**kwargs):
        both_read.wait()
        return submit(**kwargs)

    monkeypatch.setattr(services, "student_response_submit", submit_after_both_read)
    pages: list[str] = []
    errors: list[BaseException] = []

    def press_send(option):
        try:
            tab = Client()
            for name, morsel in device.cookies.items():
                tab.cookies[name] = morsel.value
            pages.append(tab.post(url, {f"q{q['belong'].pk}": option}).content.decode())
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press_send, args=(option,)) for option in ("1", "3")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert Response.objects.filter(survey=survey).count() == 1
    assert Answer.objects.filter(response__survey=survey).count() == 1
    thanked = [p for p in pages if "Thank you: your answers were saved." in p]
    refused = [p for p in pages if "already been answered from this device" in p]
    assert (len(thanked), len(refused)) == (1, 1)
    assert "Send my answers" not in refused[0]  # no form left to send again


def test_the_database_refuses_a_second_answer_with_the_same_device_key(db, world):
    survey, q = open_survey(world)
    link = _link(survey)
    key = tokens.new_device_key()
    first = services.student_response_submit(
        link=link, values={q["belong"].pk: 3}, language="en", device_key=key
    )
    assert first.device_key_hash == tokens.hash_device_key(key, survey.pk)
    assert key not in first.device_key_hash  # the key itself is not stored
    with pytest.raises(ValidationError) as error:
        services.student_response_submit(
            link=link, values={q["belong"].pk: 1}, language="en", device_key=key
        )
    assert error.value.messages == [str(services.ANSWERED_FROM_DEVICE)]
    assert Response.objects.filter(survey=survey).count() == 1
    # The index itself, below the service: a second row with the same hash cannot be stored.
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(
            survey=survey,
            stakeholder=Stakeholder.STUDENT,
            language="en",
            submitted_on=first.submitted_on,
            device_key_hash=first.device_key_hash,
        )
    # Another device, and the same device in another survey, answer as before.
    services.student_response_submit(
        link=link, values={q["belong"].pk: 1}, language="en", device_key=tokens.new_device_key()
    )
    other, other_q = open_survey(world)
    again = services.student_response_submit(
        link=_link(other), values={other_q["belong"].pk: 1}, language="en", device_key=key
    )
    assert again.device_key_hash != first.device_key_hash
    assert Response.objects.filter(survey=survey).count() == 2


def test_the_device_key_is_never_kept_in_the_session(transactional_db, world):
    """A session row can name a person (a teacher signed in on the classroom's computer): the
    key that finds the device's answer must not sit beside it."""
    from leadership.models import Session  # the SESSION_ENGINE's rows

    survey, q = open_survey(world)
    url = reverse("voice:student_answer", kwargs={"token": tokens.make_link_token(_link(survey))})
    device = Client()
    device.force_login(world.staff)
    device.get(url)
    device.post(url, {f"q{q['belong'].pk}": "2"})
    key = device.cookies["voice_device"].value.split(":")[0]
    assert Response.objects.filter(survey=survey).count() == 1
    assert Session.objects.filter(user_id=world.staff.pk).exists()
    for session in Session.objects.all():
        assert key not in str(session.get_decoded())


def test_two_owners_moving_and_saving_questions_of_one_draft_at_once_both_succeed(
    transactional_db, world, monkeypatch
):
    """Saving a question locks the survey, then the question; moving one took the questions,
    then (moving the results version) the survey: the opposite order, a deadlock."""
    import time

    from leadership import audit
    from tests.voice.factories import add_question, draft_survey

    survey = draft_survey(world)
    first = add_question(world, survey)
    second = add_question(world, survey)
    moving = threading.Event()
    record = audit.record

    def record_slowly(*args, **kwargs):
        if kwargs.get("action") == "voice.question_move":
            moving.set()
            time.sleep(1.0)  # the mover holds its locks while the saver asks for its own
        return record(*args, **kwargs)

    monkeypatch.setattr(services.audit, "record", record_slowly)
    errors = {}

    def move():
        try:
            services.question_move(actor=world.principal, question=second, up=True)
        except Exception as error:
            errors["move"] = repr(error)
        finally:
            connections.close_all()

    def save():
        moving.wait(5)
        try:
            services.question_save(
                actor=world.principal,
                survey=survey,
                question=first,
                version=services.question_version(first),
                text={"en": "Changed", "es": "Cambiado"},
            )
        except Exception as error:
            errors["save"] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=move), threading.Thread(target=save)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == {}
    first.refresh_from_db()
    assert first.text["en"] == "Changed"
