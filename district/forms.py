"""Forms of the district's pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from leadership.edits import VersionedModelForm, VersionField
from leadership.models import STAFF_ROLES, DistrictPriority, SignOnProvider
from voice.models import StaffAudience
from voice.selectors import language_name
from voice.services import DISTRICT_STAFF_AUDIENCES


class DistrictPriorityForm(VersionedModelForm):
    class Meta:
        model = DistrictPriority
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class SignOnProviderForm(VersionedModelForm):
    """A district's sign-on provider. The secret is write-only: never shown back, and left
    blank it keeps the one saved (or the one in the server's environment)."""

    secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        strip=True,
        max_length=255,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False),
    )

    server_url = forms.URLField(
        label=SignOnProvider._meta.get_field("server_url").verbose_name,
        help_text=SignOnProvider._meta.get_field("server_url").help_text,
        required=False,
        max_length=200,
        assume_scheme="https",
    )

    class Meta:
        model = SignOnProvider
        fields = ["kind", "label", "client_id", "server_url", "tenant", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        provider = self.instance
        if provider.pk and provider.has_secret:
            self.fields["secret"].help_text = _(
                "A secret is saved. Leave this blank to keep it, or type a new one."
            )
        else:
            self.fields["secret"].help_text = _(
                "From your provider's console. You can set it in the server's environment "
                "instead (see the deployment guide)."
            )


class PasswordSignInForm(forms.Form):
    staff_password_sign_in = forms.BooleanField(
        label=_("Staff may also sign in with a password"),
        required=False,
        help_text=_(
            "Turn this off to have staff sign in only through your provider. Families always "
            "sign in with an e-mailed code."
        ),
    )


class DistrictSurveyForm(forms.Form):
    """The district's survey: its title and introduction in every language its schools use,
    and who is asked in every school (teams are a school's own, so not offered here)."""

    version = VersionField(required=False)
    is_anonymous = forms.BooleanField(
        label=_("Anonymous: no answer can be traced to the person who gave it"),
        required=False,
        initial=True,
    )
    staff_audience = forms.ChoiceField(
        label=_("Staff of every school"),
        choices=[(a.value, a.label) for a in DISTRICT_STAFF_AUDIENCES],
        initial=StaffAudience.ALL,
    )
    staff_roles = forms.MultipleChoiceField(
        label=_("Staff roles"),
        required=False,
        choices=[(r.value, r.label) for r in STAFF_ROLES],
        widget=forms.CheckboxSelectMultiple,
    )
    families = forms.BooleanField(label=_("All families of every school"), required=False)
    students = forms.BooleanField(
        label=_("Students, through a link or QR code each school makes per class or grade"),
        required=False,
    )

    def __init__(self, *args, languages: list[str], survey=None, version=None, **kwargs):
        initial = dict(kwargs.pop("initial", None) or {})
        if survey is not None:
            initial |= {
                "version": version,
                "is_anonymous": survey.is_anonymous,
                "staff_audience": survey.staff_audience,
                "staff_roles": survey.staff_roles,
                "families": survey.families,
                "students": survey.students,
            }
        super().__init__(*args, initial=initial, **kwargs)
        self.languages = languages
        titles = survey.title if survey else {}
        intros = survey.intro if survey else {}
        for code in languages:
            name = language_name(code)
            self.fields[f"title_{code}"] = forms.CharField(
                label=f"{_('Title')} ({name})",
                required=code == languages[0],
                max_length=200,
                initial=titles.get(code, ""),
            )
        for code in languages:
            name = language_name(code)
            self.fields[f"intro_{code}"] = forms.CharField(
                label=f"{_('Introduction')} ({name})",
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 3}),
                initial=intros.get(code, ""),
            )
        self.order_fields([f"title_{c}" for c in languages] + [f"intro_{c}" for c in languages])

    def settings(self) -> dict:
        data = self.cleaned_data
        return {
            "title": {c: data.get(f"title_{c}", "") for c in self.languages},
            "intro": {c: data.get(f"intro_{c}", "") for c in self.languages},
            "is_anonymous": data["is_anonymous"],
            "staff_audience": data["staff_audience"],
            "staff_roles": list(data["staff_roles"]),
            "families": data["families"],
            "students": data["students"],
        }
