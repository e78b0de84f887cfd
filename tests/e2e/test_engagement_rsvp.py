"""A Spanish-speaking family signs in with a code, RSVPs with an interpretation need, downloads
the calendar file and sees its RSVP; on a desktop and on a phone. axe on every page."""

import re

import pytest
from ical.calendar_stream import IcsCalendarStream
from playwright.sync_api import expect

from engagement.models import Rsvp, RsvpStatus
from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.test_family_sign_in import code_from, request_sign_in_code
from tests.engagement.factories import EventFactory

SPANISH_TITLE = "Noche familiar de matemáticas"


@pytest.fixture
def spanish_family(family):
    family.set_unusable_password()
    family.preferred_language = "es"
    family.save(update_fields=["password", "preferred_language"])
    return family


@pytest.fixture
def event(world):
    return EventFactory(school=world.school, capacity=20)


@pytest.fixture
def phone(browser, transactional_db, live_server):
    """A phone-sized context, built the way tests/e2e/conftest.py builds `page`."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-US",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
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
        pytest.fail("Console errors in the browser:\n" + "\n".join(errors), pytrace=False)


def rsvp_journey(tab, mailbox, axe_check, family, event, tmp_path):
    request_sign_in_code(tab, axe_check, family.email)
    tab.get_by_label("Sign-in code").fill(code_from(mailbox[-1]))
    tab.get_by_role("button", name="Sign in", exact=True).click()

    # The family page, in Spanish, with the event's Spanish title.
    expect(tab).to_have_url(re.compile(r"/family/$"))
    expect(tab.locator("html")).to_have_attribute("lang", "es")
    axe_check(tab)
    tab.get_by_role("link", name=SPANISH_TITLE).click()

    expect(tab.get_by_role("heading", level=1, name=SPANISH_TITLE)).to_be_visible()
    expect(tab.get_by_text("Juegos y acertijos para toda la familia.")).to_be_visible()
    axe_check(tab)

    form = tab.locator("#rsvp-form")
    form.locator("#id_adults").fill("2")
    form.locator("#id_children").fill("1")
    form.locator("#id_interpretation_language").select_option("es")
    form.locator("#id_childcare_count").fill("1")
    form.locator("button[type=submit]").click()

    status = tab.locator("#rsvp-status")
    expect(status).to_contain_text("Interpretación: español")
    expect(status.locator(".badge-ok")).to_be_visible()
    axe_check(tab)
    rsvp = Rsvp.objects.get(event=event, family=family)
    assert (rsvp.status, rsvp.adults, rsvp.children, rsvp.interpretation_language) == (
        RsvpStatus.GOING,
        2,
        1,
        "es",
    )

    with tab.expect_download() as download_info:
        tab.locator("#ics-link").click()
    path = tmp_path / "event.ics"
    download_info.value.save_as(path)
    calendar = IcsCalendarStream.calendar_from_ics(path.read_text(encoding="utf-8"))
    assert [item.summary for item in calendar.events] == [SPANISH_TITLE]

    # Back on the family page the RSVP shows.
    tab.goto("/family/")
    item = tab.locator(".event-item", has_text=SPANISH_TITLE)
    expect(item.locator(".badge-ok")).to_be_visible()
    expect(item).to_contain_text("3")
    axe_check(tab)


def test_spanish_family_rsvps_with_interpretation(
    page, mailbox, axe_check, world, spanish_family, event, tmp_path
):
    rsvp_journey(page, mailbox, axe_check, spanish_family, event, tmp_path)


def test_spanish_family_rsvps_on_a_phone(
    phone, mailbox, axe_check, world, spanish_family, event, tmp_path
):
    rsvp_journey(phone, mailbox, axe_check, spanish_family, event, tmp_path)
    # Nothing on the page is wider than the phone.
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
