"""Every URL of ours has a row in its app's permission matrix, and every row names a real URL."""

import importlib
import pkgutil

from django.urls import URLPattern, URLResolver, get_resolver

import tests

OUR_MODULES = (
    "config.",
    "leadership.",
    "teams.",
    "workplans.",
    "engagement.",
    "community.",
    "voice.",
    "rostering.",
    "district.",
    "api.",
)


def _walk(patterns, namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace])) or None
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            module = getattr(entry.callback, "__module__", "")
            yield entry, namespace, module


def our_url_names() -> set[str]:
    names = set()
    for entry, namespace, module in _walk(get_resolver().url_patterns):
        if not module.startswith(OUR_MODULES):
            continue
        assert entry.name, f"{entry.pattern} ({module}) has no name, so no matrix row can name it"
        names.add(f"{namespace}:{entry.name}" if namespace else entry.name)
    return names


def matrix_rows():
    rows = []
    for info in pkgutil.iter_modules(tests.__path__):
        if not info.ispkg:
            continue
        try:
            module = importlib.import_module(f"tests.{info.name}.test_permissions")
        except ModuleNotFoundError:
            continue
        rows.extend(getattr(module, "MATRIX", []))
    return rows


def test_every_url_of_ours_has_a_matrix_row():
    covered = {row.name for row in matrix_rows()}
    missing = our_url_names() - covered
    assert not missing, f"URLs without a permission-matrix row: {sorted(missing)}"


def test_every_matrix_row_names_a_url_of_ours():
    stale = {row.name for row in matrix_rows()} - our_url_names()
    assert not stale, f"Matrix rows for URLs that do not exist: {sorted(stale)}"


def test_the_walk_finds_the_pages_it_must():
    names = our_url_names()
    assert {"home", "leadership:school_detail", "engagement:family_home"} <= names
    assert not any(name.startswith("admin:") or name.startswith("account_") for name in names)
