"""The counts of "my work" shown on the home page, and the list of the "my work" page.

The list is written out in Python to the letter of the template it replaces (kept in
tests/leadership/test_my_work_html.py, which compares the two): through the template engine,
each row's dozen nodes were most of the page's rendering.
"""

from __future__ import annotations

from django import template
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_noop, override

from .. import clock, mywork
from ..html import text as _text

register = template.Library()


@register.inclusion_tag("leadership/includes/my_work_counts.html", takes_context=True)
def my_work_counts(context) -> dict:
    user = context["request"].user
    return {"sections": mywork.sections(user=user, today=clock.today())}


# Marked where they are written, so that makemessages keeps them in the catalogues: it reads
# no call inside an f-string, and no call of _blocktranslate.
NOTHING_TO_DO = gettext_noop("You have nothing to do in Accord right now.")
DUE = gettext_noop("due %(due)s")
OPEN_TITLE = gettext_noop("Open %(title)s")


def _blocktranslate(message: str, **values) -> str:
    """As {% blocktranslate with name=value %}...{% endblocktranslate %} writes `message`:
    the translation, the values written in as {{ value }}; the message untranslated when the
    translation does not format."""
    data = {name: _text(value) for name, value in values.items()}
    try:
        return gettext(message) % data
    except (KeyError, ValueError):
        with override(None):
            return gettext(message) % data


def _entry_html(entry: mywork.Entry, overdue: str) -> str:
    html = f'\n    <li><a href="{_text(entry.url)}">{_text(entry.title)}</a>'
    if entry.context:
        html += f" · {_text(entry.context)}"
    html += "\n      "
    if entry.due:
        due = date_format(entry.due, "SHORT_DATE_FORMAT")  # {{ entry.due|date:"..." }}
        html += " · " + _blocktranslate(DUE, due=due)
    html += "\n      "
    if entry.status:
        html += f' <span class="badge">{_text(entry.status)}</span>'
    html += "\n      "
    if entry.overdue:
        html += f' <span class="badge badge-bad">{overdue}</span>'
    return html + "</li>\n    "


def sections_html(sections: list[mywork.Section]) -> SafeString:
    """The sections as the page lists them: each with its count, its rows (or what it says
    when it has none) and the link to its app's own page."""
    if not sections:
        return mark_safe(  # noqa: S308 (a translation, as {% translate %} writes it)
            f'\n<p class="empty">{gettext(NOTHING_TO_DO)}</p>\n'
        )
    overdue = gettext("Overdue")
    parts = []
    for section in sections:
        key = _text(section.key)
        parts.append(
            f'\n<section class="card" aria-labelledby="{key}-heading">\n'
            f'  <h2 id="{key}-heading">{_text(section.title)} '
            f'<span class="badge">{_text(section.count)}</span></h2>\n  '
        )
        if section.entries:
            parts.append('\n  <ul class="plain-list">\n    ')
            parts.extend(_entry_html(entry, overdue) for entry in section.entries)
            parts.append("\n  </ul>\n  ")
        else:
            parts.append(f'<p class="empty">{_text(section.empty)}</p>')
        parts.append("\n  ")
        if section.more_url:
            title = _blocktranslate(OPEN_TITLE, title=section.title)
            parts.append(f'<p><a href="{_text(section.more_url)}">{title}</a></p>')
        parts.append("\n</section>\n")
    return mark_safe("".join(parts))  # noqa: S308 (every value put in is escaped)


@register.simple_tag
def my_work_list(sections: list[mywork.Section]) -> SafeString:
    return sections_html(sections)
