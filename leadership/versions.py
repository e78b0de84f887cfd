"""The schools' data versions and the caches kept under them: the one place that knows both.

Every service that writes a school's data calls `mark_changed` (it takes effect when the
transaction commits); a page or fragment that depends on a school's data is kept with
`cached_fragment` / `cached_fragments`, under the school's version, so a write shows at once
and the views never build a cache key. The district dashboard keeps its own figures fresh
from the same versions (district.rollups).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, QuerySet

from .models import School, SchoolVersion

FRAGMENT_SECONDS = 60 * 60
# "Not read yet": SchoolCache reads the version itself (None is a version: not versioned).
UNREAD: Any = object()


def mark_changed(
    *,
    school: School | None = None,
    school_ids: Iterable[int] | None = None,
    district: Any = None,
) -> None:
    """Move the version of these schools (or of every school of the district) once the current
    transaction commits, at once outside one.

    After the commit, so that a page or figures computed from data read before the write
    became visible always end up under an older version than the mark."""
    ids = None
    if school is not None:
        ids = [school.pk]
    elif school_ids is not None:
        ids = list(school_ids)
    district_id = getattr(district, "pk", district)
    if ids is None and district_id is None:
        raise TypeError("mark_changed needs a school, school ids or a district")
    transaction.on_commit(partial(_mark, school_ids=ids, district_id=district_id))


def mark_changed_where(schools: QuerySet) -> None:
    """Like mark_changed, for the schools a query names, resolved at commit (a values()
    queryset of school ids)."""
    transaction.on_commit(partial(_mark, subquery=schools))


def _mark(*, school_ids=None, district_id=None, subquery=None) -> None:
    rows = SchoolVersion.objects.all()
    if district_id is not None:
        rows = rows.filter(school__district_id=district_id)
    elif subquery is not None:
        rows = rows.filter(school_id__in=subquery)
    else:
        rows = rows.filter(school_id__in=list(school_ids))
    rows.update(version=F("version") + 1)


def track(school_ids: Iterable[int]) -> None:
    """Start versioning these schools (a school is versioned once its dashboard figures are
    first computed; before that its pages are not cached)."""
    SchoolVersion.objects.bulk_create(
        [SchoolVersion(school_id=pk) for pk in school_ids], ignore_conflicts=True
    )


def versions_of(school_ids: Iterable[int]) -> dict[int, int]:
    """{school id: version} of the versioned schools among these (one query)."""
    return dict(
        SchoolVersion.objects.filter(school_id__in=list(school_ids)).values_list(
            "school_id", "version"
        )
    )


def version_of(school: School | int) -> int | None:
    """The school's version, None while it is not versioned (then: do not cache). Read it
    before the data it versions, so a page is never kept under a newer version than its data.

    Read on every cached school page, with its statement written once (versions_of's query
    for one school, which the ORM compiled on each call)."""
    with connection.cursor() as cursor:
        cursor.execute(_version_sql(), [getattr(school, "pk", school)])
        row = cursor.fetchone()
    return None if row is None else row[0]


@functools.cache
def _version_sql() -> str:
    meta = SchoolVersion._meta
    return (
        f'SELECT "{meta.get_field("version").column}" FROM "{meta.db_table}" '  # noqa: S608
        f'WHERE "{meta.get_field("school").column}" = %s'
    )


def _key(kind: str, school_id: int, version, parts: Iterable[Any]) -> str:
    return ":".join([kind, str(school_id), str(version), *(str(part) for part in parts)])


class SchoolCache:
    """The cache of one school's pages at the version read when it was opened: open it before
    reading the data a page shows, so a page is never kept under a newer version than its
    data (a write in between leaves it under the older version, never used again)."""

    def __init__(self, school: School | int, version: int | None = UNREAD):
        """`version`: the school's, when the caller read it in a query of its own, before
        the data (as `version_of` gives it); else it is read here."""
        self.school_id = getattr(school, "pk", school)
        self.version = version_of(self.school_id) if version is UNREAD else version

    def fragment(
        self,
        kind: str,
        parts: Iterable[Any],
        render: Callable[[], Any],
        *,
        seconds: int = FRAGMENT_SECONDS,
    ) -> Any:
        """What `render()` returns, kept under the version, `kind` and `parts` (everything else
        the value depends on: language, viewer's rights, day ...). Not kept while the school
        has no version."""
        if self.version is None:
            return render()
        key = _key(kind, self.school_id, self.version, parts)
        value = cache.get(key)
        if value is None:
            value = render()
            cache.set(key, value, seconds)
        return value


def cached_fragment(
    school: School | int,
    kind: str,
    parts: Iterable[Any],
    render: Callable[[], Any],
    *,
    seconds: int = FRAGMENT_SECONDS,
    version: int | None = UNREAD,
) -> Any:
    """SchoolCache(school, version).fragment(...), for a render that reads all its data
    itself."""
    return SchoolCache(school, version).fragment(kind, parts, render, seconds=seconds)


def cached_fragments(
    schools: list[School],
    kind: str,
    parts: Iterable[Any],
    render_missing: Callable[[list[School]], dict[int, Any]],
    *,
    usable: Callable[[Any], bool] = lambda value: True,
    seconds: int = FRAGMENT_SECONDS,
    versions: dict[int, int] | None = None,
) -> dict[int, Any]:
    """{school id: value} for many schools at once: the cached ones that are still `usable`,
    and `render_missing(the others)` for the rest, kept for next time where versioned.

    `versions`: the schools' versions as `versions_of` gives them (the versioned ones only),
    when the caller read them with the schools, before the data; else they are read here."""
    parts = list(parts)
    if versions is None:
        versions = versions_of(school.pk for school in schools)
    keys = {pk: _key(kind, pk, version, parts) for pk, version in versions.items()}
    cached = cache.get_many(list(keys.values())) if keys else {}
    values = {}
    for pk, key in keys.items():
        if key in cached and usable(cached[key]):
            values[pk] = cached[key]
    missing = [school for school in schools if school.pk not in values]
    if missing:
        fresh = render_missing(missing)
        values.update(fresh)
        keep = {keys[pk]: value for pk, value in fresh.items() if pk in keys}
        if keep:
            cache.set_many(keep, seconds)
    return values


def cached_for(
    scope: str,
    version: Any,
    parts: Iterable[Any],
    render: Callable[[], Any],
    *,
    seconds: int = FRAGMENT_SECONDS,
) -> Any:
    """Like cached_fragment, for a value versioned by its caller (the district dashboard's
    figures carry a version of their own)."""
    stamp = "-".join(str(part) for part in version) if isinstance(version, tuple) else version
    key = ":".join([scope, str(stamp), *(str(part) for part in parts)])
    value = cache.get(key)
    if value is None:
        value = render()
        cache.set(key, value, seconds)
    return value
