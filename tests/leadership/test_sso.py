"""Single sign-on for staff: who a provider's answer signs in, the district's configuration,
password sign-in turned off, and the sign-in page when the provider cannot be reached.

The full exchange with a real OpenID Connect provider runs in tests/e2e/test_sso.py."""

from __future__ import annotations

import socket

import pytest
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse

from leadership import services, sso
from leadership.models import AuditEntry, Membership, Role, SignOnProvider, User
from leadership.sso import Address, SignOnRefused, sign_on_person
from tests.leadership.factories import PASSWORD, InvitationFactory


def _oidc(district, **fields):
    values = {
        "kind": SignOnProvider.Kind.OPENID_CONNECT,
        "label": f"{district.name} accounts",
        "client_id": "accord",
        "secret": "s3cret-from-the-console",
        "server_url": "https://id.example.org",
    }
    return SignOnProvider.objects.create(district=district, **{**values, **fields})


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- who gets in ------------------------------------------------------------------------------


def test_a_staff_member_is_found_by_a_verified_address_in_any_case(world):
    found = sign_on_person(
        district=world.district, addresses=[Address("Staff@Example.org", verified=True)]
    )
    assert found == world.staff


def test_a_district_admin_signs_in_too(world):
    found = sign_on_person(
        district=world.district, addresses=[Address("admin@example.org", verified=True)]
    )
    assert found == world.district_admin


def test_an_unverified_address_is_refused_even_for_staff(world):
    with pytest.raises(SignOnRefused, match="not confirmed your e-mail address"):
        sign_on_person(
            district=world.district, addresses=[Address("staff@example.org", verified=False)]
        )


def test_an_answer_without_an_address_is_refused(world):
    with pytest.raises(SignOnRefused, match="did not tell us your e-mail address"):
        sign_on_person(district=world.district, addresses=[])


def test_a_stranger_of_the_same_domain_is_refused_and_nothing_is_made(world):
    users = User.objects.count()
    with pytest.raises(SignOnRefused, match="not a staff account of Riverside"):
        sign_on_person(
            district=world.district, addresses=[Address("stranger@example.org", verified=True)]
        )
    assert User.objects.count() == users


def test_staff_of_another_district_is_refused(world):
    with pytest.raises(SignOnRefused):
        sign_on_person(
            district=world.other_district,
            addresses=[Address("staff@example.org", verified=True)],
        )


def test_a_family_is_refused_they_sign_in_with_the_emailed_code(world):
    with pytest.raises(SignOnRefused):
        sign_on_person(
            district=world.district, addresses=[Address("family@example.org", verified=True)]
        )


def test_a_former_staff_member_is_refused(world):
    Membership.objects.filter(user=world.staff).update(is_active=False)
    with pytest.raises(SignOnRefused):
        sign_on_person(
            district=world.district, addresses=[Address("staff@example.org", verified=True)]
        )


def test_a_pending_staff_invitation_is_accepted_on_the_spot(world):
    invitation = InvitationFactory(
        school=world.school, role=Role.TEACHER_LEADER, email="New.Teacher@example.org"
    )
    user = sign_on_person(
        district=world.district, addresses=[Address("new.teacher@example.org", verified=True)]
    )
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert not user.has_usable_password()
    assert Membership.objects.filter(
        user=user, school=world.school, role=Role.TEACHER_LEADER, is_active=True
    ).exists()


def test_an_invitation_of_another_district_or_a_family_one_lets_nobody_in(world):
    InvitationFactory(school=world.far_school, email="elsewhere@example.org")
    InvitationFactory(school=world.school, role=Role.FAMILY, email="parent@example.org")
    for email in ("elsewhere@example.org", "parent@example.org"):
        with pytest.raises(SignOnRefused):
            sign_on_person(district=world.district, addresses=[Address(email, verified=True)])
    assert not User.objects.filter(email__in=["elsewhere@example.org", "parent@example.org"])


# --- what allauth is handed ---------------------------------------------------------------


