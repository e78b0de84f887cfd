"""A district admin makes an API token from the dashboard, sees it once, reads the API docs
(served from our own static files under the strict CSP) and the token answers."""

from playwright.sync_api import expect

from tests.leadership.factories import PASSWORD


def test_district_admin_makes_a_token_and_reads_the_docs(page, axe_check, world):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(world.district_admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/districts/{world.district.slug}/dashboard/")
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1, name="API tokens")).to_be_visible()
    axe_check(page)

    page.get_by_label("Name").fill("Assessment platform")
    page.get_by_label("Add measure data points (assessment results)").check()
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("heading", name="Token “Assessment platform” created")).to_be_visible()
    secret = page.get_by_role("textbox", name="Token", exact=True).input_value()
    assert secret.startswith("acc_")
    axe_check(page)

    # Shown once: the list names it, the secret is gone on the next visit.
    page.reload()
    expect(page.get_by_role("row", name="Assessment platform")).to_be_visible()
    assert secret not in page.content()

    # The docs render under the site's CSP (a blocked script or style fails the test).
    page.get_by_role("link", name="API documentation").click()
    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.get_by_text("/api/v1/data-points/").first).to_be_visible()

    answer = page.request.get("/api/v1/schools/", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status == 200
    assert {s["slug"] for s in answer.json()["items"]} == {"lincoln", "roosevelt"}
