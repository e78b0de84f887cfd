"""The "my work" list written in Python (leadership.templatetags.mywork_tags) is the template
it replaces, byte for byte, in every language and for every kind of row."""

from datetime import date

import pytest
from django.template import engines
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from leadership.mywork import Entry, Section
from leadership.templatetags.mywork_tags import sections_html

# The page's list as the template wrote it, before it was written in Python.
REFERENCE = """{% load i18n %}{% for section in sections %}
<section class="card" aria-labelledby="{{ section.key }}-heading">
  <h2 id="{{ section.key }}-heading">{{ section.title }} <span class="badge">{{ section.count }}</span></h2>
  {% if section.entries %}
  <ul class="plain-list">
    {% for entry in section.entries %}
    <li><a href="{{ entry.url }}">{{ entry.title }}</a>{% if entry.context %} · {{ entry.context }}{% endif %}
      {% if entry.due %} · {% blocktranslate with due=entry.due|date:"SHORT_DATE_FORMAT" %}due {{ due }}{% endblocktranslate %}{% endif %}
      {% if entry.status %} <span class="badge">{{ entry.status }}</span>{% endif %}
      {% if entry.overdue %} <span class="badge badge-bad">{% translate "Overdue" %}</span>{% endif %}</li>
    {% endfor %}
  </ul>
  {% else %}<p class="empty">{{ section.empty }}</p>{% endif %}
  {% if section.more_url %}<p><a href="{{ section.more_url }}">{% blocktranslate with title=section.title %}Open {{ title }}{% endblocktranslate %}</a></p>{% endif %}
</section>
{% empty %}
<p class="empty">{% translate "You have nothing to do in Accord right now." %}</p>
{% endfor %}"""  # noqa: E501


def _reference(sections) -> str:
    return engines["django"].from_string(REFERENCE).render({"sections": sections})


def _sections() -> list[Section]:
    tricky = "<b>Tom & \"Jerry\"</b> 'quoted' 100%"
    return [
        Section(
            key="action-items",
            title="Action items",
            entries=[
                Entry(
                    title="Share the screener",
                    url="/schools/lincoln/meetings/2/",
                    context="ILT · Lincoln",
                    due=date(2026, 9, 17),
                    overdue=True,
                ),
                Entry(title=tricky, url="/a?b=1&c=<2>", context=tricky, due=date(2027, 1, 5)),
                Entry(title="No context, no due", url="/x/"),
            ],
            empty="You have no open action items.",
            order=10,
        ),
        Section(key="proposals", title="Proposals to answer", empty="Nothing <waits>.", order=15),
        Section(
            key="action-steps",
            title=gettext_lazy("Action steps"),
            entries=[
                Entry(
                    title="Coach new teachers",
                    url="/s/1/",
                    context="Lincoln",
                    due=date(2026, 12, 31),
                    status=gettext_lazy("On track"),
                ),
                Entry(title="Late", url="/s/2/", due=date(2026, 1, 1), overdue=True, status="x"),
            ],
            empty="You have no open action steps.",
            more_url="/my/steps/?a=1&b=2",
            order=20,
        ),
        Section(key="safe", title=mark_safe("<i>Safe</i>"), more_url="/safe/", empty=tricky),
        Section(key="k<&>", title=tricky, entries=[Entry(title="t", url="/u/", status=tricky)]),
    ]


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_list_is_the_templates(language):
    with translation.override(language):
        for sections in (_sections(), _sections()[:1], _sections()[1:2], []):
            assert str(sections_html(sections)) == _reference(sections)


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_long_list_is_the_templates(language):
    """A count in the thousands is written as the template localizes it."""
    entries = [Entry(title=f"Step {n}", url=f"/s/{n}/", due=date(2026, 1, 1)) for n in range(1234)]
    sections = [Section(key="action-steps", title="Action steps", entries=entries)]
    with translation.override(language):
        assert str(sections_html(sections)) == _reference(sections)
