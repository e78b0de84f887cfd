"""Reads on the busiest paths whose SQL the ORM compiles once per shape, not on every request.

Compiling a queryset to SQL costs more CPU than PostgreSQL spends answering a lookup by key
(about a millisecond for one model's row). A `Prepared` read is written as an ordinary
queryset of named arguments; the ORM compiles it the first time it meets a shape with a
stand-in value for each argument, and later calls of that shape run that same SQL with their
own values, the rows built as the ORM builds them: model instances (with their select_related
objects and annotations), dicts for values(), tuples for values_list() (annotations such as a
Window count included), single values for a flat one. Each column goes through the converters
the ORM would apply, found on the connection of the thread that reads.

A shape is the current time zone (the ORM writes it into a query reading a datetime's date),
which arguments are None, the length of each list of ids, and whether the read is cut by a
LIMIT and an OFFSET: `rows(limit=..., offset=...)` slices the queryset as `qs[offset:offset +
limit]` would, the SQL compiled once and only its LIMIT and OFFSET written for each call, so
any number of page sizes is one shape.

Arguments are ids (within the 32-bit range), aware datetimes, dates, text, None, or lists or
tuples of ids; they must reach the SQL as they are given. The first call of each shape checks
that: the queryset built with the real arguments must compile to the same SQL, with those
values where the stand-ins were. If it does not (`build` computes with an argument, reads
per-request state, or the ORM writes a value into the SQL itself), or the queryset is one this
cannot fill (prefetching, extra(), named rows), or an argument is of another kind, the read is
the queryset's own, never an error: a shape that fails its check stays the queryset's. What is
kept is SQL, never rows; at most `max_shapes` shapes per read, past which new shapes are read
by their queryset.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesIterable,
    ValuesListIterable,
    get_related_populators,
)
from django.utils import timezone

logger = logging.getLogger(__name__)

# Stand-ins no real id, moment or text takes in practice (and, were one taken, the first call's
# check finds the mix-up). Ids inside the 32-bit range, and positive, which an integer column's
# lookup must respect (Django 5 drops or empties a condition on a value out of its column's
# range, a PositiveIntegerField's included).
_ID_STAND_IN = 2_100_000_001
_LIST_STRIDE = 1_000  # list stand-ins: one block of ids per argument, apart from the scalars'
_MOMENT_STAND_IN = datetime(1901, 2, 3, 4, 5, 6, tzinfo=UTC)
_DAY_STAND_IN = date(1901, 2, 3)
# A LIMIT and an OFFSET no real read asks for: their text is found once in the SQL.
_LIMIT_STAND_IN = 1_999_999_973
_OFFSET_STAND_IN = 1_999_999_979

# What a 32-bit integer column holds: an id outside it is read by the queryset, whose SQL for
# it is not the shape's (Django drops or empties the condition).
_INT_LOW, _INT_HIGH = -(2**31), 2**31
_MAX_SHAPES = 64

_INT, _TEXT, _MOMENT, _DAY, _NONE = "int", "text", "moment", "day", None


_KINDS = {int: _INT, str: _TEXT, type(None): _NONE}


def _kind(value: Any) -> Any:
    """The part of a shape an argument makes, or False for an argument this cannot prepare."""
    kind = _KINDS.get(type(value), False)
    if kind is _INT:
        return kind if _INT_LOW <= value < _INT_HIGH else False
    if kind is not False:
        return kind
    if isinstance(value, list | tuple):
        # An empty list, or one naming an id twice (which `__in` writes once), is read by the
        # queryset itself: its SQL is not the shape's. So is a list of anything but ids.
        if (
            not value
            or len(set(value)) != len(value)
            or set(map(type, value)) != {int}
            or min(value) < _INT_LOW
            or max(value) >= _INT_HIGH
        ):
            return False
        return (type(value).__name__, len(value))
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return _INT if _INT_LOW <= value < _INT_HIGH else False
    if isinstance(value, str):
        return _TEXT
    if isinstance(value, datetime):
        return _MOMENT if value.tzinfo is not None else False
    if isinstance(value, date):
        return _DAY
    return False


def _stand_in(value: Any, i: int) -> Any:
    if isinstance(value, list | tuple):
        return type(value)(_ID_STAND_IN + _LIST_STRIDE * (i + 1) + j for j in range(len(value)))
    if isinstance(value, str):
        return f"~prepared stand-in {i}~"
    if isinstance(value, datetime):
        return _MOMENT_STAND_IN + timedelta(microseconds=i)
    if isinstance(value, date):
        return _DAY_STAND_IN + timedelta(days=i)
    return _ID_STAND_IN + i


def _adapted(value: Any, connection) -> Any:
    """The value as the ORM passes it to the database."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return connection.ops.adapt_datefield_value(value)
    return value


def _sliced(queryset: QuerySet, limit: int | None, offset: int) -> QuerySet:
    if limit is None:
        return queryset
    return queryset[offset : offset + limit]


