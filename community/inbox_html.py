"""The inbox's page content, written out in Python to the letter of the template it replaces.

A page of the inbox is 25 rows of five cells, with its heading, its filters and its pages'
links; through the template engine (a node per value: look-up, localisation, escaping, and a
translation look-up per sentence) writing them was more than half the page's cost. `content`
gives the same HTML, byte for byte, as community/inbox.html's content block did, in every
language. That template is kept, as it was, in tests/community/inbox_as_template.html, and
tests/community/test_inbox_html.py compares the page with it for every filter, each reader and
language, and the rows alone with its loop: a change to the page is made in both.

How the template wrote each kind of value, and so how it is written here:
- `{{ value }}` and `{% translate "text" %}`: as leadership.html writes them;
- `{% url %}`: the path, escaped.
"""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_noop, ngettext

from leadership.html import text as _text
from leadership.html import translated as _translated

from .models import ConversationStatus, Topic

NOBODY = "—"  # no one answers yet

# The page's own sentences, as its template wrote them (marked here for the catalogues).
_SUBJECT = gettext_noop("Subject")
_FAMILY = gettext_noop("Family")
_STATUS = gettext_noop("Status")
_ANSWERED_BY = gettext_noop("Answered by")
_AGE = gettext_noop("Age")
_PREVIOUS = gettext_noop("Previous")
_NEXT = gettext_noop("Next")
_PAGES_OF_CONVERSATIONS = gettext_noop("Pages of conversations")
_RESPONSE_TIMES = gettext_noop("Response times")
_MESSAGES_FROM_FAMILIES = gettext_noop("Messages from families")
_SHOW = gettext_noop("Show")
_OPEN_AND_WAITING = gettext_noop("Open and waiting")
_NO_CONVERSATIONS = gettext_noop("No conversations here.")
_PAGE_OF = gettext_noop("Page %(n)s of %(total)s")


def column_labels() -> dict[str, str]:
    """The columns' names in the active language, as the table's head and each cell's
    data-label write them."""
    return {
        "subject": mark_safe(_translated(_SUBJECT)),  # noqa: S308 (the template's own text)
        "family": mark_safe(_translated(_FAMILY)),  # noqa: S308
        "status": mark_safe(_translated(_STATUS)),  # noqa: S308
        "answered": mark_safe(_translated(_ANSWERED_BY)),  # noqa: S308
        "age": mark_safe(_translated(_AGE)),  # noqa: S308
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


_CURRENT = ' aria-current="page"'


def _pages(page, *, previous_url: str, next_url: str) -> str:
    """The links to the previous and next pages, and which page this is of how many."""
    numbers = {"n": _text(page.number), "total": _text(page.pages)}
    # As {% blocktranslate with n=... total=... %}Page {{ n }} of {{ total }}{% endblocktranslate
    # %}: a translation that will not take the numbers gives way to the English sentence.
    try:
        of_pages = gettext(_PAGE_OF) % numbers
    except (KeyError, ValueError):
        with translation.override(None):
            of_pages = gettext(_PAGE_OF) % numbers
    previous = (
        f'<a href="{_text(previous_url)}" rel="prev">{_translated(_PREVIOUS)}</a>'
        if previous_url
        else ""
    )
    following = (
        f'<a href="{_text(next_url)}" rel="next">{_translated(_NEXT)}</a>' if next_url else ""
    )
    return (
        f'\n<nav class="pagination" aria-label="{_translated(_PAGES_OF_CONVERSATIONS)}">\n'
        f"  {previous}\n"
        f'  <span aria-current="page">{of_pages}</span>\n'
        f"  {following}\n"
        "</nav>\n"
    )


def content(
    *,
    school,
    page,
    status: str,
    can_see_times: bool,
    previous_url: str,
    next_url: str,
    now: datetime | None = None,
) -> SafeString:
    """The page below the site's header: the school, the heading (with the link to response
    times for whoever may see them), the filters by status (`status` the one shown, "" for
    what is open or waiting), and the page's conversations with the links to other pages, or
    a line saying there are none."""
    times = ""
    if can_see_times:
        url = _text(reverse("community:response_times", kwargs={"slug": school.slug}))
        times = (
            f'<a class="button button-secondary" href="{url}">{_translated(_RESPONSE_TIMES)}</a>'
        )
    filters = "".join(
        f'<li><a href="?status={_text(value)}"{_CURRENT if status == value else ""}>'
        f"{_text(str(label))}</a></li>"
        for value, label in ConversationStatus.choices
    )
    html = [
        f'\n<p><a href="{_text(school.get_absolute_url())}">{_text(school.name)}</a></p>\n'
        '<div class="page-head">\n'
        f"  <h1>{_translated(_MESSAGES_FROM_FAMILIES)}</h1>\n"
        f"  {times}\n"
        "</div>\n"
        f'<nav aria-label="{_translated(_SHOW)}" class="filters">\n'
        "  <ul>\n"
        f'    <li><a href="?"{"" if status else _CURRENT}>{_translated(_OPEN_AND_WAITING)}'
        "</a></li>\n"
        f"    {filters}\n"
        "  </ul>\n"
        "</nav>\n"
    ]
    if page.rows:
        labels = column_labels()
        head = "".join(
            f'<th scope="col">{labels[name]}</th>'
            for name in ("subject", "family", "status", "answered", "age")
        )
        html.append(
            '\n<div class="table-scroll">\n'
            '<table class="responsive-table">\n'
            f"  <thead><tr>{head}</tr></thead>\n"
            "  <tbody>\n"
            f"  {rows_html(page.rows, school=school, labels=labels, now=now)}\n"
            "  </tbody>\n"
            "</table>\n"
            "</div>\n"
        )
        if page.pages > 1:
            html.append(_pages(page, previous_url=previous_url, next_url=next_url))
        html.append("\n")
    else:
        html.append(f'\n<p class="empty">{_translated(_NO_CONVERSATIONS)}</p>\n')
    html.append("\n")
    return mark_safe("".join(html))  # noqa: S308 (every value put in is escaped)
