"""Who may build, open, read and answer a school's surveys."""

from __future__ import annotations

from leadership.models import STAFF_ROLES, Role
from leadership.permissions import is_district_admin, is_principal, school_roles


def can_create_survey(user, school) -> bool:
    """The principal and the district's admins; ILT members the principal names as owners
    then build and run that survey with them."""
    return is_principal(user, school) or is_district_admin(user, school.district_id)


def is_owner(user, survey) -> bool:
    """Build it, open and close it, read its results (free text included)."""
    if can_create_survey(user, survey.school):
        return True
    owner_ids = getattr(survey, "_owner_ids", None)
    if owner_ids is None:
        owner_ids = survey._owner_ids = set(survey.owners.values_list("pk", flat=True))
    return user.pk in owner_ids


def can_list_surveys(user, school) -> bool:
    return bool(school_roles(user, school)) or is_district_admin(user, school.district_id)


def staff_role(user, school) -> str:
    """The person's highest staff role at the school, or '' when they are not staff."""
    roles = school_roles(user, school)
    return next((role for role in STAFF_ROLES if role in roles), "")


def is_family(user, school) -> bool:
    return Role.FAMILY in school_roles(user, school)


def can_listen(user, school) -> bool:
    """Record and read listening sessions: the school's staff and the district's admins (notes
    and quotes are not for families)."""
    return bool(staff_role(user, school)) or is_district_admin(user, school.district_id)