# Where a parameter comes from: a constant of the queryset, an argument (as it is given, or as
# the backend adapts it), an item of a list argument.
_CONSTANT, _AS_GIVEN, _ADAPTED, _ITEM = "constant", "as given", "adapted", "item"


class _Unfit(Exception):
    """A queryset this cannot fill as the ORM does."""


class _Shape:
    """One shape's SQL, cut where its LIMIT and OFFSET are written, and how its rows are made."""

    def __init__(self, queryset: QuerySet, stand_ins: dict[str, Any], limit, offset):
        query = queryset.query
        if queryset._prefetch_related_lookups or queryset._known_related_objects:
            raise _Unfit("prefetching or known related objects")
        if query.extra_select or query.combinator:
            raise _Unfit("extra() or a combined query")
        self.alias = alias = queryset.db
        connection = connections[alias]
        compiler = query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        if compiler.has_extra_select:
            raise _Unfit("ordering columns read beside the selected ones")
        self.iterable = iterable = queryset._iterable_class
        columns = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
        if compiler.has_composite_fields(columns):
            raise _Unfit("a composite primary key")
        self.columns = columns
        if iterable is ModelIterable:
            select, klass_info = compiler.select, compiler.klass_info
            self.model = klass_info["model"]
            fields = klass_info["select_fields"]
            self.start, self.end = fields[0], fields[-1] + 1
            self.init_list = [f[0].target.attname for f in select[self.start : self.end]]
            self.populators = get_related_populators(klass_info, select, alias)
            self.annotations = list(compiler.annotation_col_map.items())
        elif iterable is ValuesIterable:
            self.names = (
                list(query.selected)
                if query.selected
                else [*query.extra_select, *query.values_select, *query.annotation_select]
            )
        elif iterable not in (ValuesListIterable, FlatValuesListIterable):
            raise _Unfit(f"rows made by {iterable.__name__}")
        # The LIMIT and OFFSET, written into the SQL by the ORM: cut out, written per call.
        self.prefix, self.suffix = sql, ""
        if limit is not None:
            written = connection.ops.limit_offset_sql(offset, offset + limit)
            before, found, after = sql.partition(written)
            if not found or written in after:
                raise _Unfit("a LIMIT not found once in the SQL")
            self.prefix, self.suffix = before, after
        # Each parameter is an argument (by name, and place in a list) or a constant.
        by_value: dict[Any, tuple[str, int | None]] = {}
        for name, value in stand_ins.items():
            if isinstance(value, list | tuple):
                for j, item in enumerate(value):
                    by_value[item] = (name, j)
            else:
                by_value[_adapted(value, connection)] = (name, None)
        slots = []
        found = set()
        for param in params:
            try:
                at = by_value.get(param) if type(param) is not bool else None
            except TypeError:  # unhashable: a constant of the queryset
                at = None
            if at is None:
                slots.append((_CONSTANT, param, None))
                continue
            found.add(at)
            name, j = at
            if j is not None:
                slots.append((_ITEM, name, j))
            elif _adapted(stand_ins[name], connection) is stand_ins[name]:
                slots.append((_AS_GIVEN, name, None))  # the backend passes it as it is
            else:
                slots.append((_ADAPTED, name, None))
        if found != set(by_value.values()):
            raise _Unfit("an argument not found among the SQL's parameters")
        self.slots = slots
        # Per database connection (each thread has its own): the columns' converters.
        self._converters: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def sql(self, connection, limit, offset) -> str:
        if limit is None:
            return self.prefix
        return self.prefix + connection.ops.limit_offset_sql(offset, offset + limit) + self.suffix

    def params(self, arguments: dict[str, Any], connection) -> list[Any]:
        return [
            a
            if mode is _CONSTANT
            else arguments[a]
            if mode is _AS_GIVEN
            else arguments[a][b]
            if mode is _ITEM
            else _adapted(arguments[a], connection)
            for mode, a, b in self.slots
        ]

    def converters(self, connection) -> list:
        """(position, converters, column) of the columns that have any, on this connection:
        what the ORM's SQLCompiler.get_converters gives."""
        found = self._converters.get(connection)
        if found is None:
            found = []
            for position, column in enumerate(self.columns):
                functions = [
                    *connection.ops.get_db_converters(column),
                    *column.get_db_converters(connection),
                ]
                if functions:
                    found.append((position, functions, column))
            self._converters[connection] = found
        return found

    def run(self, arguments: dict[str, Any], limit, offset) -> list:
        connection = connections[self.alias]  # this thread's own
        with connection.cursor() as cursor:
            cursor.execute(self.sql(connection, limit, offset), self.params(arguments, connection))
            rows = cursor.fetchall()
        if not rows:
            return []
        converters = self.converters(connection)
        if converters:
            rows = [list(row) for row in rows]
            for row in rows:
                for position, functions, column in converters:
                    value = row[position]
                    for function in functions:
                        value = function(value, column, connection)
                    row[position] = value
        iterable = self.iterable
        if iterable is ValuesListIterable:
            return [tuple(row) for row in rows]
        if iterable is FlatValuesListIterable:
            return [row[0] for row in rows]
        if iterable is ValuesIterable:
            names = self.names
            indexes = range(len(names))
            return [{names[i]: row[i] for i in indexes} for row in rows]
        model, init_list, start, end = self.model, self.init_list, self.start, self.end
        populators, annotations, alias = self.populators, self.annotations, connection.alias
        found = []
        for row in rows:
            obj = model.from_db(alias, init_list, row[start:end])
            for populator in populators:  # the select_related objects, as the ORM sets them
                populator.populate(row, obj)
            for name, position in annotations:
                setattr(obj, name, row[position])
            found.append(obj)
        return found


