"""The family's RSVP panel, written out in Python to the letter of the template it replaces.

The panel is what every RSVP sent answers with (htmx swaps it in) and a part of the event's
page. Through the template engine (a node per value, a translation look-up per sentence, three
URL reversals and two CSRF tags) it was a quarter of an RSVP's cost. `panel` gives the same
HTML, byte for byte, as the `rsvp-panel` partial of engagement/event_detail.html did, in every
language. That partial is kept, as it was, in tests/engagement/rsvp_panel_as_template.html, and
tests/engagement/test_rsvp_html.py compares the two for every state of the panel and every
language: a change to the panel is made in both.

Values are written as the template wrote them (leadership.html); a `{% blocktranslate %}` is
the translation with its values written so, a `{% url %}` the path escaped.
"""

from __future__ import annotations

import functools

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, gettext_noop, ngettext

from leadership.html import text as _text
from leadership.html import translated as _translated
from leadership.languages import language_name

from .models import RsvpStatus

# The panel's own sentences, as its template wrote them (marked here for the catalogues).
_YOUR_RSVP = gettext_noop("Your RSVP")
_YOU_ARE_GOING = gettext_noop("You are going")
_ON_THE_WAITLIST = gettext_noop("On the waitlist")
_RSVP_CANCELLED = gettext_noop("RSVP cancelled")
_INTERPRETATION = gettext_noop("Interpretation")
_CHILDCARE = gettext_noop("Childcare")
_EVENT_CANCELLED = gettext_noop("This event was cancelled.")
_NOT_SAVED = gettext_noop("Your RSVP was not saved.")
_SAVE_CHANGES = gettext_noop("Save changes to my RSVP")
_CONFIRM = gettext_noop("Confirm attendance")
_CANCEL_MY_RSVP = gettext_noop("Cancel my RSVP")
_SEATS_GO = gettext_noop("Your seats go to the next family waiting, and you may not get them back.")
_YES_CANCEL = gettext_noop("Yes, cancel my RSVP")
_TELL_US = gettext_noop("Tell us how it went")
_CLOSED = gettext_noop("RSVPs for this event are closed.")
_POSITION = gettext_noop("You are number %(position)s on the waitlist.")


_SENTENCES = (
    _YOUR_RSVP,
    _YOU_ARE_GOING,
    _ON_THE_WAITLIST,
    _RSVP_CANCELLED,
    _INTERPRETATION,
    _CHILDCARE,
    _EVENT_CANCELLED,
    _NOT_SAVED,
    _SAVE_CHANGES,
    _CONFIRM,
    _CANCEL_MY_RSVP,
    _SEATS_GO,
    _YES_CANCEL,
    _TELL_US,
    _CLOSED,
)


@functools.lru_cache(maxsize=32)
def _words(language: str) -> dict[str, str]:
    """The panel's fixed sentences in one language, translated once per process."""
    return {message: _translated(message) for message in _SENTENCES}


def _said() -> dict[str, str]:
    return _words(get_language())


_addresses: dict[tuple, tuple[str, str]] = {}


def _event_addresses(school, event) -> tuple[str, str]:
    """The event's RSVP and cancel addresses, escaped, kept for the process under the script
    prefix the site is served at (bounded: one entry an event)."""
    key = (get_script_prefix(), school.slug, event.pk)
    found = _addresses.get(key)
    if found is None:
        kwargs = {"slug": school.slug, "pk": event.pk}
        found = (
            _text(reverse("engagement:rsvp_submit", kwargs=kwargs)),
            _text(reverse("engagement:rsvp_cancel", kwargs=kwargs)),
        )
        if len(_addresses) < 20_000:
            _addresses[key] = found
    return found


@receiver(setting_changed)
def _forget(**kwargs):
    _words.cache_clear()
    _addresses.clear()


def badge(rsvp) -> str:
    """engagement/includes/rsvp_badge.html, with the line's end the file has."""
    if rsvp is None:
        return "\n"
    said = _said()
    if rsvp.status == RsvpStatus.GOING:
        return f'<span class="badge badge-ok">{said[_YOU_ARE_GOING]}</span>\n'
    if rsvp.status == RsvpStatus.WAITLISTED:
        return f'<span class="badge badge-warn">{said[_ON_THE_WAITLIST]}</span>\n'
    return f'<span class="badge">{said[_RSVP_CANCELLED]}</span>\n'


