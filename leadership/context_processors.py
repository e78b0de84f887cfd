"""What the base layout needs on every page: where the signed-in person can go."""

from django.utils.functional import SimpleLazyObject

from .models import OUTSIDE_ROLES, District, Role, School
from .permissions import roles_of


def _by_name(objects):
    return sorted(objects, key=lambda obj: (obj.name.casefold(), obj.name))


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def build():
        # The names come with the roles (one query with the user: leadership.auth).
        roles = roles_of(user)
        districts = [
            District(pk=pk, name=roles.district_names[pk][0], slug=roles.district_names[pk][1])
            for pk in roles.district_admin_of
        ]
        schools = [
            School(pk=pk, name=roles.school_names[pk][0], slug=roles.school_names[pk][1])
            for pk, held in roles.by_school.items()
            if held - OUTSIDE_ROLES
        ]
        return {
            "districts": _by_name(districts),
            "schools": _by_name(schools),
            "is_family": any(Role.FAMILY in r for r in roles.by_school.values()),
        }

    return {"nav": SimpleLazyObject(build)}
