"""Listening sessions: counts by group (no names), notes and quotes, themes from the school's
list, and the page of themes across sessions, surveys and idea exchanges."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from leadership import clock
from tests.voice.factories import draft_survey, open_survey
from voice import services
from voice.models import ListeningSession, Survey, SurveyStatus

pytestmark = pytest.mark.django_db


def _url(world, name, **kw):
    return reverse(f"voice:{name}", kwargs={"slug": world.school.slug, **kw})


def test_a_teacher_records_a_focus_group_with_themes(world, client):
    theme = services.listening_theme_add(
        actor=world.principal, school=world.school, name="Belonging"
    )
    client.force_login(world.staff)
    today = clock.today_in(world.school)
    response = client.post(
        _url(world, "session_create"),
        {
            "kind": "focus_group",
            "held_on": today.isoformat(),
            "title": "Grade 5 focus group",
            "protocol": "When do you feel you belong?",
            "students_heard": "8",
            "families_heard": "0",
            "staff_heard": "0",
            "community_heard": "0",
            "notes": "Lunch is hard.",
            "quotes": "Nobody sits with me at lunch.\nMy teacher knows my name.",
            "themes": [theme.pk],
        },
    )
    session = ListeningSession.objects.get()
    assert response.status_code == 302 and response.url == session.get_absolute_url()
    page = client.get(session.get_absolute_url()).content.decode()
    assert "Nobody sits with me at lunch." in page and "Belonging" in page


def test_a_session_with_nobody_heard_or_in_the_future_is_refused(world, client):
    client.force_login(world.staff)
    data = {
        "kind": "design_lab",
        "held_on": (clock.today_in(world.school) + timedelta(days=2)).isoformat(),
        "title": "Lab",
        "students_heard": "0",
        "families_heard": "0",
        "staff_heard": "0",
        "community_heard": "0",
    }
    response = client.post(_url(world, "session_create"), data)
    assert "Say how many people were heard, by group." in response.content.decode()
    data["staff_heard"] = "3"
    response = client.post(_url(world, "session_create"), data)
    assert "A listening session is recorded after it is held." in response.content.decode()
    assert not ListeningSession.objects.exists()


def test_themes_across_sessions_and_idea_exchanges_with_counts(world, client):
    belonging = services.listening_theme_add(
        actor=world.principal, school=world.school, name="Belonging"
    )
    services.listening_theme_add(actor=world.principal, school=world.school, name="Homework")
    for title in ("Interview A", "Interview B"):
        services.session_record(
            actor=world.staff,
            school=world.school,
            themes=[belonging],
            kind="empathy_interview",
            held_on=clock.today_in(world.school),
            title=title,
            families_heard=1,
        )
    exchange = services.exchange_create(
        actor=world.principal,
        school=world.school,
        question={"en": "One?", "es": "¿Una?"},
        staff=True,
        families=False,
    )
    exchange = services.exchange_set_status(
        actor=world.principal, exchange=exchange, status=SurveyStatus.OPEN
    )
    theme = services.theme_add(actor=world.principal, exchange=exchange, name="belonging")
    for text in ("Clubs", "Buddies", "Lunch tables"):
        idea = services.idea_add(user=world.staff, exchange=exchange, text=text)
        services.idea_set_theme(actor=world.principal, idea=idea, theme=theme)
    client.force_login(world.principal)
    page = client.get(_url(world, "listening")).content.decode()
    assert "Interview A" in page and "Idea exchange “One?”: 3 ideas" in page
    rows = page.split('id="themes"')[1]
    assert rows.index("Belonging") < rows.index("Homework")  # 5 times heard, then 0


def test_a_duplicate_theme_is_refused(world):
    services.listening_theme_add(actor=world.principal, school=world.school, name="Belonging")
    with pytest.raises(Exception) as error:
        services.listening_theme_add(actor=world.staff, school=world.school, name="belonging")
    assert "The school already has this theme." in str(error.value)


def _themes_row(page: str, name: str) -> str:
    """The themes table's row of a theme, from its name to the end of the row."""
    table = page.split('id="themes"')[1]
    return table.split(f'<th scope="row">{name}')[1].split("</tr>")[0]


