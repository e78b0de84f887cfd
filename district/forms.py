"""Forms of the district's pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from leadership.edits import VersionedModelForm
from leadership.models import DistrictPriority, SignOnProvider


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
