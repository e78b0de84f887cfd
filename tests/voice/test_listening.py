"""Listening sessions: counts by group (no names), notes and quotes, themes from the school's
list, and the page of themes across sessions and idea exchanges."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from leadership import clock
from voice import services
from voice.models import ListeningSession, SurveyStatus

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
