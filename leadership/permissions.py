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
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from . import clock, lookups
from .models import STAFF_ROLES, District, Membership, Role, School
from .prepared import Prepared


@dataclass(frozen=True)
class Roles:
    """The roles one person holds, by district and by school (active memberships only)."""

    district_admin_of: frozenset[int] = frozenset()
    by_school: dict[int, frozenset[str]] = field(default_factory=dict)
    school_district: dict[int, int] = field(default_factory=dict)
    # The time zone of the person's district (the first one, for the rare person in two).
    zone: str = ""
    # Names and slugs of the districts and schools of those memberships, read by the same
    # query, for the navigation of every page (leadership.context_processors).
    district_names: dict[int, tuple[str, str]] = field(default_factory=dict)
    school_names: dict[int, tuple[str, str]] = field(default_factory=dict)

    def at(self, school: School) -> frozenset[str]:
        return self.by_school.get(school.pk, frozenset())


# What roles_of reads of each active membership, in this order (also read by
# leadership.auth with the user, in one query).
ROLE_FIELDS = (
    "role",
    "district_id",
    "school_id",
    "district__timezone",
    "district__name",
    "district__slug",
    "school__name",
    "school__slug",
)


def roles_from_rows(rows) -> Roles:
    """Roles from rows of ROLE_FIELDS, ordered by district then membership."""
    district_admin_of: set[int] = set()
    by_school: dict[int, set[str]] = {}
    school_district: dict[int, int] = {}
    district_names: dict[int, tuple[str, str]] = {}
    school_names: dict[int, tuple[str, str]] = {}
    zone = ""
    for role, district_id, school_id, district_zone, d_name, d_slug, s_name, s_slug in rows:
        zone = zone or district_zone
        district_names[district_id] = (d_name, d_slug)
        if role == Role.DISTRICT_ADMIN:
            district_admin_of.add(district_id)
        elif school_id is not None:
            by_school.setdefault(school_id, set()).add(role)
            school_district[school_id] = district_id
            school_names[school_id] = (s_name, s_slug)
    return Roles(
        district_admin_of=frozenset(district_admin_of),
        by_school={k: frozenset(v) for k, v in by_school.items()},
        school_district=school_district,
        zone=zone,
        district_names=district_names,
        school_names=school_names,
    )


def roles_of(user) -> Roles:
    """The user's roles, read with one query and cached on the user for the request (the
    signed-in user's come with the user itself: see leadership.auth)."""
    if not getattr(user, "is_authenticated", False):
        return Roles()
    cached = getattr(user, "_accord_roles", None)
    if cached is not None:
        return cached
    rows = (
        Membership.objects.active()
        .filter(user=user)
        .order_by("district_id", "pk")
        .values_list(*ROLE_FIELDS)
    )
    roles = roles_from_rows(rows)
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


def holds_seat_only(user, school: School) -> bool:
    """A community partner's contact whose only role here is their team seat."""
    return school_roles(user, school) == {Role.COMMUNITY_PARTNER} and not is_district_admin(
        user, school.district_id
    )


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
        return [
            Role.PRINCIPAL,
            Role.TEACHER_LEADER,
            Role.STAFF,
            Role.FAMILY,
            Role.COMMUNITY_PARTNER,
        ]
    return []


def can_invite(user, school: School) -> bool:
    return bool(invitable_roles(user, school))


def can_set_family_grades(user, school: School) -> bool:
    """Set by hand the grades of a family's children (a family the roster does not give)."""
    return is_principal(user, school) or is_district_admin(user, school.district_id)


# --- loaders: the one way a view loads what a person may see ------------------------
#
# One loader per scope: a district, a school, and an object of a school. Each answers 404
# outside the scope (nothing about it leaks), 403 inside it without the right, and switches
# the request to the district's time zone. Every view of the apps goes through one of them.

SchoolCheck = Callable[[object, School], bool]
DistrictCheck = Callable[[object, District], bool]
ObjectCheck = Callable[[object, Any], bool]


def _require(check: Callable[[object, object], bool], user, obj) -> None:
    if not check(user, obj):
        raise PermissionDenied


def enter_school(
    request: HttpRequest,
    school: School,
    check: SchoolCheck | None = None,
    *,
    seat_holders: bool = False,
) -> None:
    """Admit the request to `school` (already loaded, with its district): 404 when the user
    cannot see it, 403 when `check` refuses; then `request.school` and the district's zone.

    A community partner holding a team seat (and no other role here) is admitted only to the
    pages opened to seat holders (`seat_holders=True`: a team's and its meetings' pages,
    whose own checks then keep them to their team); every other page of the school is 403."""
    if not can_view_school(request.user, school):
        raise Http404
    if not seat_holders and holds_seat_only(request.user, school):
        raise PermissionDenied
    if check is not None:
        _require(check, request.user, school)
    request.school = school
    clock.activate(school.district)


