"""A family signs in with a code e-mailed to it and lands on its own page."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from leadership.adapters import INCORRECT_CODE

# allauth's login-code e-mail puts the code alone on its line, e.g. "KXQT-MBRW".
CODE_LINE = re.compile(r"^\s*([A-Z0-9]{4}(?:-[A-Z0-9]{4})+)\s*$", re.MULTILINE)
# No real code contains an "A": allauth draws codes from consonants only.
WRONG_CODE = "AAAA-AAAA"


@pytest.fixture
def family(family):
    """Families are invited to sign in by code and never get a usable password."""
    family.set_unusable_password()
    family.save(update_fields=["password"])
    return family


def request_sign_in_code(page, axe_check, email: str) -> None:
    """From the welcome page to the page that asks for the code, the way a family goes."""
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="E-mail me a sign-in code").click()
    expect(page.get_by_role("heading", name="Sign in with a code")).to_be_visible()
    axe_check(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="E-mail me a code").click()
    expect(page.get_by_role("heading", name="Enter your sign-in code")).to_be_visible()
    axe_check(page)


def code_from(message) -> str:
    match = CODE_LINE.search(message.body)
    assert match, f"no sign-in code in this e-mail:\n{message.body}"
    return match.group(1)


def test_family_signs_in_with_an_emailed_code(page, mailbox, axe_check, world, family):
    request_sign_in_code(page, axe_check, family.email)
    assert [message.to for message in mailbox] == [[family.email]]

    page.get_by_label("Sign-in code").fill(code_from(mailbox[-1]))
    page.get_by_role("button", name="Sign in", exact=True).click()

    expect(page).to_have_url(re.compile(r"/family/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    expect(page.get_by_role("heading", name=world.school.name)).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    axe_check(page)


def test_a_wrong_code_is_refused_and_the_family_stays_signed_out(page, mailbox, axe_check, family):
    request_sign_in_code(page, axe_check, family.email)
    assert code_from(mailbox[-1]) != WRONG_CODE

    page.get_by_label("Sign-in code").fill(WRONG_CODE)
    page.get_by_role("button", name="Sign in", exact=True).click()

    with translation.override(family.preferred_language):
        expect(page.get_by_text(str(INCORRECT_CODE))).to_be_visible()
    expect(page.get_by_role("heading", name="Enter your sign-in code")).to_be_visible()
    axe_check(page)
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    # The family page sends a visitor who is not signed in back into the sign-in flow.
    page.goto("/family/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
