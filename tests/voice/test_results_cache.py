"""The results page keeps its questions under the survey's results version: every write that
changes what they show is on the page at once, for whoever reads it next."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.voice.factories import YES_NO, add_question, draft_survey, open_survey
from voice import results, services, tokens
from voice.models import QuestionKind, StudentLink, Survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(world, client):
    """The principal reading results, in a district that shows groups of one (so a single
    answer's figures are on the page)."""
    world.district.small_group_threshold = 1
    world.district.save()
    client.force_login(world.principal)
    return client


def page(client, survey: Survey, **query) -> str:
    url = reverse("voice:survey_results", kwargs={"slug": survey.school.slug, "pk": survey.pk})
    response = client.get(url, query)
    assert response.status_code == 200
    return response.content.decode()


def answered(html: str, question) -> str:
    """What the page says under a question's heading: how many answered it."""
    section = re.search(rf'<h2 id="r-{question.pk}">.*?<p class="muted">([^<]*)</p>', html, re.S)
    return section.group(1) if section else ""


def test_a_signed_in_answer_and_its_change_show_at_once(world, owner):
    survey, q = open_survey(world, anonymous=False)
    assert answered(page(owner, survey), q["belong"]) == "0 answers"
    services.response_submit(
        survey=survey, user=world.staff, values={q["belong"].pk: 4}, language="en"
    )
    html = page(owner, survey)
    assert answered(html, q["belong"]) == "1 answer"
    assert "<td>100% (1)</td>" in html and answered(html, q["wish"]) == "0 answers"
    services.response_submit(
        survey=survey,
        user=world.staff,
        values={q["belong"].pk: 4, q["wish"].pk: "More planning time"},
        language="en",
    )
    html = page(owner, survey)
    assert answered(html, q["wish"]) == "1 answer" and "More planning time" in html


def test_an_anonymous_answer_and_its_change_with_the_edit_key_show_at_once(world, owner):
    survey, q = open_survey(world)
    page(owner, survey)
    _response, edit_key = services.response_submit(
        survey=survey,
        user=world.staff,
        values={q["belong"].pk: 4, q["wish"].pk: "Quiet room"},
        language="en",
    )
    assert "Quiet room" in page(owner, survey)
    services.response_submit(
        survey=survey,
        user=world.staff,
        values={q["belong"].pk: 4, q["wish"].pk: "Longer lunch"},
        language="en",
        edit_key=edit_key,
    )
    html = page(owner, survey)
    assert "Longer lunch" in html and "Quiet room" not in html


def test_an_answer_through_a_class_link_shows_at_once(world, owner):
    survey, q = open_survey(world)
    link = StudentLink.objects.create(survey=survey, label="Room 9", nonce=tokens.new_nonce())
    assert answered(page(owner, survey, by="group_label"), q["belong"]) == "0 answers"
    services.student_response_submit(link=link, values={q["belong"].pk: 0}, language="en")
    html = page(owner, survey, by="group_label")
    assert answered(html, q["belong"]) == "1 answer"
    assert 'Room 9 <span class="muted">(n=1)</span>' in html


def test_an_answer_through_the_answer_page_shows_at_once(world, owner, client):
    survey, q = open_survey(world, anonymous=False)
    page(owner, survey)
    client.force_login(world.staff)
    url = reverse("voice:survey_answer", kwargs={"slug": world.school.slug, "pk": survey.pk})
    assert client.post(url, {f"q{q['belong'].pk}": "3", "lang": "en"}).status_code in (200, 302)
    client.force_login(world.principal)
    assert answered(page(client, survey), q["belong"]) == "1 answer"


def test_questions_added_changed_moved_and_deleted_show_at_once(world, owner):
    survey = draft_survey(world)
    first = add_question(world, survey)
    assert "I belong here." in page(owner, survey)
    second = add_question(
        world,
        survey,
        QuestionKind.SINGLE,
        text={"en": "Lunch?", "es": "¿Almuerzo?"},
        options=YES_NO,
    )
    assert "2. Lunch?" in page(owner, survey)
    services.question_save(
        actor=world.principal,
        survey=survey,
        question=second,
        version=services.question_version(second),
        text={"en": "Dinner?", "es": "¿Cena?"},
    )
    assert "2. Dinner?" in page(owner, survey)
    services.question_move(actor=world.principal, question=second, up=True)
    html = page(owner, survey)
    assert "1. Dinner?" in html and "2. I belong here." in html
    services.question_delete(actor=world.principal, question=first)
    html = page(owner, survey)
    assert "I belong here." not in html and "1. Dinner?" in html


def test_opening_the_survey_offers_its_results_to_the_plan_at_once(world, owner):
    survey = draft_survey(world)
    add_question(world, survey)
    assert "Put this result into the plan" not in page(owner, survey)
    services.survey_open(actor=world.principal, survey=survey)
    services.response_submit(
        survey=survey, user=world.staff, values={survey.questions.get().pk: 1}, language="en"
    )
    assert "Put this result into the plan" in page(owner, survey)


def test_a_new_threshold_of_the_district_shows_at_once(world, owner):
    survey, q = open_survey(world)
    services.response_submit(
        survey=survey, user=world.staff, values={q["belong"].pk: 4}, language="en"
    )
    assert "<td>100% (1)</td>" in page(owner, survey)
    world.district.small_group_threshold = 2
    world.district.save()
    html = page(owner, survey)
    assert "<td>100% (1)</td>" not in html
    assert "Fewer than 2 people have answered" in html


def test_each_language_and_breakdown_is_kept_apart(world, owner):
    survey, q = open_survey(world)
    services.response_submit(
        survey=survey, user=world.staff, values={q["belong"].pk: 4}, language="en"
    )
    assert "I belong here." in page(owner, survey)
    html = page(owner, survey, lang="es")
    assert "Pertenezco aquí." in html and "I belong here." not in html
    assert "(n=1)" not in page(owner, survey)
    assert 'Staff <span class="muted">(n=1)</span>' in page(owner, survey, by="stakeholder")


def test_an_open_anonymous_surveys_questions_stay_out_of_redis_at_their_latest_version_alone(
    world, owner, django_capture_on_commit_callbacks
):
    """Between two anonymous answers the figures are kept in the web process's memory only,
    and only the latest version's: nothing in Redis to set beside the order in which it
    recorded who answered, and an answer committed drops what was kept before it."""
    from django.core.cache import cache

    from voice.results import LATEST

    survey, q = open_survey(world)
    assert survey.is_anonymous
    key = (survey.pk, survey.created_at)
    page(owner, survey)
    page(owner, survey, by="stakeholder")
    version, _at, fragments = LATEST._kept[key]
    assert version == Survey.objects.get(pk=survey.pk).results_version
    assert len(fragments) == 2  # everyone, and by stakeholder
    with django_capture_on_commit_callbacks(execute=True):
        services.response_submit(
            survey=survey, user=world.staff, values={q["belong"].pk: 4}, language="en"
        )
    assert key not in LATEST._kept  # dropped as the answer committed
    assert answered(page(owner, survey), q["belong"]) == "1 answer"
    version, _at, fragments = LATEST._kept[key]
    assert version == Survey.objects.get(pk=survey.pk).results_version
    assert len(fragments) == 1
    assert not [key for key in cache.keys("*") if key.startswith("voice:results:")]
    # Closed, its questions go to Redis as any other survey's, and the process keeps none.
    with django_capture_on_commit_callbacks(execute=True):
        services.survey_close(actor=world.principal, survey=survey)
    assert key not in LATEST._kept
    assert answered(page(owner, survey), q["belong"]) == "1 answer"
    assert [key for key in cache.keys("*") if key.startswith("voice:results:")]
    assert key not in LATEST._kept


def test_the_latest_fragments_keep_one_version_a_survey_briefly_and_are_bounded():
    from sys import getsizeof

    from leadership.latest import LatestFragments

    kept = LatestFragments(scopes=2, max_bytes=4 * getsizeof("x" * 99) + 8)
    kept.put((1, "a"), 3, ("en",), "three")
    kept.put((1, "a"), 3, ("es",), "tres")
    assert kept.get((1, "a"), 3, ("en",)) == "three" and kept.get((1, "a"), 3, ("es",)) == "tres"
    assert kept.get((1, "a"), 7, ("en",)) is None  # a view of another version drops them all
    assert kept._kept == {} and kept._bytes == 0
    kept.put((1, "a"), 3, ("en",), "three")
    kept.put((1, "a"), 2, ("en",), "two")  # another version: the one drawn last is kept
    assert kept.get((1, "a"), 2, ("en",)) == "two" and len(kept._kept[(1, "a")][2]) == 1
    kept.forget(1)
    assert kept._kept == {} and kept._bytes == 0
    kept.put((1, "a"), 4, ("es",), "four")
    kept.put((2, "b"), 1, ("en",), "b" * 90)
    kept.put((3, "c"), 1, ("en",), "c" * 90)  # a third survey: the least recently read goes
    assert kept.get((1, "a"), 4, ("es",)) is None
    assert kept.get((2, "b"), 1, ("en",)) == "b" * 90
    kept.put((3, "c"), 1, ("es",), "c" * 99)
    kept.put((2, "b"), 1, ("es",), "b" * 99)
    kept.put((2, "b"), 1, ("vi",), "b" * 99)  # over the bytes: the oldest survey goes
    assert kept.get((3, "c"), 1, ("en",)) is None
    assert kept._bytes == getsizeof("b" * 90) + 2 * getsizeof("b" * 99)
    kept.put((4, "d"), 1, ("en",), "d" * 200)  # over a quarter of the whole: never kept
    assert kept.get((4, "d"), 1, ("en",)) is None
    brief = LatestFragments(seconds=0)
    brief.put((5, "e"), 1, ("en",), "five")
    assert brief.get((5, "e"), 1, ("en",)) is None and brief._kept == {}  # past its time


def asked(html: str) -> int:
    """How many people the page says the survey asks."""
    return int(re.search(r"of (\d+) people asked", html)[1])


def test_the_people_asked_follow_every_write_of_who_is_asked_at_once(
    world, owner, django_capture_on_commit_callbacks
):
    """The count of people asked is kept under the school's version: an invitation taken up
    and a family's grades given and taken away each show on the next view, and two audiences
    are counted apart (tests/leadership/test_versions.py holds every other writer of who is
    asked to moving the version)."""
    from django.core.cache import cache

    from leadership import services as leadership_services
    from leadership import versions
    from leadership.models import Membership, Role

    versions.track([world.school.pk])  # a versioned school, as every one is once on a dashboard
    survey, _q = open_survey(world)
    before = asked(page(owner, survey))
    assert [key for key in cache.keys("*") if key.startswith("voice:asked:")]  # kept
    assert asked(page(owner, survey)) == before
    invitation = leadership_services.invitation_create(
        actor=world.principal, email="new.teacher@example.org", role=Role.STAFF, school=world.school
    )
    with django_capture_on_commit_callbacks(execute=True):
        leadership_services.invitation_accept(invitation=invitation, full_name="New Teacher")
    assert asked(page(owner, survey)) == before + 1
    # Another audience at the same school and version: counted on its own.
    graded, _q = open_survey(world, family_grades=["03"])
    with_grades = asked(page(owner, graded))
    assert with_grades < before + 1
    family = Membership.objects.get(user=world.family, school=world.school, role=Role.FAMILY)
    with django_capture_on_commit_callbacks(execute=True):
        leadership_services.family_grades_set(
            actor=world.principal, membership=family, grades=["03"]
        )
    assert asked(page(owner, graded)) == with_grades + 1
    assert asked(page(owner, survey)) == before + 1  # every family was asked already
    with django_capture_on_commit_callbacks(execute=True):
        leadership_services.family_grades_set(actor=world.principal, membership=family, grades=[])
    assert asked(page(owner, graded)) == with_grades


def test_the_kept_page_content_follows_what_it_is_drawn_from(
    world, owner, monkeypatch, django_capture_on_commit_callbacks
):
    """The page's content block is kept in the process (voice.results.CONTENT) under
    every value it shows: a new title, another language or breakdown, and a new answer each
    give the content the template draws now (the suite compares every results page with its
    template: PAGE_CHECK)."""
    from voice import views

    drawn = []
    draw = views.render_to_string
    monkeypatch.setattr(
        views, "render_to_string", lambda name, *a, **k: drawn.append(name) or draw(name, *a, **k)
    )
    survey, q = open_survey(world, anonymous=False)
    page(owner, survey)
    page(owner, survey)
    assert drawn.count("voice/results.html#content") == 1  # kept, not drawn again
    Survey.objects.filter(pk=survey.pk).update(title={"en": "Belonging <in> spring"})
    html = page(owner, survey)
    assert "<h1>Results: Belonging &lt;in&gt; spring</h1>" in html
    assert "<title>Results · Belonging &lt;in&gt; spring · Accord</title>" in html
    world.principal.preferred_language = "es"
    world.principal.save(update_fields=["preferred_language"])
    assert '<html lang="es">' in page(owner, survey)
    assert 'value="grade" selected' in page(owner, survey, by="grade")
    assert any(scope[0] == survey.pk for scope in results.CONTENT._kept)
    with django_capture_on_commit_callbacks(execute=True):
        services.response_submit(
            survey=survey, user=world.staff, values={q["belong"].pk: 4}, language="en"
        )
    # The answer's commit drops what this process kept of the survey.
    assert not any(scope[0] == survey.pk for scope in results.CONTENT._kept)
    assert answered(page(owner, survey), q["belong"]) == "1 respuesta"
