"""Permission matrix of the district dashboard and priorities: role x URL -> status."""

from leadership.models import DistrictPriority, SignOnProvider
from leadership.services import priority_version, sign_on_provider_version
from tests.leadership.test_permissions import everyone
from tests.matrix import Row, check_row, parametrize


def _district(world):
    return {"slug": world.district.slug}


def _district_with_year(world):
    from tests.teams.factories import current_year

    current_year(world.district)
    return {"slug": world.district.slug}


def _drilldown(world):
    return {"slug": world.district.slug, "school": world.school.slug}


def _far_drilldown(world):
    # A school of another district, asked for under this district's URL.
    return {"slug": world.district.slug, "school": world.far_school.slug}


def _school(world):
    return {"slug": world.school.slug}


def _priority(world):
    from tests.teams.factories import current_year

    priority = DistrictPriority.objects.create(
        district=world.district, school_year=current_year(world.district), title="Literacy"
    )
    return {"slug": world.district.slug, "pk": priority.pk}


def _provider(world):
    provider = SignOnProvider.objects.create(
        district=world.district,
        kind="google",
        label="Riverside Google",
        client_id="id",
        secret="secret",
    )
    return {"slug": world.district.slug, "pk": provider.pk}


def _far_provider(world):
    # Another district's provider, asked for under this district's URL.
    provider = SignOnProvider.objects.create(
        district=world.other_district,
        kind="google",
        label="Hillcrest Google",
        client_id="id",
        secret="secret",
    )
    return {"slug": world.district.slug, "pk": provider.pk}


def _provider_form(world):
    provider = SignOnProvider.objects.get(district=world.district)
    return {
        "kind": "google",
        "label": "Riverside staff",
        "client_id": "id",
        "secret": "",
        "server_url": "",
        "tenant": "",
        "is_active": "on",
        "version": sign_on_provider_version(provider),
    }


DISTRICT_ADMINS_ONLY = everyone(403, anonymous=302, district_admin=200, other_district_admin=404)

MATRIX = [
    Row("district:district_dashboard", DISTRICT_ADMINS_ONLY, kwargs=_district),
    Row("district:district_dashboard_csv", DISTRICT_ADMINS_ONLY, kwargs=_district),
    Row("district:school_drilldown", DISTRICT_ADMINS_ONLY, kwargs=_drilldown),
    Row(
        "district:school_drilldown",
        everyone(403, anonymous=302, district_admin=404, other_district_admin=404),
        kwargs=_far_drilldown,
    ),
    Row("district:district_priorities", DISTRICT_ADMINS_ONLY, kwargs=_district),
    Row(
        "district:district_priorities",
        everyone(403, anonymous=302, district_admin=302, other_district_admin=404),
        kwargs=_district_with_year,
        method="POST",
        data=lambda w: {"title": "Every student reads", "description": ""},
    ),
    Row("district:priority_edit", DISTRICT_ADMINS_ONLY, kwargs=_priority),
    Row(
        "district:priority_edit",
        everyone(403, anonymous=302, district_admin=302, other_district_admin=404),
        kwargs=_priority,
        method="POST",
        data=lambda w: {
            "title": "Literacy for all",
            "description": "",
            "version": priority_version(DistrictPriority.objects.get(district=w.district)),
        },
    ),
    Row("district:sign_on", DISTRICT_ADMINS_ONLY, kwargs=_district),
    Row(
        "district:sign_on",
        everyone(403, anonymous=302, district_admin=302, other_district_admin=404),
        kwargs=_district,
        method="POST",
        data=lambda w: {"staff_password_sign_in": "on"},
    ),
    Row("district:sign_on_provider_add", DISTRICT_ADMINS_ONLY, kwargs=_district),
    Row(
        "district:sign_on_provider_add",
        everyone(403, anonymous=302, district_admin=302, other_district_admin=404),
        kwargs=_district,
        method="POST",
        data=lambda w: {
            "kind": "openid_connect",
            "label": "Riverside ID",
            "client_id": "accord",
            "secret": "from-the-console",
            "server_url": "https://id.example.org",
            "tenant": "",
            "is_active": "on",
        },
    ),
    Row("district:sign_on_provider", DISTRICT_ADMINS_ONLY, kwargs=_provider),
    Row(
        "district:sign_on_provider",
        everyone(403, anonymous=302, district_admin=404, other_district_admin=404),
        kwargs=_far_provider,
    ),
    Row(
        "district:sign_on_provider",
        everyone(403, anonymous=302, district_admin=302, other_district_admin=404),
        kwargs=_provider,
        method="POST",
        data=_provider_form,
    ),
    Row(
        "district:sign_on_provider_delete",
        everyone(403, anonymous=302, district_admin=302, other_district_admin=404),
        kwargs=_provider,
        method="POST",
    ),
    Row(
        "district:school_dashboard",
        everyone(
            403,
            anonymous=302,
            principal=200,
            district_admin=200,
            other_school_principal=404,
            other_district_admin=404,
        ),
        kwargs=_school,
    ),
]


@parametrize(MATRIX)
def test_permission_matrix(row, role, world, client):
    check_row(row, role, world, client)
