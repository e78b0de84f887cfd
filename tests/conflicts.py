"""Helpers for the tests of two people editing the same record (leadership.edits)."""

import html
import re
from collections.abc import Callable

from leadership.edits import EDIT_STALE

STALE = str(EDIT_STALE)


def version_in(page: str, *, after: str = "") -> str:
    """The version a form on the page carries (the first one after the text `after`)."""
    start = page.index(after) if after else 0
    found = re.search(r'name="version" value="([^"]+)"', page[start:])
    assert found, "no version field on the page"
    return found.group(1)


def saved_ok(response) -> bool:
    """A save went through: a redirect, or htmx told to go somewhere (HX-Redirect)."""
    return response.status_code == 302 or (
        response.status_code == 200 and "HX-Redirect" in response.headers
    )


def stale_save_refused_then_resubmit_wins(
    *,
    url: str,
    first,
    second,
    second_name: str,
    theirs: dict,
    mine: dict,
    stored: Callable[[], object],
    their_value: object,
    my_value: object,
    shown: tuple[str, str],
    headers: dict | None = None,
    page_url: str | None = None,
    after: str = "",
    ok: Callable = saved_ok,
    message: str = STALE,
) -> str:
    """Both load the form; the second saves; the first's save is refused with both
    versions shown and nothing overwritten; the first sends it again and it wins.

    `shown` is (text of theirs, text of mine) the conflict page must show. Returns the
    conflict page."""
    headers = headers or {}
    page_url = page_url or url
    my_version = version_in(first.get(page_url).text, after=after)
    their_version = version_in(second.get(page_url).text, after=after)

    response = second.post(url, {**theirs, "version": their_version}, **headers)
    assert ok(response), response.status_code
    assert stored() == their_value

    stale = first.post(url, {**mine, "version": my_version}, **headers)
    assert stale.status_code == 200
    page = html.unescape(stale.text)
    assert message in page
    assert shown[0] in page, "their version is not shown"
    assert shown[1] in page, "my version is not kept"
    assert f"Saved by {second_name}" in page
    assert stored() == their_value, "the stale save overwrote theirs"

    again = version_in(stale.text, after=after)
    assert again != my_version
    resent = first.post(url, {**mine, "version": again}, **headers)
    assert ok(resent), resent.status_code
    assert stored() == my_value
    return page
