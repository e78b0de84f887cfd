"""The applier alone: records built by hand (no export, no reader) written into a district."""

from datetime import date, timedelta

import pytest

from leadership.models import Membership, Role, School, SchoolYear, User
from rostering.applier import RosterApplier
from rostering.reader import Org, Person, Report, RosterExport, SchoolYearSession

pytestmark = pytest.mark.django_db

TESS = Person("t1", "tess@maple.example", "Tess Teacher", 2, True, "es", [(Role.STAFF, "s1")], ())


def records(**changes) -> RosterExport:
    fields = {
        "modes": {},
        "orgs": {
            "d1": Org("district", "Riverside", "", True, 2),
            "s1": Org("school", "Maple Elementary", "d1", True, 3),
        },
        "session": SchoolYearSession("sy1", date(2026, 8, 17), date(2027, 6, 11), "2027"),
        "people": [TESS],
        "user_sids": {"t1": 2},
        "student_schools": {"st1": ("s1",), "st2": ("s1",)},
    }
    return RosterExport(**{**fields, **changes})


def apply(district, export, *, apply=True) -> Report:
    report = Report()
    RosterApplier(district=district, export=export, report=report).write(apply=apply)
    return report


def test_a_preview_counts_what_the_apply_then_writes(world):
    preview = apply(world.district, records(), apply=False)
    assert not School.objects.filter(sourced_id="s1").exists()
    assert not User.objects.filter(email="tess@maple.example").exists()

    applied = apply(world.district, records())
    assert applied.counts == preview.counts
    assert {k: v for k, v in applied.counts.items() if v} == {
        "schools_created": 1,
        "school_years_created": 1,
        "people_created": 1,
        "memberships_created": 1,
        "students": 2,
    }
    school = School.objects.get(district=world.district, sourced_id="s1")
    assert (school.name, school.student_count) == ("Maple Elementary", 2)
    year = SchoolYear.objects.get(district=world.district, sourced_id="sy1")
    assert (year.label, year.is_current) == ("2026-27", True)
    tess = User.objects.get(email="tess@maple.example")
    assert (tess.full_name, tess.preferred_language, tess.has_usable_password()) == (
        "Tess Teacher",
        "es",
        False,
    )
    membership = Membership.objects.get(user=tess)
    assert (membership.role, membership.school, membership.school_year, membership.sourced_id) == (
        Role.STAFF,
        school,
        year,
        "t1",
    )


def test_a_person_no_longer_active_loses_their_membership_and_nothing_else_changes(world):
    apply(world.district, records())
    gone = Person("t1", "tess@maple.example", "Tess Teacher", 2, False, None, [], ())
    report = apply(world.district, records(people=[gone]))
    assert {k: v for k, v in report.counts.items() if v} == {
        "memberships_deactivated": 1,
        "students": 2,
    }
    assert Membership.objects.get(user__email="tess@maple.example").is_active is False


def test_a_renamed_school_is_marked_changed_for_api_syncs(world):
    apply(world.district, records())
    school = School.objects.get(district=world.district, sourced_id="s1")
    long_ago = school.updated_at - timedelta(days=30)
    School.objects.filter(pk=school.pk).update(updated_at=long_ago)
    renamed = records(
        orgs={
            "d1": Org("district", "Riverside", "", True, 2),
            "s1": Org("school", "Maple Street Elementary", "d1", True, 3),
        }
    )
    apply(world.district, renamed)
    school.refresh_from_db()
    assert school.name == "Maple Street Elementary"
    assert school.updated_at > long_ago + timedelta(days=29)
