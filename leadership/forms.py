"""Input parsing and validation for the leadership pages; nothing here saves."""

from __future__ import annotations

from allauth.account import forms as allauth_forms
from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .edits import VersionedModelForm
from .models import Grade, Role, School, User


class VisionForm(VersionedModelForm):
    """The vision in the school's first language, and a field for each of its other ones."""

    class Meta:
        model = School
        fields = ["vision_statement"]
        widgets = {"vision_statement": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "vision_statement": _("What the school is working toward, in a few sentences.")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        school = self.instance
        names = dict(settings.LANGUAGES)
        self.other_languages = list(school.languages[1:])
        if self.other_languages:
            self.fields["vision_statement"].label = _("Vision statement (%(language)s)") % {
                "language": names.get(school.default_language, school.default_language)
            }
        saved = school.vision_translations or {}
        for code in self.other_languages:
            self.fields[f"vision_{code}"] = forms.CharField(
                label=_("Vision statement (%(language)s)") % {"language": names.get(code, code)},
                required=False,
                max_length=4000,
                initial=saved.get(code, ""),
                widget=forms.Textarea(attrs={"rows": 6, "lang": code}),
                help_text=_("Left blank, families reading this language see the one above."),
            )

    def translation_fields(self):
        return [self[f"vision_{code}"] for code in self.other_languages]

    def translations(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"vision_{code}", "") for code in self.other_languages}


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"))
    language = forms.ChoiceField(label=_("Language of the invitation"), choices=settings.LANGUAGES)

    def __init__(self, *args, roles: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Role.choices)
        self.fields["role"].choices = [(role, labels[role]) for role in roles]
        self.fields["email"].widget.attrs["autocomplete"] = "off"
        if len(roles) == 1:
            self.fields["role"].initial = roles[0]
            self.fields["role"].widget = forms.HiddenInput()


class AcceptInvitationForm(forms.Form):
    """A new person's name and, for staff roles, a password of their choosing."""

    full_name = forms.CharField(label=_("Your name"), max_length=150)
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Type the password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, needs_password: bool, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        if not needs_password:
            del self.fields["password1"]
            del self.fields["password2"]
        self.fields["full_name"].widget.attrs["autocomplete"] = "name"

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if "password1" in self.fields and p1 and p2:
            if p1 != p2:
                self.add_error("password2", _("The two passwords do not match."))
            else:
                probe = User(email=self.email, full_name=cleaned.get("full_name", ""))
                try:
                    password_validation.validate_password(p1, probe)
                except forms.ValidationError as error:
                    self.add_error("password1", error)
        return cleaned


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    next = forms.CharField(required=False, max_length=2000)


# --- sign-in (django-allauth's forms, with our words) -------------------------------------
# Families meet these first. The labels and buttons are ours, so that every language the
# family side speaks has them in its own catalogue (allauth's catalogues miss some languages
# and mix registers of address) and so that they say what they do.


def _email_field(field: forms.Field) -> None:
    field.label = _("Email address")
    field.widget.attrs.pop("placeholder", None)
    field.widget.attrs["autocomplete"] = "email"


class SignInForm(allauth_forms.LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _email_field(self.fields["login"])
        if "password" in self.fields:
            password = self.fields["password"]
            password.label = _("Password")
            password.widget.attrs.pop("placeholder", None)
            password.help_text = format_html(
                '<a href="{}">{}</a>', reverse("account_reset_password"), _("Forgot your password?")
            )
        if "remember" in self.fields:
            self.fields["remember"].label = _("Keep me signed in on this device")


class RequestSignInCodeForm(allauth_forms.RequestLoginCodeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _email_field(self.fields["email"])


class ConfirmSignInCodeForm(allauth_forms.ConfirmLoginCodeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        code = self.fields["code"]
        code.label = _("Sign-in code")
        code.widget.attrs.pop("placeholder", None)
        code.help_text = _("Eight letters, as in the e-mail (for example KXQT-MBRW).")


class FamilyGradesForm(forms.Form):
    grades = forms.MultipleChoiceField(
        label=_("Grades of the family's children at this school"),
        required=False,
        choices=Grade.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, choices: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if choices:
            self.fields["grades"].choices = choices
