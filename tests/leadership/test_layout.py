"""The base layout every page stands in: its links, its language menu, where the person is."""

import re
import unicodedata

import pytest
from django.urls import set_script_prefix


def test_the_layout_links_the_person_s_places_and_speaks_every_language(world, client_for):
    client = client_for(world.principal)
    page = client.get("/my/work/").content.decode()
    nav = page[page.index("<nav") : page.index("</nav>")]
    assert '<a href="/my/work/" aria-current="page">My work</a>' in nav
    assert f'href="/schools/{world.school.slug}/"' in nav
    assert 'action="/language/"' in page and 'action="/accounts/logout/"' in page
    options = re.findall(r'<option value="(\w+)" lang="\w+"( selected)?>([^<]+)</option>', page)
    assert [(code, unicodedata.normalize("NFC", name)) for code, _s, name in options] == [
        ("en", "English"),
        ("es", "Español"),
        ("vi", "Tiếng Việt"),
    ]
    assert [code for code, selected, _n in options if selected] == ["en"]
    assert re.search(r'<link rel="stylesheet" href="/static/css/accord[.\w]*\.css">', page)


def test_the_layout_links_follow_the_prefix_the_site_is_served_at(world, client_for):
    client = client_for(world.principal)
    # What WSGIHandler does with SCRIPT_NAME (the test client's handler leaves it out).
    set_script_prefix("/portal/")
    try:
        page = client.get("/my/work/").content.decode()
    finally:
        set_script_prefix("/")
    assert '<a class="brand" href="/portal/">' in page
    assert 'action="/portal/language/"' in page and 'href="/portal/my/work/"' in page


@pytest.mark.parametrize("language", ["es", "vi"])
def test_the_layout_marks_the_language_chosen(world, client_for, language):
    world.principal.preferred_language = language
    world.principal.save(update_fields=["preferred_language"])
    page = client_for(world.principal).get("/my/work/").content.decode()
    assert f'<html lang="{language}">' in page
    assert f'<option value="{language}" lang="{language}" selected>' in page
