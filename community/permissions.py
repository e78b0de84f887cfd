"""Who may read and answer a school's conversations with its families."""

from __future__ import annotations

from leadership.models import Role
from leadership.permissions import is_principal, is_school_staff, school_roles

from .models import Announcer


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
