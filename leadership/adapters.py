"""django-allauth hooks: invitation-only accounts, our messages, mail in the person's language."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from . import sso
from .languages import chosen_language
from .models import User
from .services import user_language_set

INCORRECT_CODE = _("That code is not right. Check the latest e-mail from us and try again.")
SIGN_ON_REQUIRED = _(
    "Your district signs staff in through its own sign-in service, not a password. Use your "
    "district's button on this page."
)
TOO_MANY_ATTEMPTS = _("Too many tries to sign in. Wait a few minutes and try again.")
TOO_MANY_REQUESTS = _("Too many requests in a short time. Wait a minute and try again.")


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "incorrect_code": INCORRECT_CODE,
        "sign_on_required": SIGN_ON_REQUIRED,
        "too_many_login_attempts": TOO_MANY_ATTEMPTS,
        "rate_limited": TOO_MANY_REQUESTS,
    }

    def authenticate(self, request, **credentials):
        """A right password of a staff member whose district turned password sign-in off
        signs nobody in (leadership.sso.password_refused)."""
        user = super().authenticate(request, **credentials)
        if user is not None and credentials.get("password") and sso.password_refused(user):
            raise self.validation_error("sign_on_required")
        return user

    def is_open_for_signup(self, request) -> bool:
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Sign-in codes and reset links go out in the language the person chose: the one
        picked on the page they asked from, else the one their account keeps."""
        user = context.get("user") or User.objects.filter(email__iexact=email).first()
        language = (
            chosen_language(allauth_context.request)
            or getattr(user, "preferred_language", None)
            or translation.get_language()
        )
        with translation.override(language):
            super().send_mail(template_prefix, email, context)

    def login(self, request, user) -> None:
        """A language picked before signing in is the person's choice: the account keeps it,
        rather than the page falling back to what the account held before."""
        language = chosen_language(request)
        if language and language != user.preferred_language:
            user_language_set(user=user, language=language)
        super().login(request, user)
