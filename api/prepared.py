"""Queries the API runs on every request, compiled by the ORM once per shape and then re-run
with each request's values.

Building and compiling a queryset (filters resolved, joins set up, SQL written) cost more
Python than anything else in a list request: the token's lookup and a page's query each took
longer to compile than PostgreSQL took to answer them. A `Prepared` query is written as an
ordinary queryset by a function of the request's values; the first time it meets a shape
(which values are None, the length of each list, and the `literal` values the caller names
for what is written into the SQL itself, such as a LIMIT), it builds the queryset with
stand-in values, compiles it, and notes where each stand-in lands among the SQL's parameters.
Later requests of that shape put their own values there and run the same SQL through
Django's cursor (so query counting, execute wrappers and the debug log see it) and Django's
own converters, giving the rows the queryset would: dicts for values(), tuples for
values_list(), model instances (with their select_related objects and annotations)
otherwise. tests/api/test_prepared.py holds each one against its queryset.
"""

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import count

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import (
    ModelIterable,
    ValuesIterable,
    ValuesListIterable,
    get_related_populators,
)
from django.db.models.sql.compiler import SQLCompiler

_numbers = count(1)


def _stand_in(value):
    """A value of `value`'s type that no real request sends and nothing else in a query holds."""
    n = next(_numbers)
    if isinstance(value, bool):
        raise TypeError("A prepared query takes no booleans: pass them as `literal`.")
    if isinstance(value, int):
        return 7_310_000_000_000_000 + n
    if isinstance(value, str):
        return f"\uffff prepared {n} \uffff"
    if isinstance(value, datetime):
        return datetime(1901, 2, 3, 4, 5, 6, n % 1_000_000, tzinfo=UTC)
    raise TypeError(f"A prepared query cannot stand in for a {type(value).__name__}.")


def _shape(value):
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return (list, len(value))
    return type(value)


class _Compiled:
    def __init__(self, queryset: QuerySet, stand_ins: dict):
        alias = queryset.db
        self.connection = connections[alias]
        self.compiler: SQLCompiler = queryset.query.get_compiler(using=alias)
        self.sql, params = self.compiler.as_sql()
        if self.compiler.has_extra_select:
            raise NotImplementedError("A prepared query reads no extra select columns.")
        self.params = list(params)
        # name -> positions among the parameters, for each value (or each item of a list)
        self.slots: dict[str, list[list[int]]] = {}
        for name, stand_in in stand_ins.items():
            items = stand_in if isinstance(stand_in, list) else [stand_in]
            places = []
            for item in items:
                found = [
                    i for i, p in enumerate(self.params) if type(p) is type(item) and p == item
                ]
                if not found or str(item) in self.sql:
                    raise NotImplementedError(f"{name} is not a parameter of the SQL.")
                places.append(found)
            self.slots[name] = places
        # Django's converters for these columns (from_db_value and the backend's), found once.
        fields = [column[0] for column in self.compiler.select[: self.compiler.col_count]]
        if self.compiler.has_composite_fields(fields):
            raise NotImplementedError("A prepared query reads no composite primary keys.")
        self.converters = list(self.compiler.get_converters(fields).items())
        self.iterable = queryset._iterable_class
        query = queryset.query
        if self.iterable is ValuesIterable:
            self.names = (
                list(query.selected)
                if query.selected
                else [*query.extra_select, *query.values_select, *query.annotation_select]
            )
        elif self.iterable is ModelIterable:
            select, klass_info = self.compiler.select, self.compiler.klass_info
            self.model = klass_info["model"]
            fields = klass_info["select_fields"]
            self.start, self.end = fields[0], fields[-1] + 1
            self.init_list = [f[0].target.attname for f in select[self.start : self.end]]
            self.populators = get_related_populators(klass_info, select, alias)
            self.annotations = list(self.compiler.annotation_col_map.items())
            if queryset._known_related_objects or queryset._prefetch_related_lookups:
                raise NotImplementedError("A prepared query loads no known or prefetched objects.")
        elif self.iterable is not ValuesListIterable:
            raise NotImplementedError(f"A prepared query cannot yield {self.iterable.__name__}.")

    def run(self, values: dict) -> list:
        params = list(self.params)
        for name, places in self.slots.items():
            value = values[name]
            items = value if isinstance(value, list | tuple) else [value]
            for item, positions in zip(items, places, strict=True):
                for i in positions:
                    params[i] = item
        with self.connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            fetched = cursor.fetchall()
        rows = fetched
        if self.converters:
            rows = [list(row) for row in fetched]
            connection = self.connection
            for row in rows:
                for position, (converters, expression) in self.converters:
                    value = row[position]
                    for converter in converters:
                        value = converter(value, expression, connection)
                    row[position] = value
        if self.iterable is ValuesIterable:
            names = self.names
            indexes = range(len(names))
            return [{names[i]: row[i] for i in indexes} for row in rows]
        if self.iterable is ValuesListIterable:
            return [tuple(row) for row in rows]
        found = []
        db = self.connection.alias
        for row in rows:
            obj = self.model.from_db(db, self.init_list, row[self.start : self.end])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, position in self.annotations:
                setattr(obj, name, row[position])
            found.append(obj)
        return found


class Prepared:
    """`build(**literal, **values)` -> a queryset, run as compiled SQL once its shape has
    been seen.

    Every value must reach the SQL as a parameter (an int, str or aware datetime, or a list
    of ints), never through Python logic that would change the SQL by its value (a value
    that does, such as a page size written into LIMIT, belongs in `literal`); a value that does
    not reach the SQL is refused when the shape is first compiled. `build` must depend on
    its arguments alone: anything else it reads (the clock, a setting) is frozen into the SQL
    the first time.
    """

    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        # Per thread, as Django's connections are: a thread never thrashes another's SQL.
        self._local = threading.local()

    @property
    def _compiled(self) -> dict[tuple, "_Compiled"]:
        try:
            return self._local.compiled
        except AttributeError:
            self._local.compiled = {}
            return self._local.compiled

    def queryset(self, *, literal: dict | None = None, **values) -> QuerySet:
        """The queryset itself (what the tests hold a prepared query's rows against)."""
        return self.build(**(literal or {}), **values)

    def __call__(self, *, literal: dict | None = None, **values) -> list:
        """The rows of build(**literal, **values); `literal` holds what the SQL is written
        with (a LIMIT), compiled once per value of it."""
        literal = literal or {}
        shape = (
            tuple(literal.items()),
            tuple((name, _shape(v)) for name, v in values.items()),
        )
        cache = self._compiled
        compiled = cache.get(shape)
        if compiled is None or compiled.connection is not connections[compiled.connection.alias]:
            stand_ins = {
                name: (
                    [_stand_in(item) for item in value]
                    if isinstance(value, list | tuple)
                    else _stand_in(value)
                )
                for name, value in values.items()
                if value is not None
            }
            queryset = self.build(**literal, **({name: None for name in values} | stand_ins))
            try:
                compiled = _Compiled(queryset, stand_ins)
            except EmptyResultSet:  # no SQL to run (an empty IN list): as the ORM answers
                return list(self.build(**literal, **values))
            if len(cache) > 2000:  # shapes are few; never let them grow unbounded
                cache.clear()
            cache[shape] = compiled
        return compiled.run({k: v for k, v in values.items() if v is not None})
