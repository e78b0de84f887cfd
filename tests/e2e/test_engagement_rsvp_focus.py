"""A family RSVPs on the event's page by keyboard: focus lands on the confirmation, and
"Cancel my RSVP" asks before it cancels (a stray Space press changes nothing)."""

import pytest
from playwright.sync_api import expect

from engagement.models import Rsvp, RsvpStatus
from tests.engagement.factories import EventFactory
from tests.leadership.factories import PASSWORD


@pytest.fixture
def signed_in_family(page, world):
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(world.family.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


def test_rsvp_confirmation_takes_focus_and_cancel_asks_first(signed_in_family, axe_check, world):
    page = signed_in_family
    event = EventFactory(school=world.school, capacity=20)
    page.goto(event.get_absolute_url())
    form = page.locator("#rsvp-form")
    form.locator("#id_adults").fill("2")
    form.locator("button[type=submit]").focus()
    page.keyboard.press("Enter")

    done = page.locator("#rsvp-done")
    expect(done).to_contain_text("You are going")
    expect(done).to_be_focused()
    axe_check(page)
    assert Rsvp.objects.get(event=event, family=world.family).status == RsvpStatus.GOING

    # Space on "Cancel my RSVP" only opens the question.
    page.locator("#rsvp-cancel > summary").focus()
    page.keyboard.press("Space")
    confirm = page.get_by_role("button", name="Yes, cancel my RSVP")
    expect(confirm).to_be_visible()
    expect(page.get_by_text("Your seats go to the next family waiting")).to_be_visible()
    assert Rsvp.objects.get(event=event, family=world.family).status == RsvpStatus.GOING
    axe_check(page)

    confirm.focus()
    page.keyboard.press("Space")
    expect(done).to_contain_text("Your RSVP is cancelled.")
    expect(done).to_be_focused()
    assert Rsvp.objects.get(event=event, family=world.family).status == RsvpStatus.CANCELLED
    # The form is there again to RSVP anew.
    expect(page.locator("#rsvp-form button[type=submit]")).to_have_text("Confirm attendance")
    axe_check(page)
