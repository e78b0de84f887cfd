"""Languages: the one a person chose on this device, and names of languages in the reader's own.

Interpretation at an event is spoken, so it is offered in more languages than the pages are
written in; it is stored as a code and named in the language of whoever reads the page.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# Spoken languages a school may offer interpretation in, stored by code (BCP 47).
INTERPRETATION_LANGUAGES = [
    ("es", _("Spanish")),
    ("vi", _("Vietnamese")),
    ("cmn", _("Mandarin Chinese")),
    ("yue", _("Cantonese")),
    ("ko", _("Korean")),
    ("ar", _("Arabic")),
    ("ht", _("Haitian Creole")),
    ("so", _("Somali")),
    ("ru", _("Russian")),
    ("pt", _("Portuguese")),
    ("tl", _("Tagalog")),
    ("fr", _("French")),
    ("ase", _("American Sign Language")),
    ("en", _("English")),
]
_NAMES = dict(INTERPRETATION_LANGUAGES) | dict(settings.LANGUAGES)


def language_name(code: str) -> str:
    """The language's name in the active language ("español" when the page is in Spanish);
    a value that is not a known code (text typed before codes) is shown as it was written."""
    name = _NAMES.get(code)
    return str(name) if name is not None else code


def chosen_language(request) -> str | None:
    """The language picked on this device with the language switch (its cookie), if any."""
    if request is None:
        return None
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return code if code in dict(settings.LANGUAGES) else None
