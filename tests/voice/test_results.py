"""Results: counts from the database in a fixed number of queries, small groups suppressed
together with the group that would reveal them, free text only to owners."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from tests.leadership.factories import person
from tests.voice.factories import open_survey
from voice import results, services, tokens
from voice.models import StudentLink

pytestmark = pytest.mark.django_db


def test_suppression_hides_small_groups_and_their_complement():
    assert results.suppressed_groups({"a": 12, "b": 3, "c": 20}, 10) == {"b", "a"}
    # Two small groups whose sum (7) is under the threshold: the overall minus "a" would
    # give them together, so "a" is hidden too.
    assert results.suppressed_groups({"a": 12, "b": 3, "c": 4}, 10) == {"a", "b", "c"}
    assert results.suppressed_groups({"a": 50, "b": 40, "c": 1, "d": 1}, 10) == {"b", "c", "d"}
    # Two small groups that are at the threshold together: shown groups are left alone.
    assert results.suppressed_groups({"a": 12, "b": 6, "c": 5}, 10) == {"b", "c"}
    assert results.suppressed_groups({"a": 12, "c": 20}, 10) == set()


def _students(survey, q, label, n, option):
    link = StudentLink.objects.create(survey=survey, label=label, nonce=tokens.new_nonce())
    for _ in range(n):
        services.student_response_submit(link=link, values={q["belong"].pk: option}, language="en")


def test_results_by_class_suppress_a_small_class_and_its_complement(world, client):
    survey, q = open_survey(world)
    _students(survey, q, "Grade 3", 12, 4)
    _students(survey, q, "Grade 4", 15, 3)
    _students(survey, q, "Grade 5", 2, 0)
    client.force_login(world.principal)
    url = reverse("voice:survey_results", kwargs={"slug": world.school.slug, "pk": survey.pk})
    page = client.get(url, {"by": "group_label"}).content.decode()
    assert page.count("Not shown (small group)") == 5 * 2  # Grade 5 and Grade 3, each option
    assert 'Grade 4 <span class="muted">(n=15)</span>' in page
    assert "<svg" in page and "<table>" in page


@pytest.mark.parametrize("anonymous", [False, True])
def test_the_results_page_takes_the_same_queries_however_many_answers(
    world, client, django_assert_num_queries, anonymous
):
    survey, q = open_survey(world, is_anonymous=anonymous)
    client.force_login(world.principal)
    url = reverse("voice:survey_results", kwargs={"slug": world.school.slug, "pk": survey.pk})
    _students(survey, q, "Grade 3", 2, 4)
    client.get(url)  # warm the session and roles
    # 11: the owner's school is the one the page already holds, and a survey without a
    # ranking question sends no ranking query; the responses, who answered and the school's
    # version are one query, the people asked kept under that version
    # (voice.results.people_asked; this school has none, so they are counted).
    with django_assert_num_queries(11) as first:
        client.get(url, {"by": "stakeholder"})
    # 5 once its questions are kept for this results version: the session with the person,
    # the school, the survey, and the response rate (responses, who answered and the school's
    # version in one query, then the people asked), read anew each time (people asked and
    # pending participations move without the survey).
    # An open anonymous survey's questions are kept in the process's memory, at the latest
    # version only, rather than in Redis (voice.results.LatestFragments).
    kept = 5
    with django_assert_num_queries(kept):
        client.get(url, {"by": "stakeholder"})
    _students(survey, q, "Grade 4", 30, 1)
    for i in range(5):
        staff = person("staff", school=world.school, email=f"s{i}@example.org")
        services.response_submit(
            survey=survey,
            user=staff,
            values={q["belong"].pk: 2, q["wish"].pk: f"idea {i}", q["hours"].pk: i},
            language="en",
        )
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url, {"by": "stakeholder"})
    with django_assert_num_queries(kept):
        client.get(url, {"by": "stakeholder"})
    if anonymous:
        services.survey_close(actor=world.principal, survey=survey)
        client.get(url, {"by": "stakeholder"})
        with django_assert_num_queries(kept):
            client.get(url, {"by": "stakeholder"})


def test_free_text_is_shown_to_owners_only_and_never_by_group(world, client):
    survey, q = open_survey(world)
    services.response_submit(
        survey=survey,
        user=world.staff,
        values={q["belong"].pk: 2, q["wish"].pk: "=HYPERLINK(1)"},
        language="en",
    )
    url = reverse("voice:survey_results", kwargs={"slug": world.school.slug, "pk": survey.pk})
    client.force_login(world.staff)
    assert client.get(url).status_code == 403
    client.force_login(world.principal)
    assert "=HYPERLINK(1)" in client.get(url, {"by": "role"}).content.decode()
    found = results.survey_results(survey=survey, language="en", dimension="role", with_texts=True)
    wish = next(r for r in found.questions if r.question.pk == q["wish"].pk)
    assert wish.groups == []
    csv_url = reverse(
        "voice:survey_results_csv", kwargs={"slug": world.school.slug, "pk": survey.pk}
    )
    rows = list(csv.reader(io.StringIO(client.get(csv_url).content.decode())))
    assert ["What would help?", "'=HYPERLINK(1)", "", "", ""] in rows


def test_response_rate_counts_people_asked_and_answered(world):
    survey, q = open_survey(world)
    services.response_submit(
        survey=survey, user=world.staff, values={q["belong"].pk: 2}, language="en"
    )
    found = results.survey_results(survey=survey, language="en", dimension=None, with_texts=False)
    # principal, teacher leader, staff and the family are asked.
    assert (found.responses, found.invited, found.participated, found.rate) == (1, 4, 1, 25)
