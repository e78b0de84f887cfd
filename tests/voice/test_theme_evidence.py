"""Themes into the plan: a theme of the school's list (heard in listening sessions and idea
exchanges) or an idea exchange's theme becomes a goal's evidence, with its counts, and the plan
page says where it came from."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from leadership import clock
from tests.leadership.factories import person
from tests.teams.factories import current_year
from tests.voice.factories import open_survey
from tests.workplans.factories import GoalFactory, WorkPlanFactory
from voice import services
from voice.models import PlanEvidence, SurveyStatus
from workplans.models import WorkPlan

pytestmark = pytest.mark.django_db


@pytest.fixture
def goal(world):
    plan = WorkPlanFactory(school=world.school, school_year=current_year(world.district))
    return GoalFactory(plan=plan)


def _exchange(world, theme_name="Belonging", ideas=3):
    exchange = services.exchange_create(
        actor=world.principal,
        school=world.school,
        question={"en": "What would help?", "es": "¿Qué ayudaría?"},
        staff=True,
        families=True,
    )
    exchange = services.exchange_set_status(
        actor=world.principal, exchange=exchange, status=SurveyStatus.OPEN
    )
    theme = services.theme_add(actor=world.principal, exchange=exchange, name=theme_name)
    for i in range(ideas):
        idea = services.idea_add(user=world.staff, exchange=exchange, text=f"Idea {i}")
        services.idea_set_theme(actor=world.principal, idea=idea, theme=theme)
    return exchange, theme


@pytest.fixture
def heard(world):
    """ "Belonging": two sessions (6 students + 2 staff, then 4 families) and an idea exchange's
    theme of the same name with 3 ideas."""
    theme = services.listening_theme_add(actor=world.staff, school=world.school, name="Belonging")
    today = clock.today_in(world.school)
    services.session_record(
        actor=world.staff,
        school=world.school,
        kind="focus_group",
        held_on=today,
        title="Grade 5",
        students_heard=6,
        staff_heard=2,
        themes=[theme],
    )
    services.session_record(
        actor=world.staff,
        school=world.school,
        kind="empathy_interview",
        held_on=today,
        title="Parents",
        families_heard=4,
        themes=[theme],
    )
    _exchange_made, idea_theme = _exchange(world)
    return theme, idea_theme


def test_a_listening_theme_becomes_a_goals_evidence_with_its_counts(world, client, heard, goal):
    theme, _idea_theme = heard
    survey, _q = open_survey(world)
    services.survey_themes_set(actor=world.principal, survey=survey, themes=[theme])
    evidence = services.theme_evidence_attach(
        actor=world.principal,
        school=world.school,
        goal_id=goal.pk,
        description="Families and students ask for more belonging.",
        listening_theme=theme,
    )
    assert (evidence.survey, evidence.question, evidence.value, evidence.n) == (
        None,
        None,
        None,
        None,
    )
    assert evidence.counts == {
        "sessions": 2,
        "surveys": 1,
        "ideas": 3,
        "heard": {"students": 6, "families": 4, "staff": 2, "community": 0},
    }
    assert evidence.heard == ["6 students", "4 family members", "2 staff"]
    assert evidence.taken_on == clock.today_in(world.school)
    client.force_login(world.principal)
    page = client.get(_plan_url(world, goal)).content.decode()
    assert "2 listening sessions, 1 survey, 3 ideas; heard: 6 students" in page


def test_an_idea_theme_becomes_a_goals_evidence(world, heard, goal):
    _theme, idea_theme = heard
    evidence = services.theme_evidence_attach(
        actor=world.principal,
        school=world.school,
        goal_id=goal.pk,
        description="Staff want time to plan together.",
        idea_theme=idea_theme,
    )
    assert evidence.idea_theme == idea_theme and evidence.counts["ideas"] == 3


def test_a_theme_needs_one_source_a_goal_of_an_open_plan_and_a_description(world, heard, goal):
    theme, idea_theme = heard
    attach = {"actor": world.principal, "school": world.school, "description": "Why"}
    with pytest.raises(ValidationError) as error:
        services.theme_evidence_attach(
            goal_id=goal.pk, listening_theme=theme, idea_theme=idea_theme, **attach
        )
    assert services.ONE_THEME in error.value.messages
    with pytest.raises(ValidationError) as error:
        services.theme_evidence_attach(
            goal_id=goal.pk, listening_theme=theme, **{**attach, "description": " "}
        )
    assert services.NO_DESCRIPTION in error.value.message_dict["description"]
    with pytest.raises(ValidationError) as error:
        services.theme_evidence_attach(
            goal_id=goal.pk, listening_theme=theme, **{**attach, "school": world.other_school}
        )
    assert services.NOT_THE_SCHOOLS in error.value.messages
    WorkPlan.objects.filter(pk=goal.plan_id).update(status=WorkPlan.Status.CLOSED)
    with pytest.raises(ValidationError) as error:
        services.theme_evidence_attach(goal_id=goal.pk, listening_theme=theme, **attach)
    assert services.NO_GOAL in error.value.message_dict["goal"]
    assert not PlanEvidence.objects.exists()


def test_the_database_holds_exactly_one_source(world, heard, goal):
    from django.db import IntegrityError, transaction

    theme, idea_theme = heard
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanEvidence.objects.create(
            school=world.school,
            listening_theme=theme,
            idea_theme=idea_theme,
            description="Both",
            taken_on=clock.today_in(world.school),
            goal_id=goal.pk,
        )


def _plan_url(world, goal):
    return reverse("workplans:plan_detail", kwargs={"slug": world.school.slug, "pk": goal.plan.pk})


def test_attached_from_the_themes_page_and_shown_on_the_plan_with_its_source(
    world, client, heard, goal
):
    theme, idea_theme = heard
    client.force_login(world.principal)
    themes_page = client.get(reverse("voice:listening", kwargs={"slug": world.school.slug}))
    url = reverse(
        "voice:listening_theme_evidence",
        kwargs={"slug": world.school.slug, "theme_pk": theme.pk},
    )
    assert url in themes_page.content.decode()
    assert goal.smart_statement[:40] in client.get(url).content.decode()
    response = client.post(url, {"goal": goal.pk, "description": "Belonging comes up a lot."})
    assert response.status_code == 302
    idea_url = reverse(
        "voice:idea_theme_evidence",
        kwargs={
            "slug": world.school.slug,
            "pk": idea_theme.exchange_id,
            "theme_pk": idea_theme.pk,
        },
    )
    assert idea_url in themes_page.content.decode()
    client.post(idea_url, {"goal": goal.pk, "description": "Ideas about belonging."})
    assert PlanEvidence.objects.count() == 2
    page = client.get(_plan_url(world, goal)).content.decode()
    assert "Theme “Belonging”: Belonging comes up a lot." in page
    assert "2 listening sessions, 3 ideas; heard: 6 students, 4 family members, 2 staff" in page
    assert reverse("voice:listening", kwargs={"slug": world.school.slug}) + "#themes" in page
    assert "3 ideas in the idea exchange “What would help?”" in page
    assert idea_theme.exchange.get_absolute_url() + "#themes" in page


def test_the_staff_see_themes_but_cannot_put_them_into_the_plan(world, client, heard, goal):
    theme, _idea_theme = heard
    client.force_login(world.staff)
    url = reverse(
        "voice:listening_theme_evidence",
        kwargs={"slug": world.school.slug, "theme_pk": theme.pk},
    )
    page = client.get(reverse("voice:listening", kwargs={"slug": world.school.slug}))
    assert "Belonging" in page.content.decode() and url not in page.content.decode()
    assert client.post(url, {"goal": goal.pk, "description": "x"}).status_code == 403
    assert not PlanEvidence.objects.exists()


def test_the_plan_page_reads_evidence_of_every_source_in_one_query(
    world, client, heard, goal, django_assert_num_queries
):
    theme, idea_theme = heard
    client.force_login(world.principal)
    url = _plan_url(world, goal)

    def attach():
        services.theme_evidence_attach(
            actor=world.principal,
            school=world.school,
            goal_id=goal.pk,
            description="Heard",
            listening_theme=theme,
        )
        services.theme_evidence_attach(
            actor=world.principal,
            school=world.school,
            goal_id=goal.pk,
            description="Ideas",
            idea_theme=idea_theme,
        )

    attach()
    client.get(url)  # warm the session and roles
    with django_assert_num_queries(11) as first:
        client.get(url)
    for _ in range(4):
        attach()
    survey, q = open_survey(world)
    for i in range(10):
        family = person("family", school=world.school, email=f"f{i}@example.org")
        services.response_submit(
            survey=survey, user=family, values={q["belong"].pk: 4}, language="en"
        )
    services.evidence_attach(
        actor=world.principal, survey=survey, question=q["belong"], options=[4], goal_id=goal.pk
    )
    with django_assert_num_queries(len(first.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count("Where it came from") == 11


def test_who_was_heard_takes_the_singular_for_one(world, heard, goal):
    theme, _idea_theme = heard
    evidence = services.theme_evidence_attach(
        actor=world.principal,
        school=world.school,
        goal_id=goal.pk,
        description="Heard",
        listening_theme=theme,
    )
    evidence.counts["heard"] = {"students": 1, "families": 0, "staff": 1, "community": 1}
    assert evidence.heard == ["1 student", "1 staff member", "1 community member"]


def test_the_exchange_page_offers_the_plan_only_with_an_open_plan_to_those_who_may(
    world, client, heard
):
    _theme, idea_theme = heard
    exchange = idea_theme.exchange
    attach = reverse(
        "voice:idea_theme_evidence",
        kwargs={"slug": world.school.slug, "pk": exchange.pk, "theme_pk": idea_theme.pk},
    )
    client.force_login(world.principal)
    # No plan yet: nothing to put the theme into.
    page = client.get(exchange.get_absolute_url()).content.decode()
    assert "Belonging" in page and attach not in page
    plan = WorkPlanFactory(school=world.school, school_year=current_year(world.district))
    GoalFactory(plan=plan)
    assert attach in client.get(exchange.get_absolute_url()).content.decode()
    WorkPlan.objects.filter(pk=plan.pk).update(status=WorkPlan.Status.CLOSED)
    assert attach not in client.get(exchange.get_absolute_url()).content.decode()
    WorkPlan.objects.filter(pk=plan.pk).update(status=plan.status)
    # Staff who started the exchange run it, but the plan is not theirs to change.
    type(exchange).objects.filter(pk=exchange.pk).update(created_by=world.staff)
    client.force_login(world.staff)
    page = client.get(exchange.get_absolute_url())
    assert page.status_code == 200 and attach not in page.content.decode()
    assert client.get(attach).status_code == 403
