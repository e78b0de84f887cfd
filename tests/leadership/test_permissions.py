"""Permission matrix of the leadership pages: role x URL -> status."""

from leadership import tokens
from leadership.models import Role
from tests.leadership.factories import InvitationFactory
from tests.matrix import Row, check_row, parametrize


def everyone(status: int, **overrides) -> dict[str, int]:
    from tests.conftest import ROLES

    return {role: overrides.get(role, status) for role in ROLES}


def _school(world):
    return {"slug": world.school.slug}


def _sign_on_provider(world):
    from leadership.models import SignOnProvider

    SignOnProvider.objects.create(
        district=world.district,
        kind="openid_connect",
        label="Riverside ID",
        client_id="accord",
        secret="x",
        server_url="http://127.0.0.1:9",  # nothing listens on the discard port
    )
    return {"slug": world.district.slug, "kind": "openid_connect"}


def _district(world):
    return {"slug": world.district.slug}


def _pending_invitation(world):
    invitation = InvitationFactory(school=world.school, role=Role.STAFF, invited_by=world.principal)
    return {"pk": invitation.pk}


def _family_membership(world):
    from leadership.models import Membership

    membership = Membership.objects.get(user=world.family, school=world.school)
    return {"slug": world.school.slug, "pk": membership.pk}


def _invitation_token(world):
    invitation = InvitationFactory(school=world.school, role=Role.FAMILY)
    return {"token": tokens.make_token(invitation)}


SCHOOL_MEMBERS_200 = dict(
    district_admin=200, principal=200, teacher_leader=200, staff=200, family=200
)
OUTSIDERS_404 = dict(other_school_principal=404, other_district_admin=404)

MATRIX = [
    Row("home", everyone(302, anonymous=200)),
    Row("leadership:my_work", everyone(200, anonymous=302)),
    Row("healthz", everyone(200)),
    Row("readyz", everyone(200)),
    Row(
        "leadership:district_detail",
        everyone(403, anonymous=302, district_admin=200, other_district_admin=404),
        kwargs=_district,
    ),
    Row(
        "leadership:district_invite",
        everyone(403, anonymous=302, district_admin=200, other_district_admin=404),
        kwargs=_district,
        method="POST",
    ),
    Row(
        "leadership:school_detail",
        everyone(200, anonymous=302, **OUTSIDERS_404),
        kwargs=_school,
    ),
    Row(
        "leadership:school_vision_edit",
        everyone(403, anonymous=302, principal=200, **OUTSIDERS_404),
        kwargs=_school,
    ),
    Row(
        "leadership:school_people",
        everyone(200, anonymous=302, family=403, **OUTSIDERS_404),
        kwargs=_school,
    ),
    Row(
        "leadership:school_invite",
        everyone(403, anonymous=302, principal=200, district_admin=200, **OUTSIDERS_404),
        kwargs=_school,
        method="POST",
    ),
    Row(
        "leadership:family_grades_edit",
        everyone(403, anonymous=302, principal=200, district_admin=200, **OUTSIDERS_404),
        kwargs=_family_membership,
    ),
    Row(
        "leadership:family_grades_edit",
        everyone(403, anonymous=302, principal=302, district_admin=302, **OUTSIDERS_404),
        kwargs=_family_membership,
        method="POST",
        data=lambda w: {"grades": ["01"]},
    ),
    Row(
        "leadership:invitation_revoke",
        everyone(403, anonymous=302, principal=302, district_admin=302, **OUTSIDERS_404),
        kwargs=_pending_invitation,
        method="POST",
    ),
    Row("leadership:invitation_accept", everyone(200), kwargs=_invitation_token),
    Row("leadership:language_set", everyone(302), method="POST", data=lambda w: {"language": "es"}),
    Row("engagement:family_home", everyone(403, anonymous=302, family=200)),
    # Anyone may press a district's sign-on button: on to the provider (here out of reach,
    # so back to the sign-in page with a message); a provider not configured is not found.
    Row(
        "leadership:sign_on_start",
        everyone(302),
        kwargs=_sign_on_provider,
        method="POST",
    ),
    Row(
        "leadership:sign_on_start",
        everyone(404),
        kwargs=lambda w: {"slug": w.district.slug, "kind": "google"},
        method="POST",
    ),
]


@parametrize(MATRIX)
def test_permission_matrix(row, role, world, client):
    check_row(row, role, world, client)
