"""Participations of anonymous surveys kept apart from the answers (voice.pending): written in
batches of at least the district's threshold, and counted while pending by everything that
reads who has answered."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.voice.factories import open_survey
from voice import pending, results, selectors, services, tasks
from voice.models import Participation, Response, SendRound, Survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """The close clears the pending sets once its transaction has committed."""
    return django_capture_on_commit_callbacks


def _answer(survey, q, user, value=2):
    return services.response_submit(
        survey=survey, user=user, values={q["belong"].pk: value}, language="en"
    )


def _threshold(world, n):
    world.district.small_group_threshold = n
    world.district.save(update_fields=["small_group_threshold"])


def _written(survey) -> set[int]:
    return set(Participation.objects.filter(survey=survey).values_list("user_id", flat=True))


def test_a_batch_waits_for_the_threshold_and_the_close_writes_the_rest(world, on_commit):
    _threshold(world, 2)
    survey, q = open_survey(world)
    people = [world.staff, world.teacher_leader, world.family]
    for user in people:
        _answer(survey, q, user)
    # Three pending, under twice the threshold: a batch would leave fewer than two behind.
    assert tasks.flush_participations() == 0
    assert _written(survey) == set()
    assert pending.members(survey.pk) == {u.pk for u in people}
    _answer(survey, q, world.principal)
    people.append(world.principal)
    # Four: two are written (one batch of the threshold), two stay back for the next one.
    assert tasks.flush_participations() == 2
    written = _written(survey)
    assert len(written) == 2
    assert written | pending.members(survey.pk) == {u.pk for u in people}
    assert not written & pending.members(survey.pk)
    assert results.response_rate(survey)[2] == 4
    with on_commit(execute=True):
        services.survey_close(actor=world.principal, survey=survey)
    assert _written(survey) == {u.pk for u in people}
    assert pending.members(survey.pk) == set()
    assert survey.pk not in pending.surveys()
    assert Response.objects.filter(survey=survey).count() == 4


def test_the_district_close_writes_what_each_school_left_pending(world, on_commit):
    from tests.voice.factories import district_survey

    master = district_survey(world, open_it=True)
    copy = Survey.objects.get(copied_from=master, school=world.school)
    question = copy.questions.order_by("position").first()
    services.response_submit(survey=copy, user=world.staff, values={question.pk: 1}, language="en")
    assert _written(copy) == set()
    with on_commit(execute=True):
        services.district_survey_close(actor=world.district_admin, survey=master)
    assert _written(copy) == {world.staff.pk}
    assert pending.members(copy.pk) == set()


def test_a_worker_killed_between_commit_and_clearing_loses_and_doubles_nothing(
    world, monkeypatch, on_commit
):
    _threshold(world, 1)
    survey, q = open_survey(world)
    people = [world.staff, world.teacher_leader, world.family]
    for user in people:
        _answer(survey, q, user)

    class Killed(BaseException):
        pass

    def killed(*args, **kwargs):
        raise Killed

    with monkeypatch.context() as patch:
        patch.setattr(pending, "remove", killed)
        with pytest.raises(Killed):
            tasks.flush_participations()
    first = _written(survey)
    assert len(first) == 2  # committed, though still pending
    assert pending.members(survey.pk) == {u.pk for u in people}
    assert results.response_rate(survey)[2] == 3  # each person counted once meanwhile
    with pytest.raises(ValidationError):  # still answered once only
        _answer(survey, q, world.staff)
    with on_commit(execute=True):
        services.survey_close(actor=world.principal, survey=survey)
    assert Participation.objects.filter(survey=survey).count() == 3
    assert _written(survey) == {u.pk for u in people}
    assert pending.members(survey.pk) == set()


def test_a_pending_person_has_answered_and_sees_it_on_the_page(world, client):
    survey, q = open_survey(world)
    _answer(survey, q, world.staff)
    assert _written(survey) == set()
    with pytest.raises(ValidationError) as error:
        _answer(survey, q, world.staff, value=0)
    assert services.ALREADY_ANSWERED in error.value.messages
    # From another browser (no edit key): told they answered, and no form to send again.
    client.force_login(world.staff)
    page = client.get(
        reverse("voice:survey_answer", kwargs={"slug": world.school.slug, "pk": survey.pk})
    ).content.decode()
    assert "You have already answered this anonymous survey." in page
    assert Response.objects.filter(survey=survey).count() == 1


def test_rates_count_pending_people_once(world):
    survey, q = open_survey(world)
    _answer(survey, q, world.staff)
    _answer(survey, q, world.family)
    responses, _invited, participated = results.response_rate(survey)
    assert (responses, participated) == (2, 2)
    survey.refresh_from_db()
    rate = round(100 * 2 / survey.invited)
    assert selectors.dashboard_figures([world.school.pk]) == {
        world.school.pk: {"survey_response_rate": rate}
    }
    # Written by a batch whose clearing has not happened yet: still one person.
    Participation.objects.create(survey=survey, user=world.staff)
    assert results.response_rate(survey)[2] == 2


def test_the_district_rates_count_pending_people_once(world):
    from tests.voice.factories import district_survey

    master = district_survey(world, open_it=True)
    copy = Survey.objects.get(copied_from=master, school=world.school)
    question = copy.questions.order_by("position").first()
    for user in (world.staff, world.teacher_leader):
        services.response_submit(survey=copy, user=user, values={question.pk: 1}, language="en")
    Participation.objects.create(survey=copy, user=world.staff)
    found = results.district_results(survey=master, language="en", dimension=None, with_texts=False)
    rates = {row.school_id: row.participated for row in found.schools}
    assert rates[world.school.pk] == 2
    assert rates[world.other_school.pk] == 0


def test_my_work_leaves_out_a_survey_i_answered_that_is_pending(world, client_for):
    survey, q = open_survey(world)
    page = client_for(world.staff).get(reverse("leadership:my_work")).content.decode()
    assert "Surveys to answer" in page
    _answer(survey, q, world.staff)
    assert _written(survey) == set()
    page = client_for(world.staff).get(reverse("leadership:my_work")).content.decode()
    assert "Surveys to answer" not in page


@pytest.mark.parametrize("where", ["redis", "in-process"])
def test_my_work_leaves_out_only_the_surveys_where_i_am_pending(world, client_for, settings, where):
    if where == "in-process":  # a fresh clone, with no Redis: the sets live in the process
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    mine, q = open_survey(world)
    _answer(mine, q, world.staff)
    others, q = open_survey(world)
    _answer(others, q, world.teacher_leader)
    page = client_for(world.staff).get(reverse("leadership:my_work")).content.decode()
    assert _written(mine) == _written(others) == set()
    assert f"/surveys/{others.pk}/answer/" in page
    assert f"/surveys/{mine.pk}/answer/" not in page


def test_with_redis_down_my_work_lists_what_the_database_holds(world, client_for, redis_down):
    survey, _q = open_survey(world)
    page = client_for(world.staff).get(reverse("leadership:my_work"))
    assert page.status_code == 200
    assert f"/surveys/{survey.pk}/answer/" in page.content.decode()


def test_a_reminder_batch_skips_someone_who_answered_after_the_fan_out(world):
    survey, q = open_survey(world)
    send_round = SendRound.objects.create(survey=survey, number=1, started_by=world.principal)
    _answer(survey, q, world.staff)
    mail.outbox.clear()
    sent = tasks.send_batch(send_round.pk, [world.staff.pk, world.teacher_leader.pk])
    assert sent == 1
    assert [m.to for m in mail.outbox] == [[world.teacher_leader.email]]


@pytest.fixture
def redis_down(settings):
    """The cache (and its Redis) on a port nobody listens on."""
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.25, "SOCKET_TIMEOUT": 0.25},
        }
    }


def test_with_redis_down_an_anonymous_answer_is_refused_and_nothing_stored(world, redis_down):
    survey, q = open_survey(world)
    with pytest.raises(ValidationError) as error:
        _answer(survey, q, world.staff)
    assert services.TRY_LATER in error.value.messages
    assert not Response.objects.filter(survey=survey).exists()
    assert not Participation.objects.filter(survey=survey).exists()


def test_with_redis_down_the_page_says_to_try_again(world, client, redis_down):
    survey, q = open_survey(world)
    client.force_login(world.staff)
    url = reverse("voice:survey_answer", kwargs={"slug": world.school.slug, "pk": survey.pk})
    page = client.post(url, {f"q{q['belong'].pk}": "4"}).content.decode()
    assert "please try again in a few minutes." in page
    assert not Response.objects.filter(survey=survey).exists()
    assert not Participation.objects.filter(survey=survey).exists()


def test_with_redis_down_a_named_answer_is_stored_as_before(world, redis_down):
    survey, q = open_survey(world, anonymous=False)
    _answer(survey, q, world.staff)
    assert Response.objects.get(survey=survey).respondent == world.staff
    assert _written(survey) == {world.staff.pk}


def test_a_reminder_is_not_sent_while_pending_cannot_be_read(world, redis_down):
    survey, _q = open_survey(world)
    send_round = SendRound.objects.create(survey=survey, number=1, started_by=world.principal)
    mail.outbox.clear()
    with pytest.raises(pending.Unavailable):
        tasks.send_batch.run(send_round.pk, [world.teacher_leader.pk])
    assert mail.outbox == []


def test_an_answer_whose_pending_reply_was_lost_can_be_given_again(world, monkeypatch):
    """Redis took the person but its reply never came: the answer is refused and rolled
    back, and the person is taken out again, so their next try is not 'already answered'."""
    survey, q = open_survey(world)
    real_add = pending.add

    def add_then_lose_the_reply(survey_id, user_id):
        real_add(survey_id, user_id)
        raise pending.Unavailable("reply lost")

    monkeypatch.setattr(pending, "add", add_then_lose_the_reply)
    with pytest.raises(ValidationError):
        _answer(survey, q, world.staff)
    assert not Response.objects.filter(survey=survey).exists()
    assert world.staff.pk not in pending.members(survey.pk)
    monkeypatch.setattr(pending, "add", real_add)
    _answer(survey, q, world.staff)
    assert Response.objects.filter(survey=survey).count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_error_after_the_commit_keeps_the_person_pending(world, monkeypatch):
    """The answer is committed; a hook of the commit failing afterwards must not take the
    person out of pending, or they could answer a second time."""
    from leadership import versions

    survey, q = open_survey(world)

    def broken(**kwargs):
        raise RuntimeError("the versions hook failed")

    monkeypatch.setattr(versions, "_mark", broken)
    with pytest.raises(RuntimeError):
        _answer(survey, q, world.staff)
    monkeypatch.undo()
    assert Response.objects.filter(survey=survey).count() == 1
    assert world.staff.pk in pending.members(survey.pk)
    with pytest.raises(ValidationError):
        _answer(survey, q, world.staff)
    assert Response.objects.filter(survey=survey).count() == 1


def test_a_second_answer_that_passed_the_check_is_refused_by_the_pending_set(world, monkeypatch):
    """Where the survey's row lock does not hold (SQLite, the embedded default), two answers
    of one person can both pass the check: the pending set's add says the second is late."""
    survey, q = open_survey(world)
    _answer(survey, q, world.staff)
    monkeypatch.setattr(pending, "contains", lambda *args: False)
    with pytest.raises(ValidationError):
        _answer(survey, q, world.staff)
    assert Response.objects.filter(survey=survey).count() == 1
    assert world.staff.pk in pending.members(survey.pk)


