"""Fixes to the meeting page found by trying it: each test fails on the page as it was."""

import re

from playwright.sync_api import expect

from teams import services
from teams.models import MeetingStatus, PollKind
from tests.e2e.test_teams_meeting import named, second_page, sign_in  # noqa: F401
from tests.teams import factories as f


def test_a_refused_form_leaves_the_meeting_url_in_the_address_bar(page, live_server, world):
    ilt = f.ilt_for(world)
    meeting = f.live_meeting(ilt)
    sign_in(page.context, live_server, world.principal)
    page.goto(meeting.get_absolute_url())

    page.get_by_role("button", name="Add to the agenda").click()
    expect(page.get_by_text("The item was not added.")).to_be_visible()
    # The address bar still names the meeting page, so a reload shows it again.
    assert page.url.endswith(meeting.get_absolute_url()), page.url
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lincoln ILT")


def test_a_half_typed_objection_survives_the_live_refresh(page, live_server, world):
    ilt = f.ilt_for(world)
    meeting = f.live_meeting(ilt)
    poll = f.open_poll(meeting, PollKind.CONSENT)
    sign_in(page.context, live_server, world.teacher_leader)
    page.goto(meeting.get_absolute_url())

    box = page.get_by_label("Your objection (if you object)")
    box.fill("The schedule clashes with")
    # Someone else answers meanwhile: the live panel refreshes with the new tally.
    services.vote_cast(poll=poll, user=world.family, value="consent")
    expect(page.locator("#live .tally")).to_contain_text(re.compile(r"consent:\s*1"))
    expect(page.get_by_label("Your objection (if you object)")).to_have_value(
        "The schedule clashes with"
    )
    expect(page.get_by_label("Your objection (if you object)")).to_be_focused()


def test_focus_stays_on_what_was_just_changed(page, live_server, world, axe_check):
    ilt = f.ilt_for(world)
    meeting = f.live_meeting(ilt, present=0)
    f.item(meeting, title="Attendance data", order=2)
    leader = str(world.teacher_leader)
    sign_in(page.context, live_server, world.principal)
    page.goto(meeting.get_absolute_url())

    page.get_by_role("button", name=named("Move up", "Attendance data")).focus()
    page.keyboard.press("Enter")
    expect(page.locator("#agenda h3").first).to_have_text("Attendance data")
    expect(page.get_by_role("button", name=named("Move down", "Attendance data"))).to_be_focused()

    page.get_by_role("button", name=named("Mark present", leader)).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name=named("Mark absent", leader))).to_be_focused()

    page.get_by_label("Minutes of “Reading data”").fill("We read the data.")
    page.get_by_role("button", name=named("Save the minutes", "Reading data")).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("The minutes were saved.")).to_be_visible()
    expect(
        page.get_by_role("button", name=named("Save the minutes", "Reading data"))
    ).to_be_focused()
    axe_check(page)


def test_a_meeting_of_another_day_is_started_only_when_confirmed(page, live_server, world):
    ilt = f.ilt_for(world)
    meeting = f.meeting(ilt.team, days=7)
    f.item(meeting)
    sign_in(page.context, live_server, world.principal)
    page.goto(meeting.get_absolute_url())

    page.get_by_role("button", name="Start the meeting").click()
    expect(page.get_by_role("alert")).to_contain_text("not today")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED
    assert page.url.endswith(meeting.get_absolute_url()), page.url

    page.get_by_role("button", name="Start it now anyway").click()
    expect(page.get_by_text("The meeting has started.")).to_be_visible()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.IN_PROGRESS


def test_followers_see_the_minutes_update_live(page, live_server, world, axe_check):
    ilt = f.ilt_for(world)
    meeting = f.live_meeting(ilt)
    item = meeting.current_item
    sign_in(page.context, live_server, world.family)
    page.goto(meeting.get_absolute_url())
    expect(page.locator("#live")).to_contain_text("No minutes yet.")
    services.minutes_save(
        item=item, actor=world.principal, notes="Grade 2 fluency is below target.", version=1
    )
    expect(page.locator("#live")).to_contain_text("Grade 2 fluency is below target.")
    axe_check(page)
