"""Speak to a signed-in person in their language and their district's time, on every device."""

import logging

from django.utils import timezone, translation

from . import clock, sso
from .permissions import roles_of

logger = logging.getLogger(__name__)


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


class DistrictTimeMiddleware:
    """Every request runs in a district's time: the signed-in person's district by default,
    the district of the school or district a page loads once its loader has run (see
    `leadership.permissions`). The zone is dropped after the response, since the thread
    serves other districts next."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = roles_of(getattr(request, "user", None)).zone
        # override() puts back what was active before, whatever a loader activated meanwhile.
        with timezone.override(clock.zone_named(zone) if zone else None):
            return self.get_response(request)


class SignOnFormActionMiddleware:
    """Let the sign-in page's single sign-on buttons lead to the providers.

    The policy allows forms to post only to this site (`form-action 'self'`), and browsers
    apply that to where the post redirects too: the button posts here and is redirected to the
    district's provider. The page that shows the buttons names their origins
    (`request.sign_on_origins`, set by the `sign_on_buttons` tag); this adds them to that
    page's policy alone. It sits just inside django-csp's middleware, which writes the header.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        origins = getattr(request, "sign_on_origins", None)
        if origins:
            update = dict(getattr(response, "_csp_update", None) or {})
            update["form-action"] = [*update.get("form-action", []), *sorted(origins)]
            response._csp_update = update
        return response


class SignOnFailureMiddleware:
    """A provider that cannot be reached during allauth's own steps of single sign-on (its
    discovery document, its token or user-info endpoint, at the callback) is a message on the
    sign-in page, not a server error: allauth catches such failures only around part of its
    callback."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        match = getattr(request, "resolver_match", None)
        module = getattr(getattr(match, "func", None), "__module__", "") or ""
        if not module.startswith("allauth.socialaccount"):
            return None
        if isinstance(exception, sso.NOT_CONFIGURED):
            # A Google or Microsoft callback that no district's provider (or not the one whose
            # button this browser pressed) answers for.
            return sso.refuse(request, sso.provider_failed(None))
        if not isinstance(exception, sso.PROVIDER_FAILURES):
            return None
        logger.warning("Single sign-on provider failed: %s", type(exception).__name__)
        return sso.refuse(request, sso.provider_failed(None))
