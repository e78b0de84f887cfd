"""The indexed URLconf (config/routing.py) resolves every path exactly as the patterns tried
one by one do: the same view, arguments, names and route, or the same 404."""

import re

import pytest
from django.core.management import call_command
from django.urls import URLResolver, get_resolver
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern, RoutePattern

import config.urls
from config import routing

FILL = {
    "int": ["7", "0"],
    "slug": ["lincoln-high", "new"],
    "str": ["x", "new"],
    "uuid": ["12345678-1234-5678-1234-567812345678"],
    "path": ["a/b"],
}


def _routes(patterns, prefix=""):
    for entry in patterns:
        if not isinstance(entry.pattern, RoutePattern):
            continue
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, route)
        else:
            yield route


def _paths(route):
    """Concrete paths for a route: each converter filled with ordinary and awkward values
    (a slug or str that is also some other route's literal), and near misses."""
    paths = {""}
    for piece in re.split(r"(<[^>]+>)", route):
        if piece.startswith("<"):
            kind = piece[1:-1].partition(":")[0] if ":" in piece else "str"
            paths = {done + value for done in paths for value in FILL[kind]}
        else:
            paths = {done + piece for done in paths}
    found = set()
    for path in paths:
        found |= {"/" + path, "/" + path.rstrip("/"), "/" + path + "extra/", "/" + path + "x"}
    return found


def _answer(resolver, path):
    try:
        match = resolver.resolve(path)
    except Resolver404:
        return "404"
    return (
        match.func,
        match.args,
        match.kwargs,
        match.url_name,
        match.app_names,
        match.namespaces,
        match.route,
        match.captured_kwargs,
        match.extra_kwargs,
    )


def test_every_path_resolves_as_the_patterns_tried_in_order_resolve_it():
    one_by_one = URLResolver(RegexPattern(r"^/"), config.urls.patterns)
    indexed = URLResolver(RegexPattern(r"^/"), config.urls.urlpatterns)
    paths = set()
    for route in _routes(config.urls.patterns):
        paths |= _paths(route)
    paths |= {
        "/",
        "//",
        "/schools/",
        "/schools/lincoln-high/",
        "/districts/riverside/",
        "/no/such/page/",
        "/api/v1/nope/",
        "/api/anything",
        "/admin/",
        "/admin/leadership/user/",
        "/admin/leadership/user/7/change/",
        "/admin/leadership/",
        "/accounts/oidc/some-provider/login/",
    }
    assert len(paths) > 1000
    found = 0
    for path in sorted(paths):
        answer = _answer(indexed, path)
        assert answer == _answer(one_by_one, path), path
        found += answer != "404"
    assert found > 400  # most of the generated paths are pages, not only 404s


def test_the_site_resolves_through_the_index():
    assert any(isinstance(entry, routing.SegmentDispatch) for entry in get_resolver().url_patterns)
    match = get_resolver().resolve("/districts/riverside/dashboard/")
    assert match.view_name == "district:district_dashboard"
    assert match.route == "districts/<slug:slug>/dashboard/"


def test_a_route_pins_a_segment_only_where_the_path_must_have_it():
    literal = routing._segment_literal
    assert literal("schools/<slug:slug>/teams/", 2, endpoint=True) == "teams"
    assert literal("schools/<slug:slug>/teams/", 1, endpoint=True) is None
    assert literal("healthz", 0, endpoint=True) == "healthz"
    # An include's route is a prefix: "api/v1" also matches "api/v1x/".
    assert literal("api/v1", 1, endpoint=False) is None
    # A path converter may span segments: nothing after it lines up.
    assert literal("files/<path:rest>/edit/", 2, endpoint=True) is None
    assert literal("a/<int:pk>.ics", 1, endpoint=True) is None


@pytest.mark.django_db
def test_the_url_checks_are_clean():
    call_command("check", "--fail-level", "WARNING", tags=["urls"])


def test_with_debug_on_a_404_lists_every_pattern_tried(settings):
    indexed = URLResolver(RegexPattern(r"^/"), config.urls.urlpatterns)
    one_by_one = URLResolver(RegexPattern(r"^/"), config.urls.patterns)
    settings.DEBUG = True
    with pytest.raises(Resolver404) as ours:
        indexed.resolve("/schools/lincoln-high/nope/")
    with pytest.raises(Resolver404) as django:
        one_by_one.resolve("/schools/lincoln-high/nope/")
    assert len(ours.value.args[0]["tried"]) == len(django.value.args[0]["tried"]) > 150


def test_i18n_patterns_are_left_at_the_root_where_django_looks_for_them():
    from django.conf.urls.i18n import i18n_patterns
    from django.urls import path

    def view(request):
        return None

    patterns = [*i18n_patterns(path("about/", view)), *[path(f"p{i}/", view) for i in range(5)]]
    assert routing.indexed(patterns) == patterns