def test_surveys_count_on_the_themes_page_with_a_link_for_those_who_may_open_them(world, client):
    """A survey's owner tags it with themes of the school's list; the themes page counts each
    source kind (sessions, surveys, ideas) and links each source its reader may open. An
    idea-exchange theme counts whatever its case and spacing."""
    belonging = services.listening_theme_add(
        actor=world.principal, school=world.school, name="Belonging"
    )
    homework = services.listening_theme_add(
        actor=world.principal, school=world.school, name="Homework"
    )
    services.session_record(
        actor=world.staff,
        school=world.school,
        themes=[belonging],
        kind="focus_group",
        held_on=clock.today_in(world.school),
        title="Grade 5 focus group",
        students_heard=6,
    )
    survey, _q = open_survey(world)
    client.force_login(world.principal)
    tag_url = _url(world, "survey_themes", pk=survey.pk)
    assert tag_url in client.get(_url(world, "survey_results", pk=survey.pk)).content.decode()
    response = client.post(tag_url, {"themes": [belonging.pk, homework.pk]})
    assert response.status_code == 302
    assert set(Survey.objects.get(pk=survey.pk).themes.all()) == {belonging, homework}
    exchange = services.exchange_create(
        actor=world.principal,
        school=world.school,
        question={"en": "One?", "es": "¿Una?"},
        staff=True,
        families=False,
    )
    exchange = services.exchange_set_status(
        actor=world.principal, exchange=exchange, status=SurveyStatus.OPEN
    )
    theme = services.theme_add(actor=world.principal, exchange=exchange, name=" belonging  ")
    for text in ("Clubs", "Buddies"):
        idea = services.idea_add(user=world.staff, exchange=exchange, text=text)
        services.idea_set_theme(actor=world.principal, idea=idea, theme=theme)

    results_url = _url(world, "survey_results", pk=survey.pk)
    page = client.get(_url(world, "listening")).content.decode()
    assert "Themes across sessions, surveys and idea exchanges" in page
    row = _themes_row(page, "Belonging")
    assert "<td>1</td><td>1</td><td>2</td>" in row  # sessions, surveys, ideas
    assert f'<a href="{results_url}">Survey “Staff voice”</a>' in row
    assert f'<a href="{exchange.get_absolute_url()}#themes">' in row
    assert "<td>0</td><td>1</td><td>0</td>" in _themes_row(page, "Homework")

    # A teacher sees where each theme came from, but no link to results they may not read.
    client.force_login(world.teacher_leader)
    page = client.get(_url(world, "listening")).content.decode()
    row = _themes_row(page, "Belonging")
    assert "Survey “Staff voice”" in row and results_url not in row
    assert exchange.get_absolute_url() not in row
    assert "Grade 5 focus group" in row


def test_a_draft_cannot_be_tagged_and_another_schools_theme_is_left_out(world):
    theme = services.listening_theme_add(
        actor=world.principal, school=world.school, name="Belonging"
    )
    elsewhere = services.listening_theme_add(
        actor=world.other_school_principal, school=world.other_school, name="Belonging"
    )
    with pytest.raises(ValidationError) as error:
        services.survey_themes_set(
            actor=world.principal, survey=draft_survey(world), themes=[theme]
        )
    assert error.value.messages == ["A draft has no results yet to find themes in."]
    survey, _q = open_survey(world)
    services.survey_themes_set(actor=world.principal, survey=survey, themes=[theme, elsewhere])
    assert list(survey.themes.all()) == [theme]


def test_the_themes_page_asks_a_fixed_number_of_queries(world, client, django_assert_num_queries):
    """Three tagged surveys, two sessions and two exchange themes: one query per kind of
    source, not one per source (a per-survey owner check would add three)."""
    theme = services.listening_theme_add(
        actor=world.principal, school=world.school, name="Belonging"
    )
    for title in ("A", "B"):
        services.session_record(
            actor=world.staff,
            school=world.school,
            themes=[theme],
            kind="focus_group",
            held_on=clock.today_in(world.school),
            title=title,
            staff_heard=2,
        )
    for _n in range(3):
        survey, _q = open_survey(world)
        survey.owners.add(world.teacher_leader)
        services.survey_themes_set(actor=world.principal, survey=survey, themes=[theme])
    for question in ("One?", "Two?"):
        exchange = services.exchange_create(
            actor=world.principal,
            school=world.school,
            question={"en": question, "es": question},
            staff=True,
            families=False,
        )
        services.theme_add(actor=world.principal, exchange=exchange, name="belonging")
    client.force_login(world.teacher_leader)
    with django_assert_num_queries(13):
        page = client.get(_url(world, "listening")).content.decode()
    assert page.count("Survey “Staff voice”") == 3
