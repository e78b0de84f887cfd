"""The parts of the site's layout (templates/base.html) that hold variables, written in Python.

Every HTML page renders the layout, and through the template engine it was about half of a
cached page's time (some thirty variables, loops and translations, a language menu and two
forms). These tags write the same HTML, byte for byte, as the template they replace
(tests/leadership/layout_reference.html, compared in tests/leadership/test_layout.py for
every language, role and kind of message): the words of each language and the static
addresses are put together once per language, and only what belongs to the request (the
person's places, the CSRF token, the address, the messages) on each page.

They read the same context variables the template read (`user`, `nav`, `request`,
`csrf_token`, `messages`, `layout`, `layout_languages`, `LANGUAGE_CODE`, `csp_nonce`), so a
view that puts its own value in the context changes the layout as it did before.
"""

from __future__ import annotations

import functools
from collections import defaultdict

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext
from django_htmx.jinja import htmx_script

register = template.Library()

CURRENT = ' aria-current="page"'


def _get(obj, key, default=None):
    """A template's `obj.key`: an item, else an attribute, else the default."""
    if obj is None:
        return default
    try:
        return obj[key]
    except (TypeError, KeyError, AttributeError, IndexError):
        return getattr(obj, key, default)


@functools.lru_cache(maxsize=32)
def _words(language: str, links: tuple, languages: tuple) -> dict[str, str]:
    """What the layout says and links to in one language, put together once."""
    # Translated outside the f-strings below, where makemessages finds them.
    t_skip = gettext("Skip to main content")
    t_main = gettext("Main")
    t_my_work = gettext("My work")
    t_my_family = gettext("My family")
    t_language = gettext("Language")
    t_change = gettext("Change language")
    t_sign_out = gettext("Sign out")
    t_sign_in = gettext("Sign in")
    t_signed_in_as = gettext("Signed in as %(name)s")
    # A context without the layout (a page rendered by itself) writes nothing, as the
    # template did; for the comparisons a missing address is None, as it was there.
    link, given = defaultdict(str, links), dict(links)
    options = {
        chosen: "".join(
            f'<option value="{escape(code)}" lang="{escape(code)}"'
            f"{' selected' if code == chosen else ''}>{escape(name)}</option>"
            for code, name in languages
        )
        for chosen in {code for code, _name in languages} | {None}
    }
    return {
        "assets": (
            f'<link rel="stylesheet" href="{escape(link["css"])}">\n'
            f'  <link rel="icon" href="{escape(link["icon"])}" type="image/svg+xml">\n'
            f"  {htmx_script(nonce=None)}\n"
            f'  <script src="{escape(link["js"])}" defer></script>\n  '
        ),
        "top": (
            f'>\n  <a class="skip-link" href="#main">{t_skip}</a>\n'
            '  <header class="site-header">\n'
            '    <div class="wrap header-row">\n'
            f'      <a class="brand" href="{escape(link["home"])}">Accord</a>\n      '
        ),
        "nav": f'\n      <nav aria-label="{t_main}" class="main-nav">\n        <ul>\n          ',
        "my_work": given.get("my_work"),
        "my_work_link": f'\n          <li><a href="{escape(link["my_work"])}"',
        "my_work_end": f">{t_my_work}</a></li>\n          ",
        "family": given.get("family"),
        "family_link": f'<li><a href="{escape(link["family"])}"',
        "family_end": f">{t_my_family}</a></li>",
        "nav_end": "\n        </ul>\n      </nav>\n      ",
        "tools": (
            '\n      <div class="header-tools">\n'
            f'        <form class="language-form" action="{escape(link["language_set"])}"'
            ' method="post">\n          '
        ),
        "menu": (
            '">\n'
            f'          <label for="language-select">{t_language}</label>\n'
            '          <select id="language-select" name="language">\n            '
        ),
        "options": options,
        "menu_end": (
            "\n          </select>\n"
            '          <button type="submit" class="button button-small">'
            f"{t_change}</button>\n"
            "        </form>\n        "
        ),
        "sign_out": (
            f'\n        <form action="{escape(link["sign_out"])}" method="post">\n          '
        ),
        "sign_out_end": (
            '\n          <button type="submit" class="button button-small button-quiet">'
            f"{t_sign_out}</button>\n        </form>\n        "
        ),
        "sign_in": (
            f'\n        <a class="button button-small" href="{escape(link["sign_in"])}">'
            f"{t_sign_in}</a>\n        "
        ),
        "end": "\n      </div>\n    </div>\n  </header>\n  ",
        "signed_in_as": t_signed_in_as,
    }


@receiver(setting_changed)
def _forget_words(**kwargs):
    _words.cache_clear()
    _addresses.clear()


