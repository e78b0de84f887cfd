"""What the base layout needs on every page: where the signed-in person can go."""

from django.utils.functional import SimpleLazyObject

from . import selectors


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def build():
        return {
            "districts": list(selectors.user_districts(user=user)),
            "schools": list(selectors.user_schools(user=user)),
            "is_family": selectors.family_schools(user=user).exists(),
        }

    return {"nav": SimpleLazyObject(build)}
