"""django-allauth hooks: invitation-only accounts, our messages, mail in the person's language."""

from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from . import sso
from .models import User

INCORRECT_CODE = _("That code is not right. Check the latest e-mail from us and try again.")
SIGN_ON_REQUIRED = _(
    "Your district signs staff in through its own sign-in service, not a password. Use your "
    "district's button on this page."
)


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "incorrect_code": INCORRECT_CODE,
        "sign_on_required": SIGN_ON_REQUIRED,
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
        """Sign-in codes and reset links go out in the language the person chose."""
        user = context.get("user") or User.objects.filter(email__iexact=email).first()
        language = getattr(user, "preferred_language", None) or translation.get_language()
        with translation.override(language):
            super().send_mail(template_prefix, email, context)
