"""What the base layout needs on every page: where the signed-in person can go."""

from django.utils.functional import SimpleLazyObject

from . import selectors
from .models import OUTSIDE_ROLES, Role
from .permissions import roles_of


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def build():
        roles = roles_of(user)  # read once per request; no query for what the person lacks
        by_school = roles.by_school.values()
        return {
            "districts": list(selectors.user_districts(user=user))
            if roles.district_admin_of
            else [],
            "schools": list(selectors.user_schools(user=user))
            if any(r - OUTSIDE_ROLES for r in by_school)
            else [],
            "is_family": any(Role.FAMILY in r for r in by_school),
        }

    return {"nav": SimpleLazyObject(build)}
