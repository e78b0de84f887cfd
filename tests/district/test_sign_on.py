"""The district's single sign-on page: adding and changing a provider, the write-only secret,
turning staff passwords off, and bad input answered on the form with nothing stored."""

from __future__ import annotations

import pytest
from django.urls import reverse

from leadership.models import SignOnProvider
from leadership.services import sign_on_provider_version

pytestmark = pytest.mark.django_db

SECRET = "console-secret-9f3a"


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.district_admin)
    return client


def _page(name, world, **kwargs):
    return reverse(f"district:{name}", kwargs={"slug": world.district.slug, **kwargs})


def _form(**fields):
    return {
        "kind": "openid_connect",
        "label": "Riverside ID",
        "client_id": "accord",
        "secret": SECRET,
        "server_url": "https://id.example.org",
        "tenant": "",
        "is_active": "on",
        **fields,
    }


def test_admin_adds_a_provider_and_the_secret_is_never_shown_back(admin_client, world):
    response = admin_client.post(_page("sign_on_provider_add", world), _form(), follow=True)
    assert "Riverside ID saved." in response.content.decode()
    provider = SignOnProvider.objects.get(district=world.district)
    assert (provider.kind, provider.server_url, provider.secret) == (
        "openid_connect",
        "https://id.example.org",
        SECRET,
    )
    edit = admin_client.get(_page("sign_on_provider", world, pk=provider.pk)).content.decode()
    assert SECRET not in edit
    assert "A secret is saved" in edit
    assert f"/accounts/oidc/district-{world.district.pk}/login/callback/" in edit
    assert "SSO_SECRET_RIVERSIDE_OPENID_CONNECT" in edit


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"server_url": ""}, "Give the provider&#x27;s issuer URL."),
        ({"server_url": "not a url"}, "Enter a valid URL."),
        ({"kind": "microsoft", "server_url": "", "tenant": ""}, "Give your directory (tenant) ID"),
        ({"secret": ""}, "SSO_SECRET_RIVERSIDE_OPENID_CONNECT"),
        ({"client_id": ""}, "This field is required."),
    ],
)
def test_bad_input_is_answered_on_the_form_and_nothing_is_stored(
    admin_client, world, fields, message
):
    response = admin_client.post(_page("sign_on_provider_add", world), _form(**fields))
    assert response.status_code == 200
    page = response.content.decode()
    assert "The provider was not saved" in page
    assert message in page
    assert not SignOnProvider.objects.exists()


def test_a_second_provider_of_the_same_kind_is_refused(admin_client, world):
    admin_client.post(_page("sign_on_provider_add", world), _form())
    response = admin_client.post(_page("sign_on_provider_add", world), _form(label="Again"))
    assert response.status_code == 200
    assert "already has a provider of this kind" in response.content.decode()
    assert SignOnProvider.objects.count() == 1


def test_a_change_saved_meanwhile_by_another_admin_is_not_overwritten(admin_client, world):
    admin_client.post(_page("sign_on_provider_add", world), _form())
    provider = SignOnProvider.objects.get()
    version = sign_on_provider_version(provider)
    SignOnProvider.objects.filter(pk=provider.pk).update(label="Renamed meanwhile")
    response = admin_client.post(
        _page("sign_on_provider", world, pk=provider.pk),
        _form(label="My name", secret="", version=version),
    )
    assert response.status_code == 200
    provider.refresh_from_db()
    assert provider.label == "Renamed meanwhile"


def test_passwords_cannot_go_off_without_a_provider(admin_client, world):
    response = admin_client.post(_page("sign_on", world), {})
    assert response.status_code == 200
    assert "Switch on a sign-on provider before" in response.content.decode()
    world.district.refresh_from_db()
    assert world.district.staff_password_sign_in is True


def test_passwords_go_off_and_on_again(admin_client, world):
    admin_client.post(_page("sign_on_provider_add", world), _form())
    response = admin_client.post(_page("sign_on", world), {}, follow=True)
    assert "Staff now sign in only through your sign-on provider." in response.content.decode()
    world.district.refresh_from_db()
    assert world.district.staff_password_sign_in is False
    admin_client.post(_page("sign_on", world), {"staff_password_sign_in": "on"})
    world.district.refresh_from_db()
    assert world.district.staff_password_sign_in is True


def test_the_page_is_in_spanish_for_a_spanish_speaker(admin_client, world):
    world.district_admin.preferred_language = "es"
    world.district_admin.save(update_fields=["preferred_language"])
    page = admin_client.get(_page("sign_on", world)).content.decode()
    assert "Inicio de sesión único" in page
    assert "Agregar un proveedor" in page


def test_the_sign_in_page_reads_its_buttons_in_one_query_however_many(
    client, world, django_assert_num_queries
):
    from tests.leadership.factories import DistrictFactory

    for n in range(4):
        district = DistrictFactory(slug=f"d{n}", name=f"D{n}")
        SignOnProvider.objects.create(
            district=district, kind="google", label=f"D{n}", client_id="i", secret="s"
        )
    with django_assert_num_queries(1):
        page = client.get(reverse("account_login")).content.decode()
    assert page.count("Sign in with D") == 4
