"""Browser tests: Debian's Chromium, driven by Playwright against the live server; axe checks."""

import os
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

E2E_DIR = Path(__file__).parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# A page that needs longer than this to show an element is broken, not slow; Playwright's
# default of 30 s would only make a failing run wait.
TIMEOUT_MS = 10_000
BLOCKING_IMPACTS = {"serious", "critical"}
# The standard the conventions ask for: WCAG 2.1 level A and AA.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
axe = Axe()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    # Runs before `-m` deselects, so `-m "not e2e"` leaves these tests out. The hook sees the
    # whole session's items, hence the check on the path.
    for item in items:
        if E2E_DIR in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="package", autouse=True)
def _allow_django_orm_under_playwright():
    """Playwright's sync API keeps an asyncio loop marked as running in this thread.

    Django then refuses ORM calls from the test (SynchronousOnlyOperation), although the
    test itself is synchronous. The variable lifts that check for the e2e package only, and
    from before the first test's database setup until after the last one's teardown.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="package")
def browser(_allow_django_orm_under_playwright):
    """One headless Chromium for the e2e package.

    Package rather than session scope: while Playwright runs, its loop stays marked as
    running, and every non-e2e test after this package would hit SynchronousOnlyOperation.
    """
    executable = CHROMIUM if os.access(CHROMIUM, os.X_OK) else shutil.which("chromium")
    if not executable:
        message = f"Chromium not found at {CHROMIUM} or on PATH (apt-get install chromium)"
        if os.environ.get("REQUIRE_E2E") == "1":
            pytest.fail(f"REQUIRE_E2E=1 but {message}", pytrace=False)
        pytest.skip(message)
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser, transactional_db, live_server):
    """A fresh browser context on the live server; console errors fail the test.

    Under the strict Content-Security-Policy an inline script or a blocked resource shows
    only as a console error, so such an error means the page is broken.
    """
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    errors = []

    def on_console(message) -> None:
        if message.type == "error":
            errors.append(f"{message.location['url'] or tab.url}: {message.text}")

    tab.on("console", on_console)
    tab.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    yield tab
    context.close()
    if errors:
        pytest.fail("Console errors in the browser:\n" + "\n".join(errors), pytrace=False)


# Pages that have been brought to it pass axe's moderate findings and its best-practice
# rules too (heading order, landmarks named apart): axe_check(page, moderate=True).
MODERATE_IMPACTS = BLOCKING_IMPACTS | {"moderate"}
MODERATE_OPTIONS = {
    **AXE_OPTIONS,
    "runOnly": {"type": "tag", "values": [*AXE_OPTIONS["runOnly"]["values"], "best-practice"]},
}


@pytest.fixture
def axe_check():
    """axe_check(page): no serious or critical WCAG 2.1 AA violation on the current page;
    axe_check(page, moderate=True): no moderate one either, best-practice rules included."""

    def check(tab, *, moderate: bool = False) -> None:
        options, impacts = (
            (MODERATE_OPTIONS, MODERATE_IMPACTS) if moderate else (AXE_OPTIONS, BLOCKING_IMPACTS)
        )
        violations = [
            violation
            for violation in axe.run(tab, options=options).response["violations"]
            if violation["impact"] in impacts
        ]
        report = "\n".join(
            f"{violation['id']} ({violation['impact']}): {violation['help']} -> "
            + "; ".join(", ".join(map(str, node["target"])) for node in violation["nodes"])
            for violation in violations
        )
        assert not violations, f"axe found on {tab.url}:\n{report}"

    return check


@pytest.fixture
def mailbox(transactional_db, mailoutbox):
    """The e-mail the live server sent during the test, oldest first.

    The live server runs in a thread of this process, so it sends through the same locmem
    backend. The database fixture comes first because Django's test-case setup replaces
    django.core.mail.outbox, which would leave an earlier reference pointing at a stale list.
    """
    return mailoutbox
