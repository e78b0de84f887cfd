"""Rounds of the district's survey: the next round is a district draft that opens in every
school, and two rounds are compared added up over the schools and school by school, each
round's small schools suppressed, in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.leadership.factories import SchoolFactory
from tests.voice.factories import district_survey
from voice import rounds, services
from voice.models import Answer, Response, Survey

pytestmark = pytest.mark.django_db


def _copies(survey):
    return {c.school_id: c for c in Survey.objects.filter(copied_from=survey, from_district=True)}


def _answers(copy, n, option):
    question = copy.questions.order_by("position").first()
    responses = Response.objects.bulk_create(
        Response(
            survey=copy, stakeholder="staff", language="en", submitted_on=copy.opened_at.date()
        )
        for _ in range(n)
    )
    Answer.objects.bulk_create(
        Answer(response=r, question=question, option=option) for r in responses
    )


def _url(name, survey):
    return reverse(f"district:{name}", kwargs={"slug": survey.district.slug, "pk": survey.pk})


def _spring(world, fall, client=None):
    """The next round through its page (as the district admin), opened in every school."""
    client.force_login(world.district_admin)
    response = client.post(
        _url("survey_next_round", fall), {"title_en": "Spring climate", "title_es": "Primavera"}
    )
    spring = Survey.objects.get(copied_from=fall, from_district=False)
    assert response.url == spring.get_absolute_url()
    return services.district_survey_open(actor=world.district_admin, survey=spring)


def test_the_next_round_is_a_district_draft_that_opens_in_every_school(world, client):
    fall = district_survey(world, open_it=True)
    services.district_survey_close(actor=world.district_admin, survey=fall)
    client.force_login(world.district_admin)
    detail = client.get(fall.get_absolute_url()).content.decode()
    assert _url("survey_next_round", fall) in detail
    page = client.get(_url("survey_next_round", fall)).content.decode()
    assert 'value="District climate (round 2)"' in page
    client.post(
        _url("survey_next_round", fall), {"title_en": "Spring climate", "title_es": "Primavera"}
    )
    spring = Survey.objects.get(copied_from=fall, from_district=False)
    assert spring.is_draft and spring.school_id is None and spring.district == world.district
    assert spring.title == {"en": "Spring climate", "es": "Primavera"}
    assert {q.copied_from_id for q in spring.questions.all()} == {
        q.pk for q in fall.questions.all()
    }
    # No school sees the draft; opening it makes each school's copy of the new round.
    assert set(_copies(spring)) == set()
    services.district_survey_open(actor=world.district_admin, survey=spring)
    copies = _copies(spring)
    assert set(copies) == {world.school.pk, world.other_school.pk}
    assert copies[world.school.pk].title["en"] == "Spring climate"
    # The earlier round's copies and results are its own.
    assert set(_copies(fall)) == {world.school.pk, world.other_school.pk}
    assert rounds.earlier_rounds(spring) == [fall]


def test_a_draft_district_survey_has_no_next_round_nor_comparison(world, client):
    draft = district_survey(world)
    client.force_login(world.district_admin)
    assert client.get(_url("survey_next_round", draft)).status_code == 404
    assert client.get(_url("survey_compare", draft)).status_code == 404
    opened = district_survey(world, open_it=True)
    assert client.get(_url("survey_compare", opened)).status_code == 404  # no earlier round


def test_the_comparison_by_school_suppresses_a_small_school_and_its_complement(world, client):
    washington = SchoolFactory(district=world.district, slug="washington", name="Washington")
    fall = district_survey(world, open_it=True)
    copies = _copies(fall)
    _answers(copies[world.school.pk], 12, 4)  # Lincoln: strongly agree
    _answers(copies[world.other_school.pk], 3, 0)  # Roosevelt: 3, under 10
    _answers(copies[washington.pk], 15, 1)  # Washington: disagree
    services.district_survey_close(actor=world.district_admin, survey=fall)
    spring = _spring(world, fall, client)
    copies = _copies(spring)
    _answers(copies[world.school.pk], 12, 3)
    _answers(copies[world.other_school.pk], 12, 4)
    _answers(copies[washington.pk], 15, 4)

    found = rounds.compare_rounds(earlier=fall, later=spring, language="en", dimension="school")
    assert (found.responses_before, found.responses_after) == (30, 39)
    belong = found.questions[0]
    agree = belong.measures[0]
    assert (agree.before, agree.after) == (rounds.Decimal("40.0"), rounds.Decimal("100.0"))
    by_school = {g.label: g for g in belong.groups}
    # The same school across rounds, though each round has its own copy in it.
    assert (by_school["Washington"].n_before, by_school["Washington"].n_after) == (15, 15)
    assert by_school["Washington"].cells[0].delta == rounds.Decimal("100.0")
    assert by_school["Roosevelt High"].reason == rounds.SMALL  # 3 answers in the fall
    assert by_school["Lincoln Elementary"].reason == rounds.SMALL  # its complement

    detail = client.get(spring.get_absolute_url()).content.decode()
    assert "Compare with District climate" in detail and _url("survey_compare", spring) in detail
    page = client.get(_url("survey_compare", spring), {"by": "school"}).content.decode()
    assert "Spring climate compared with District climate" in page
    assert '<option value="school" selected>School</option>' in page
    assert '<span aria-hidden="true">0.0% → 100.0%</span>' in page  # Washington agrees now
    assert page.count("Not shown (small group)") == 2 * 6  # two schools, six measures
    assert _url("survey_results", spring) in page


def test_the_comparison_page_takes_the_same_queries_however_many_answers(
    world, client, django_assert_num_queries
):
    fall = district_survey(world, open_it=True)
    for copy in _copies(fall).values():
        _answers(copy, 2, 1)
    spring = _spring(world, fall, client)
    for copy in _copies(spring).values():
        _answers(copy, 2, 3)
    url = _url("survey_compare", spring)
    client.get(url, {"by": "school"})  # warm the session and roles
    # The earlier rounds, then each round's results as the district's results page reads
    # them (its copies, responses, people who answered and asked, its counts): the same
    # with another school and many more answers.
    with django_assert_num_queries(23):
        client.get(url, {"by": "school"})
    SchoolFactory(district=world.district, slug="washington", name="Washington")
    services.district_survey_add_schools(actor=world.district_admin, survey=spring)
    for copy in _copies(fall).values():
        _answers(copy, 30, 4)
    for copy in _copies(spring).values():
        _answers(copy, 25, 0)
    for by in ("school", ""):
        with django_assert_num_queries(23):
            assert client.get(url, {"by": by}).status_code == 200


def test_another_districts_survey_is_not_an_earlier_round(world):
    fall = district_survey(world, open_it=True)
    spring = services.survey_next_round(
        actor=world.district_admin, survey=fall, title={"en": "Spring", "es": "Primavera"}
    )
    assert rounds.earlier_rounds(spring) == [fall]
    Survey.objects.filter(pk=fall.pk).update(district=world.other_district)
    assert rounds.earlier_rounds(spring) == []
