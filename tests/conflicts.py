"""Helpers for the tests of two people editing the same record (leadership.edits)."""

import re

from leadership.edits import EDIT_STALE

STALE = str(EDIT_STALE)


def version_in(html: str, *, after: str = "") -> str:
    """The version a form on the page carries (the first one after the text `after`)."""
    start = html.index(after) if after else 0
    found = re.search(r'name="version" value="([^"]+)"', html[start:])
    assert found, "no version field on the page"
    return found.group(1)