def enter_district(
    request: HttpRequest, district: District, check: DistrictCheck | None = None
) -> None:
    """Admit the request to `district`: 404 for a district the user has no role in, 403 when
    `check` (by default: is one of its admins) refuses; then `request.district` and its zone."""
    roles = roles_of(request.user)
    in_district = district.pk in roles.district_admin_of or (
        district.pk in roles.school_district.values()
    )
    if not in_district:
        raise Http404
    _require(check or can_view_district, request.user, district)
    request.district = district
    clock.activate(district)


def school_view(
    check: SchoolCheck | None = None, *, slug_kwarg: str = "slug", seat_holders: bool = False
):
    """Load the school named in the URL into `request.school`; the view gets it as its first
    argument. A school the user cannot see is 404; one they can see but `check` refuses, 403.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            # School.objects.select_related("district").get(slug=...), from SQL built once.
            school = lookups.school_with_district(kwargs.pop(slug_kwarg))
            if school is None:
                raise Http404
            enter_school(request, school, check, seat_holders=seat_holders)
            return view(request, school, *args, **kwargs)

        return wrapped

    return decorator


def district_view(check: DistrictCheck | None = None, *, slug_kwarg: str = "slug"):
    """Load the district named in the URL; a district the user has no role in is 404."""

    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            district = get_object_or_404(District, slug=kwargs.pop(slug_kwarg))
            enter_district(request, district, check)
            return view(request, district, *args, **kwargs)

        return wrapped

    return decorator


Objects = QuerySet | Callable[..., QuerySet]


def load_in_school(
    request: HttpRequest,
    objects: Objects,
    school_path: str,
    check: ObjectCheck | None = None,
    **lookup,
):
    """One object of `request.school` (admitted by `school_view`), found by `lookup` among
    `objects` (a queryset, or a selector `objects(user=, school=)` when what the viewer may
    see of the school depends on who they are):
    404 when it is not of that school or not among them, 403 when `check(user, obj)` refuses.

    Called by views that need the school beside the object, or must do something before the
    object is read; the others take `school_object_view`."""
    school = request.school
    queryset = objects(user=request.user, school=school) if callable(objects) else objects
    obj = get_object_or_404(queryset, **{school_path: school}, **lookup)
    if check is not None:
        _require(check, request.user, obj)
    return obj


def school_object_view(
    objects: Objects,
    school_path: str,
    check: ObjectCheck | None = None,
    *,
    school_check: SchoolCheck | None = None,
    pk_kwarg: str = "pk",
    slug_kwarg: str = "slug",
    one_query: bool = False,
    seat_holders: bool = False,
):
    """Load the object named by the URL's school slug and `pk` and pass it to the view in
    place of both: `school_view(school_check)` then `load_in_school(..., check)`.

    `one_query=True` reads the object with its school and district in a single query, for
    pages polled every few seconds; the answers are the same (`enter_school` decides them),
    save that a school whose `school_check` refuses and an object missing from it is then
    404 rather than 403, so it is only offered without a `school_check`."""
    if one_query and (school_check is not None or callable(objects)):
        raise TypeError("one_query takes a plain queryset and no school_check")
    school_attrs = school_path.split("__")

    def decorator(view):
        if one_query:
            # The slug and pk name one row at most: no ORDER BY to compile or sort by. The
            # page is polled, so its SQL is compiled once (leadership.prepared).
            read = Prepared(
                lambda slug, pk: (
                    objects.select_related(f"{school_path}__district")
                    .filter(**{f"{school_path}__slug": slug, "pk": pk})
                    .order_by()[:1]
                )
            )

            @wraps(view)
            def wrapped(request: HttpRequest, *args, **kwargs):
                slug, pk = kwargs.pop(slug_kwarg), kwargs.pop(pk_kwarg)
                obj = read.first(slug=slug, pk=pk)
                if obj is None:
                    raise Http404
                school = obj
                for attr in school_attrs:
                    school = getattr(school, attr)
                enter_school(request, school, seat_holders=seat_holders)
                if check is not None:
                    _require(check, request.user, obj)
                return view(request, obj, *args, **kwargs)

            return wrapped

        @wraps(view)
        @school_view(school_check, slug_kwarg=slug_kwarg, seat_holders=seat_holders)
        def wrapped(request: HttpRequest, school: School, *args, **kwargs):
            obj = load_in_school(request, objects, school_path, check, pk=kwargs.pop(pk_kwarg))
            return view(request, obj, *args, **kwargs)

        return wrapped

    return decorator
