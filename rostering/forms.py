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
