"""Django's admin under the strict Content-Security-Policy: every page a support person opens
renders styled, its scripts run (inlines, date widgets, filters), and the browser reports no
violation of the policy and no console error (the `page` fixture fails the test on one)."""

import re

import pytest
from playwright.sync_api import expect

from tests.engagement.factories import EventFactory
from tests.leadership.factories import PASSWORD, UserFactory

# Records every violation the browser reports, before any script of the page runs.
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI || "inline"} ${e.sourceFile}`);
});
"""


@pytest.fixture
def admin_page(page, world):
    page.context.add_init_script(WATCH_CSP)
    UserFactory(email="support@example.org", is_staff=True, is_superuser=True)
    page.goto("/admin/")
    page.locator("#id_username").fill("support@example.org")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    return page


def no_violations(page) -> None:
    assert page.evaluate("window.__csp") == [], page.url


def styled(page) -> None:
    """The admin's stylesheet applied: the header has its coloured band, not the browser's
    default transparent background."""
    colour = page.locator("#header").evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent"), colour


def test_admin_pages_render_styled_with_no_csp_violation(admin_page, world):
    page = admin_page
    event = EventFactory(school=world.school)
    styled(page)
    no_violations(page)

    page.goto("/admin/leadership/school/?q=lincoln")
    expect(page.get_by_role("link", name="Lincoln Elementary")).to_be_visible()
    styled(page)
    no_violations(page)

    # A change list with filters and actions: the select-all box is run by the admin's JS.
    page.goto("/admin/engagement/event/")
    page.locator("#action-toggle").check()
    expect(page.locator(".action-counter")).to_contain_text("1 of 1 selected")
    no_violations(page)

    # A change form with an inline and date/time widgets (calendar and clock pop-ups).
    page.goto(f"/admin/engagement/event/{event.pk}/change/")
    styled(page)
    page.locator(".datetimeshortcuts a", has_text="Today").first.click()
    page.get_by_role("link", name=re.compile("Choose a Date")).first.click()
    expect(page.locator(".calendarbox").first).to_be_visible()
    page.keyboard.press("Escape")
    rows = page.locator(".inline-group tbody tr.form-row:not(.empty-form)")
    before = rows.count()
    page.locator(".inline-group .add-row a").click()
    expect(rows).to_have_count(before + 1)
    no_violations(page)

    page.goto("/admin/leadership/user/add/")
    styled(page)
    no_violations(page)

    # A person's page (the password widget), a delete confirmation and the history page.
    page.goto(f"/admin/leadership/user/{world.staff.pk}/change/")
    styled(page)
    page.goto(f"/admin/engagement/event/{event.pk}/delete/")
    expect(page.get_by_role("button", name=re.compile("Yes, I.m sure"))).to_be_visible()
    page.goto(f"/admin/engagement/event/{event.pk}/history/")
    styled(page)
    no_violations(page)
