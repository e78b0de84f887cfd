"""A principal runs a whole ILT meeting; a teacher leader follows and votes from their device."""

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from teams.models import ActionItem, Decision, Meeting, Vote
from tests.e2e.conftest import TIMEOUT_MS
from tests.teams import factories as f


def named(label: str, subject: str) -> re.Pattern:
    """A button's name: visible label plus visually hidden subject (spacing varies by browser)."""
    return re.compile(rf"^{re.escape(label)}\s*:\s*{re.escape(subject)}$")


def sign_in(context, live_server, user) -> None:
    """Put a session of `user` in the browser context (sign-in itself is tested elsewhere)."""
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


@pytest.fixture
def second_page(browser, live_server, transactional_db):
    """Another person's browser: a context of its own, built like the `page` fixture."""
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    errors = []
    tab.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    tab.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    yield tab
    context.close()
    if errors:
        pytest.fail("Console errors in the second browser:\n" + "\n".join(errors), pytrace=False)


def test_principal_runs_an_ilt_meeting_and_a_member_votes(
    page, second_page, axe_check, live_server, world
):
    ilt = f.ilt_for(world)
    meeting = f.meeting(ilt.team, days=0)
    f.item(meeting, title="Reading data", minutes_allotted=15)
    leader_name = str(world.teacher_leader)
    family_name = str(world.family)

    sign_in(page.context, live_server, world.principal)
    page.goto(meeting.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lincoln ILT")
    axe_check(page)

    page.get_by_role("button", name="Start the meeting").click()
    expect(page.get_by_text("The meeting has started.")).to_be_visible()
    expect(page.locator("#live")).to_contain_text("In progress")

    page.get_by_role("button", name=named("Mark present", leader_name)).click()
    expect(page.get_by_role("button", name=named("Mark absent", leader_name))).to_be_visible()
    page.get_by_role("button", name=named("Mark present", family_name)).click()
    expect(page.get_by_role("button", name=named("Mark absent", family_name))).to_be_visible()

    page.get_by_label("Minutes of “Reading data”").fill("Grade 2 fluency is below target.")
    page.get_by_role("button", name=named("Save the minutes", "Reading data")).click()
    expect(page.get_by_text("The minutes were saved.")).to_be_visible()

    page.get_by_label("Kind of poll").select_option("fist_to_five")
    page.get_by_label("Question", exact=True).fill("Ready to adopt the phonics sequence?")
    page.get_by_role("button", name="Open the poll").click()
    expect(page.get_by_text("The poll is open.")).to_be_visible()
    axe_check(page)

    # The teacher leader answers from their own device.
    sign_in(second_page.context, live_server, world.teacher_leader)
    second_page.goto(meeting.get_absolute_url())
    expect(second_page.get_by_text("Ready to adopt the phonics sequence?")).to_be_visible()
    axe_check(second_page)
    second_page.get_by_role("button", name="4", exact=True).click()
    expect(second_page.get_by_text("Your answer: 4")).to_be_visible()
    assert Vote.objects.get().value == "4"

    # The principal's page picks the answer up by polling, without a reload.
    expect(page.locator("#live .tally")).to_contain_text(re.compile(r"4:\s*1"))

    decision = page.get_by_role("region", name="Record a decision")
    decision.get_by_label("Decision area").select_option(label="curriculum: Fist-to-five")
    decision.get_by_label("Decision", exact=True).fill("Adopt the phonics sequence for K-2.")
    decision.get_by_label("Outcome").select_option("adopted")
    decision.get_by_label("Tally from poll").select_option(
        label="Ready to adopt the phonics sequence?"
    )
    decision.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("The decision was recorded.")).to_be_visible()

    action = page.get_by_role("region", name="Add an action item")
    action.get_by_label("Action", exact=True).fill("Order the K-2 materials")
    action.get_by_label("Owner").select_option(label=leader_name)
    action.get_by_label("Due").fill("2026-12-15")
    action.get_by_role("button", name="Add the action item").click()
    expect(page.get_by_text("The action item was recorded.")).to_be_visible()
    axe_check(page)

    # The member sees the decision and the action item arrive within a few seconds.
    expect(second_page.locator("#live")).to_contain_text("Adopt the phonics sequence for K-2.")
    expect(second_page.locator("#live")).to_contain_text("Order the K-2 materials")

    page.get_by_role("button", name="Close the meeting").click()
    expect(page.get_by_text("The meeting is closed.")).to_be_visible()
    axe_check(page)

    # The pages around the meeting: the team, the decision log, the school's overview.
    page.get_by_role("link", name="Lincoln ILT").first.click()
    expect(page.get_by_role("heading", name="How we decide")).to_be_visible()
    expect(page.get_by_text("Classified staff: 0 of 1 filled")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Decision log").first.click()
    expect(page.get_by_role("cell", name=re.compile("Adopt the phonics sequence"))).to_be_visible()
    axe_check(page)
    second_page.goto(world.school.get_absolute_url())
    expect(second_page.get_by_text("Order the K-2 materials")).to_be_visible()
    axe_check(second_page)

    meeting.refresh_from_db()
    assert meeting.status == "held"
    assert meeting.attendance.filter(present=True).count() == 2
    recorded = Decision.objects.get()
    assert recorded.tally["counts"]["4"] == 1 and recorded.outcome == "adopted"
    assert ActionItem.objects.get().owner == world.teacher_leader
    assert Meeting.objects.get(pk=meeting.pk).items.get().notes.startswith("Grade 2 fluency")
