"""Rounds of a survey: the next round is a copy that remembers its origin, and the two
rounds' results are compared question by question, each round's small groups suppressed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.voice.factories import YES_NO, add_question, draft_survey
from voice import rounds, services, tokens
from voice.models import QuestionKind, StudentLink, Survey

pytestmark = pytest.mark.django_db


def _fall(world):
    survey = draft_survey(world, staff_audience="roles", staff_roles=["teacher_leader"])
    survey.owners.add(world.teacher_leader)
    section = services.section_add(
        actor=world.principal, survey=survey, title={"en": "Climate", "es": "Clima"}
    )
    q = {"belong": add_question(world, survey, section=section, required=True)}
    q["teach"] = add_question(
        world,
        survey,
        QuestionKind.SINGLE,
        text={"en": "Do you teach reading?", "es": "¿Enseña lectura?"},
        options=YES_NO,
    )
    q["grades"] = add_question(
        world,
        survey,
        QuestionKind.MULTIPLE,
        text={"en": "Which grades?", "es": "¿Qué grados?"},
        options=[{"en": "K-2", "es": "K-2"}, {"en": "3-5", "es": "3-5"}],
        show_if=q["teach"],
        show_if_option=0,
    )
    q["hours"] = add_question(
        world, survey, QuestionKind.NUMBER, text={"en": "Hours of PD?", "es": "¿Horas de FP?"}
    )
    q["wish"] = add_question(
        world, survey, QuestionKind.LONG_TEXT, text={"en": "What would help?", "es": "¿Qué?"}
    )
    services.survey_open(actor=world.principal, survey=survey)
    survey.refresh_from_db()
    return survey, q


def _next(world, survey):
    return services.survey_next_round(
        actor=world.principal, survey=survey, title={"en": "Spring voice", "es": "Primavera"}
    )


def test_the_next_round_copies_questions_sections_audience_and_owners(world):
    fall, q = _fall(world)
    spring = _next(world, fall)
    assert spring.is_draft and spring.copied_from == fall
    assert spring.title == {"en": "Spring voice", "es": "Primavera"}
    assert (spring.staff_audience, spring.staff_roles, spring.families, spring.students) == (
        "roles",
        ["teacher_leader"],
        True,
        True,
    )
    assert set(spring.owners.all()) == {world.teacher_leader}
    [section] = spring.sections.all()
    assert section.title["en"] == "Climate"
    copies = {c.copied_from_id: c for c in spring.questions.all()}
    assert set(copies) == {question.pk for question in q.values()}
    belong, teach, grades = copies[q["belong"].pk], copies[q["teach"].pk], copies[q["grades"].pk]
    assert belong.section == section and belong.required
    # "Show only if" points at the copy in the new round, not at the fall question.
    assert grades.show_if == teach and grades.show_if_option == 0
    assert teach.options == YES_NO
    # It opens like any survey.
    services.survey_open(actor=world.principal, survey=spring)


def test_a_draft_has_no_next_round(world):
    with pytest.raises(ValidationError) as error:
        _next(world, draft_survey(world))
    assert services.NEXT_ROUND_OF_DRAFT in error.value.messages


def test_the_next_round_page_makes_a_draft_with_the_title_given(world, client):
    fall, _q = _fall(world)
    client.force_login(world.principal)
    url = reverse("voice:survey_next_round", kwargs={"slug": world.school.slug, "pk": fall.pk})
    page = client.get(url).content.decode()
    assert 'value="Staff voice (round 2)"' in page
    response = client.post(url, {"title_en": "Spring", "title_es": "Primavera"})
    spring = Survey.objects.get(copied_from=fall)
    assert response.url == spring.get_absolute_url()
    assert spring.title["en"] == "Spring"


def test_an_owner_the_principal_named_runs_a_round_but_does_not_start_the_next(world, client):
    """Starting a round makes a new survey: it takes what making a survey takes."""
    fall, _q = _fall(world)
    client.force_login(world.teacher_leader)  # an owner of the fall round
    url = reverse("voice:survey_next_round", kwargs={"slug": world.school.slug, "pk": fall.pk})
    assert client.get(url).status_code == 403
    assert client.post(url, {"title_en": "Spring", "title_es": "Primavera"}).status_code == 403
    assert not Survey.objects.filter(copied_from=fall).exists()
    detail = client.get(fall.get_absolute_url()).content.decode()
    assert "Start the next round" not in detail and url not in detail
    client.force_login(world.principal)
    assert url in client.get(fall.get_absolute_url()).content.decode()


def _answer(survey, label, n, values):
    link = StudentLink.objects.create(survey=survey, label=label, nonce=tokens.new_nonce())
    for _ in range(n):
        services.student_response_submit(link=link, values=values, language="en")


def _two_rounds(world):
    """Fall: Grade 3 (10) strongly agree, Grade 4 (10) half agree and half disagree, Grade 5
    (12) strongly disagree. Spring: Grade 3 (10) agree, Grade 4 (12) 9 strongly agree and 3
    disagree, Grade 5 only 2, so Grade 5 is suppressed in spring and Grade 3 with it."""
    fall, q = _fall(world)
    _answer(fall, "Grade 3", 10, {q["belong"].pk: 4, q["hours"].pk: 4})
    _answer(fall, "Grade 4", 5, {q["belong"].pk: 3})
    _answer(fall, "Grade 4", 5, {q["belong"].pk: 1})
    _answer(fall, "Grade 5", 12, {q["belong"].pk: 0})
    services.survey_close(actor=world.principal, survey=fall)
    spring = _next(world, fall)
    s = {c.copied_from_id: c for c in spring.questions.all()}
    services.question_delete(actor=world.principal, question=s[q["teach"].pk])
    added = add_question(
        world, spring, QuestionKind.AGREEMENT, text={"en": "I feel safe.", "es": "Seguro."}
    )
    services.survey_open(actor=world.principal, survey=spring)
    belong, hours = s[q["belong"].pk].pk, s[q["hours"].pk].pk
    _answer(spring, "Grade 3", 10, {belong: 3, hours: 6})
    _answer(spring, "Grade 4", 9, {belong: 4})
    _answer(spring, "Grade 4", 3, {belong: 1})
    _answer(spring, "Grade 5", 2, {belong: 4, added.pk: 4})
    return fall, spring


def test_the_comparison_matches_questions_and_suppresses_a_group_small_in_one_round(world):
    fall, spring = _two_rounds(world)
    found = rounds.compare_rounds(
        earlier=fall, later=spring, language="en", dimension="group_label"
    )
    assert (found.responses_before, found.responses_after) == (32, 24)
    assert found.added == ["I feel safe."]
    assert found.removed == ["Do you teach reading?"]
    assert found.not_compared == ["What would help?"]
    belong, grades, hours = found.questions
    assert belong.label == "I belong here." and (belong.n_before, belong.n_after) == (32, 24)
    agree = belong.measures[0]
    assert (agree.before, agree.after, agree.delta) == (
        rounds.Decimal("46.9"),
        rounds.Decimal("87.5"),
        rounds.Decimal("40.6"),
    )
    strongly_disagree = belong.measures[1]
    assert (strongly_disagree.before, strongly_disagree.after) == (
        rounds.Decimal("37.5"),
        rounds.Decimal("0.0"),
    )
    by_group = {g.label: g for g in belong.groups}
    assert by_group["Grade 3"].cells is None  # the complement of Grade 5 in spring
    assert by_group["Grade 5"].cells is None  # 2 answers in spring
    grade4 = by_group["Grade 4"]
    assert (grade4.n_before, grade4.n_after) == (10, 12)
    assert (grade4.cells[0].before, grade4.cells[0].after, grade4.cells[0].delta) == (
        rounds.Decimal("50.0"),
        rounds.Decimal("75.0"),
        rounds.Decimal("25.0"),
    )
    assert grades.n_before == 0 and grades.measures[0].delta is None
    assert [(m.before, m.after, m.delta) for m in hours.measures] == [
        (rounds.Decimal("4.0"), rounds.Decimal("6.0"), rounds.Decimal("2.0"))
    ]
    assert (hours.n_before, hours.n_after) == (10, 10)


def test_the_comparison_page_shows_both_rounds_and_the_change(world, client):
    _fall_round, spring = _two_rounds(world)
    client.force_login(world.principal)
    results_url = reverse(
        "voice:survey_results", kwargs={"slug": world.school.slug, "pk": spring.pk}
    )
    assert "Compare with Staff voice" in client.get(results_url).content.decode()
    url = reverse("voice:survey_compare", kwargs={"slug": world.school.slug, "pk": spring.pk})
    page = client.get(url, {"by": "group_label"}).content.decode()
    assert "<svg" in page and "<table>" in page and "style=" not in page.split("<main")[-1]
    assert "<td>46.9%</td>" in page and "<td>87.5%</td>" in page and "+40.6" in page
    # The arrow is for the eye; a screen reader hears the change said in words.
    assert '<span aria-hidden="true">50.0% → 75.0%</span>' in page
    assert '<span class="visually-hidden">changed from 50.0% to 75.0%</span> (+25.0' in page
    assert "32 responses in Staff voice" in page.replace('<span class="stat">32</span> ', "32 ")
    assert 'class="table-scroll" tabindex="0" role="region" aria-labelledby="c-1-all"' in page
    assert 'aria-labelledby="c-1-groups"' in page and '<caption id="c-1-groups">' in page
    # Grade 3 and Grade 5: every measure of the agreement question, not a difference.
    assert page.count("Not shown (small group)") == 2 * 6
    assert "Added in this round" in page and "I feel safe." in page
    assert "Removed since the earlier round" in page and "Do you teach reading?" in page
    assert "What would help?" in page


def test_the_comparison_page_takes_the_same_queries_however_many_answers(
    world, client, django_assert_num_queries
):
    fall, q = _fall(world)
    _answer(fall, "Grade 3", 2, {q["belong"].pk: 4})
    spring = _next(world, fall)  # an open survey has a next round too
    services.survey_open(actor=world.principal, survey=spring)
    belong = spring.questions.get(copied_from=q["belong"]).pk
    _answer(spring, "Grade 3", 2, {belong: 4})
    client.force_login(world.principal)
    url = reverse("voice:survey_compare", kwargs={"slug": world.school.slug, "pk": spring.pk})
    client.get(url, {"by": "group_label"})  # warm the session and roles
    # The earlier rounds: the school's chain, then the rounds found (the same with more);
    # only the kinds of question the rounds have are counted; each round's responses, who
    # answered and its school's version in one query (voice.results.response_rate).
    with django_assert_num_queries(20):
        client.get(url, {"by": "group_label"})
    _answer(fall, "Grade 4", 25, {q["belong"].pk: 1, q["teach"].pk: 0})
    _answer(spring, "Grade 5", 25, {belong: 2})
    with django_assert_num_queries(20):
        client.get(url, {"by": "group_label"})


def test_another_schools_survey_is_not_an_earlier_round(world):
    fall, _q = _fall(world)
    spring = _next(world, fall)
    Survey.objects.filter(pk=fall.pk).update(school=world.other_school)
    assert rounds.earlier_rounds(spring) == []


def _open_next(world, survey, title="Spring voice"):
    later = services.survey_next_round(
        actor=world.principal, survey=survey, title={"en": title, "es": title}
    )
    services.survey_open(actor=world.principal, survey=later)
    later.refresh_from_db()
    return later


def test_an_earlier_round_is_compared_only_by_those_who_may_read_its_results(world, client):
    fall, _q = _fall(world)  # the teacher leader owns fall, then spring and summer (copied)
    spring = _open_next(world, fall)
    fall.owners.remove(world.teacher_leader)
    slug = world.school.slug
    client.force_login(world.teacher_leader)

    def results(survey):
        return reverse("voice:survey_results", kwargs={"slug": slug, "pk": survey.pk})

    def compare(survey):
        return reverse("voice:survey_compare", kwargs={"slug": slug, "pk": survey.pk})

    assert client.get(results(fall)).status_code == 403
    assert client.get(compare(spring)).status_code == 404
    assert compare(spring) not in client.get(results(spring)).content.decode()

    # With a third round the menu holds only the round they may read, whatever is asked for.
    summer = _open_next(world, spring, title="Summer voice")
    page = client.get(compare(summer), {"with": fall.pk}).content.decode()
    assert "Summer voice compared with Spring voice" in page
    assert "Staff voice" not in page and f'value="{fall.pk}"' not in page
    assert "Compare with Spring voice" in client.get(results(summer)).content.decode()
    # The principal reads every round.
    client.force_login(world.principal)
    page = client.get(compare(summer), {"with": fall.pk}).content.decode()
    assert "Summer voice compared with Staff voice" in page and f'value="{spring.pk}"' in page


def test_a_reordered_or_reworded_question_is_listed_as_changed_not_compared(world):
    fall, q = _fall(world)
    services.survey_close(actor=world.principal, survey=fall)
    spring = _next(world, fall)
    s = {c.copied_from_id: c for c in spring.questions.all()}
    # The same number of options, in the other order: position by position they would pair
    # "Yes" in fall with "No" in spring.
    services.question_save(
        actor=world.principal,
        survey=spring,
        question=s[q["teach"].pk],
        version=services.question_version(s[q["teach"].pk]),
        options=list(reversed(YES_NO)),
    )
    services.question_save(
        actor=world.principal,
        survey=spring,
        question=s[q["belong"].pk],
        version=services.question_version(s[q["belong"].pk]),
        text={"en": "I belong in my class.", "es": "Pertenezco a mi clase."},
    )
    # Only the Spanish of an option changed: not the same question either.
    grades = s[q["grades"].pk]
    services.question_save(
        actor=world.principal,
        survey=spring,
        question=grades,
        version=services.question_version(grades),
        options=[{"en": "K-2", "es": "K a 2"}, {"en": "3-5", "es": "3-5"}],
    )
    services.survey_open(actor=world.principal, survey=spring)
    found = rounds.compare_rounds(earlier=fall, later=spring, language="en", dimension=None)
    assert found.changed == ["I belong in my class.", "Do you teach reading?", "Which grades?"]
    assert [c.label for c in found.questions] == ["Hours of PD?"]


def test_a_language_added_between_the_rounds_keeps_the_questions_compared(world):
    """A school that takes on Vietnamese between fall and spring writes every question in it
    too: what was asked did not change, and the figures are still compared."""
    fall, q = _fall(world)
    services.survey_close(actor=world.principal, survey=fall)
    world.school.languages = [*world.school.languages, "vi"]
    world.school.save(update_fields=["languages"])
    spring = _next(world, fall)
    teach = {c.copied_from_id: c for c in spring.questions.all()}[q["teach"].pk]
    services.question_save(
        actor=world.principal,
        survey=spring,
        question=teach,
        version=services.question_version(teach),
        text={**teach.text, "vi": "Thầy cô có dạy đọc không?"},
        options=[{**option, "vi": f"vi {n}"} for n, option in enumerate(teach.options)],
    )
    teach.refresh_from_db()
    assert teach.text["vi"]
    found = rounds.compare_rounds(earlier=fall, later=spring, language="en", dimension=None)
    assert "Do you teach reading?" in [c.label for c in found.questions]
    assert "Do you teach reading?" not in found.changed


def test_a_group_in_one_round_only_says_it_had_no_answers_there(world, client):
    fall, q = _fall(world)
    _answer(fall, "Grade 3", 10, {q["belong"].pk: 4})
    _answer(fall, "Grade 4", 10, {q["belong"].pk: 4})
    services.survey_close(actor=world.principal, survey=fall)
    spring = _open_next(world, fall)
    belong = spring.questions.get(copied_from=q["belong"]).pk
    _answer(spring, "Grade 4", 10, {belong: 1})
    _answer(spring, "Grade 5", 10, {belong: 1})
    found = rounds.compare_rounds(
        earlier=fall, later=spring, language="en", dimension="group_label"
    )
    by_group = {g.label: g for g in found.questions[0].groups}
    assert (by_group["Grade 3"].cells, by_group["Grade 3"].reason) == (None, rounds.MISSING_AFTER)
    assert (by_group["Grade 5"].cells, by_group["Grade 5"].reason) == (None, rounds.MISSING_BEFORE)
    assert by_group["Grade 4"].cells and by_group["Grade 4"].reason == ""
    client.force_login(world.principal)
    url = reverse("voice:survey_compare", kwargs={"slug": world.school.slug, "pk": spring.pk})
    page = client.get(url, {"by": "group_label"}).content.decode()
    assert page.count("No answers in this round") == 6  # Grade 3, each measure
    assert page.count("No answers in the earlier round") == 6  # Grade 5
    assert "Not shown (small group)" not in page


def test_the_comparison_page_reads_the_same_however_many_earlier_rounds(
    world, client, django_assert_num_queries
):
    fall, _q = _fall(world)
    chain = [fall]
    for number in range(2, 6):
        chain.append(_open_next(world, chain[-1], title=f"Round {number}"))
    # An owner the principal named: their rounds are read with their owners.
    client.force_login(world.teacher_leader)

    def compare(survey):
        return reverse("voice:survey_compare", kwargs={"slug": world.school.slug, "pk": survey.pk})

    client.get(compare(chain[1]))  # warm the session and roles
    with django_assert_num_queries(22):
        client.get(compare(chain[1]))  # one earlier round
    with django_assert_num_queries(22):
        page = client.get(compare(chain[4])).content.decode()  # four
    for earlier in chain[:4]:
        assert f'<option value="{earlier.pk}"' in page


def test_one_response_is_said_in_the_singular(world, client):
    fall, q = _fall(world)
    _answer(fall, "Grade 3", 1, {q["belong"].pk: 4})
    spring = _open_next(world, fall)
    client.force_login(world.principal)
    url = reverse("voice:survey_compare", kwargs={"slug": world.school.slug, "pk": spring.pk})
    page = client.get(url).content.decode()
    assert '<span class="stat">1</span> response in Staff voice' in page
    assert '<span class="stat">0</span> responses in Spring voice' in page
    assert "(1 answer)" in page and "(0 answers)" in page and "(n=" not in page
