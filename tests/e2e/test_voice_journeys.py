"""Surveys in the browser: a teacher answers the PL-needs survey on a phone, a family answers in
Spanish, a student answers through the class link without an account, and the principal builds
a survey and reads results by group with a small group suppressed. axe on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from leadership.models import Role
from tests.e2e.test_engagement_rsvp import phone  # noqa: F401 (a fixture)
from tests.e2e.test_teams_meeting import sign_in
from tests.leadership.factories import person
from tests.teams.factories import current_year
from tests.workplans.factories import GoalFactory, WorkPlanFactory
from voice import services, tokens
from voice.models import Response, StudentLink

pytestmark = pytest.mark.django_db(transaction=True)


def _from_template(world, key, **audience):
    survey = services.survey_from_template(actor=world.principal, school=world.school, key=key)
    if audience:
        survey = services.survey_update(actor=world.principal, survey=survey, **audience)
    return services.survey_open(actor=world.principal, survey=survey)


def _answer_url(survey):
    return f"/schools/{survey.school.slug}/surveys/{survey.pk}/answer/"


def test_a_teacher_answers_the_pl_needs_survey_on_a_phone(world, phone, live_server, axe_check):  # noqa: F811
    survey = _from_template(world, "pl_needs")
    sign_in(phone.context, live_server, world.staff)
    phone.goto(_answer_url(survey))
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        "Professional learning: what you want and need"
    )
    expect(phone.get_by_text("This survey is anonymous")).to_be_visible()
    axe_check(phone)
    # The required question left empty: a clear message, nothing stored.
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.get_by_text("Please answer this question.")).to_be_visible()
    assert not Response.objects.exists()
    axe_check(phone)
    phone.get_by_label("Reading foundations").check()
    phone.get_by_label("Using data to plan").check()
    phone.get_by_role("group", name=re.compile("Last year's professional learning")).get_by_label(
        "Agree", exact=True
    ).check()
    phone.get_by_label("Coaching").select_option("1")
    phone.get_by_label("Lab classrooms").select_option("2")
    phone.get_by_label("After school").check()
    phone.get_by_label(re.compile("What else do you want")).fill("Time to plan with my grade team")
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.get_by_text("Thank you: your answers were saved.")).to_be_visible()
    response = Response.objects.get()
    assert response.respondent is None and response.stakeholder == "staff"
    assert response.answers.count() == 7  # two topics, two ranks, three single answers


def test_a_family_answers_the_family_survey_in_spanish(world, page, live_server, axe_check):
    survey = _from_template(world, "family_voice")
    world.family.preferred_language = "es"
    world.family.save(update_fields=["preferred_language"])
    sign_in(page.context, live_server, world.family)
    page.goto(_answer_url(survey))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text("La voz de las familias")
    expect(page.get_by_text("The school keeps me informed")).to_have_count(0)
    axe_check(page)
    page.get_by_role("group", name=re.compile("me mantiene informado")).get_by_label(
        "De acuerdo", exact=True
    ).check()
    page.get_by_role("group", name=re.compile("Me siento bienvenido")).get_by_label(
        "Totalmente de acuerdo"
    ).check()
    page.get_by_role("button", name="Enviar mis respuestas").click()
    expect(page.get_by_text("Gracias: sus respuestas se guardaron.")).to_be_visible()
    axe_check(page)
    assert Response.objects.get().language == "es"


def test_a_student_answers_through_the_class_link_without_an_account(world, page, axe_check):
    survey = _from_template(world, "student_voice")
    link = services.link_create(actor=world.principal, survey=survey, label="Grade 4")
    page.goto(f"/s/{tokens.make_link_token(link)}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Student voice")
    axe_check(page)
    page.get_by_role("group", name=re.compile("I feel like I belong")).get_by_label(
        "Strongly agree"
    ).check()
    page.get_by_role("group", name=re.compile("Adults at this school listen")).get_by_label(
        "Disagree", exact=True
    ).check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("Thank you: your answers were saved.")).to_be_visible()
    axe_check(page)
    saved = Response.objects.get()
    assert (saved.stakeholder, saved.group_label) == ("student", "Grade 4")
    # The same device again: refused, nothing more stored.
    page.goto(f"/s/{tokens.make_link_token(link)}/")
    expect(page.get_by_text("already been answered from this device")).to_be_visible()
    assert Response.objects.count() == 1


def test_the_principal_builds_a_survey_and_reads_results_by_group(
    world, page, live_server, axe_check
):
    sign_in(page.context, live_server, world.principal)
    page.goto(f"/schools/{world.school.slug}/surveys/new/")
    axe_check(page)
    page.get_by_label("Title (English)").fill("Belonging")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The survey has no questions.")).to_be_visible()
    expect(page.get_by_text("Missing in Spanish: the title.")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Add a question").click()
    page.get_by_label("Question (English)").fill("Is there an adult you trust?")
    page.get_by_label("Question (Spanish)").fill("¿Hay un adulto en quien confía?")
    page.get_by_label("Kind of question").select_option("single")
    page.get_by_label("Options, one a line (English)").fill("Yes\nNo")
    page.get_by_label("Options, one a line (Spanish)").fill("Sí\nNo")
    axe_check(page)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The question was saved.")).to_be_visible()
    expect(page.get_by_text("Missing in Spanish: the title.")).to_be_visible()

    # Results by class: a class of two is suppressed, and so is the next smallest.
    survey = _from_template(world, "student_voice")
    question = survey.questions.order_by("position").first()
    for label, n, option in (("Grade 3", 12, 4), ("Grade 4", 2, 0), ("Grade 5", 15, 3)):
        link = StudentLink.objects.create(survey=survey, label=label, nonce=tokens.new_nonce())
        for _ in range(n):
            services.student_response_submit(
                link=link, values={question.pk: option, question.pk + 1: 3}, language="en"
            )
    page.goto(f"/schools/{world.school.slug}/surveys/{survey.pk}/results/")
    expect(page.get_by_text("29", exact=True)).to_be_visible()
    page.get_by_label("Break down by").select_option("group_label")
    page.get_by_role("button", name="Show").click()
    first = page.locator("section.card").first
    expect(first.locator(".vc-suppressed")).to_have_count(10)
    expect(first.get_by_role("columnheader", name=re.compile("Grade 5"))).to_contain_text("n=15")
    expect(first.locator("svg.vc-chart")).to_be_visible()
    axe_check(page)

    # The share who agree, for everyone, goes to a goal as evidence; the plan shows it.
    plan = WorkPlanFactory(school=world.school, school_year=current_year(world.district))
    goal = GoalFactory(plan=plan)
    first.get_by_role("link", name=re.compile("Put this result into the plan")).click()
    expect(page.get_by_label("Agree", exact=True)).to_be_checked()
    axe_check(page)
    page.get_by_label("Put it into the plan as").select_option(f"goal:{goal.pk}")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The result was put into the plan.")).to_be_visible()
    page.goto(f"/schools/{world.school.slug}/plans/{plan.pk}/")
    evidence = page.locator(".vc-evidence")
    expect(evidence).to_contain_text("93.1%")
    expect(evidence.get_by_role("link", name=re.compile("Where it came from"))).to_be_visible()
    axe_check(page)


def test_the_family_list_shows_surveys_to_answer(world, page, live_server, axe_check):
    survey = _from_template(world, "family_voice")
    other = person(Role.FAMILY, school=world.school, email="f2@example.org")
    sign_in(page.context, live_server, other)
    page.goto(f"/schools/{world.school.slug}/surveys/")
    expect(page.get_by_role("link", name=str(survey))).to_be_visible()
    axe_check(page)


def test_an_idea_exchange_from_posting_to_ranked_themes(world, page, live_server, axe_check):
    world.district.small_group_threshold = 1
    world.district.save(update_fields=["small_group_threshold"])
    exchange = services.exchange_create(
        actor=world.principal,
        school=world.school,
        question={"en": "What would most help students read at home?", "es": "¿Qué ayudaría?"},
        staff=True,
        families=True,
    )
    exchange = services.exchange_set_status(actor=world.principal, exchange=exchange, status="open")
    take = f"/schools/{world.school.slug}/ideas/{exchange.pk}/take/"
    sign_in(page.context, live_server, world.staff)
    page.goto(take)
    axe_check(page)
    page.get_by_label("Your idea").fill("Library cards for every family")
    page.get_by_role("button", name="Add my idea").click()
    expect(page.get_by_text("Thank you: your idea was added.")).to_be_visible()

    page.context.clear_cookies()
    sign_in(page.context, live_server, world.family)
    page.goto(take)
    rate = page.locator("form.card", has_text="Library cards for every family")
    rate.get_by_label("5 of 5").check()
    axe_check(page)
    rate.get_by_role("button", name="Rate").click()
    expect(page.get_by_text("Thank you: your rating was saved.")).to_be_visible()

    page.context.clear_cookies()
    sign_in(page.context, live_server, world.principal)
    page.goto(f"/schools/{world.school.slug}/ideas/{exchange.pk}/")
    page.get_by_label("New theme").fill("Access to books")
    page.get_by_role("button", name="Add the theme").click()
    page.get_by_label("Theme", exact=True).select_option(label="Access to books")
    page.get_by_role("button", name="Save the theme").click()
    themes = page.locator("#themes tbody tr").first
    expect(themes).to_contain_text("Access to books")
    expect(themes).to_contain_text("5.0")
    expect(page.get_by_text("Rated 5.0 of 5 by 1")).to_be_visible()
    axe_check(page)
