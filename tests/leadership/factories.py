"""factory-boy factories for districts, schools, people and their roles."""

from datetime import date, timedelta

import factory
from django.utils import timezone

from leadership import tokens
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


class SchoolYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolYear

    district = factory.SubFactory(DistrictFactory)
    label = "2026-27"
    start = date(2026, 8, 17)
    end = date(2027, 6, 11)
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
