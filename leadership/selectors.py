"""Every read the leadership views need, scoped to the acting user and prefetched."""

from __future__ import annotations

from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.urls import reverse

from .models import (
    OUTSIDE_ROLES,
    SCHOOL_ROLES,
    District,
    DistrictPriority,
    Invitation,
    Membership,
    Role,
    School,
)
from .permissions import can_view_people, is_district_admin, roles_of


def school_members(*, user, school: School) -> QuerySet[Membership]:
    if not can_view_people(user, school):
        return Membership.objects.none()
    rank = Case(
        *[When(role=role, then=Value(i)) for i, role in enumerate(SCHOOL_ROLES)],
        default=Value(len(SCHOOL_ROLES)),
    )
    return (
        Membership.objects.active()
        .filter(school=school)
        .select_related("user")
        .prefetch_related("grades")
        .order_by(rank, "user__full_name", "user__email")
    )


def school_invitations(*, user, school: School) -> QuerySet[Invitation]:
    """Invitations of the school, newest first; only those who may invite see them."""
    if not can_view_people(user, school):
        return Invitation.objects.none()
    return Invitation.objects.filter(school=school).select_related("invited_by")[:50]


def school_role_counts(*, school: School) -> dict[str, int]:
    rows = (
        Membership.objects.active()
        .filter(school=school)
        .values("role")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {role: 0 for role in (Role.PRINCIPAL, Role.TEACHER_LEADER, Role.STAFF, Role.FAMILY)}
    counts.update({row["role"]: row["n"] for row in rows})
    return counts


def district_schools(*, user, district: District) -> QuerySet[School]:
    if not is_district_admin(user, district):
        return School.objects.none()
    active = Q(memberships__is_active=True)
    return (
        School.objects.filter(district=district, is_active=True)
        .annotate(
            principals=Count("memberships", filter=active & Q(memberships__role=Role.PRINCIPAL)),
            staff_count=Count(
                "memberships",
                filter=active & Q(memberships__role__in=[Role.TEACHER_LEADER, Role.STAFF]),
            ),
            families=Count("memberships", filter=active & Q(memberships__role=Role.FAMILY)),
        )
        .order_by("name")
    )


def district_admins(*, user, district: District) -> QuerySet[Membership]:
    if not is_district_admin(user, district):
        return Membership.objects.none()
    return (
        Membership.objects.active()
        .filter(district=district, role=Role.DISTRICT_ADMIN)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def district_invitations(*, user, district: District) -> QuerySet[Invitation]:
    if not is_district_admin(user, district):
        return Invitation.objects.none()
    return Invitation.objects.filter(district=district, school__isnull=True).select_related(
        "invited_by"
    )[:50]


def family_school_ids(*, user) -> list[int]:
    """The schools where the user is a family (from the roles read with the user: no query)."""
    return [sid for sid, roles in roles_of(user).by_school.items() if Role.FAMILY in roles]


def family_schools(*, user) -> QuerySet[School]:
    ids = family_school_ids(user=user)
    return School.objects.filter(pk__in=ids).select_related("district").order_by("name")


def user_schools(*, user) -> QuerySet[School]:
    """Schools where the user works (any role but family or community partner), for navigation."""
    ids = [sid for sid, roles in roles_of(user).by_school.items() if roles - OUTSIDE_ROLES]
    return School.objects.filter(pk__in=ids).order_by("name")


def user_districts(*, user) -> QuerySet[District]:
    return District.objects.filter(pk__in=roles_of(user).district_admin_of).order_by("name")


def home_url(user) -> str | None:
    """Where a person's work is: district admin -> the district dashboard, staff -> school,
    family -> events."""
    roles = roles_of(user)
    if roles.district_admin_of:
        district = District.objects.filter(pk__in=roles.district_admin_of).order_by("name").first()
        if district:
            return reverse("district:district_dashboard", kwargs={"slug": district.slug})
    working = user_schools(user=user).only("slug").first()
    if working:
        return working.get_absolute_url()
    if any(Role.FAMILY in r for r in roles.by_school.values()):
        return reverse("engagement:family_home")
    if any(Role.COMMUNITY_PARTNER in r for r in roles.by_school.values()):
        return reverse(
            "leadership:my_work"
        )  # their team's meetings, and nothing else of the school
    return None


def district_priorities(*, district, year):
    """The district's priorities of the school year, by title."""
    return DistrictPriority.objects.filter(district=district, school_year=year)
