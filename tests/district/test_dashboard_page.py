"""The dashboard's page is written without the template engine (leadership.page): it is the
page district/dashboard.html gave, byte for byte, in every language, with and without a
message, for a person with one place and with several."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import engines
from django.utils import translation
from django.utils.safestring import mark_safe

from leadership.models import Role
from tests.district.test_dashboard import dashboard_url
from tests.leadership.factories import MembershipFactory

pytestmark = pytest.mark.django_db

LANGUAGES = ("en", "es", "vi")  # every language the site offers (settings.LANGUAGES)

# district/dashboard.html as it was before its page was written in Python: the reference.
TEMPLATE = (Path(__file__).parent / "dashboard_as_template.html").read_text()

_CONTENT = re.compile(r'<div id="messages"[^>]*>\n      .*?\n    </div>\n    (.*)\n  </main>', re.S)


def _without_tokens(html: str) -> str:
    html = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+', r"\1", html)
    return re.sub(r'("x-csrftoken": ")[^"]+', r"\1", html)


def _compare_with_template(response, language: str) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    content = _CONTENT.search(html).group(1)
    context = {"district": response.wsgi_request.district, "content_html": mark_safe(content)}  # noqa: S308
    with translation.override(language):
        expected = (
            engines["django"].from_string(TEMPLATE).render(context, request=response.wsgi_request)
        )
    assert _without_tokens(html) == _without_tokens(expected)
    return html


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_dashboard_page_is_its_templates(world, client_for, language):
    admin = world.district_admin
    admin.preferred_language = language
    admin.full_name = '<b>Ana & "Bo"</b>'
    admin.save(update_fields=["preferred_language", "full_name"])
    world.district.name = "Riverside <Unified> & 'Co'"
    world.district.save(update_fields=["name"])
    client = client_for(admin)
    html = _compare_with_template(client.get(dashboard_url(world)), language)
    assert "&lt;Unified&gt;" in html and "<Unified>" not in html
    # A message (a page past the end), shown once; and a person with places of two kinds.
    client.get(dashboard_url(world, page=99))
    html = _compare_with_template(client.get(dashboard_url(world)), language)
    assert 'class="message message-info"' in html
    MembershipFactory(user=admin, role=Role.PRINCIPAL, school=world.school, district=world.district)
    html = _compare_with_template(client.get(dashboard_url(world, q="lin")), language)
    assert 'class="message message-' not in html and world.school.name in html


def test_the_page_speaks_each_language(world, client_for):
    """The comparison above is not between two English pages."""
    titles = set()
    for language in LANGUAGES:
        world.district_admin.preferred_language = language
        world.district_admin.save(update_fields=["preferred_language"])
        page = client_for(world.district_admin).get(dashboard_url(world)).content.decode()
        titles.add(re.search(r"<title>(.*?) · ", page).group(1))
    assert len(titles) == len(LANGUAGES)
