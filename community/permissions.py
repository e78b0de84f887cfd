"""Who may read and answer a school's conversations with its families."""

from __future__ import annotations

from leadership.models import Role
from leadership.permissions import is_district_admin, is_principal, is_school_staff, school_roles
from teams.models import StakeholderGroup, TeamKind, TeamMember

from .models import Announcer, Coordinator, Topic


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


def is_ilt_family_rep(user, school) -> bool:
    """A family that holds a family seat on the school's ILT this year (one query, once per
    request: kept on the user like the roles)."""
    if not is_family_at(user, school):
        return False
    cache = user.__dict__.setdefault("_accord_ilt_rep_of", {})
    if school.pk not in cache:
        cache[school.pk] = (
            TeamMember.objects.active()
            .filter(
                user=user,
                stakeholder_group=StakeholderGroup.FAMILY,
                team__school=school,
                team__kind=TeamKind.ILT,
                team__school_year__is_current=True,
            )
            .exists()
        )
    return cache[school.pk]


def can_answer(user, conversation) -> bool:
    """Who writes back for the school: its staff, and for a conversation addressed to them,
    the family representatives on the ILT."""
    school = conversation.school
    if is_school_staff(user, school):
        return True
    return conversation.topic == Topic.ILT and is_ilt_family_rep(user, school)


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
