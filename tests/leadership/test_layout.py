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


# --- The layout written in Python against the template it replaced ---------------------------
#
# templates/base.html writes its header, messages and footer through leadership's `layout`
# tags. tests/leadership/layout_reference.html is the layout as a template; every page must
# come out byte for byte as it would through it.

REFERENCE_PATH = __import__("pathlib").Path(__file__).with_name("layout_reference.html")
CHILD = (
    "{% extends base %}{% block title %}Plan &amp; goals · {{ title }}{% endblock %}"
    '{% block extra_head %}<meta name="page">{% endblock %}'
    "{% block main_class %} wrap-wide{% endblock %}"
    "{% block content %}<p>{{ LANGUAGE_CODE }} {{ title }}</p>{% endblock %}"
)


_REAL = object()  # the request's own, masked anew on every render


def _both(request, extra=None, *, child=CHILD, token="tok3n<&>"):  # noqa: S107 (a stand-in)
    """The page through the reference template and through the layout, same context."""
    from django.template import RequestContext, Template, engines

    reference = Template(REFERENCE_PATH.read_text())
    layout = engines["django"].engine.get_template("base.html")
    pages = []
    for base in (reference, layout):
        context = RequestContext(request, {"base": base, "title": "<Lincoln & co>"})
        if token is not _REAL:
            context["csrf_token"] = token
        for key, value in (extra or {}).items():
            context[key] = value
        pages.append(Template(child).render(context))
    return pages


def _request(path="/my/work/", user=None, query="", messages=()):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.test import RequestFactory

    request = RequestFactory().get(path + (f"?{query}" if query else ""))
    request.user = user or AnonymousUser()
    request._messages = CookieStorage(request)
    for level, text, tags in messages:
        request._messages.add(level, text, tags)
    return request


PEOPLE = ["district_admin", "principal", "teacher_leader", "staff", "family", None]


@pytest.mark.parametrize("language", ["en", "es", "vi"])
@pytest.mark.parametrize("who", PEOPLE)
def test_the_layout_writes_what_the_template_wrote(world, who, language):
    from django.contrib import messages
    from django.utils import translation
    from django.utils.safestring import mark_safe

    user = getattr(world, who) if who else None
    notes = [
        (messages.SUCCESS, "Saved <b>“Goal 1”</b> & more", ""),
        (messages.WARNING, mark_safe("<em>Kept</em> as written"), "sticky <x>"),
    ]
    with translation.override(language):
        for path, query in [
            ("/my/work/", ""),
            (f"/schools/{world.school.slug}/", 'q=<script>"x"&page=2'),
            (f"/districts/{world.district.slug}/", ""),
            ("/family/", "next=/a b/"),
        ]:
            reference, page = _both(_request(path, user, query, notes))
            assert page == reference, (who, language, path)
    assert "<b>" not in page and "&lt;b&gt;" in page  # the message is escaped
    assert "<em>Kept</em>" in page  # a message marked safe is not


def test_the_layout_escapes_places_and_names_as_the_template_did(world):
    hostile = '<img src=x onerror="alert(1)"> & Co'
    world.school.name = hostile
    world.school.save(update_fields=["name"])
    world.district.name = hostile + " district"
    world.district.save(update_fields=["name"])
    for person in (world.principal, world.district_admin):
        person.full_name = hostile
        person.save(update_fields=["full_name"])
        from leadership.models import Membership, Role

        # Principal and family of one school, admin elsewhere: every kind of place at once.
        Membership.objects.create(
            user=person, role=Role.FAMILY, school=world.other_school, district=world.district
        )
        reference, page = _both(_request(f"/schools/{world.school.slug}/", person))
        assert page == reference
        assert hostile not in page
        assert "My family" in page


def test_the_layout_marks_the_page_the_person_is_on(world):
    for path in ("/my/work/", "/family/", f"/schools/{world.school.slug}/"):
        reference, page = _both(_request(path, world.principal))
        assert page == reference
        assert page.count('aria-current="page"') == (0 if path == "/family/" else 1)


def test_the_layout_without_a_token_or_a_request_writes_what_the_template_wrote(world):
    from django.template import Context, Template, engines

    for token in (None, "", "NOTPROVIDED"):
        reference, page = _both(_request("/", world.staff), token=token)
        assert page == reference
    # Rendered with no request at all (an e-mail or a test rendering a page by itself).
    context = {"title": "x", "user": world.staff}
    pages = [
        Template(CHILD).render(Context({**context, "base": base}))
        for base in (
            Template(REFERENCE_PATH.read_text()),
            engines["django"].engine.get_template("base.html"),
        )
    ]
    assert pages[0] == pages[1]


def test_the_layout_carries_the_request_s_own_csrf_token(world, client_for):
    page = client_for(world.principal).get("/my/work/").content.decode()
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    header = re.search(r"hx-headers='\{\"x-csrftoken\": \"([^\"]+)\"\}'", page).group(1)
    assert len(tokens) == 2 and all(len(t) == 64 for t in [header, *tokens])


def test_the_layout_with_a_nonce_writes_it_on_htmx_s_script(world):
    reference, page = _both(_request("/", world.staff), {"csp_nonce": "n0nce"})
    assert page == reference
    assert 'nonce="n0nce"' in page


def test_the_layout_follows_a_language_not_in_the_menu(world):
    from django.utils import translation

    with translation.override("en-gb"):
        reference, page = _both(_request("/", world.staff))
    assert page == reference and " selected" not in page


# --- The page's CSRF token (leadership.context_processors.page_csrf_token) -------------------


def test_the_page_s_csrf_token_is_django_s_token_of_the_request_s_secret(rf):
    from collections import Counter

    from django.middleware.csrf import CSRF_ALLOWED_CHARS, _get_new_csrf_string
    from django.middleware.csrf import _unmask_cipher_token as unmask

    from leadership.context_processors import page_csrf_token

    secret = _get_new_csrf_string()
    tokens = []
    for _ in range(2000):
        request = rf.get("/")
        request.META["CSRF_COOKIE"] = secret
        token = page_csrf_token(request)
        assert len(token) == 64 and not set(token) - set(CSRF_ALLOWED_CHARS)
        assert unmask(token) == secret
        assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True  # as get_token: renewed
        tokens.append(token)
    assert len(set(tokens)) == len(tokens)  # a new mask every time
    # Each character as likely as any other in the masks (64,000 draws, about 1,032 each).
    counts = Counter("".join(token[:32] for token in tokens))
    assert set(counts) == set(CSRF_ALLOWED_CHARS)
    assert min(counts.values()) > 850 and max(counts.values()) < 1250


def test_without_a_secret_the_page_s_csrf_token_is_django_s_own(rf):
    from django.middleware.csrf import _unmask_cipher_token as unmask

    from leadership.context_processors import page_csrf_token

    request = rf.get("/")
    token = page_csrf_token(request)
    assert unmask(token) == request.META["CSRF_COOKIE"]  # a new secret, set by Django


def test_a_form_posted_with_the_page_s_token_passes_django_s_check(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.staff)
    page = client.get("/my/work/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    answer = client.post("/language/", {"language": "es", "next": "/my/work/"})
    assert answer.status_code == 403  # without the token
    answer = client.post(
        "/language/", {"language": "es", "next": "/my/work/", "csrfmiddlewaretoken": token}
    )
    assert answer.status_code == 302
    header = re.search(r"hx-headers='\{\"x-csrftoken\": \"([^\"]+)\"\}'", page).group(1)
    answer = client.post("/language/", {"language": "en"}, headers={"x-csrftoken": header})
    assert answer.status_code == 302
