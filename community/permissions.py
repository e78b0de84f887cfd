"""Who may read and answer a school's conversations with its families."""

from __future__ import annotations

from leadership.models import Role
from leadership.permissions import is_district_admin, is_principal, is_school_staff, school_roles

from .models import Announcer, Coordinator


def is_family_at(user, school) -> bool:
    return Role.FAMILY in school_roles(user, school)


def can_write_to_school(user, school) -> bool:
    """A family of the school starts conversations with it."""
    return is_family_at(user, school)


def can_use_inbox(user, school) -> bool:
    """The school's staff read and answer every conversation; the district does not."""
    return is_school_staff(user, school)


def can_see_response_times(user, school) -> bool:
    return is_principal(user, school)


def can_take_part(user, conversation) -> bool:
    """The family that wrote, and the school's staff."""
    return conversation.family_id == user.pk or is_school_staff(user, conversation.school)


def can_announce(user, school) -> bool:
    """The principal, and the staff members the principal allows (one small query, once per
    request: kept on the user like the roles)."""
    if is_principal(user, school):
        return True
    if not is_school_staff(user, school):
        return False
    cache = user.__dict__.setdefault("_accord_announcer_of", {})
    if school.pk not in cache:
        cache[school.pk] = Announcer.objects.filter(school=school, user=user).exists()
    return cache[school.pk]


def can_choose_announcers(user, school) -> bool:
    return is_principal(user, school)


def is_coordinator(user, school) -> bool:
    """The school's community-school coordinator (a staff member the principal names)."""
    if not is_school_staff(user, school):
        return False
    cache = user.__dict__.setdefault("_accord_coordinator_of", {})
    if school.pk not in cache:
        cache[school.pk] = Coordinator.objects.filter(school=school, user=user).exists()
    return cache[school.pk]


def can_choose_coordinators(user, school) -> bool:
    return is_principal(user, school)


def can_see_directory(user, school) -> bool:
    """The partners directory: the school's families and staff, and the district's admins."""
    return bool(school_roles(user, school)) or is_district_admin(user, school.district_id)


def can_manage_partners(user, school) -> bool:
    """The principal and the coordinators keep the school's partners; a district admin keeps
    the district's (shown at every school) from any of its schools."""
    return (
        is_principal(user, school)
        or is_district_admin(user, school.district_id)
        or is_coordinator(user, school)
    )


def can_see_help_request(user, request) -> bool:
    """The family that asked, and the school's coordinators: nobody else, not the principal."""
    return request.family_id == user.pk or is_coordinator(user, request.school)
