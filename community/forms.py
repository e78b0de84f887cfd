"""Input of the community pages; the rules themselves are the services'."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from leadership.uploads import UploadLimitFormMixin

from .models import MAX_ANNOUNCEMENT, MAX_BODY, MAX_SUBJECT, MAX_TITLE, FamilyAudience, Topic

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
