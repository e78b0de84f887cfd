"""Door check-in on a phone: search by name, mark attended and add a walk-in, with htmx."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from engagement.models import CheckIn
from leadership.models import Role
from tests.e2e.conftest import TIMEOUT_MS
from tests.engagement.factories import EventFactory, RsvpFactory
from tests.leadership.factories import person


@pytest.fixture
def phone_user(request, world):
    """Who the phone is signed in as: the school's staff member unless a test names a role."""
    return world.user(getattr(request, "param", "staff"))


@pytest.fixture
def staff_phone(browser, transactional_db, live_server, phone_user):
    """A phone-sized context signed in as `phone_user` (session cookie)."""
    client = Client()
    client.force_login(phone_user)
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": 390, "height": 844}
    )
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    errors = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    yield tab
    context.close()
    if errors:
        pytest.fail("Console errors in the browser:\n" + "\n".join(errors), pytrace=False)


def test_door_check_in_on_a_phone(staff_phone, axe_check, world):
    event = EventFactory(school=world.school)
    ana = person(Role.FAMILY, school=world.school, email="ana@example.org", full_name="Ana Pérez")
    bo = person(Role.FAMILY, school=world.school, email="bo@example.org", full_name="Bo Nguyen")
    rsvp = RsvpFactory(event=event, family=ana, adults=2)
    RsvpFactory(event=event, family=bo, adults=1)
    tab = staff_phone
    tab.goto(f"/schools/{world.school.slug}/events/{event.pk}/door/")
    expect(tab.get_by_role("heading", level=1)).to_be_visible()
    axe_check(tab)

    tab.locator("#door-q").fill("pér")
    rows = tab.locator("#door-results .door-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Ana Pérez")

    rows.first.get_by_role("button").click()
    expect(tab.locator("#door-status")).to_contain_text("Ana Pérez")
    expect(tab.locator("#door-results .badge-ok")).to_be_visible()
    assert CheckIn.objects.filter(rsvp=rsvp).exists()
    axe_check(tab)

    tab.locator("#id_name").fill("Luis Walk")
    tab.locator("#id_party_size").fill("3")
    tab.locator("#door form[action$='walk-in/'] button[type=submit]").click()
    expect(tab.locator("#door-status")).to_contain_text("Luis Walk")
    expect(tab.locator("#attendance")).to_contain_text("50%")
    assert CheckIn.objects.filter(rsvp__isnull=True, name="Luis Walk", party_size=3).exists()
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    axe_check(tab)


# The principal, who alone creates and edits events, sees every staff page of an event.
@pytest.mark.parametrize("phone_user", ["principal"], indirect=True)
def test_staff_pages_pass_axe(staff_phone, axe_check, world):
    event = EventFactory(school=world.school)
    family = person(Role.FAMILY, school=world.school, email="cy@example.org", full_name="Cy Lee")
    RsvpFactory(event=event, family=family, adults=2, interpretation_language="es")
    base = f"/schools/{world.school.slug}/events/"
    for path in [
        base,
        f"{base}new/",
        f"{base}{event.pk}/",
        f"{base}{event.pk}/edit/",
        f"{base}{event.pk}/rsvps/",
    ]:
        staff_phone.goto(path)
        expect(staff_phone.get_by_role("heading", level=1)).to_be_visible()
        axe_check(staff_phone)
    staff_phone.goto(f"/schools/{world.school.slug}/")
    expect(staff_phone.get_by_role("link", name="Family math night")).to_be_visible()
    axe_check(staff_phone)
