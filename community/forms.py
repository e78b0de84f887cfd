"""Input of the community pages; the rules themselves are the services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from leadership.uploads import UploadLimitFormMixin

from .models import MAX_BODY, MAX_SUBJECT, Topic

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
