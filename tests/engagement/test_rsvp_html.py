"""The family's RSVP panel written in Python (engagement/rsvp_html.py) answers as the template
partial it replaces: the same HTML byte for byte, in every state of the panel and every
language, with hostile values escaped the same way; and the pages that show it show it so."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.forms.utils import ErrorList
from django.template import engines
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe

from engagement import rsvp_html, views
from engagement.forms import RsvpForm
from engagement.models import RsvpStatus

LANGUAGES = ("en", "es", "vi")  # every language the site offers (settings.LANGUAGES)

HOSTILE = "<b>\"Tom & Jerry's\"</b> {{ x }} {% now 'Y' %} %s %% 100% é"

# The `rsvp-panel` partial of engagement/event_detail.html as it was: the reference.
TEMPLATE = (Path(__file__).parent / "rsvp_panel_as_template.html").read_text().rstrip("\n")


class _Form:
    """What the partial reads of a bound form: its errors, and those of no field."""

    def __init__(self, errors: list[str]):
        self.errors = {"__all__": errors} if errors else {}
        self._errors = ErrorList(errors)

    def non_field_errors(self):
        return self._errors


def _rsvp(status, party=(1, 0), interpretation="", childcare=0):
    adults, children = party
    return SimpleNamespace(
        status=status,
        party_size=adults + children,
        interpretation_language=interpretation,
        childcare_count=childcare,
    )


def _event(status="published", rsvp_open=True, has_ended=False):
    return SimpleNamespace(pk=7, status=status, rsvp_open=rsvp_open, has_ended=has_ended)


RSVPS = [
    None,
    _rsvp(RsvpStatus.GOING),
    _rsvp(RsvpStatus.GOING, (2, 1), "es", 1),
    _rsvp(RsvpStatus.GOING, (3, 2), HOSTILE, 2),  # text typed before language codes
    _rsvp(RsvpStatus.WAITLISTED, (1, 1), "vi"),
    _rsvp(RsvpStatus.CANCELLED, (2, 0), "es", 0),
]
EVENTS = [
    _event(),
    _event(status="cancelled", rsvp_open=False),
    _event(rsvp_open=False),  # the deadline passed
    _event(rsvp_open=False, has_ended=True),
]
FORMS = [None, _Form([]), _Form(["The event is full.", HOSTILE])]
MESSAGES = ["", HOSTILE, mark_safe("<em>Saved</em>")]
FIELDS = [mark_safe('<div class="field"><input name="adults"></div>'), "", HOSTILE]


def _render_both(**values) -> tuple[str, str]:
    school = SimpleNamespace(slug="lincoln-elementary")
    context = {"school": school, **values}
    expected = engines["django"].from_string(TEMPLATE).render(context)
    got = rsvp_html.panel(
        school=school,
        event=values["event"],
        rsvp=values["rsvp"],
        position=values["position"],
        form=values["form"],
        rsvp_fields=values["rsvp_fields"],
        attended=values["attended"],
        csrf_token=values["csrf_token"],
        done_message=values["done_message"],
    )
    return got, expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_panel_is_the_templates_in_every_state(language):
    compared = 0
    with translation.override(language):
        for rsvp, event, form, message, fields, position, attended, token in itertools.product(
            RSVPS, EVENTS, FORMS, MESSAGES, FIELDS, (None, 1, 1234), (False, True), ("tok", "")
        ):
            got, expected = _render_both(
                rsvp=rsvp,
                event=event,
                form=form,
                done_message=message,
                rsvp_fields=fields,
                position=position,
                attended=attended,
                csrf_token=token,
            )
            assert got == expected, (rsvp, event, form, message, fields, position, attended)
            compared += 1
    assert compared == 6 * 4 * 3 * 3 * 3 * 3 * 2 * 2


def test_the_panel_speaks_each_language():
    """The comparison above is not between two English panels."""
    seen = set()
    for language in LANGUAGES:
        with translation.override(language):
            got, _expected = _render_both(
                rsvp=RSVPS[2],
                event=EVENTS[0],
                form=None,
                done_message="",
                rsvp_fields="",
                position=None,
                attended=False,
                csrf_token="tok",
            )
        seen.add(re.search(r'<h2 id="rsvp-heading">([^<]+)</h2>', got).group(1))
    assert len(seen) == len(LANGUAGES)


def _without_tokens(html: str) -> str:
    return re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+', r"\1", html)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_event_page_and_an_rsvp_sent_show_the_templates_panel(
    world, event, client_for, language
):
    """Through the views: the panel as an RSVP sent answers with it and as the event page
    shows it, against the template given the same values."""
    world.family.preferred_language = language
    world.family.save(update_fields=["preferred_language"])
    client = client_for(world.family)
    url = reverse("engagement:rsvp_submit", kwargs={"slug": event.school.slug, "pk": event.pk})
    headers = {"HX-Request": "true", "HX-Target": "my-rsvp", "HX-Trigger": "rsvp-form"}
    data = {"adults": 2, "children": 1, "interpretation_language": "es", "join_waitlist": "on"}
    answer = client.post(url, data, headers=headers)
    assert answer.status_code == 200
    html = answer.content.decode()
    rsvp = event.rsvps.get(family=world.family)
    template = engines["django"].from_string(TEMPLATE)
    with translation.override(language):
        fields = RsvpForm.unbound_fields_html(
            event=event, initial=RsvpForm.initial_for(rsvp), waitlist=False
        )
        values = {
            "school": event.school,
            "event": event,
            "rsvp": rsvp,
            "position": None,
            "form": None,
            "rsvp_fields": fields,
            "attended": False,
            "csrf_token": "tok",
        }
        sent = template.render({**values, "done_message": views._rsvp_done_message(rsvp)})
        shown = template.render({**values, "done_message": ""})
    assert _without_tokens(html) == _without_tokens(sent)
    page = client.get(event.get_absolute_url()).content.decode()
    assert _without_tokens(shown) in _without_tokens(page)


@pytest.mark.django_db
def test_a_panel_without_a_form_draws_no_csrf_token(world, event, client_for):
    """As `{% csrf_token %}` did, the token is drawn only where the panel has a form: a panel
    of an event whose RSVPs have closed sends no CSRF cookie back."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    client = client_for(world.family)
    url = reverse("engagement:rsvp_submit", kwargs={"slug": event.school.slug, "pk": event.pk})
    headers = {"HX-Request": "true", "HX-Target": "my-rsvp", "HX-Trigger": "rsvp-form"}
    data = {"adults": 1, "children": 0, "join_waitlist": "on"}
    open_panel = client.post(url, data, headers=headers)
    assert 'id="rsvp-form"' in open_panel.content.decode()
    assert settings.CSRF_COOKIE_NAME in open_panel.cookies
    type(event).objects.filter(pk=event.pk).update(
        rsvp_deadline=timezone.now() - timedelta(hours=1)
    )
    closed = client.post(url, data, headers=headers)
    assert closed.status_code == 200
    html = closed.content.decode()
    assert 'id="rsvp-form"' not in html and "csrfmiddlewaretoken" not in html
    assert settings.CSRF_COOKIE_NAME not in closed.cookies
