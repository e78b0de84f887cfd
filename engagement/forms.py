"""Input parsing for the engagement pages; no saving here."""

from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace

from django import forms
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import translation
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from leadership.edits import VersionField
from leadership.languages import INTERPRETATION_LANGUAGES
from leadership.languages import language_name as spoken_language_name

from .models import MAX_ADULTS, MAX_CHILDREN, EventKind


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def language_name(code: str) -> str:
    return dict(settings.LANGUAGES).get(code, code)


class EventForm(forms.Form):
    """An event; the title/description fields are added per language of the school.

    Times are read and shown in the district's time zone (the view activates it).
    """

    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DateTimeInput())
    location = forms.CharField(label=_("Place"), max_length=300, required=False)
    online_link = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    capacity = forms.IntegerField(label=_("Seats"), min_value=1, max_value=10000)
    rsvp_deadline = forms.DateTimeField(label=_("RSVP by"), required=False, widget=DateTimeInput())
    interpretation_languages = forms.MultipleChoiceField(
        label=_("Interpretation offered in"),
        required=False,
        choices=INTERPRETATION_LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
    )
    offers_childcare = forms.BooleanField(label=_("Childcare"), required=False)
    offers_transport = forms.BooleanField(label=_("Transport"), required=False)
    offers_food = forms.BooleanField(label=_("Food"), required=False)
    accessibility_notes = forms.CharField(
        label=_("Accessibility notes"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    version = VersionField()

    def __init__(self, *args, school, event=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        if event is None:  # a new event: nobody else can have saved it
            del self.fields["version"]
        self.languages = list(school.languages or [settings.LANGUAGE_CODE])
        for i, code in enumerate(self.languages):
            name = language_name(code)
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title (%(language)s)") % {"language": name},
                max_length=200,
                required=i == 0,
            )
            self.fields[f"description_{code}"] = forms.CharField(
                label=_("Description (%(language)s)") % {"language": name},
                max_length=5000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
            if i == 0:
                continue
            # The place and the notes in the other languages; blank keeps the main language's.
            self.fields[f"location_{code}"] = forms.CharField(
                label=_("Place (%(language)s)") % {"language": name},
                max_length=300,
                required=False,
            )
            self.fields[f"accessibility_notes_{code}"] = forms.CharField(
                label=_("Accessibility notes (%(language)s)") % {"language": name},
                max_length=2000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        if len(self.languages) > 1:
            main = language_name(self.languages[0])
            self.fields["location"].label = _("Place (%(language)s)") % {"language": main}
            self.fields["accessibility_notes"].label = _("Accessibility notes (%(language)s)") % {
                "language": main
            }
        texts = [f for code in self.languages for f in (f"title_{code}", f"description_{code}")]
        place = ["location"] + [f"location_{code}" for code in self.languages[1:]]
        notes = ["accessibility_notes"] + [
            f"accessibility_notes_{code}" for code in self.languages[1:]
        ]
        order = texts + [name for name in self.fields if name not in texts + place + notes]
        at = order.index("online_link")
        order[at:at] = place
        self.order_fields(order + notes)

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("The event must end after it starts."))
        return data

    def texts(self) -> dict[str, tuple[str, ...]]:
        data = self.cleaned_data
        return {
            code: (
                data.get(f"title_{code}", ""),
                data.get(f"description_{code}", ""),
                data.get(f"location_{code}", ""),
                data.get(f"accessibility_notes_{code}", ""),
            )
            for code in self.languages
        }

    def event_fields(self) -> dict:
        names = [
            "kind",
            "starts_at",
            "ends_at",
            "location",
            "online_link",
            "capacity",
            "rsvp_deadline",
            "interpretation_languages",
            "offers_childcare",
            "offers_transport",
            "offers_food",
            "accessibility_notes",
        ]
        return {name: self.cleaned_data[name] for name in names}

    @classmethod
    def initial_for(cls, event) -> dict:
        initial = {
            "kind": event.kind,
            "starts_at": event.starts_at,
            "ends_at": event.ends_at,
            "location": event.location,
            "online_link": event.online_link,
            "capacity": event.capacity,
            "rsvp_deadline": event.rsvp_deadline,
            "interpretation_languages": list(event.interpretation_languages),
            "offers_childcare": event.offers_childcare,
            "offers_transport": event.offers_transport,
            "offers_food": event.offers_food,
            "accessibility_notes": event.accessibility_notes,
        }
        for text in event.translations.all():
            initial[f"title_{text.language}"] = text.title
            initial[f"description_{text.language}"] = text.description
            initial[f"location_{text.language}"] = text.location
            initial[f"accessibility_notes_{text.language}"] = text.accessibility_notes
        return initial


class RsvpForm(forms.Form):
    adults = forms.IntegerField(label=_("Adults"), min_value=1, max_value=MAX_ADULTS, initial=1)
    children = forms.IntegerField(
        label=_("Children"), min_value=0, max_value=MAX_CHILDREN, initial=0
    )
    interpretation_language = forms.ChoiceField(label=_("Interpretation needed"), required=False)
    childcare_count = forms.IntegerField(
        label=_("Children who need childcare"),
        min_value=0,
        max_value=MAX_CHILDREN,
        initial=0,
        required=False,
    )
    accessibility_needs = forms.CharField(
        label=_("Accessibility needs"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: wheelchair access, hearing loop, large print."),
    )
    join_waitlist = forms.BooleanField(
        label=_("If there are not enough seats, put us on the waitlist"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        offered = list(event.interpretation_languages or [])
        self._offered = tuple(offered)
        self.fields["interpretation_language"].choices = [("", _("None needed"))] + [
            (code, spoken_language_name(code)) for code in offered
        ]
        if not offered:
            del self.fields["interpretation_language"]
        if not event.offers_childcare:
            del self.fields["childcare_count"]

    def clean(self):
        data = super().clean()
        children = data.get("children") or 0
        if (data.get("childcare_count") or 0) > children and "children" in data:
            self.add_error(
                "childcare_count", _("Childcare can be for at most the children you bring.")
            )
        return data

    def rsvp_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "adults": data["adults"],
            "children": data["children"],
            "interpretation_language": data.get("interpretation_language") or "",
            "childcare_count": data.get("childcare_count") or 0,
            "accessibility_needs": data.get("accessibility_needs") or "",
            "join_waitlist": bool(data.get("join_waitlist")),
        }

    @staticmethod
    def initial_for(rsvp) -> dict:
        return {
            "adults": rsvp.adults,
            "children": rsvp.children,
            "interpretation_language": rsvp.interpretation_language,
            "childcare_count": rsvp.childcare_count,
            "accessibility_needs": rsvp.accessibility_needs,
            "join_waitlist": True,
        }

    def fields_html(self, *, waitlist: bool = True) -> str:
        """The fields, each in its `<div class="field">` (label, help, errors, input); without
        the waitlist choice when `waitlist` is false (a family already going)."""
        if self.is_bound:
            return self._fields_html(waitlist)
        return _unbound_fields_html(
            translation.get_language(),
            self._offered,
            "childcare_count" in self.fields,
            tuple(sorted(self.initial.items())) if self.initial else (),
            waitlist,
        )

    @staticmethod
    def unbound_fields_html(*, event, initial: dict | None, waitlist: bool = True) -> str:
        """`RsvpForm(event=event, initial=initial).fields_html(waitlist=waitlist)`, without
        making the form: an unbound form's HTML follows from the event's offer, the values
        shown, the language and nothing else, and the same few forms are shown again and again
        (every family of an event, every RSVP sent), so it is rendered once per process rather
        than field by field through the form templates on every panel."""
        return _unbound_fields_html(
            translation.get_language(),
            tuple(event.interpretation_languages or []),
            bool(event.offers_childcare),
            tuple(sorted(initial.items())) if initial else (),
            waitlist,
        )

    def _fields_html(self, waitlist: bool) -> str:
        return format_html_join(
            "",
            '<div class="field">{}</div>',
            (
                (field.as_field_group(),)
                for field in self
                if waitlist or field.name != "join_waitlist"
            ),
        )


@receiver(setting_changed)
def _forget_rendered_fields(**kwargs):
    # The HTML follows the form renderer, languages and catalogues too: a setting changed (in
    # a test) starts it afresh.
    _unbound_fields_html.cache_clear()


@lru_cache(maxsize=512)
def _unbound_fields_html(language, offered, offers_childcare, initial, waitlist) -> str:
    event = SimpleNamespace(
        interpretation_languages=list(offered), offers_childcare=offers_childcare
    )
    with translation.override(language):
        form = RsvpForm(event=event, initial=dict(initial) or None)
        return form._fields_html(waitlist)


class WalkInForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    party_size = forms.IntegerField(label=_("People"), min_value=1, max_value=30, initial=1)


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How was the event? (1 = poor, 5 = excellent)"),
        choices=[(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything to tell us?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
