"""Permission matrix of the rostering pages: only the district's admins import."""

from rostering.models import RosterImport
from tests.matrix import Row, check_row, parametrize


def everyone(status: int, **overrides) -> dict[str, int]:
    from tests.conftest import ROLES

    return {role: overrides.get(role, status) for role in ROLES}


def _district(world):
    return {"slug": world.district.slug}


def _import(world):
    roster_import = RosterImport.objects.create(
        district=world.district,
        file="rostering/none.zip",
        original_name="export.zip",
        status=RosterImport.Status.APPLIED,
        problems=[["warning", "users.csv", 3, "No e-mail"]],
        warning_count=1,
    )
    return {"slug": world.district.slug, "pk": roster_import.pk}


def admins_only(ok: int) -> dict[str, int]:
    # A person of the district without the right: 403; another district's admin: 404.
    return everyone(403, anonymous=302, district_admin=ok, other_district_admin=404)


MATRIX = [
    Row("rostering:imports", admins_only(200), kwargs=_district),
    Row("rostering:imports", admins_only(200), kwargs=_district, method="POST"),
    Row("rostering:invite", admins_only(302), kwargs=_district, method="POST"),
    Row("rostering:sis", admins_only(200), kwargs=_district),
    # An empty form: the admin gets the page back with the errors.
    Row("rostering:sis", admins_only(200), kwargs=_district, method="POST"),
    # No connection yet: the admin is told to connect first.
    Row("rostering:sis_sync", admins_only(409), kwargs=_district, method="POST"),
    Row("rostering:import_detail", admins_only(200), kwargs=_import),
    Row("rostering:import_apply", admins_only(302), kwargs=_import, method="POST"),
    Row("rostering:import_problems", admins_only(200), kwargs=_import),
]


@parametrize(MATRIX)
def test_permission_matrix(row, role, world, client):
    check_row(row, role, world, client)


def test_another_districts_import_is_404_even_for_an_admin(world, client):
    from django.urls import reverse

    kwargs = _import(world)
    client.force_login(world.other_district_admin)
    url = reverse(
        "rostering:import_detail",
        kwargs={"slug": world.other_district.slug, "pk": kwargs["pk"]},
    )
    assert client.get(url).status_code == 404
