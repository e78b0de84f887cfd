"""Reads on the busiest paths whose SQL the ORM compiles once per process, not on every request.

Compiling a queryset to SQL costs more CPU than PostgreSQL spends answering a lookup by key
(about a millisecond for one model's row). A `Prepared` read is written as an ordinary
queryset of named arguments (ids, or aware datetimes compared with a DateTimeField); the ORM
compiles it the first time with a stand-in value for each argument, and every later call
runs that same SQL with the real values, the rows built by `Model.objects.raw` (the fields'
converters applied as usual).

Only for querysets of one model without `select_related` (raw rows fill one model), whose
arguments are ids or datetimes: a stand-in must reach the compiled parameters as the
database adapts it, to be found there again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Model, QuerySet

# Stand-ins no real id or moment takes.
_ID_STAND_IN = -7_340_000_001
_MOMENT_STAND_IN = datetime(1901, 2, 3, 4, 5, 6, tzinfo=UTC)


def _stand_in(value: Any, i: int) -> Any:
    if isinstance(value, datetime):
        return _MOMENT_STAND_IN + timedelta(microseconds=i)
    if isinstance(value, int) and not isinstance(value, bool):
        return _ID_STAND_IN - i
    raise TypeError(f"a prepared read takes ids and datetimes, not {type(value).__name__}")


def _adapted(value: Any) -> Any:
    """The value as the ORM passes it to the database."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


class Prepared:
    """`Prepared(lambda pk, school: Event.objects.filter(pk=pk, school=school))`; then
    `.rows(pk=..., school=...)` gives the rows the queryset would, `.first(...)` the first
    one or None."""

    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        self._compiled: tuple[Any, str, list[tuple[bool, Any]]] | None = None
        self._lock = threading.Lock()

    def _compile(self, arguments: dict[str, Any]):
        names = sorted(arguments)
        stand_ins = {name: _stand_in(arguments[name], i) for i, name in enumerate(names)}
        queryset = self.build(**stand_ins)
        if queryset.query.select_related:
            raise TypeError("a prepared read fills one model: no select_related")
        sql, params = queryset.query.sql_with_params()
        by_value = {_adapted(value): name for name, value in stand_ins.items()}
        # Each parameter is an argument (by name) or a constant of the queryset itself.
        slots = []
        for param in params:
            try:
                name = by_value.get(param)
            except TypeError:  # unhashable: a constant of the queryset
                name = None
            slots.append((True, name) if name is not None else (False, param))
        found = {value for is_arg, value in slots if is_arg}
        if found != set(names):
            raise TypeError(f"arguments not found in the compiled query: {set(names) - found}")
        return queryset.model, sql, slots

    def rows(self, **arguments: Any) -> list[Model]:
        compiled = self._compiled
        if compiled is None:
            with self._lock:
                compiled = self._compiled = self._compiled or self._compile(arguments)
        model, sql, slots = compiled
        params = [_adapted(arguments[value]) if is_arg else value for is_arg, value in slots]
        return list(model._default_manager.raw(sql, params))

    def first(self, **arguments: Any) -> Model | None:
        rows = self.rows(**arguments)
        return rows[0] if rows else None
