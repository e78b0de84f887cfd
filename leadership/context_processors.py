"""What the base layout needs on every page: where the signed-in person can go."""

import functools
import secrets

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.text import capfirst

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


# What the base layout shows on every page and that never changes while the process runs:
# its links (reversed under the script prefix the site is served at), its static files'
# hashed names and the language menu. Worked out once, not on every page (six reverses, three
# manifest look-ups and the language list were about a third of the layout's time); a
# setting changed in a test starts them afresh.


@functools.lru_cache(maxsize=8)  # one prefix in practice; bounded whatever SCRIPT_NAME says
def _layout_links(script_prefix: str) -> dict[str, str]:
    return {
        "home": reverse("home"),
        "my_work": reverse("leadership:my_work"),
        "family": reverse("engagement:family_home"),
        "language_set": reverse("leadership:language_set"),
        "sign_out": reverse("account_logout"),
        "sign_in": reverse("account_login"),
        "css": static("css/accord.css"),
        "icon": static("img/accord.svg"),
        "js": static("js/accord.js"),
    }


@functools.cache
def _languages() -> tuple[tuple[str, str], ...]:
    """(code, the language's own name) for the language menu, as Django's
    get_language_info_list and capfirst give them."""
    return tuple(
        (code, capfirst(translation.get_language_info(code)["name_local"]))
        for code, _name in settings.LANGUAGES
    )


@receiver(setting_changed)
def _forget_layout(**kwargs):
    _layout_links.cache_clear()
    _languages.cache_clear()


def layout(request):
    return {
        "layout": _layout_links(get_script_prefix()),
        "layout_languages": _languages(),
        # In place of the `csrf` processor's token (this one comes later and wins).
        "csrf_token": SimpleLazyObject(lambda: page_csrf_token(request)),
    }


# The CSRF token of the page, as Django's `csrf` context processor gives it (a fresh mask over
# the secret on each page, against BREACH), with the mask drawn from one read of the system's
# random source: Django draws each of its 32 characters with its own secrets.choice, a call to
# os.urandom apiece, which was the layout's largest single cost. The token has the same form
# and the same distribution, and Django's own middleware checks it
# (tests/leadership/test_layout.py).

_CHARS = CSRF_ALLOWED_CHARS
_INDEX = {char: index for index, char in enumerate(_CHARS)}
_FAIR = 256 - 256 % len(_CHARS)  # bytes at or above it would favour the first characters


def _mask(secret: str) -> str:
    """Django's `_mask_cipher_secret(secret)`: a random mask, then the secret shifted by it."""
    mask: list[int] = []
    while len(mask) < CSRF_SECRET_LENGTH:
        mask += [byte % len(_CHARS) for byte in secrets.token_bytes(48) if byte < _FAIR]
    mask = mask[:CSRF_SECRET_LENGTH]
    cipher = "".join(
        _CHARS[(_INDEX[char] + shift) % len(_CHARS)]
        for char, shift in zip(secret, mask, strict=True)
    )
    return "".join(_CHARS[shift] for shift in mask) + cipher


def page_csrf_token(request) -> str:
    """`django.middleware.csrf.get_token(request)`, with its side effects."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None or len(secret) != CSRF_SECRET_LENGTH or set(secret) - set(_CHARS):
        return get_token(request)  # a new secret, or one this does not know: Django's way
    # As get_token does: the cookie is sent again, to renew its expiry.
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    return _mask(secret)