def _rows_per_transaction(survey) -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM voice_participation WHERE survey_id = %s GROUP BY xmin::text",
            [survey.pk],
        )
        return sorted(n for (n,) in cursor.fetchall())


@pytest.mark.django_db(transaction=True)
def test_a_lost_removal_never_makes_a_batch_smaller_than_the_threshold(world, monkeypatch):
    """A batch written whose removal from Redis failed stays pending: the next flush must
    neither write it again nor count it toward its own batch, and the close's batch still
    holds the threshold."""
    from leadership.models import Role
    from tests.leadership.factories import person

    _threshold(world, 3)
    survey, q = open_survey(world)
    for someone in [person(Role.STAFF, school=world.school) for _ in range(7)]:
        _answer(survey, q, someone)
    real_remove = pending.remove

    def lost(*args, **kwargs):
        raise pending.Unavailable("timeout")

    monkeypatch.setattr(pending, "remove", lost)
    with pytest.raises(pending.Unavailable):
        services.participations_flush(survey_id=survey.pk)
    monkeypatch.setattr(pending, "remove", real_remove)
    assert _rows_per_transaction(survey) == [4]
    for _ in range(5):
        services.participations_flush(survey_id=survey.pk)
    assert _rows_per_transaction(survey) == [4], "3 left: too few for a batch while open"
    assert len(pending.members(survey.pk)) == 3
    services.survey_close(actor=world.principal, survey=Survey.objects.get(pk=survey.pk))
    assert _rows_per_transaction(survey) == [3, 4]
    assert not pending.members(survey.pk)


