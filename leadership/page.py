"""A whole page of the site's layout (templates/base.html) written without the template engine,
for a page whose content is already HTML in hand (a cached fragment).

`render` gives what a template that extends base.html and fills its blocks with these values
gives, byte for byte: the layout's variable parts come from the same functions its tags call
(leadership.templatetags.layout) with the same context the context processors would have
made, and its fixed text is base.html's own, split at its tags once per process. A tag or a
variable added to base.html that this does not know stops the split (an error at the first
page, and in the tests, which compare such pages with their templates), rather than being left
out of the page.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.template.loader import get_template, render_to_string

from .context_processors import layout, navigation
from .templatetags.layout import (
    layout_assets,
    layout_footer,
    layout_header,
    layout_language,
    layout_messages,
)

_TAGS: dict[str, Callable[[dict], str]] = {
    "layout_language": layout_language,
    "layout_assets": layout_assets,
    "layout_header": layout_header,
    "layout_messages": layout_messages,
    "layout_footer": layout_footer,
}
_SPLIT = re.compile(
    r"\{% (?P<tag>layout_\w+) %\}"
    r"|\{% block (?P<block>\w+) %\}(?P<default>.*?)\{% endblock %\}",
    re.S,
)


@functools.cache
def _base() -> tuple[tuple[str, str, str, str], ...]:
    """base.html as (text, kind, name, default) pieces: its fixed text, then a tag or a block
    (kind "tag" or "block", or "" after the last text) and the block's own content."""
    source = get_template("base.html").template.source
    source = source.replace("{% load layout %}", "", 1)
    source = re.sub(r"\{% comment %\}.*?\{% endcomment %\}", "", source, flags=re.S)
    pieces, at = [], 0
    for found in _SPLIT.finditer(source):
        kind, name = ("tag", found["tag"]) if found["tag"] else ("block", found["block"])
        if kind == "tag" and name not in _TAGS:
            raise ValueError(f"base.html has a tag leadership.page does not write: {name}")
        default = found["default"] or ""
        if "{" in default:
            raise ValueError(
                f"base.html's block {name} holds template code leadership.page ignores"
            )
        pieces.append((source[at : found.start()], kind, name, default))
        at = found.end()
    pieces.append((source[at:], "", "", ""))
    for text, _kind, _name, _default in pieces:
        if "{%" in text or "{{" in text or "{#" in text:
            raise ValueError("base.html has template code leadership.page does not write")
    return tuple(pieces)


@receiver(setting_changed)
def _forget_base(**kwargs):
    if kwargs.get("setting") == "TEMPLATES":
        _base.cache_clear()


def render(
    request: HttpRequest,
    *,
    content: str,
    title: str | None = None,
    extra_head: str = "",
    main_class: str = "",
) -> HttpResponse:
    """The page, each value already HTML (escaped where it holds text): what a template
    extending base.html with `{% block title %}`, `extra_head`, `main_class` and `content`
    gives, rendered with the site's context processors (no title: base.html's own)."""
    context = {
        "request": request,
        "user": request.user,
        "messages": get_messages(request),
        **navigation(request),
        **layout(request),
    }
    blocks = {
        "title": title,
        "extra_head": extra_head,
        "main_class": main_class,
        "content": content,
    }
    out = []
    # With DEBUG on (runserver) base.html is read again for each page, as templates are.
    pieces = _base.__wrapped__() if settings.DEBUG else _base()
    for text, kind, name, default in pieces:
        out.append(text)
        if kind == "tag":
            out.append(_TAGS[name](context))
        elif kind == "block":
            value = blocks[name]
            out.append(default if value is None else value)
    return HttpResponse("".join(out))


_TOKENS = re.compile(r'((?:name="csrfmiddlewaretoken" value="|"x-csrftoken": "))[^"]+')


def render_template_page(
    request: HttpRequest,
    template_name: str,
    context: dict,
    *,
    content: str,
    title: str | None = None,
    extra_head: str = "",
    main_class: str = "",
) -> HttpResponse:
    """`render` for a page whose template (extending base.html) the view would otherwise
    render, given the template's content block already rendered (or kept) and its other
    blocks' values. With the setting PAGE_CHECK on (the test suite), the template is rendered
    too and the two pages must be the same, CSRF tokens aside (each rendering masks its own),
    so that every test through such a view compares the page with its template."""
    response = render(
        request, content=content, title=title, extra_head=extra_head, main_class=main_class
    )
    if settings.PAGE_CHECK:
        expected = render_to_string(template_name, context, request=request)
        got = response.content.decode()
        if _TOKENS.sub(r"\1", got) != _TOKENS.sub(r"\1", expected):
            raise AssertionError(
                f"leadership.page wrote {template_name} otherwise than its template:\n"
                f"{got}\n--- the template's ---\n{expected}"
            )
    return response
