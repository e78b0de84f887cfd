"""factory-boy factories for districts, schools, people and their roles."""

from datetime import date, timedelta

import factory
from django.utils import timezone

from leadership import clock, tokens
from leadership.models import District, Invitation, Membership, Role, School, SchoolYear, User

PASSWORD = "correct-horse-battery"


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"District {n}")
    slug = factory.Sequence(lambda n: f"district-{n}")
    timezone = "America/Chicago"
    languages = ["en", "es"]


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"School {n}")
    slug = factory.Sequence(lambda n: f"school-{n}")
    grade_span = "K-5"
    languages = ["en", "es"]


def school_year_around(day: date) -> tuple[date, date]:
    """The August-to-July school year that holds `day` (so "today" is always inside the
    current year, whatever the date the tests run on)."""
    first = day.year if day.month >= 8 else day.year - 1
    return date(first, 8, 1), date(first + 1, 7, 31)


def year_label(start: date) -> str:
    return f"{start.year}-{(start.year + 1) % 100:02d}"


class SchoolYearFactory(factory.django.DjangoModelFactory):
    """By default the current school year around today in the district."""

    class Meta:
        model = SchoolYear

    district = factory.SubFactory(DistrictFactory)
    start = factory.LazyAttribute(lambda y: school_year_around(clock.today_in(y.district))[0])
    end = factory.LazyAttribute(lambda y: date(y.start.year + 1, 7, 31))
    label = factory.LazyAttribute(lambda y: year_label(y.start))
    is_current = True


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    preferred_language = "en"
    password = factory.django.Password(PASSWORD)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.STAFF
    school = factory.SubFactory(SchoolFactory)
    district = factory.LazyAttribute(lambda m: m.school.district if m.school else DistrictFactory())


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = Role.STAFF
    school = factory.SubFactory(SchoolFactory)
    district = factory.LazyAttribute(lambda i: i.school.district if i.school else DistrictFactory())
    nonce = factory.LazyFunction(tokens.new_nonce)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))


def person(role: str, *, school: School | None = None, district: District | None = None, **user):
    """A user holding `role` at `school` (or in `district`, for a district admin)."""
    account = UserFactory(**user)
    if role == Role.DISTRICT_ADMIN:
        MembershipFactory(user=account, role=role, school=None, district=district)
    else:
        MembershipFactory(user=account, role=role, school=school, district=school.district)
    return account
