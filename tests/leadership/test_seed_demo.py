"""The demo district: loads, prints the logins, and loading it again changes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from leadership.models import District, Membership, Role, School, User

pytestmark = pytest.mark.usefixtures("demo_mid_year")


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


def test_seeded_volumes_per_school_and_a_second_run_adds_nothing(db):
    from django.apps import apps
    from django.utils import timezone

    from engagement.models import Event
    from teams.models import Attendance, Meeting, Team
    from workplans.models import ActionStep, DistrictPriority, Goal, WorkPlan

    def all_counts():
        labels = ("leadership", "teams", "workplans", "engagement", "account")
        return {
            model._meta.label: model.objects.count()
            for model in apps.get_models()
            if model._meta.app_label in labels
        }

    seed(schools=2, quiet_logins=True)
    first = all_counts()
    now = timezone.now()
    district = District.objects.get(slug="riverside")
    year = district.school_years.get(is_current=True)
    assert DistrictPriority.objects.filter(district=district, school_year=year).count() == 3
    assert district.schools.count() == 2  # each is checked below
    for school in district.schools.all():
        families = Membership.objects.filter(school=school, role=Role.FAMILY).count()
        assert families >= 30
        team = Team.objects.get(school=school, school_year=year, kind="ilt")
        meetings = list(Meeting.objects.filter(team=team))
        assert len(meetings) == 15
        held = [m for m in meetings if m.status == "held"]
        assert held and all(m.ends_at <= now for m in held)
        assert all(m.ends_at > now for m in meetings if m.status == "scheduled")
        assert len(held) + sum(m.status == "scheduled" for m in meetings) == 15
        members = team.members.count()
        assert Attendance.objects.filter(meeting__team=team).count() == len(held) * members
        plan = WorkPlan.objects.get(school=school, school_year=year, status="active")
        assert Goal.objects.filter(plan=plan).count() == 4
        assert ActionStep.objects.filter(goal__plan=plan).count() == 25
        assert Event.objects.filter(school=school).count() == 20

    seed(schools=2, quiet_logins=True)
    assert all_counts() == first


def test_demo_families_have_grades_of_their_school_and_a_second_run_adds_none(db):
    from leadership.models import FamilyGrade

    seed(quiet_logins=True)
    lincoln = School.objects.get(slug="lincoln-elementary")
    grades = set(
        FamilyGrade.objects.filter(membership__school=lincoln).values_list("grade", flat=True)
    )
    assert grades and grades <= {"KG", "01", "02", "03", "04", "05"}
    families = Membership.objects.filter(school=lincoln, role=Role.FAMILY)
    assert not families.filter(grades__isnull=True).exists()
    before = FamilyGrade.objects.count()
    seed(quiet_logins=True)
    assert FamilyGrade.objects.count() == before
