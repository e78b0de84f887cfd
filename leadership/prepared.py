"""Reads on the busiest paths whose SQL the ORM compiles once per process, not on every request.

Compiling a queryset to SQL costs more CPU than PostgreSQL spends answering a lookup by key
(about a millisecond for one model's row). A `Prepared` read is written as an ordinary
queryset of named integer arguments (ids); the ORM compiles it the first time with a stand-in
value for each argument, and every later call runs that same SQL with the real values, the
rows built by `Model.objects.raw` (the fields' converters applied as usual).

Only for querysets of one model without `select_related` (raw rows fill one model), whose
arguments are ids: a stand-in must pass through the ORM unchanged to be found again among
the compiled parameters.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet

# Stand-ins no real id takes.
_STAND_IN = -7_340_000_001


class Prepared:
    """`Prepared(lambda pk, school: Event.objects.filter(pk=pk, school=school))`; then
    `.rows(pk=..., school=...)` gives the rows the queryset would, `.first(...)` the first
    one or None."""

    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        self._compiled: tuple[Any, str, list[tuple[bool, Any]]] | None = None
        self._lock = threading.Lock()

    def _compile(self, names: list[str]):
        stand_ins = {name: _STAND_IN - i for i, name in enumerate(names)}
        queryset = self.build(**stand_ins)
        if queryset.query.select_related:
            raise TypeError("a prepared read fills one model: no select_related")
        sql, params = queryset.query.sql_with_params()
        by_value = {value: name for name, value in stand_ins.items()}
        # Each parameter is an argument (by name) or a constant of the queryset itself.
        slots = [(p in by_value, by_value.get(p, p)) for p in params]
        found = {value for is_arg, value in slots if is_arg}
        if found != set(names):
            raise TypeError(f"arguments not found in the compiled query: {set(names) - found}")
        return queryset.model, sql, slots

    def rows(self, **arguments: int) -> list[Model]:
        compiled = self._compiled
        if compiled is None:
            with self._lock:
                compiled = self._compiled = self._compiled or self._compile(sorted(arguments))
        model, sql, slots = compiled
        params = [arguments[value] if is_arg else value for is_arg, value in slots]
        return list(model._default_manager.raw(sql, params))

    def first(self, **arguments: int) -> Model | None:
        rows = self.rows(**arguments)
        return rows[0] if rows else None
