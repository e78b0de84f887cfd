"""Single sign-on for staff, through django-allauth's own providers (Google, Microsoft,
OpenID Connect).

Each district configures its providers (`SignOnProvider`); `SocialAccountAdapter.list_apps`
hands allauth those rows as SocialApps, so allauth runs the OAuth 2 / OpenID Connect exchange
and this module only decides who it signs in:

- the provider's answer must carry an e-mail address the provider says it verified;
- that address must belong to a person who holds an active staff role in the district whose
  provider answered, or who has a pending staff invitation there (accepted on the spot);
- nobody else gets in: there is no sign-up through single sign-on, so a stranger whose
  address is on the district's own Google domain is refused like anyone else.

Google and Microsoft answer on one callback address for every district; the district is the
one whose button the person pressed (kept in the session by `start`), and the app allauth
loads for the callback is that district's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.contrib import messages
from django.core.exceptions import MultipleObjectsReturned
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .models import District, Invitation, Membership, Role, SignOnProvider, User
from .services import invitation_accept

logger = logging.getLogger(__name__)
SESSION_KEY = "accord_sign_on_provider"
STAFF_SIGN_ON_ROLES = (Role.DISTRICT_ADMIN, Role.PRINCIPAL, Role.TEACHER_LEADER, Role.STAFF)


class SignOnRefused(Exception):
    """The provider answered, but this answer does not sign anyone in here."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- the rule -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Address:
    email: str
    verified: bool


def sign_on_person(*, district: District, addresses: list[Address]) -> User:
    """The person a provider's answer signs in to `district`, or SignOnRefused with the reason.

    Only a verified address counts. A person already in the district with a staff role is
    found by that address; a pending staff invitation of the district to that address is
    accepted (the account made, with no password). Everyone else is refused."""
    verified = sorted({a.email.strip().lower() for a in addresses if a.verified and a.email})
    if not verified:
        if any(a.email for a in addresses):
            raise SignOnRefused(
                _(
                    "Your sign-in provider has not confirmed your e-mail address, so we "
                    "cannot tell it is yours. Confirm it with your provider, or ask your "
                    "district's IT team."
                )
            )
        raise SignOnRefused(_("Your sign-in provider did not tell us your e-mail address."))

    any_address = Q()
    for email in verified:
        any_address |= Q(email__iexact=email)
    staff = Membership.objects.active().filter(district=district, role__in=STAFF_SIGN_ON_ROLES)
    user = (
        User.objects.filter(any_address, is_active=True, memberships__in=staff)
        .distinct()
        .order_by("pk")
        .first()
    )
    if user is not None:
        return user

    invitation = (
        Invitation.objects.pending()
        .filter(any_address, district=district)
        .exclude(role=Role.FAMILY)
        .order_by("created_at")
        .first()
    )
    if invitation is not None:
        user, _created = invitation_accept(invitation=invitation)
        if user.is_active:
            return user

    raise SignOnRefused(
        _(
            "%(email)s is not a staff account of %(district)s. Accounts are made by "
            "invitation: ask your school or district office to invite you."
        )
        % {"email": verified[0], "district": district.name}
    )


def password_refused(user: User) -> bool:
    """Whether this person may not sign in with a password: they hold a staff role in a
    district that turned password sign-in off (platform superusers excepted)."""
    if user.is_superuser:
        return False
    return (
        Membership.objects.active()
        .filter(
            user=user,
            role__in=STAFF_SIGN_ON_ROLES,
            district__staff_password_sign_in=False,
        )
        .exists()
    )


# --- what allauth sees ----------------------------------------------------------------------


def social_app(config: SignOnProvider) -> SocialApp:
    """The (unsaved) SocialApp allauth runs for a district's provider."""
    app = SocialApp(
        provider=config.kind,
        name=config.label,
        client_id=config.client_id,
        secret=config.client_secret(),
    )
    app.settings = {"accord_provider": config.pk, "accord_district": config.district_id}
    if config.kind == SignOnProvider.Kind.OPENID_CONNECT:
        app.provider_id = f"district-{config.district_id}"
        app.settings["server_url"] = config.server_url
        app.settings["oauth_pkce_enabled"] = True
    elif config.kind == SignOnProvider.Kind.MICROSOFT:
        # Entra ID has no e-mail-verified claim; `mail` is set by the district's own tenant
        # (a shared tenant is refused by SignOnProvider.clean), so the district vouches for it.
        app.settings["tenant"] = config.tenant
        app.settings["verified_email"] = True
    elif config.kind == SignOnProvider.Kind.GOOGLE:
        app.settings["oauth_pkce_enabled"] = True
    return app


