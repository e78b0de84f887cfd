"""An agenda item links a survey's results: the meeting page shows its title, status and
response rate beside the item, and its results page to those who may read them."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from leadership.models import AuditEntry
from tests.teams import factories as f
from voice.models import Participation, Survey, SurveyStatus
from workplans import selectors, services
from workplans.models import AgendaLink


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _survey(school, title="Climate check", status=SurveyStatus.OPEN, invited=4, answered=()):
    survey = Survey.objects.create(
        school=school,
        title={"en": title, "es": f"{title} (es)"},
        status=status,
        invited=invited,
    )
    for user in answered:
        Participation.objects.create(survey=survey, user=user)
    return survey


@pytest.fixture
def ilt(world):
    return f.ilt_for(world)


@pytest.fixture
def live(ilt):
    return f.live_meeting(ilt)


def test_the_facilitator_links_a_survey_and_the_panel_shows_its_rate_and_results(
    client_for, world, live
):
    survey = _survey(world.school, answered=[world.teacher_leader])
    item = live.items.get()
    client = client_for(world.principal)
    page = client.get(live.get_absolute_url()).content.decode()
    assert f'<option value="survey:{survey.pk}">Survey: Climate check</option>' in page
    response = client.post(
        reverse("workplans:agenda_link_add", kwargs={"slug": world.school.slug, "pk": live.pk}),
        {"item": item.pk, "target": f"survey:{survey.pk}"},
    )
    assert response["Location"].endswith(f"#item-{item.pk}")
    assert _messages(response) == ["The item now links to the survey's results."]
    assert AgendaLink.objects.get().survey == survey
    entry = AuditEntry.objects.get(action="agenda_item.plan_link")
    assert entry.after["survey"] == survey.pk
    results = reverse("voice:survey_results", kwargs={"slug": world.school.slug, "pk": survey.pk})
    page = client.get(live.get_absolute_url()).content.decode()
    panel = page[page.index(f'id="item-{item.pk}-plan-heading"') :]
    assert f'<a href="{results}">Climate check</a>' in panel
    assert "Open" in panel and "25% response rate" in panel
    # A member who may not read the results sees the title and the rate, not the link.
    page = client_for(world.teacher_leader).get(live.get_absolute_url()).content.decode()
    panel = page[page.index(f'id="item-{item.pk}-plan-heading"') :]
    assert "Climate check" in panel and "25% response rate" in panel
    assert results not in page
    # The choice reads in the reader's language.
    with translation.override("es"):
        choices = selectors.plan_choices(user=world.principal, school=world.school)
    assert (f"survey:{survey.pk}", "Encuesta: Climate check (es)") in choices[-1][1]


def test_a_draft_survey_another_schools_survey_or_a_second_link_are_refused(
    client_for, world, live
):
    item = live.items.get()
    draft = _survey(world.school, "Draft one", status=SurveyStatus.DRAFT)
    with pytest.raises(ValidationError, match="draft survey"):
        services.agenda_link_add(actor=world.principal, item=item, survey=draft)
    elsewhere = _survey(world.other_school, "Elsewhere")
    with pytest.raises(ValidationError, match="this school's surveys"):
        services.agenda_link_add(actor=world.principal, item=item, survey=elsewhere)
    page = client_for(world.principal).get(live.get_absolute_url()).content.decode()
    assert f"survey:{draft.pk}" not in page and f"survey:{elsewhere.pk}" not in page
    response = client_for(world.principal).post(
        reverse("workplans:agenda_link_add", kwargs={"slug": world.school.slug, "pk": live.pk}),
        {"item": item.pk, "target": f"survey:{elsewhere.pk}"},
    )
    assert _messages(response) == ["Choose a goal, measure, step or survey."]
    closed = _survey(world.school, "Last spring", status=SurveyStatus.CLOSED)
    services.agenda_link_add(actor=world.principal, item=item, survey=closed)
    with pytest.raises(ValidationError, match="already links"):
        services.agenda_link_add(actor=world.principal, item=item, survey=closed)
    assert AgendaLink.objects.count() == 1
    link = AgendaLink.objects.get()
    response = client_for(world.principal).post(
        reverse("workplans:agenda_link_remove", kwargs={"slug": world.school.slug, "pk": link.pk})
    )
    assert _messages(response) == ["The link to the plan was removed."]
    assert not AgendaLink.objects.exists()
    assert AuditEntry.objects.get(action="agenda_item.plan_unlink").before["survey"] == closed.pk


def _page_queries(client, live, django_assert_num_queries, expected):
    with django_assert_num_queries(expected):
        return client.get(live.get_absolute_url()).content.decode()


def test_linked_surveys_read_in_fixed_queries(client_for, world, live, django_assert_num_queries):
    items = [f.item(live, title=f"Item {n}", order=n + 2) for n in range(6)]
    client = client_for(world.principal)
    surveys = [_survey(world.school, f"Survey {n}", answered=[world.principal]) for n in range(6)]
    services.agenda_link_add(actor=world.principal, item=items[0], survey=surveys[0])
    # The surveys with their answered counts, and their owners: two queries for any number.
    page = _page_queries(client, live, django_assert_num_queries, 19)
    assert "Survey 0" in page
    for item, survey in zip(items[1:], surveys[1:], strict=True):
        services.agenda_link_add(actor=world.principal, item=item, survey=survey)
    page = _page_queries(client, live, django_assert_num_queries, 19)
    assert page.count("25% response rate") == 6
