"""Input of the community pages; the rules themselves are the services'."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from leadership.edits import VersionField
from leadership.uploads import UploadLimitFormMixin

from .models import (
    MAX_ANNOUNCEMENT,
    MAX_BODY,
    MAX_HELP_DETAILS,
    MAX_SUBJECT,
    MAX_TITLE,
    Cost,
    FamilyAudience,
    HelpStatus,
    ServiceKind,
    Topic,
)

FILES_HELP = _("Up to 3 files, 10 MB each: PDF, PNG, JPEG, Word, Excel, PowerPoint, text, CSV.")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


def _body_field(label):
    # The form lets a little more through than the service takes, so the person is told by how
    # much the message is too long rather than having the browser cut it.
    return forms.CharField(
        label=label,
        max_length=MAX_BODY * 2,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write your message.")},
    )


class ConversationForm(UploadLimitFormMixin, forms.Form):
    topic = forms.ChoiceField(
        label=_("What is it about?"),
        choices=Topic.choices,
        widget=forms.RadioSelect,
        initial=Topic.QUESTION,
        error_messages={
            "required": _("Choose what the message is about."),
            "invalid_choice": _("Choose what the message is about."),
        },
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=MAX_SUBJECT * 2,
        help_text=_("A few words, for example “Bus stop for next week”."),
        error_messages={"required": _("Say in a few words what it is about.")},
    )
    body = _body_field(_("Your message"))
    files = MultipleFileField(label=_("Attach files"), required=False, help_text=FILES_HELP)


class ReplyForm(UploadLimitFormMixin, forms.Form):
    body = _body_field(_("Your answer"))
    files = MultipleFileField(label=_("Attach files"), required=False, help_text=FILES_HELP)


class AnnouncementForm(forms.Form):
    """Who receives it, and its title and text in each of the school's languages (all are
    needed; the service says which is missing)."""

    families = forms.ChoiceField(
        label=_("Families"),
        choices=FamilyAudience.choices,
        initial=FamilyAudience.ALL,
        widget=forms.RadioSelect,
    )
    event = forms.TypedChoiceField(
        label=_("Event"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Only for “Families going to an event”."),
    )
    to_staff = forms.BooleanField(label=_("Also send to the school's staff"), required=False)

    def __init__(self, *args, school, events, language, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.events = {event.pk: event for event in events}
        choices = [("", _("Choose an event"))]
        for event in events:
            text = event.text(language)
            when = formats.date_format(timezone.localtime(event.starts_at), "SHORT_DATE_FORMAT")
            choices.append((event.pk, f"{text.title if text else event.pk} · {when}"))
        self.fields["event"].choices = choices
        names = dict(settings.LANGUAGES)
        self.languages = []
        for code in school.languages:
            name = names.get(code, code)
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title (%(language)s)") % {"language": name},
                max_length=MAX_TITLE * 2,
                required=False,
                widget=forms.TextInput(attrs={"lang": code}),
            )
            self.fields[f"body_{code}"] = forms.CharField(
                label=_("Text (%(language)s)") % {"language": name},
                max_length=MAX_ANNOUNCEMENT * 2,
                required=False,
                widget=forms.Textarea(attrs={"rows": 6, "lang": code}),
            )
            self.languages.append((code, name))

    def language_fields(self):
        return [
            (code, name, self[f"title_{code}"], self[f"body_{code}"])
            for code, name in self.languages
        ]

    def texts(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {
            code: (data.get(f"title_{code}", ""), data.get(f"body_{code}", ""))
            for code, _name in self.languages
        }

    def event_choice(self):
        return self.events.get(self.cleaned_data.get("event"))


class AnnouncerForm(forms.Form):
    person = forms.TypedChoiceField(label=_("Staff member"), coerce=int)
    allowed = forms.TypedChoiceField(
        label=_("May write announcements"),
        coerce=lambda value: value == "yes",
        choices=[("yes", _("Allow")), ("no", _("No longer allow"))],
    )

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = {member.pk: member for member in staff}
        self.fields["person"].choices = [(member.pk, member.get_full_name()) for member in staff]


class CoordinatorForm(AnnouncerForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["allowed"].label = _("Community-school coordinator")
        self.fields["allowed"].choices = [("yes", _("Name")), ("no", _("No longer"))]


class PartnerForm(forms.Form):
    name = forms.CharField(label=_("Organisation"), max_length=200)
    kinds = forms.MultipleChoiceField(
        label=_("Help it gives"), choices=ServiceKind.choices, widget=forms.CheckboxSelectMultiple
    )
    cost = forms.ChoiceField(label=_("Cost"), choices=Cost.choices, initial=Cost.FREE)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    languages = forms.MultipleChoiceField(
        label=_("Languages its staff speak"),
        choices=settings.LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_languages = forms.CharField(
        label=_("Other languages spoken"), max_length=200, required=False
    )
    events = forms.TypedMultipleChoiceField(
        label=_("Events it co-hosts"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    district_wide = forms.BooleanField(label=_("For every school of the district"), required=False)
    version = VersionField()

    def __init__(
        self, *args, school, events, language, district_admin: bool, partner=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.partner = partner
        if partner is None:
            del self.fields["version"]
        else:
            # Editing keeps the partner the school's or the district's, as it was added.
            del self.fields["district_wide"]
            if partner.school_id is None:
                events = []  # a district-wide partner's events are not one school's to change
        self.events = {event.pk: event for event in events}
        self.fields["events"].choices = [
            (event.pk, getattr(event.text(language), "title", event.pk)) for event in events
        ]
        if not events:
            del self.fields["events"]
        if not district_admin and "district_wide" in self.fields:
            del self.fields["district_wide"]
        names = dict(settings.LANGUAGES)
        self.languages = []
        for code in school.languages:
            name = names.get(code, code)
            self.fields[f"description_{code}"] = forms.CharField(
                label=_("The help it gives (%(language)s)") % {"language": name},
                max_length=2000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3, "lang": code}),
            )
            self.fields[f"hours_{code}"] = forms.CharField(
                label=_("Hours (%(language)s)") % {"language": name},
                max_length=300,
                required=False,
                widget=forms.TextInput(attrs={"lang": code}),
            )
            self.languages.append((code, name))

    def language_fields(self):
        return [
            (code, name, self[f"description_{code}"], self[f"hours_{code}"])
            for code, name in self.languages
        ]

    def texts(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {
            code: (data.get(f"description_{code}", ""), data.get(f"hours_{code}", ""))
            for code, _name in self.languages
        }

    def partner_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "phone": data["phone"],
            "email": data["email"],
            "website": data["website"],
            "address": data["address"],
            "cost": data["cost"],
            "languages": list(data["languages"]),
            "other_languages": data["other_languages"],
        }

    def chosen_events(self) -> list:
        return [self.events[pk] for pk in self.cleaned_data.get("events", []) if pk in self.events]

    @staticmethod
    def initial_for(partner) -> dict:
        """What the edit page shows for `partner` as saved now."""
        initial = {name: getattr(partner, name) for name in PARTNER_FORM_FIELDS}
        initial["kinds"] = sorted(service.kind for service in partner.services.all())
        initial["events"] = sorted(event.pk for event in partner.events.all())
        for text in partner.texts.all():
            initial[f"description_{text.language}"] = text.description
            initial[f"hours_{text.language}"] = text.hours
        return initial


PARTNER_FORM_FIELDS = [
    "name",
    "phone",
    "email",
    "website",
    "address",
    "cost",
    "languages",
    "other_languages",
]


class DirectoryFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Help with"), choices=[("", _("Any")), *list(ServiceKind.choices)], required=False
    )
    cost = forms.ChoiceField(
        label=_("Cost"), choices=[("", _("Any")), *list(Cost.choices)], required=False
    )
    language = forms.ChoiceField(
        label=_("Speaks"), choices=[("", _("Any")), *list(settings.LANGUAGES)], required=False
    )


class HelpRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What do you need help with?"),
        choices=ServiceKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what you need help with."),
            "invalid_choice": _("Choose what you need help with."),
        },
    )
    partner = forms.TypedChoiceField(
        label=_("A partner you would like to hear from (optional)"),
        coerce=int,
        required=False,
        empty_value=None,
    )
    details = forms.CharField(
        label=_("Anything that would help us help you (optional)"),
        max_length=MAX_HELP_DETAILS * 2,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.partners = {partner.pk: partner for partner in partners}
        self.fields["partner"].choices = [("", _("No preference"))] + [
            (partner.pk, partner.name) for partner in partners
        ]

    def chosen_partner(self):
        return self.partners.get(self.cleaned_data.get("partner"))


class HelpStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=HelpStatus.choices)