def test_allauth_gets_the_app_of_the_district_whose_button_was_pressed(world):
    ours = SignOnProvider.objects.create(
        district=world.district,
        kind="google",
        label="Riverside Google",
        client_id="r-id",
        secret="r-secret",
    )
    SignOnProvider.objects.create(
        district=world.other_district,
        kind="google",
        label="Hillcrest Google",
        client_id="h-id",
        secret="h-secret",
    )
    request = RequestFactory().get("/")
    request.session = {sso.SESSION_KEY: ours.pk}
    app = get_social_adapter(request).get_app(request, provider="google")
    assert (app.client_id, app.secret) == ("r-id", "r-secret")
    assert app.settings["accord_district"] == world.district.pk


def test_an_oidc_provider_is_found_by_its_district_provider_id(world):
    config = _oidc(world.district)
    request = RequestFactory().get("/")
    request.session = {}
    provider = get_social_adapter(request).get_provider(request, f"district-{world.district.pk}")
    assert provider.app.client_id == "accord"
    assert provider.app.settings["server_url"] == config.server_url


def test_a_switched_off_provider_is_not_offered(world):
    _oidc(world.district, is_active=False)
    request = RequestFactory().get("/")
    request.session = {}
    assert get_social_adapter(request).list_apps(request) == []


def test_the_secret_in_the_environment_wins(world, monkeypatch):
    config = _oidc(world.district)
    monkeypatch.setenv("SSO_SECRET_RIVERSIDE_OPENID_CONNECT", "from-the-environment")
    assert sso.social_app(config).secret == "from-the-environment"


# --- the district's configuration ---------------------------------------------------------


def test_saving_a_provider_keeps_the_secret_out_of_the_audit_log(world):
    provider = services.sign_on_provider_save(
        actor=world.district_admin,
        district=world.district,
        kind="openid_connect",
        label="Riverside ID",
        client_id="accord",
        secret="very-secret-value",
        server_url="https://id.example.org",
        tenant="",
        is_active=True,
    )
    assert provider.secret == "very-secret-value"
    entry = AuditEntry.objects.get(action="sign_on.create")
    assert "very-secret-value" not in str(entry.after) + str(entry.before)
    assert entry.after["secret_changed"] is True


def test_a_blank_secret_keeps_the_saved_one(world):
    provider = _oidc(world.district)
    services.sign_on_provider_save(
        actor=world.district_admin,
        district=world.district,
        provider=provider,
        label="Renamed",
        secret="",
    )
    provider.refresh_from_db()
    assert (provider.label, provider.secret) == ("Renamed", "s3cret-from-the-console")


def test_a_provider_without_any_secret_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        services.sign_on_provider_save(
            actor=world.district_admin,
            district=world.district,
            kind="google",
            label="Google",
            client_id="id",
            secret="",
        )
    assert "SSO_SECRET_RIVERSIDE_GOOGLE" in str(caught.value)
    assert not SignOnProvider.objects.exists()


def test_microsoft_needs_the_districts_own_tenant(world):
    with pytest.raises(ValidationError) as caught:
        services.sign_on_provider_save(
            actor=world.district_admin,
            district=world.district,
            kind="microsoft",
            label="Microsoft",
            client_id="id",
            secret="x",
            tenant="common",
        )
    assert "tenant" in caught.value.message_dict
    assert not SignOnProvider.objects.exists()


def test_password_sign_in_goes_off_only_with_a_provider_switched_on(world):
    with pytest.raises(ValidationError, match="Switch on a sign-on provider"):
        services.district_password_sign_in_set(
            actor=world.district_admin, district=world.district, allowed=False
        )
    world.district.refresh_from_db()
    assert world.district.staff_password_sign_in is True

    provider = _oidc(world.district)
    services.district_password_sign_in_set(
        actor=world.district_admin, district=world.district, allowed=False
    )
    world.district.refresh_from_db()
    assert world.district.staff_password_sign_in is False
    # ...and then the last provider cannot be removed.
    with pytest.raises(ValidationError):
        services.sign_on_provider_delete(actor=world.district_admin, provider=provider)
    assert SignOnProvider.objects.filter(pk=provider.pk).exists()


