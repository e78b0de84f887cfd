"""The inbox's table rows, written out in Python to the letter of the template they replace.

A page of the inbox is 25 rows of five cells; through the template engine (a variable node per
value: look-up, localisation, escaping) they were about half the page's cost. `rows_html`
gives the same HTML, byte for byte, as this loop of community/inbox.html did, in every
language (tests/community/test_inbox_rows.py renders that loop with Django's engine and
compares):

    {% translate "Subject" as subject_label %} ... {% translate "Age" as age_label %}
    {% for row in conversations %}
    <tr>
      <td data-label="{{ subject_label }}"><a href="{{ row.url }}">{{ row.subject }}</a> <span
        class="muted">({{ row.topic_label }})</span></td>
      <td data-label="{{ family_label }}">{{ row.family_name }}</td>
      <td data-label="{{ status_label }}"><span class="{{ row.badge_class }}">{{
        row.status_label }}</span></td>
      <td data-label="{{ answered_label }}">{{ row.answerer_name }}</td>
      <td data-label="{{ age_label }}">{{ row.age_label }}</td>
    </tr>
    {% endfor %}

(the <tr> on one line, each <td> on its own line indented by six spaces).
"""

from __future__ import annotations

from datetime import datetime
from html import escape  # what Django's escape() calls, without its lazy-string wrapper

from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from .models import ConversationStatus, Topic

NOBODY = "—"  # no one answers yet


def _text(value) -> str:
    """As a template writes {{ value }} of a string: escaped (safe text as it is)."""
    return escape(value) if type(value) is str else conditional_escape(str(value))


def _translated(message: str) -> str:
    """As `{% translate "message" as name %}` then `{{ name }}` write it: the translation as it
    is (a template's own text, and so its translation, is not escaped), with the template's
    doubled percent signs restored."""
    return gettext(message.replace("%", "%%")).replace("%%", "%")


def column_labels() -> dict[str, str]:
    """The columns' names in the active language, as the table's head and each cell's
    data-label write them."""
    return {
        "subject": mark_safe(_translated("Subject")),  # noqa: S308 (the template's own text)
        "family": mark_safe(_translated("Family")),  # noqa: S308
        "status": mark_safe(_translated("Status")),  # noqa: S308
        "answered": mark_safe(_translated("Answered by")),  # noqa: S308
        "age": mark_safe(_translated("Age")),  # noqa: S308
    }


def age_label(days: int) -> str:
    """How long ago the family wrote, in whole days (the number as Python writes it)."""
    return ngettext("%(days)s day", "%(days)s days", days) % {"days": days}


def rows_html(rows, *, school, labels: dict[str, str], now: datetime | None = None) -> SafeString:
    """The rows of the inbox's table: for each conversation its link and subject with the
    topic, the family, the status, who answers and how long ago the family wrote.

    `rows` have pk, subject, topic, status, created_at, family_name and answerer_name (None
    when nobody answers yet)."""
    now = timezone.now() if now is None else now
    # One reverse() for the page: every conversation's link differs by its id alone.
    base = reverse("community:conversation_detail", kwargs={"slug": school.slug, "pk": 0})
    base = _text(base[: -len("0/")])
    topics = {value: _text(str(label)) for value, label in Topic.choices}
    statuses = {
        value: (
            "badge badge-warn" if value == ConversationStatus.OPEN else "badge",
            _text(str(label)),
        )
        for value, label in ConversationStatus.choices
    }
    subject_cell = f'\n    <tr>\n      <td data-label="{labels["subject"]}"><a href="{base}'
    family_cell = f'</span></td>\n      <td data-label="{labels["family"]}">'
    status_cell = f'</td>\n      <td data-label="{labels["status"]}"><span class="'
    answered_cell = f'</span></td>\n      <td data-label="{labels["answered"]}">'
    age_cell = f'</td>\n      <td data-label="{labels["age"]}">'
    # Names and ages repeat down a page: each written once.
    names: dict[str, str] = {}
    nobody = _text(NOBODY)
    ages: dict[int, str] = {}
    parts = []
    for row in rows:
        status = statuses.get(row.status)
        badge, status_label = status if status else ("badge", _text(row.status))
        topic = topics.get(row.topic)
        if topic is None:
            topic = _text(row.topic)
        family = names.get(row.family_name)
        if family is None:
            family = names[row.family_name] = _text(row.family_name)
        if row.answerer_name is None:
            answerer = nobody
        else:
            answerer = names.get(row.answerer_name)
            if answerer is None:
                answerer = names[row.answerer_name] = _text(row.answerer_name)
        days = (now - row.created_at).days
        age = ages.get(days)
        if age is None:
            age = ages[days] = _text(age_label(days))
        parts.append(
            f'{subject_cell}{_text(str(row.pk))}/">{_text(row.subject)}</a> '
            f'<span class="muted">({topic})'
            f"{family_cell}{family}"
            f"{status_cell}{badge}"
            f'">{status_label}'
            f"{answered_cell}{answerer}"
            f"{age_cell}{age}</td>\n    </tr>\n  "
        )
    return mark_safe("".join(parts))  # noqa: S308 (every value put in is escaped)