class Prepared:
    """`Prepared(lambda pk, school: Event.objects.filter(pk=pk, school=school))`; then
    `.rows(pk=..., school=...)` gives the rows the queryset would (`limit` and `offset` slice
    it), `.first(...)` the first one or None."""

    def __init__(self, build: Callable[..., QuerySet], *, max_shapes: int = _MAX_SHAPES):
        self.build = build
        self.max_shapes = max_shapes
        # shape key -> its compiled SQL, or False: read by the queryset (its check failed).
        self._compiled: dict[tuple, _Shape | bool] = {}
        self._lock = threading.Lock()

    def queryset(self, *, limit: int | None = None, offset: int = 0, **arguments) -> QuerySet:
        """The queryset itself: what the rows are, and are held against in the tests."""
        return _sliced(self.build(**arguments), limit, offset)

    def _key(self, arguments: dict[str, Any], limit, offset) -> tuple | None:
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or limit < 1
        ):
            return None
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            return None
        if offset and limit is None:
            return None
        shape = []
        for name, value in sorted(arguments.items()):
            kind = _kind(value)
            if kind is False:
                return None
            shape.append((name, kind))
        return (timezone.get_current_timezone(), limit is not None, offset > 0, *shape)

    def _compile(self, key, arguments, limit, offset) -> _Shape | bool:
        names = sorted(arguments)
        stand_ins = {
            name: _stand_in(arguments[name], i)
            for i, name in enumerate(names)
            if arguments[name] is not None
        }
        stand_in_limit = None if limit is None else _LIMIT_STAND_IN
        stand_in_offset = _OFFSET_STAND_IN if offset else 0
        try:
            shape = _Shape(
                self.queryset(
                    limit=stand_in_limit,
                    offset=stand_in_offset,
                    **{**dict.fromkeys(names), **stand_ins},
                ),
                stand_ins,
                stand_in_limit,
                stand_in_offset,
            )
        except Exception as error:
            logger.warning("prepared read %r unprepared for %r: %s", self.build, key, error)
            return False
        return shape

    def _answers_as_compiled(self, shape: _Shape, arguments, limit, offset) -> bool:
        """Whether the queryset built with these arguments is the compiled SQL with them:
        not so when `build` computes with an argument (a constant frozen at the stand-in's
        value) or the ORM drops a condition for a value."""
        queryset = self.queryset(limit=limit, offset=offset, **arguments)
        connection = connections[shape.alias]
        real_sql, real_params = queryset.query.get_compiler(using=shape.alias).as_sql()
        return real_sql == shape.sql(connection, limit, offset) and list(
            real_params
        ) == shape.params(arguments, connection)

    def rows(self, *, limit: int | None = None, offset: int = 0, **arguments: Any) -> list:
        key = self._key(arguments, limit, offset)
        compiled = None if key is None else self._compiled.get(key)
        if compiled is None and key is not None:
            with self._lock:
                compiled = self._compiled.get(key)
                if compiled is None and len(self._compiled) < self.max_shapes:
                    candidate = self._compile(key, arguments, limit, offset)
                    if candidate:
                        try:
                            fits = self._answers_as_compiled(candidate, arguments, limit, offset)
                        except Exception:
                            return list(self.queryset(limit=limit, offset=offset, **arguments))
                        if not fits:
                            logger.warning(
                                "prepared read %r: the SQL for %r is not the shape's",
                                self.build,
                                key,
                            )
                            candidate = False
                    compiled = self._compiled[key] = candidate
        if not compiled:
            return list(self.queryset(limit=limit, offset=offset, **arguments))
        return compiled.run(arguments, limit, offset)

    def first(self, **arguments: Any) -> Any:
        rows = self.rows(**arguments)
        return rows[0] if rows else None

    def is_prepared(self, *, limit: int | None = None, offset: int = 0, **arguments) -> bool:
        """Whether these arguments' shape runs the compiled SQL (for tests)."""
        key = self._key(arguments, limit, offset)
        return key is not None and bool(self._compiled.get(key))


# The reads of plain rows (values_list()) are prepared the same way.
PreparedRows = Prepared
