"""Input of the rostering pages: the upload and the "invite the new people" action."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from leadership.models import School
from leadership.uploads import UploadLimitFormMixin


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".zip,.csv"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class RosterUploadForm(UploadLimitFormMixin, forms.Form):
    files = MultipleFileField(
        label=_("OneRoster export"),
        help_text=_(
            "A zip archive of the export, or its CSV files (manifest.csv, orgs.csv, "
            "academicSessions.csv, users.csv, and roles.csv or enrollments.csv)."
        ),
    )


class RosterInviteForm(forms.Form):
    school = forms.ModelChoiceField(
        label=_("Who"),
        queryset=School.objects.none(),
        required=False,
        empty_label=_("Everyone new in the district"),
    )

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = School.objects.filter(district=district, is_active=True)


LOOPBACK = {"localhost", "127.0.0.1", "::1"}
HTTPS_ONLY = _("Use an https:// address: the client secret must not travel unencrypted.")


def _https(value: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if value and parts.scheme != "https" and (parts.hostname or "") not in LOOPBACK:
        raise forms.ValidationError(HTTPS_ONLY)
    return value


class SisConnectionForm(forms.Form):
    """The district's information system over OneRoster REST. The secret is never shown again:
    leave it empty to keep the one stored."""

    base_url = forms.URLField(
        label=_("OneRoster base URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("The address before /ims/oneroster/…, as your information system gives it."),
    )
    token_url = forms.URLField(
        label=_("Token URL"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_(
            "Where OAuth 2 client credentials are exchanged; leave empty for base URL + /token."
        ),
    )
    version = forms.ChoiceField(
        label=_("OneRoster version"), choices=[("1.1", "1.1"), ("1.2", "1.2")]
    )
    client_id = forms.CharField(label=_("Client ID"), max_length=300)
    client_secret = forms.CharField(
        label=_("Client secret"),
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    nightly = forms.BooleanField(
        label=_("Sync every night (only what changed)"), required=False, initial=True
    )

    def __init__(self, *args, has_secret: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_secret = has_secret
        self.fields["client_secret"].help_text = (
            _("A secret is stored. Leave this empty to keep it, or enter a new one.")
            if has_secret
            else _("Given by your information system with the client ID.")
        )

    def clean_base_url(self):
        return _https(self.cleaned_data["base_url"])

    def clean_token_url(self):
        return _https(self.cleaned_data["token_url"])

    def clean(self):
        cleaned = super().clean()
        if not self.has_secret and not cleaned.get("client_secret"):
            self.add_error(
                "client_secret", _("Enter the client secret your information system gave you.")
            )
        return cleaned