AUTHORIZE_ORIGINS = {
    SignOnProvider.Kind.GOOGLE: "https://accounts.google.com",
    SignOnProvider.Kind.MICROSOFT: "https://login.microsoftonline.com",
}


def origin_of(config: SignOnProvider) -> str:
    """Where the provider's sign-in page is: the sign-in page's policy must let forms go there."""
    if config.kind in AUTHORIZE_ORIGINS:
        return AUTHORIZE_ORIGINS[config.kind]
    parts = urlsplit(config.server_url)
    return f"{parts.scheme}://{parts.netloc}"


def active_providers():
    return SignOnProvider.objects.filter(is_active=True).select_related("district")


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None):
        chosen = request.session.get(SESSION_KEY) if request is not None else None
        apps = []
        for config in active_providers():
            app = social_app(config)
            if provider and provider not in (app.provider, app.provider_id):
                continue
            if client_id and app.client_id != client_id:
                continue
            apps.append(app)
        if len(apps) > 1:
            # One callback address for Google (or Microsoft) serves every district: the app
            # is the one of the district whose button was pressed.
            apps = [app for app in apps if app.settings["accord_provider"] == chosen]
        return apps

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return False

    def pre_social_login(self, request, sociallogin) -> None:
        app = sociallogin.provider.app
        district = District.objects.get(pk=app.settings["accord_district"])
        addresses = [Address(a.email, bool(a.verified)) for a in sociallogin.email_addresses]
        try:
            with transaction.atomic():
                user = sign_on_person(district=district, addresses=addresses)
                if sociallogin.is_existing and sociallogin.user.pk != user.pk:
                    raise SignOnRefused(
                        _(
                            "This sign-in account is linked to another person here. Ask your "
                            "district office for help."
                        )
                    )
        except SignOnRefused as refusal:
            raise ImmediateHttpResponse(refuse(request, refusal.message)) from refusal
        if not sociallogin.is_existing:
            sociallogin.connect(request, user)

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ) -> None:
        """Any failure of the exchange (the provider down or slow, a tampered or stale
        state, a refused code) ends on the sign-in page with one plain message."""
        raise ImmediateHttpResponse(refuse(request, provider_failed(provider)))


def provider_failed(provider) -> str:
    return _(
        "Signing in with %(provider)s did not work. Try again in a moment; if it keeps "
        "failing, sign in another way or ask your district's IT team."
    ) % {"provider": getattr(provider, "name", None) or _("your provider")}


def refuse(request: HttpRequest, message: str) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    messages.error(request, message)
    return redirect("account_login")


# --- the button -----------------------------------------------------------------------------

# A provider down, slow, or answering something that is not its discovery document.
PROVIDER_FAILURES = (requests.RequestException, OAuth2Error)
PROVIDER_UNREACHABLE = (*PROVIDER_FAILURES, ValueError, KeyError)
NOT_CONFIGURED = (SocialApp.DoesNotExist, MultipleObjectsReturned)


def start(request: HttpRequest, config: SignOnProvider) -> HttpResponse:
    """Send the person to the district's provider, through allauth's own redirect."""
    request.session[SESSION_KEY] = config.pk
    adapter = get_social_adapter(request)
    name = social_app(config).provider_id or config.kind
    try:
        provider = adapter.get_provider(request, name)
        return provider.redirect_from_request(request)
    except ImmediateHttpResponse as response:
        return response.response
    except PROVIDER_UNREACHABLE as error:
        logger.warning(
            "Single sign-on provider %s of %s failed: %s",
            config.kind,
            config.district.slug,
            type(error).__name__,
        )
        return refuse(
            request,
            _(
                "We could not reach %(provider)s just now. Try again in a moment; if it keeps "
                "failing, sign in another way or ask your district's IT team."
            )
            % {"provider": config.label},
        )