def _csrf_input(token: str) -> str:
    """`{% csrf_token %}` of a page with a token."""
    if not token:
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{_text(token)}">'


def panel(
    *,
    school,
    event,
    rsvp,
    position,
    form,
    rsvp_fields,
    attended: bool,
    csrf_token,
    done_message="",
) -> SafeString:
    """The `<section id="my-rsvp">` of the family's RSVP: what they said, and the form to
    change it (or why it cannot be changed). The values are those the partial was given:
    `rsvp_fields` is the form's fields' HTML, `csrf_token` the page's token (a lazy one is
    drawn only where the panel has a form)."""
    said = _said()
    current = rsvp is not None and rsvp.status != RsvpStatus.CANCELLED
    out = [
        '\n<section id="my-rsvp" class="card" aria-labelledby="rsvp-heading">\n'
        '  <h2 id="rsvp-heading">',
        said[_YOUR_RSVP],
        "</h2>\n  ",
    ]
    if done_message:
        out += [
            '<p id="rsvp-done" class="message message-success" role="status" tabindex="-1" '
            "data-autofocus>",
            _text(done_message),
            "</p>",
        ]
    out.append("\n  ")
    if current:
        out += ['\n  <p id="rsvp-status" role="status">', badge(rsvp), "\n    "]
        if position:
            out.append(gettext(_POSITION) % {"position": _text(position)})
        party = rsvp.party_size
        out += ["\n    ", ngettext("%(n)s person", "%(n)s people", party) % {"n": _text(party)}]
        if rsvp.interpretation_language:
            out += [
                " · ",
                said[_INTERPRETATION],
                ": ",
                _text(language_name(rsvp.interpretation_language)),
            ]
        if rsvp.childcare_count:
            out += [" · ", said[_CHILDCARE], ": ", _text(rsvp.childcare_count)]
        out.append("\n  </p>\n  ")
    out.append("\n  ")
    if event.status == "cancelled":
        out += ['\n    <p class="empty">', said[_EVENT_CANCELLED], "</p>\n  "]
    elif event.rsvp_open:
        submit_url, cancel_url = _event_addresses(school, event)
        csrf = _csrf_input(csrf_token)
        out += [
            '\n  <form id="rsvp-form" method="post" action="',
            submit_url,
            '"\n        hx-post="',
            submit_url,
            '" hx-target="#my-rsvp" hx-swap="outerHTML" hx-select="#my-rsvp"\n'
            '        aria-labelledby="rsvp-heading" novalidate>\n    ',
            csrf,
            "\n    ",
        ]
        if form is not None and form.errors:
            errors = conditional_escape(" ").join(
                conditional_escape(error) for error in form.non_field_errors()
            )
            out += [
                '<div class="errorlist nonfield" role="alert" data-autofocus tabindex="-1">',
                said[_NOT_SAVED],
                " ",
                errors,
                "</div>",
            ]
        out += [
            "\n    ",
            conditional_escape(rsvp_fields),
            '\n    <div class="actions"><button type="submit" class="button">',
            said[_SAVE_CHANGES if current else _CONFIRM],
            "</button></div>\n  </form>\n  ",
        ]
        if current:
            out += [
                '\n  \n  <details class="confirm" id="rsvp-cancel">\n'
                '    <summary class="button-link">',
                said[_CANCEL_MY_RSVP],
                '</summary>\n    <form method="post" action="',
                cancel_url,
                '"\n          hx-post="',
                cancel_url,
                '" hx-target="#my-rsvp" hx-swap="outerHTML" hx-select="#my-rsvp">\n      ',
                csrf,
                "\n      <p>",
                said[_SEATS_GO],
                '</p>\n      <button type="submit" class="button-secondary" '
                'id="rsvp-cancel-confirm">',
                said[_YES_CANCEL],
                "</button>\n    </form>\n  </details>\n  ",
            ]
        out.append("\n  ")
    elif event.has_ended and attended:
        feedback = _text(
            reverse("engagement:feedback", kwargs={"slug": school.slug, "pk": event.pk})
        )
        out += [
            '\n    <p><a class="button" href="',
            feedback,
            '">',
            said[_TELL_US],
            "</a></p>\n  ",
        ]
    else:
        out += ['\n    <p class="empty">', said[_CLOSED], "</p>\n  "]
    out.append("\n</section>\n")
    return mark_safe("".join(out))  # noqa: S308 (every value escaped above)