def _words_for(context) -> dict[str, str]:
    links = context.get("layout") or {}
    return _words(
        get_language(),
        tuple(sorted(links.items())),
        tuple(context.get("layout_languages") or ()),
    )


def _csrf_input(context) -> str:
    """What `{% csrf_token %}` writes."""
    token = context.get("csrf_token")
    if not token or token == "NOTPROVIDED":  # noqa: S105 (Django's word for no token)
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{conditional_escape(token)}">'


def _authenticated(context) -> bool:
    return bool(_get(context.get("user"), "is_authenticated", False))


_addresses: dict[tuple, str] = {}


def _address(place) -> str:
    """A district's or school's address (its get_absolute_url, a reverse() by its slug),
    kept for the process under the script prefix the site is served at."""
    key = (type(place), place.slug, get_script_prefix())
    url = _addresses.get(key)
    if url is None:
        url = place.get_absolute_url()
        if len(_addresses) < 20_000:  # bounded: one entry a school and district
            _addresses[key] = url
    return url


def _places(nav, key: str, path) -> str:
    out = []
    for place in _get(nav, key, None) or ():
        url = _address(place)
        current = CURRENT if path == url else ""
        name = conditional_escape(place.name)
        out.append(f'<li><a href="{conditional_escape(url)}"{current}>{name}</a></li>')
    return "".join(out)


@register.simple_tag(takes_context=True)
def layout_language(context) -> SafeString:
    """The page's language, kept as LANGUAGE_CODE for what follows (get_current_language)."""
    language = get_language()
    context["LANGUAGE_CODE"] = language
    return conditional_escape(language)


@register.simple_tag(takes_context=True)
def layout_assets(context) -> SafeString:
    """The style sheet, icon and scripts of every page."""
    nonce = context.get("csp_nonce")
    if nonce is None:
        return mark_safe(_words_for(context)["assets"])  # noqa: S308 (escaped above)
    links = context.get("layout") or {}
    return mark_safe(  # noqa: S308 (escaped here)
        f'<link rel="stylesheet" href="{escape(links.get("css", ""))}">\n'
        f'  <link rel="icon" href="{escape(links.get("icon", ""))}" type="image/svg+xml">\n'
        f"  {htmx_script(nonce=nonce)}\n"
        f'  <script src="{escape(links.get("js", ""))}" defer></script>\n  '
    )


@register.simple_tag(takes_context=True)
def layout_header(context) -> SafeString:
    """From the body's opening tag to the header's end: the person's places, the language
    menu and signing in or out."""
    words = _words_for(context)
    request = context.get("request")
    path = _get(request, "path", None)
    authenticated = _authenticated(context)
    token = context.get("csrf_token", "")  # a missing variable is written as nothing
    csrf = _csrf_input(context)
    out = [
        '<body hx-headers=\'{"x-csrftoken": "',
        conditional_escape(token),
        "\"}'",
        words["top"],
    ]
    if authenticated:
        nav = context.get("nav")
        my_work, family = words["my_work"], words["family"]
        out += [
            words["nav"],
            _places(nav, "districts", path),
            "\n          ",
            _places(nav, "schools", path),
            words["my_work_link"],
            CURRENT if path == my_work else "",
            words["my_work_end"],
        ]
        if _get(nav, "is_family", False):
            out += [words["family_link"], CURRENT if path == family else "", words["family_end"]]
        out.append(words["nav_end"])
    out += [
        words["tools"],
        csrf,
        '\n          <input type="hidden" name="next" value="',
        conditional_escape(request.get_full_path()) if request is not None else "",
        words["menu"],
        words["options"].get(context.get("LANGUAGE_CODE"), words["options"][None]),
        words["menu_end"],
    ]
    if authenticated:
        out += [words["sign_out"], csrf, words["sign_out_end"]]
    else:
        out.append(words["sign_in"])
    out.append(words["end"])
    return mark_safe("".join(out))  # noqa: S308 (every value escaped above)


@register.simple_tag(takes_context=True)
def layout_messages(context) -> SafeString:
    """The messages waiting for the person, each marked as shown."""
    return mark_safe(  # noqa: S308 (escaped here)
        "".join(
            f'<p class="message message-{conditional_escape(message.tags)}">'
            f"{conditional_escape(str(message))}</p>"
            for message in context.get("messages") or ()
        )
    )


@register.simple_tag(takes_context=True)
def layout_footer(context) -> SafeString:
    """Who is signed in."""
    if not _authenticated(context):
        return mark_safe("")
    name = conditional_escape(context["user"].get_full_name())
    return mark_safe(_words_for(context)["signed_in_as"] % {"name": name})  # noqa: S308
