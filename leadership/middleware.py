"""Speak to a signed-in person in the language they chose, on every device."""

from django.utils import translation


class UserLanguageMiddleware:
    """After LocaleMiddleware and authentication: a signed-in person's preference wins."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.preferred_language:
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
