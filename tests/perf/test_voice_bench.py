"""The results page of a survey with 50,000 responses (students of 40 classes, staff and
families), and the class-link answer page answered many times in a row, on PostgreSQL; and
the results page of a district survey with 50,000 responses spread over 40 schools' copies.

Run by `make bench` (pytest tests/perf -s); prints seconds per request. The only assertions
are about correctness: the results page takes the same queries as with a handful of answers.
"""

from __future__ import annotations

import os
import random
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.leadership.factories import SchoolFactory
from tests.voice.factories import district_survey, open_survey
from voice import tokens
from voice.models import Answer, Response, StudentLink, Survey

RESPONSES = int(os.environ.get("VOICE_BENCH_RESPONSES", 50_000))
BATCH = 5_000


def _fill(survey, q, total: int) -> None:
    links = [
        StudentLink.objects.create(survey=survey, label=f"Room {i}", nonce=tokens.new_nonce())
        for i in range(40)
    ]
    rng = random.Random(13)
    today = survey.opened_at.date()
    for start in range(0, total, BATCH):
        responses = [
            Response(
                survey=survey,
                stakeholder="student",
                group_label=rng.choice(links).label,
                language=rng.choice(["en", "es"]),
                submitted_on=today,
            )
            for _ in range(min(BATCH, total - start))
        ]
        Response.objects.bulk_create(responses)
        answers = []
        for response in responses:
            answers.append(Answer(response=response, question=q["belong"], option=rng.randrange(5)))
            answers.append(Answer(response=response, question=q["teach"], option=rng.randrange(2)))
            answers.append(Answer(response=response, question=q["hours"], number=rng.randrange(40)))
        Answer.objects.bulk_create(answers, batch_size=BATCH)


def _timed(client, url, times=5) -> tuple[float, int]:
    best = None
    queries = 0
    for _ in range(times):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            seconds = time.perf_counter() - started
        assert response.status_code == 200
        queries = len(captured)
        best = seconds if best is None else min(best, seconds)
    return best, queries


@pytest.mark.django_db(transaction=True)
def test_results_and_answer_pages_at_scale(world, client):
    survey, q = open_survey(world)
    client.force_login(world.principal)
    url = reverse("voice:survey_results", kwargs={"slug": world.school.slug, "pk": survey.pk})
    by_class = url + "?by=group_label"
    client.get(by_class)
    _small_seconds, small_queries = _timed(client, by_class, times=1)
    started = time.perf_counter()
    _fill(survey, q, RESPONSES)
    print(f"\nfilled {RESPONSES} responses in {time.perf_counter() - started:.1f} s")
    for label, page in (("results", url), ("results by class", by_class)):
        seconds, queries = _timed(client, page)
        print(f"{label:<20} {seconds * 1000:8.0f} ms  {queries} queries")
        if page == by_class:
            assert queries == small_queries

    link = StudentLink.objects.filter(survey=survey).first()
    answer_url = reverse("voice:student_answer", kwargs={"token": tokens.make_link_token(link)})
    client.logout()
    times = []
    for _ in range(200):
        client.cookies.clear()  # a new device each time
        started = time.perf_counter()
        response = client.post(answer_url, {f"q{q['belong'].pk}": "3"})
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
    times.sort()
    print(
        f"answer (class link)  median {times[len(times) // 2] * 1000:.0f} ms, "
        f"p95 {times[int(len(times) * 0.95)] * 1000:.0f} ms over {len(times)} answers"
    )
    assert Response.objects.filter(survey=survey).count() == RESPONSES + 200


DISTRICT_SCHOOLS = int(os.environ.get("VOICE_BENCH_SCHOOLS", 40))


def _fill_district(survey, total: int) -> None:
    """`total` staff and family responses spread over the schools' copies, 3 answers each."""
    copies = list(Survey.objects.filter(copied_from=survey).prefetch_related("questions"))
    questions = {c.pk: list(c.questions.order_by("position")) for c in copies}
    rng = random.Random(17)
    today = survey.opened_at.date()
    for start in range(0, total, BATCH):
        responses = []
        for _ in range(min(BATCH, total - start)):
            copy = rng.choice(copies)
            responses.append(
                Response(
                    survey=copy,
                    stakeholder=rng.choice(["staff", "family"]),
                    language=rng.choice(["en", "es"]),
                    submitted_on=today,
                )
            )
        Response.objects.bulk_create(responses)
        answers = []
        for response in responses:
            belong, teach = questions[response.survey_id]
            answers.append(Answer(response=response, question=belong, option=rng.randrange(5)))
            answers.append(Answer(response=response, question=teach, option=rng.randrange(2)))
        Answer.objects.bulk_create(answers, batch_size=BATCH)


@pytest.mark.django_db(transaction=True)
def test_district_results_at_scale(world, client):
    for n in range(DISTRICT_SCHOOLS - 2):
        SchoolFactory(district=world.district, slug=f"bench-{n}", name=f"School {n:02d}")
    survey = district_survey(world, open_it=True)
    client.force_login(world.district_admin)
    url = reverse("district:survey_results", kwargs={"slug": world.district.slug, "pk": survey.pk})
    by_school = url + "?by=school"
    client.get(by_school)
    _small_seconds, small_queries = _timed(client, by_school, times=1)
    started = time.perf_counter()
    _fill_district(survey, RESPONSES)
    print(
        f"\nfilled {RESPONSES} responses over {DISTRICT_SCHOOLS} schools "
        f"in {time.perf_counter() - started:.1f} s"
    )
    for label, page in (("district results", url), ("district by school", by_school)):
        seconds, queries = _timed(client, page)
        print(f"{label:<20} {seconds * 1000:8.0f} ms  {queries} queries")
        assert queries == small_queries
