"""Forms of the district's pages."""

from django import forms

from leadership.edits import VersionedModelForm
from leadership.models import DistrictPriority


class DistrictPriorityForm(VersionedModelForm):
    class Meta:
        model = DistrictPriority
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
