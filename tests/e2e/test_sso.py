"""Staff sign in with their district's OpenID Connect provider, in a real browser, against a
real provider (django-oauth-toolkit in a second process, tests/oidc_provider): an invited
teacher gets in, a stranger of the same domain and an unverified address do not, a district
that turned passwords off refuses a staff password, and families keep the e-mailed code."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from leadership.models import Invitation, Role, SignOnProvider
from tests.e2e.test_family_sign_in import code_from
from tests.leadership.factories import PASSWORD, InvitationFactory
from tests.oidc_provider.running import oidc_provider

PROVIDER_PASSWORD = "provider-password-1"
PEOPLE = [
    # An invited teacher whose account does not exist yet.
    {"username": "ana", "email": "ana.teacher@example.org", "password": PROVIDER_PASSWORD},
    # A staff member already rostered in Accord.
    {"username": "sam", "email": "staff@example.org", "password": PROVIDER_PASSWORD},
    # Someone of the same domain whom Accord never heard of.
    {"username": "stranger", "email": "stranger@example.org", "password": PROVIDER_PASSWORD},
    # A teacher leader in Accord, but the provider never confirmed this address.
    {
        "username": "lee",
        "email": "leader@example.org",
        "password": PROVIDER_PASSWORD,
        "first_name": "unverified",
    },
]
LABEL = "Riverside accounts"


@pytest.fixture
def provider(world, live_server, tmp_path):
    callback = f"/accounts/oidc/district-{world.district.pk}/login/callback/"
    with oidc_provider(
        redirect_uri=live_server.url + callback, people=PEOPLE, workdir=tmp_path
    ) as running:
        yield running


@pytest.fixture
def configured(world, provider):
    """The district's provider, as its admin would save it on the district's page."""
    return SignOnProvider.objects.create(
        district=world.district,
        kind=SignOnProvider.Kind.OPENID_CONNECT,
        label=LABEL,
        client_id=provider.client_id,
        secret=provider.client_secret,
        server_url=provider.issuer,
    )


def sign_in_with_provider(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_role("button", name=f"Sign in with {LABEL}").click()
    expect(page.get_by_role("heading", name="District identity provider")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Sign in to the provider").click()


def password_sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def expect_signed_out(page) -> None:
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_district_admin_sets_up_the_provider_and_an_invited_teacher_signs_in(
    page, browser, live_server, axe_check, world, provider
):
    invitation = InvitationFactory(
        school=world.school, role=Role.TEACHER_LEADER, email="ana.teacher@example.org"
    )
    # The district admin adds the provider on the district's page.
    password_sign_in(page, world.district_admin.email)
    page.goto(f"/districts/{world.district.slug}/")
    page.get_by_role("link", name="Single sign-on").click()
    expect(page.get_by_role("heading", level=1, name="Single sign-on")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Add a provider").click()
    page.get_by_role("combobox", name="Provider").select_option("openid_connect")
    page.get_by_label("Button label").fill(LABEL)
    page.get_by_label("Client ID").fill(provider.client_id)
    page.get_by_label("Issuer URL").fill(provider.issuer)
    page.get_by_label("Client secret").fill(provider.client_secret)
    axe_check(page)
    page.get_by_role("button", name="Save provider").click()
    expect(page.get_by_text(f"{LABEL} saved.")).to_be_visible()
    expect(page.get_by_role("link", name=LABEL)).to_be_visible()

    # The invited teacher, in a browser of their own, signs in through the provider.
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    teacher = context.new_page()
    try:
        teacher.goto("/accounts/login/")
        axe_check(teacher)
        sign_in_with_provider(teacher, "ana")
        expect(teacher.get_by_role("button", name="Sign out")).to_be_visible()
        expect(teacher).not_to_have_url(re.compile(r"/accounts/login/"))
    finally:
        context.close()
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.ACCEPTED
    assert invitation.accepted_by.memberships.filter(
        school=world.school, role=Role.TEACHER_LEADER
    ).exists()


def test_rostered_staff_signs_in_and_again_later(page, world, configured):
    sign_in_with_provider(page, "sam")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    # The second time the account is already linked; the provider remembers the person.
    page.goto("/accounts/login/")
    page.get_by_role("button", name=f"Sign in with {LABEL}").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert world.staff.socialaccount_set.count() == 1


def test_a_stranger_of_the_same_domain_is_refused(page, axe_check, world, configured):
    sign_in_with_provider(page, "stranger")
    expect_signed_out(page)
    expect(page.get_by_role("status")).to_contain_text(
        "stranger@example.org is not a staff account of Riverside"
    )
    axe_check(page)


def test_an_unverified_address_is_refused(page, world, configured):
    sign_in_with_provider(page, "lee")
    expect_signed_out(page)
    expect(page.get_by_role("status")).to_contain_text("has not confirmed your e-mail address")
    assert not world.teacher_leader.socialaccount_set.exists()


def test_with_passwords_off_staff_use_the_provider_and_families_keep_the_code(
    page, browser, live_server, axe_check, mailbox, world, configured
):
    # The district admin turns staff passwords off.
    password_sign_in(page, world.district_admin.email)
    page.goto(f"/districts/{world.district.slug}/sign-in/")
    page.get_by_label("Staff may also sign in with a password").uncheck()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(
        page.get_by_text("Staff now sign in only through your sign-on provider.")
    ).to_be_visible()
    axe_check(page)

    context = browser.new_context(base_url=live_server.url, locale="en-US")
    tab = context.new_page()
    try:
        # A staff member's right password is refused, with the way to sign in instead.
        password_sign_in(tab, world.staff.email)
        expect(tab.get_by_text("signs staff in through its own sign-in service")).to_be_visible()
        expect(tab.get_by_role("button", name="Sign out")).to_have_count(0)
        axe_check(tab)
        # The provider still lets them in.
        sign_in_with_provider(tab, "sam")
        expect(tab.get_by_role("button", name="Sign out")).to_be_visible()
    finally:
        context.close()

    # A family of the same district signs in with the e-mailed code.
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    family = context.new_page()
    try:
        family.goto("/accounts/login/")
        family.get_by_role("link", name="E-mail me a sign-in code").click()
        family.get_by_label("Email address").fill(world.family.email)
        family.get_by_role("button", name="E-mail me a code").click()
        family.get_by_label("Sign-in code").fill(code_from(mailbox[-1]))
        family.get_by_role("button", name="Sign in", exact=True).click()
        expect(family).to_have_url(re.compile(r"/family/$"))
        expect(family.get_by_role("button", name="Sign out")).to_be_visible()
    finally:
        context.close()
