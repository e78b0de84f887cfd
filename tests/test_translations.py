"""The catalogues: every language complete; every family-facing message in every language
families read, gathered from all the catalogues (so one never refreshed still fails).

Family-facing, concretely: every message whose source (the `#:` reference makemessages
writes) is one of FAMILY_FACING below: the pages a family opens (sign-in, welcome,
invitation, the family page, events and RSVPs, the signed RSVP link, feedback, error pages,
the base layout, the messages with the school and the signed thread link, announcements,
the partner directory and the request for help), the e-mails a family receives (sign-in
code, invitation, RSVP messages, announcements, the school's answers), and the Python
modules whose messages those pages and e-mails show (forms, views, models, services and
calendar of engagement; forms, models, services and views of community; sign-in adapter,
forms, grades and languages of leadership; the language names of settings). A new family page or
e-mail is added here.
"""

import re
from fnmatch import fnmatch
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation import to_locale

ROOT = Path(__file__).resolve().parent.parent

FAMILY_FACING = [
    "config/settings.py",
    "templates/base.html",
    "leadership/templatetags/layout.py",  # the base layout's words, written in Python
    "templates/4??.html",
    "templates/5??.html",
    "templates/account/*",
    "templates/allauth/*",
    "engagement/rsvp_html.py",
    "templates/engagement/family_home.html",
    "templates/engagement/event_detail.html",
    "templates/engagement/event_list.html",
    "templates/engagement/feedback.html",
    "templates/engagement/rsvp_link.html",
    "templates/engagement/rsvp_link_invalid.html",
    "templates/engagement/includes/event_facts.html",
    "templates/engagement/includes/event_table.html",
    "templates/engagement/includes/family_events.html",
    "templates/engagement/includes/rsvp_badge.html",
    "templates/engagement/includes/status_badge.html",
    "templates/engagement/email/*",
    "templates/community/conversation_list.html",
    "templates/community/conversation_detail.html",
    "templates/community/thread_link.html",
    "templates/community/thread_link_invalid.html",
    "templates/community/announcement_read.html",
    "templates/community/directory.html",
    "templates/community/help_request_form.html",
    "templates/community/includes/family_section.html",
    "templates/community/includes/thread.html",
    "templates/community/includes/reply_form.html",
    "templates/community/includes/school_links.html",
    "templates/community/email/announcement*",
    "templates/community/email/reply*",
    "templates/voice/not_for_grades.html",
    "templates/leadership/welcome.html",
    "templates/leadership/no_role.html",
    "templates/leadership/invitation_accept.html",
    "templates/leadership/invitation_unusable.html",
    "templates/leadership/email/*",
    "community/forms.py",
    "community/models.py",
    "community/services.py",
    "community/templatetags/*",
    "community/views.py",
    "engagement/calendar.py",
    "engagement/forms.py",
    "engagement/models.py",
    "engagement/services.py",
    "engagement/tasks.py",
    "engagement/views.py",
    "leadership/adapters.py",
    "leadership/errors.py",
    "leadership/forms.py",
    "leadership/grades.py",
    "leadership/languages.py",
    "leadership/views.py",
]


def is_family_facing(path: str) -> bool:
    return any(fnmatch(path, pattern) for pattern in FAMILY_FACING)


def entries(text: str):
    for block in text.split("\n\n"):
        if "msgid" not in block:
            continue
        msgid = "".join(
            re.findall(r'^(?:msgid|msgid_plural)? ?"(.*)"$', block.split("msgstr")[0], re.M)
        )
        msgstrs = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', block + "\n", re.M)
        yield block, msgid, ["".join(re.findall(r'"(.*)"', s)) for s in msgstrs]


def sources(block: str) -> list[str]:
    return [
        reference.rsplit(":", 1)[0]
        for line in block.splitlines()
        if line.startswith("#: ")
        for reference in line[3:].split()
    ]


def problem(block: str, translations: list[str]) -> str | None:
    if "#, fuzzy" in block or "fuzzy," in block:
        return "fuzzy"
    if not translations or not all(translations):
        return "untranslated"
    return None


def catalogue_of(code: str) -> Path:
    return ROOT / "locale" / to_locale(code) / "LC_MESSAGES" / "django.po"


FAMILY_LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


