"""Named permission checks that read memberships, and the decorators views use.

Every check reads the acting user's active memberships, loaded once per request and kept
on the user object. Nothing here reads `is_staff` or `is_superuser`: those open Django's
admin site and grant no rights in a school.

Scope comes first: a school or district the user has no membership in answers 404, so
nothing about it leaks; a school the user belongs to but lacks the right for answers 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from . import clock
from .models import STAFF_ROLES, District, Membership, Role, School


@dataclass(frozen=True)
class Roles:
    """The roles one person holds, by district and by school (active memberships only)."""

    district_admin_of: frozenset[int] = frozenset()
    by_school: dict[int, frozenset[str]] = field(default_factory=dict)
    school_district: dict[int, int] = field(default_factory=dict)
    # The time zone of the person's district (the first one, for the rare person in two).
    zone: str = ""

    def at(self, school: School) -> frozenset[str]:
        return self.by_school.get(school.pk, frozenset())


def roles_of(user) -> Roles:
    """The user's roles, read with one query and cached on the user for the request."""
    if not getattr(user, "is_authenticated", False):
        return Roles()
    cached = getattr(user, "_accord_roles", None)
    if cached is not None:
        return cached
    district_admin_of: set[int] = set()
    by_school: dict[int, set[str]] = {}
    school_district: dict[int, int] = {}
    zone = ""
    rows = (
        Membership.objects.active()
        .filter(user=user)
        .order_by("district_id", "pk")
        .values_list("role", "district_id", "school_id", "district__timezone")
    )
    for role, district_id, school_id, district_zone in rows:
        zone = zone or district_zone
        if role == Role.DISTRICT_ADMIN:
            district_admin_of.add(district_id)
        elif school_id is not None:
            by_school.setdefault(school_id, set()).add(role)
            school_district[school_id] = district_id
    roles = Roles(
        district_admin_of=frozenset(district_admin_of),
        by_school={k: frozenset(v) for k, v in by_school.items()},
        school_district=school_district,
        zone=zone,
    )
    user._accord_roles = roles
    return roles


def forget_roles(user) -> None:
    """Drop the cached roles after a membership of this user changed."""
    if hasattr(user, "_accord_roles"):
        del user._accord_roles


# --- district scope -------------------------------------------------------------------


def is_district_admin(user, district: District | int) -> bool:
    district_id = district if isinstance(district, int) else district.pk
    return district_id in roles_of(user).district_admin_of


def can_view_district(user, district: District) -> bool:
    return is_district_admin(user, district)


def can_invite_district_admin(user, district: District) -> bool:
    return is_district_admin(user, district)


# --- school scope ---------------------------------------------------------------------


def school_roles(user, school: School) -> frozenset[str]:
    return roles_of(user).at(school)


def can_view_school(user, school: School) -> bool:
    """Anyone with a role at the school, and the admins of its district."""
    return bool(school_roles(user, school)) or is_district_admin(user, school.district_id)


def is_principal(user, school: School) -> bool:
    return Role.PRINCIPAL in school_roles(user, school)


def is_school_staff(user, school: School) -> bool:
    """Principal, teacher leader or staff of the school."""
    return bool(school_roles(user, school) & set(STAFF_ROLES))


def can_edit_school(user, school: School) -> bool:
    """The vision statement and other school settings: the principal."""
    return is_principal(user, school)


def can_view_people(user, school: School) -> bool:
    """Who belongs to the school: its staff and the district's admins, not families."""
    return is_school_staff(user, school) or is_district_admin(user, school.district_id)


def invitable_roles(user, school: School) -> list[str]:
    """Roles this user may invite people to at this school, in display order."""
    if is_district_admin(user, school.district_id) or is_principal(user, school):
        return [Role.PRINCIPAL, Role.TEACHER_LEADER, Role.STAFF, Role.FAMILY]
    return []


def can_invite(user, school: School) -> bool:
    return bool(invitable_roles(user, school))


# --- decorators -----------------------------------------------------------------------

SchoolCheck = Callable[[object, School], bool]
DistrictCheck = Callable[[object, District], bool]


def _require(check: Callable[[object, object], bool], user, obj) -> None:
    if not check(user, obj):
        raise PermissionDenied


def school_view(check: SchoolCheck | None = None, *, slug_kwarg: str = "slug"):
    """Load the school named in the URL into `request.school`.

    A school the user cannot see is 404; one they can see but `check` refuses is 403.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            school = get_object_or_404(
                School.objects.select_related("district"), slug=kwargs.pop(slug_kwarg)
            )
            if not can_view_school(request.user, school):
                raise Http404
            if check is not None:
                _require(check, request.user, school)
            request.school = school
            clock.activate(school.district)
            return view(request, school, *args, **kwargs)

        return wrapped

    return decorator


def district_view(check: DistrictCheck | None = None, *, slug_kwarg: str = "slug"):
    """Load the district named in the URL; a district the user has no role in is 404."""

    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            district = get_object_or_404(District, slug=kwargs.pop(slug_kwarg))
            roles = roles_of(request.user)
            in_district = district.pk in roles.district_admin_of or (
                district.pk in roles.school_district.values()
            )
            if not in_district:
                raise Http404
            _require(check or can_view_district, request.user, district)
            request.district = district
            clock.activate(district)
            return view(request, district, *args, **kwargs)

        return wrapped

    return decorator
