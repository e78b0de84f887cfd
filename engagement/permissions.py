"""Who may do what with a school's events; the checks read memberships via leadership."""

from __future__ import annotations

from leadership.models import Role
from leadership.permissions import (
    is_district_admin,
    is_principal,
    is_school_staff,
    school_roles,
)


def is_family_at(user, school) -> bool:
    return Role.FAMILY in school_roles(user, school)


def can_manage_events(user, school) -> bool:
    """Create, edit, publish, cancel: the principal, who publishes the school's events
    (DESIGN.md's role table). Teacher leaders and staff help at the door (can_run_door)."""
    return is_principal(user, school)


def can_run_door(user, school) -> bool:
    """Check families in at the door and add walk-ins: the school's staff, whoever is there."""
    return is_school_staff(user, school)


def can_see_drafts(user, school) -> bool:
    return is_school_staff(user, school) or is_district_admin(user, school.district_id)


def can_see_rsvps(user, school) -> bool:
    """Names and needs of families: the school's staff only (district admins see totals)."""
    return is_school_staff(user, school)


def can_rotate_calendar_link(user, school) -> bool:
    """Replace the school's calendar link (a leaked one stops working): the principal, who
    publishes the school's events (DESIGN.md's role table)."""
    return is_principal(user, school)