@pytest.mark.parametrize("code", FAMILY_LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(code):
    """Staff pages too: a principal or a teacher who reads Vietnamese gets the whole portal."""
    catalogue = catalogue_of(code)
    text = catalogue.read_text(encoding="utf-8")
    problems = []
    for block, msgid, translations in entries(text):
        if not msgid:
            continue  # the header
        if reason := problem(block, translations):
            problems.append(f"{reason}: {msgid[:60]}")
    assert not problems, "\n".join(problems)
    assert catalogue.with_suffix(".mo").exists(), "run `make messages` to compile the catalogue"


def test_families_are_served_in_more_than_two_languages():
    """Nothing may quietly assume English and Spanish only."""
    assert len(settings.LANGUAGES) >= 3
    assert settings.LANGUAGES[0][0] == settings.LANGUAGE_CODE


@pytest.mark.parametrize("code", FAMILY_LANGUAGES)
def test_every_family_facing_message_is_translated(code):
    """Every message a family can meet, in every language of settings.LANGUAGES. The messages
    are gathered from all the catalogues, so a language whose catalogue was never refreshed
    still fails for a message another catalogue has."""
    family_messages = {
        msgid
        for other in FAMILY_LANGUAGES
        for block, msgid, _t in entries(catalogue_of(other).read_text(encoding="utf-8"))
        if msgid and any(is_family_facing(path) for path in sources(block))
    }
    assert len(family_messages) > 200  # the list above still names the family's files
    path = catalogue_of(code)
    assert path.with_suffix(".mo").exists(), f"run `make messages`: {path} is not compiled"
    found = {}
    for block, msgid, translations in entries(path.read_text(encoding="utf-8")):
        if msgid in family_messages:
            found[msgid] = problem(block, translations)
    problems = [
        f"{found.get(msgid, 'missing (run `make messages`)')}: {msgid[:70]}"
        for msgid in sorted(family_messages)
        if found.get(msgid, "missing") is not None
    ]
    assert not problems, f"{code}: family-facing messages not translated:\n" + "\n".join(problems)


TEMPLATE_MESSAGE = re.compile(r"""\{%\s*(?:translate|trans)\s+(?:"([^"]+)"|'([^']+)')""")


@pytest.mark.parametrize("code", FAMILY_LANGUAGES)
def test_a_new_family_template_message_fails_until_it_is_in_the_catalogue(code):
    """A tripwire that needs no `make messages`: every {% translate "..." %} of the family's
    templates is a message of each catalogue."""
    known = {msgid for _b, msgid, _t in entries(catalogue_of(code).read_text(encoding="utf-8"))}
    templates = [
        path
        for path in (ROOT / "templates").rglob("*")
        if path.is_file() and is_family_facing(str(path.relative_to(ROOT)))
    ]
    assert templates
    missing = sorted(
        f"{path.relative_to(ROOT)}: {message}"
        for path in templates
        for match in TEMPLATE_MESSAGE.finditer(path.read_text(encoding="utf-8"))
        if (message := match.group(1) or match.group(2)) not in known
    )
    assert not missing, "run `make messages` and translate:\n" + "\n".join(missing)


def test_the_next_make_messages_keeps_every_message_of_the_catalogues(tmp_path, settings):
    """`make messages` runs with --no-obsolete: a message moved from a template into Python
    where makemessages cannot see it (inside an f-string, or passed through a helper of our
    own) would be dropped from every catalogue. Run it on a copy and lose nothing."""
    import os
    import shutil

    from django.core.management import call_command

    # On a copy of the sources: makemessages writes to the catalogues beside them.
    skipped = shutil.ignore_patterns(
        ".*", "tests", "staticfiles", "media", "node_modules", "*.sqlite3"
    )
    copy = tmp_path / "src"
    shutil.copytree(ROOT, copy, ignore=skipped)
    settings.LOCALE_PATHS = [copy / "locale"]
    here = os.getcwd()
    os.chdir(copy)
    try:
        call_command(
            "makemessages",
            locale=[to_locale(code) for code in FAMILY_LANGUAGES],
            no_obsolete=True,
            verbosity=0,
        )
    finally:
        os.chdir(here)
    for code in FAMILY_LANGUAGES:
        relative = catalogue_of(code).relative_to(ROOT / "locale")
        kept = {msgid for _b, msgid, _t in entries((copy / "locale" / relative).read_text())}
        before = {msgid for _b, msgid, _t in entries(catalogue_of(code).read_text())}
        assert before - kept == set(), code
