"""How a template writes values, for the pages and fragments written in Python to the letter
of the templates they replace (the layout, the inbox, my work, the RSVP panel, the dashboard's
page): each is compared byte for byte with its template in the tests, and writes its values
through these, as the template engine did.

- `{{ value }}`: `text` (a string escaped, safe text as it is, anything else localised first);
- `{% translate "message" %}`: `translated` (the translation as it is, unescaped).
"""

from __future__ import annotations

from html import escape  # what Django's escape() calls, without its lazy-string wrapper

from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.translation import gettext


def text(value) -> str:
    """As a template writes {{ value }} (render_value_in_context): localised, then escaped
    unless safe."""
    if type(value) is str:
        return escape(value)
    value = localize(value)
    return conditional_escape(value if isinstance(value, str) else str(value))


def translated(message: str) -> str:
    """As `{% translate "message" %}` writes it: the translation as it is (a template's own
    text, and so its translation, is not escaped), with the template's doubled percent signs
    restored."""
    return gettext(message.replace("%", "%%")).replace("%%", "%")