@pytest.mark.django_db(transaction=True)
def test_two_flushes_reading_the_same_set_write_one_batch(world, monkeypatch):
    """Two workers that both read the pending set before either removed it: the second finds
    the first's rows and writes no batch under the threshold."""
    from leadership.models import Role
    from tests.leadership.factories import person

    _threshold(world, 3)
    survey, q = open_survey(world)
    for someone in [person(Role.STAFF, school=world.school) for _ in range(6)]:
        _answer(survey, q, someone)
    snapshot = pending.members(survey.pk)
    monkeypatch.setattr(pending, "members", lambda survey_id: set(snapshot))
    services.participations_flush(survey_id=survey.pk)
    services.participations_flush(survey_id=survey.pk)
    assert _rows_per_transaction(survey) == [3]


def test_a_reminder_reads_pending_before_the_database(world, monkeypatch):
    """A flush that commits and clears between the reminder's two reads must not hide the
    person from both."""
    survey, q = open_survey(world)
    send_round = SendRound.objects.create(survey=survey, number=2, started_by=world.principal)
    _answer(survey, q, world.staff)
    real_members = pending.members

    def flushed_meanwhile(survey_id):
        # The flush commits and clears just before this read: read first, the set still
        # held the person; read after the database, neither holds them for this task.
        Participation.objects.create(survey_id=survey_id, user=world.staff)
        pending.remove(survey_id, [world.staff.pk])
        return real_members(survey_id)

    monkeypatch.setattr(pending, "members", flushed_meanwhile)
    mail.outbox.clear()
    tasks.send_batch(send_round.pk, [world.staff.pk])
    assert mail.outbox == []


def test_one_survey_that_cannot_be_flushed_does_not_hold_up_the_others(world, monkeypatch):
    _threshold(world, 1)
    first, q1 = open_survey(world)
    second, q2 = open_survey(world)
    _answer(first, q1, world.staff)
    _answer(first, q1, world.principal)
    _answer(second, q2, world.staff)
    _answer(second, q2, world.principal)
    real_flush = services.participations_flush

    def stuck(*, survey_id):
        if survey_id == min(first.pk, second.pk):
            raise RuntimeError("lock timeout")
        return real_flush(survey_id=survey_id)

    monkeypatch.setattr(services, "participations_flush", stuck)
    with pytest.raises(RuntimeError):
        tasks.flush_participations()
    later = max(first.pk, second.pk)
    assert len(Participation.objects.filter(survey_id=later)) == 1
    assert not Participation.objects.filter(survey_id=min(first.pk, second.pk)).exists()
