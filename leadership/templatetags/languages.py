"""Template filters naming languages in the reader's language."""

from __future__ import annotations

from django import template

from leadership.languages import language_name as _language_name

register = template.Library()


@register.filter
def language_name(code: str) -> str:
    """{{ "es"|language_name }} is "Spanish" on an English page, "español" on a Spanish one."""
    return _language_name(code)


@register.filter
def language_names(codes) -> str:
    """The languages of a list of codes, named in the reader's language, separated by commas."""
    return ", ".join(_language_name(code) for code in codes or [])