# --- password sign-in turned off --------------------------------------------------------------


def _password_sign_in(client, email):
    return client.post(reverse("account_login"), {"login": email, "password": PASSWORD})


def test_staff_of_a_district_without_passwords_is_refused_with_a_password(world, client):
    _oidc(world.district)
    services.district_password_sign_in_set(
        actor=world.district_admin, district=world.district, allowed=False
    )
    response = _password_sign_in(client, "staff@example.org")
    assert response.status_code == 200
    assert "signs staff in through its own sign-in service" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_staff_of_another_district_still_signs_in_with_a_password(world, client):
    _oidc(world.district)
    services.district_password_sign_in_set(
        actor=world.district_admin, district=world.district, allowed=False
    )
    response = _password_sign_in(client, "other.admin@example.org")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.other_district_admin.pk)


def test_a_family_sign_in_code_still_works_when_passwords_are_off(world, client, mailoutbox):
    _oidc(world.district)
    services.district_password_sign_in_set(
        actor=world.district_admin, district=world.district, allowed=False
    )
    response = client.post(reverse("account_request_login_code"), {"email": "family@example.org"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1


# --- the button, with the provider out of reach --------------------------------------------


def test_the_sign_in_page_offers_each_districts_button(world, client):
    _oidc(world.district, label="Riverside accounts")
    response = client.get(reverse("account_login"))
    assert "Sign in with Riverside accounts" in response.content.decode()


def test_a_provider_that_cannot_be_reached_is_a_clear_message_not_an_error(world, client):
    _oidc(world.district, server_url=f"http://127.0.0.1:{_free_port()}")
    response = client.post(
        reverse("leadership:sign_on_start", kwargs={"slug": "riverside", "kind": "openid_connect"})
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    [message] = list(get_messages(response.wsgi_request))
    assert "could not reach Riverside accounts" in str(message)


def test_a_callback_with_a_forged_state_signs_nobody_in(world, client):
    _oidc(world.district)
    response = client.get(
        reverse("openid_connect_callback", kwargs={"provider_id": f"district-{world.district.pk}"}),
        {"state": "forged", "code": "anything"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    [message] = list(get_messages(response.wsgi_request))
    assert "did not work" in str(message)
    assert "_auth_user_id" not in client.session


def test_a_provider_another_district_did_not_configure_is_not_found(world, client):
    response = client.post(
        reverse("leadership:sign_on_start", kwargs={"slug": "riverside", "kind": "google"})
    )
    assert response.status_code == 404


def test_the_sign_in_page_lets_its_buttons_post_on_to_the_providers(world, client):
    _oidc(world.district, server_url="https://id.example.org/realms/staff")
    SignOnProvider.objects.create(
        district=world.other_district, kind="google", label="Hillcrest", client_id="i", secret="s"
    )
    policy = client.get(reverse("account_login"))["Content-Security-Policy"]
    form_action = next(part for part in policy.split(";") if "form-action" in part)
    assert "https://id.example.org" in form_action
    assert "https://accounts.google.com" in form_action
    # ...and no other page does.
    other = client.get(reverse("account_request_login_code"))["Content-Security-Policy"]
    assert "id.example.org" not in other


@pytest.mark.parametrize("kind", ["google", "microsoft"])
def test_a_callback_of_a_provider_no_district_configured_signs_nobody_in(world, client, kind):
    response = client.get(reverse(f"{kind}_callback"), {"state": "anything", "code": "anything"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    assert "_auth_user_id" not in client.session


def test_a_google_callback_in_a_browser_that_pressed_no_button_signs_nobody_in(world, client):
    for district in (world.district, world.other_district):
        SignOnProvider.objects.create(
            district=district, kind="google", label=district.name, client_id="i", secret="s"
        )
    response = client.get(reverse("google_callback"), {"state": "x", "code": "y"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
