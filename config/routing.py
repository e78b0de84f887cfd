"""The site's URL patterns, arranged so that finding a page's view tries few of them.

Django tries a URLconf's patterns in order until one matches. Every app's patterns are
included at the site's root and most begin `schools/<slug:slug>/`, so the district
dashboard's address was tried against about 170 patterns before its own, and that took
about half a millisecond a request: more than the page's database reads (measured with
timeit on `django.urls.resolve`; see docs/benchmarks.md).

`indexed` returns the same patterns, in the same order and with the same names, namespaces
and routes, but grouped by a literal segment of their route: `schools/<slug:slug>/teams/...`
and `schools/<slug:slug>/surveys/...` fall into different groups by their third segment. A
group is a resolver whose pattern consumes nothing and matches only a path with that segment,
so a path tries one group's patterns and skips the others with one comparison each. Patterns
whose segment cannot be known from the route (a converter there, a regular expression, a
`path:` converter before it) are never moved past another pattern, so no path can reach a
different view than before. Reversing is untouched: the groups add no prefix and no namespace.

Outside DEBUG a 404's list of the patterns tried names only those of the path's group; with
DEBUG on, the look-up is Django's own, pattern by pattern, for the debug 404 page. The
URLconf is indexed when it is imported: a pattern appended to an app's list later is not seen.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.urls import URLPattern, URLResolver
from django.urls.exceptions import Resolver404
from django.urls.resolvers import LocalePrefixPattern, RoutePattern

# Converters that never match a "/" (Django's own but `path`): a route's segments before the
# one looked at then line up with the path's.
_ONE_SEGMENT = ("int", "slug", "str", "uuid")
# Fewer patterns than this are tried one by one.
_DISPATCH_AT_LEAST = 4
# How many segments further to look for one that tells patterns apart.
_LOOK_AHEAD = 3


def _segment_literal(route: str, position: int, endpoint: bool) -> str | None:
    """The literal that a path's segment at `position` must be for `route` to match, or None
    when the route does not pin it."""
    pieces = route.split("/")
    if position >= len(pieces):
        return None
    for piece in pieces[: position + 1]:
        for converter in piece.split("<")[1:]:
            kind = converter.partition(">")[0]
            kind = kind.partition(":")[0] if ":" in kind else "str"
            if kind not in _ONE_SEGMENT:
                return None
    piece = pieces[position]
    last = position == len(pieces) - 1
    if "<" in piece or (last and (not endpoint or piece == "")):
        # A converter, or the route's unfinished end: a prefix ("api/v1" would also match
        # "api/v1x/"), or nothing after the final slash.
        return None
    return piece


def _literals(entry: Any, position: int) -> frozenset[str] | None:
    """Every literal the path's segment at `position` may be for `entry` to match, or None."""
    pattern = entry.pattern
    if not isinstance(pattern, RoutePattern):
        return None
    route = str(pattern)
    if isinstance(entry, URLResolver) and route == "":
        # An include at the same level: whatever its own patterns may match.
        found: set[str] = set()
        for inner in entry.url_patterns:
            literals = _literals(inner, position)
            if literals is None:
                return None
            found |= literals
        return frozenset(found)
    literal = _segment_literal(route, position, endpoint=isinstance(entry, URLPattern))
    return None if literal is None else frozenset([literal])


class SegmentDispatch(URLResolver):
    """The empty route over `patterns` (for reversing, checks and anything that walks the
    URLconf, exactly an include of them) that resolves a path by trying only the patterns
    that may match its segment at `position`, in their order."""

    def __init__(self, patterns: list, position: int):
        super().__init__(RoutePattern(""), patterns)
        self.position = position
        pinned = [(entry, _literals(entry, position)) for entry in patterns]
        keys = set().union(*(literals for _entry, literals in pinned if literals))
        self._choices = {
            key: _candidates(
                [entry for entry, literals in pinned if literals is None or key in literals],
                position + 1,
            )
            for key in keys
        }
        self._others = _candidates(
            [entry for entry, literals in pinned if literals is None], position + 1
        )

    def resolve(self, path):
        if settings.DEBUG:
            # Django's own look-up, pattern by pattern: its "tried" list (the debug 404
            # page's "Django tried these URL patterns, in this order") is then complete.
            return super().resolve(path)
        path = str(path)
        segments = path.split("/", self.position + 1)
        candidates = self._others
        if len(segments) > self.position:
            candidates = self._choices.get(segments[self.position], candidates)
        tried: list = []
        for entry in candidates:
            try:
                match = entry.resolve(path)
            except Resolver404 as error:
                self._extend_tried(tried, entry, error.args[0].get("tried"))
                continue
            if match:
                # This resolver consumes nothing, captures nothing and names no namespace:
                # the pattern's match is this resolver's (URLResolver would wrap it in an
                # equal one), once its route begins with an include's own, as URLResolver
                # writes it.
                if not isinstance(entry, URLPattern) and str(entry.pattern):
                    match.route = self._join_route(str(entry.pattern), match.route)
                return match
            tried.append([entry])
        raise Resolver404({"tried": tried, "path": path})


def _best_position(patterns: list, start: int) -> int | None:
    """The segment from `start` on that tells the most patterns apart, if any does."""
    best, best_keys = None, 1
    for position in range(start, start + _LOOK_AHEAD):
        keys: set[str] = set()
        for entry in patterns:
            keys |= _literals(entry, position) or set()
        if len(keys) > best_keys:
            best, best_keys = position, len(keys)
    return best


def _candidates(patterns: list, start: int) -> tuple:
    """What to try, in order, for a path among `patterns`: a dispatch on a further segment
    when one tells them apart, else the patterns themselves."""
    if len(patterns) >= _DISPATCH_AT_LEAST:
        position = _best_position(patterns, start)
        if position is not None:
            return (SegmentDispatch(patterns, position),)
    return tuple(patterns)


def _rebuilt(entry: Any) -> Any:
    """An include with its own patterns indexed."""
    if not isinstance(entry, URLResolver):
        return entry
    return URLResolver(
        entry.pattern,
        indexed(entry.url_patterns),
        entry.default_kwargs,
        app_name=entry.app_name,
        namespace=entry.namespace,
    )


def indexed(patterns: Iterable) -> list:
    """`patterns`, arranged for a quick look-up (see the module's note)."""
    patterns = list(patterns)
    if any(isinstance(entry.pattern, LocalePrefixPattern) for entry in patterns):
        # django.conf.urls.i18n finds i18n_patterns() only among the root's own patterns.
        return patterns
    patterns = [_rebuilt(entry) for entry in patterns]
    position = _best_position(patterns, 0) if len(patterns) >= _DISPATCH_AT_LEAST else None
    if position is None:
        return patterns
    return [SegmentDispatch(patterns, position)]
