"""The demo district: loads, prints the logins, and loading it again changes nothing."""

from io import StringIO

from django.core.management import call_command

from leadership.models import District, Membership, Role, School, User


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def counts():
    return (School.objects.count(), User.objects.count(), Membership.objects.count())


def test_seed_demo_is_idempotent_and_prints_a_login_per_role(db):
    output = seed()
    first = counts()
    assert first[0] == 3
    for role in ("District admin", "Principal", "Teacher leader", "Staff", "Family"):
        assert role in output
    seed()
    assert counts() == first


def test_every_school_has_people_in_every_role(db):
    seed(schools=6, quiet_logins=True)
    district = District.objects.get(slug="riverside")
    assert district.schools.count() == 6
    for school in district.schools.all():
        roles = set(Membership.objects.filter(school=school).values_list("role", flat=True))
        assert roles == {Role.PRINCIPAL, Role.TEACHER_LEADER, Role.STAFF, Role.FAMILY}
    assert Membership.objects.filter(role=Role.DISTRICT_ADMIN, district=district).count() == 1


def test_demo_families_have_no_password_and_staff_do(db):
    seed(quiet_logins=True)
    assert not User.objects.get(email="family@riverside.example").has_usable_password()
    assert User.objects.get(email="principal@riverside.example").check_password("accord-demo")
