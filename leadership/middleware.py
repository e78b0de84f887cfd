"""Speak to a signed-in person in their language and their district's time, on every device."""

import functools
import http.client
import logging

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
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


# What a response may carry to change its own policy (django-csp's decorators and ours above).
_OWN_POLICY = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)


@functools.cache
def _site_policy() -> tuple[str, str]:
    """The Content-Security-Policy and its report-only twin that the settings give a response
    asking for nothing of its own, as django-csp builds them."""
    return build_policy(), build_policy(report_only=True)


@receiver(setting_changed)
def _forget_site_policy(*, setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _site_policy.cache_clear()


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the site-wide policy built once.

    django-csp builds the header from the settings on every response, about a quarter of a
    millisecond each time (tests/perf/profile_pages.py), and for nearly every response it is
    the same string. A response that asks for its own policy (a view's decorator, the sign-in
    page's single sign-on origins) or whose request used a nonce goes through django-csp as
    before; any other gets the header built once. Exemptions and excluded prefixes are
    django-csp's rules, applied the same way. The policy is built again when a setting
    named CONTENT_SECURITY_POLICY* is changed (override_settings), not when its dict is
    changed in place; and a subclass's `get_policy_parts` applies only to the responses
    that go through django-csp.
    """

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in _OWN_POLICY
        ):
            return super().process_response(request, response)
        if settings.DEBUG and response.status_code in (
            http.client.INTERNAL_SERVER_ERROR,
            http.client.NOT_FOUND,
        ):
            return response
        policy, report_only = _site_policy()
        for header, value, exempt, setting in (
            (HEADER, policy, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
            (
                HEADER_REPORT_ONLY,
                report_only,
                "_csp_exempt_ro",
                "CONTENT_SECURITY_POLICY_REPORT_ONLY",
            ),
        ):
            if not value or header in response or getattr(response, exempt, False) is not False:
                continue
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            if not request.path_info.startswith(tuple(prefixes)):
                response[header] = value
        # As django-csp: a nonce asked for after the header is written is an error, not a
        # nonce missing from the policy.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
