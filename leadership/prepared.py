"""Reads on the busiest paths whose SQL the ORM compiles once per process, not on every request.

Compiling a queryset to SQL costs more CPU than PostgreSQL spends answering a lookup by key
(about a millisecond for one model's row). A `Prepared` read is written as an ordinary
queryset of named arguments (ids, or aware datetimes compared with a DateTimeField); the ORM
compiles it the first time with a stand-in value for each argument, and every later call
runs that same SQL with the real values, the rows built as the ORM builds them (each column
through the converters it would apply, then `Model.from_db`).

Only for querysets of a model (and what it select_related) without prefetching, annotations,
values() or a database of their own, whose arguments are ids, aware datetimes or text (a slug)
that reach the SQL as they are given: `build` must not compute with them, nor read
per-request state (the time zone, the language, the time). The first call checks that: the
queryset built with the real arguments must compile to the same SQL, with those values where
the stand-ins were; if it does not, that call and every later one run the queryset itself.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators
from django.utils import timezone

# Stand-ins no real id or moment takes in practice (and, were one taken, the first call's check
# finds the mix-up). Inside the 32-bit range, which an integer column's lookup must respect.
_ID_STAND_IN = -2_100_000_001
_MOMENT_STAND_IN = datetime(1901, 2, 3, 4, 5, 6, tzinfo=UTC)


def _check(value: Any) -> None:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise TypeError("a prepared read takes aware datetimes")
        return
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"a prepared read takes ids and datetimes, not {type(value).__name__}")


def _check_argument(value: Any) -> None:
    """A `Prepared` read also takes text compared as it is (a slug)."""
    if not isinstance(value, str):
        _check(value)


def _stand_in(value: Any, i: int) -> Any:
    _check_argument(value)
    if isinstance(value, str):
        return f"~prepared stand-in {i}~"
    if isinstance(value, datetime):
        return _MOMENT_STAND_IN + timedelta(microseconds=i)
    return _ID_STAND_IN - i


# What a 64-bit integer column holds: a larger id matches no row, and the ORM says so itself.
_BIGINT = range(-(2**63), 2**63)


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
        self._compiled: tuple[Any, str, list[tuple[bool, Any]], list, list[str]] | None = None
        # Per database connection (each thread has its own): the columns' converters.
        self._converters: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._unprepared = False
        self._lock = threading.Lock()

    def _compile(self, arguments: dict[str, Any]):
        names = sorted(arguments)
        stand_ins = {name: _stand_in(arguments[name], i) for i, name in enumerate(names)}
        queryset = self.build(**stand_ins)
        query = queryset.query
        if (
            queryset._prefetch_related_lookups
            or query.annotations
            or queryset._iterable_class is not ModelIterable
            or queryset._db is not None
        ):
            raise TypeError(
                "a prepared read fills models: no prefetching, annotations, values() "
                "or database of its own"
            )
        sql, params = query.sql_with_params()
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
        # The selected columns, as the ORM's ModelIterable reads them: the model's fields (all,
        # or those only()/defer() leave), then those of each select_related model, each with
        # its converters.
        compiler = query.get_compiler(connection=connection)
        compiler.setup_query()
        if compiler.annotation_col_map or query.extra_select:
            raise TypeError("a prepared read fills models from their own columns")
        expressions = [column for column, _sql, _alias in compiler.select]
        fields = compiler.klass_info["select_fields"]
        if list(fields) != list(range(fields[0], fields[-1] + 1)) or fields[0] != 0:
            raise TypeError("a prepared read fills models from their own columns")
        init_list = [column.target.attname for column in expressions[: len(fields)]]
        populators = get_related_populators(compiler.klass_info, compiler.select, connection.alias)
        return queryset.model, sql, slots, expressions, (init_list, populators)

    def _converters_for(self, expressions: list) -> list[tuple[int, list]]:
        """(position, converters) of the columns that have any, on this thread's connection:
        what the ORM's SQLCompiler.get_converters gives."""
        current = connections[DEFAULT_DB_ALIAS]  # this thread's own, not the proxy
        found = self._converters.get(current)
        if found is None:
            found = []
            for position, expression in enumerate(expressions):
                converters = [
                    *connection.ops.get_db_converters(expression),
                    *expression.get_db_converters(connection),
                ]
                if converters:
                    found.append((position, converters, expression))
            self._converters[current] = found
        return found

    def _answers_as_compiled(self, compiled, arguments: dict[str, Any]) -> bool:
        """Whether the queryset built with these arguments is the compiled SQL with them:
        not so when `build` computes with an argument (a constant frozen at the stand-in's
        value) or the ORM drops a condition for a value (out of a column's range)."""
        _model, sql, slots, _expressions, _init = compiled
        real_sql, real_params = self.build(**arguments).query.sql_with_params()
        expected = [_adapted(arguments[value]) if is_arg else value for is_arg, value in slots]
        return real_sql == sql and list(real_params) == expected

    def rows(self, **arguments: Any) -> list[Model]:
        for value in arguments.values():
            _check_argument(value)
            if isinstance(value, int) and value not in _BIGINT:
                return list(self.build(**arguments))
        compiled = self._compiled
        if compiled is None and not self._unprepared:
            with self._lock:
                if self._compiled is None and not self._unprepared:
                    candidate = self._compile(arguments)
                    if self._answers_as_compiled(candidate, arguments):
                        self._compiled = candidate
                    else:
                        self._unprepared = True
                compiled = self._compiled
        if compiled is None:
            return list(self.build(**arguments))
        model, sql, slots, expressions, (init_list, populators) = compiled
        width = len(init_list)
        params = [_adapted(arguments[value]) if is_arg else value for is_arg, value in slots]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        converters = self._converters_for(expressions) if fetched else ()
        alias = connection.alias
        found = []
        for row in fetched:
            if converters:
                row = list(row)
                for position, functions, expression in converters:
                    value = row[position]
                    for function in functions:
                        value = function(value, expression, connection)
                    row[position] = value
            obj = model.from_db(alias, init_list, row[:width] if populators else row)
            for populator in populators:  # the select_related objects, as the ORM sets them
                populator.populate(row, obj)
            found.append(obj)
        return found

    def first(self, **arguments: Any) -> Model | None:
        rows = self.rows(**arguments)
        return rows[0] if rows else None


# --- plain rows ---------------------------------------------------------------------------

_DAY_STAND_IN = date(1901, 2, 3)
_LIST_STRIDE = 1_000  # list stand-ins: one block of ids per argument, apart from the scalars'
_MAX_SHAPES = 64  # distinct (time zone, list lengths) compiled per read; past that, unprepared


def _check_rows_argument(value: Any) -> None:
    if isinstance(value, tuple):
        for item in value:
            if not isinstance(item, int) or isinstance(item, bool):
                raise TypeError("a prepared read's list argument is a tuple of ids")
        return
    if isinstance(value, date) and not isinstance(value, datetime):
        return
    _check(value)


def _rows_stand_in(value: Any, i: int) -> Any:
    if isinstance(value, tuple):
        return tuple(_ID_STAND_IN - _LIST_STRIDE * (i + 1) - j for j in range(len(value)))
    if isinstance(value, date) and not isinstance(value, datetime):
        return _DAY_STAND_IN + timedelta(days=i)
    return _stand_in(value, i)


def _rows_adapted(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return connection.ops.adapt_datefield_value(value)
    return _adapted(value)


class PreparedRows:
    """As `Prepared`, for a `values_list()` queryset (joins allowed): `.rows(...)` gives the
    tuples the queryset would. Arguments are ids, aware datetimes, dates, or tuples of ids
    (for `__in`: an empty one, or one naming an id twice, is read by the queryset itself). The
    SQL is compiled once per time zone (the ORM writes the current one into a query that reads
    a datetime's date) and per length of each tuple, and each of those is checked on its first
    call as `Prepared` checks its one."""

    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        self._compiled: dict[tuple, Any] = {}
        self._lock = threading.Lock()

    def _key(self, arguments: dict[str, Any]) -> tuple:
        shape = tuple(
            (name, len(value))
            for name, value in sorted(arguments.items())
            if isinstance(value, tuple)
        )
        return (timezone.get_current_timezone_name(), shape)

    def _compile(self, arguments: dict[str, Any]):
        names = sorted(arguments)
        stand_ins = {name: _rows_stand_in(arguments[name], i) for i, name in enumerate(names)}
        queryset = self.build(**stand_ins)
        query = queryset.query
        if (
            queryset._iterable_class is not ValuesListIterable
            or queryset._prefetch_related_lookups
            or query.annotation_select
            or query.extra_select
            or queryset._db is not None
        ):
            raise TypeError(
                "a prepared read of rows is a values_list() of fields: no flat or named rows, "
                "prefetching, annotations or database of its own"
            )
        compiler = query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
        by_value: dict[Any, tuple[str, int | None]] = {}
        for name, value in stand_ins.items():
            if isinstance(value, tuple):
                for j, item in enumerate(value):
                    by_value[item] = (name, j)
            else:
                by_value[_rows_adapted(value)] = (name, None)
        slots = []
        for param in params:
            try:
                found = by_value.get(param)
            except TypeError:  # unhashable: a constant of the queryset
                found = None
            slots.append((True, found) if found is not None else (False, param))
        seen = {found for is_arg, found in slots if is_arg}
        if seen != set(by_value.values()):
            raise TypeError("arguments not found in the compiled query")
        return sql, slots, list(converters.items()), compiler.using

    @staticmethod
    def _params(slots, arguments: dict[str, Any]) -> list[Any]:
        params = []
        for is_arg, slot in slots:
            if not is_arg:
                params.append(slot)
                continue
            name, j = slot
            params.append(arguments[name][j] if j is not None else _rows_adapted(arguments[name]))
        return params

    def _answers_as_compiled(self, compiled, arguments: dict[str, Any]) -> bool:
        sql, slots, _converters, _using = compiled
        real_sql, real_params = self.build(**arguments).query.sql_with_params()
        return real_sql == sql and list(real_params) == self._params(slots, arguments)

    def rows(self, **arguments: Any) -> list[tuple]:
        for value in arguments.values():
            _check_rows_argument(value)
            items = value if isinstance(value, tuple) else (value,)
            # An empty tuple, or one naming an id twice (which `__in` writes once), is read
            # by the queryset itself, as is an id no column holds: their SQL is not the shape's.
            if isinstance(value, tuple) and (not value or len(set(value)) != len(value)):
                return list(self.build(**arguments))
            if any(isinstance(item, int) and item not in _BIGINT for item in items):
                return list(self.build(**arguments))
        key = self._key(arguments)
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(key)
                if compiled is None and len(self._compiled) < _MAX_SHAPES:
                    candidate = self._compile(arguments)
                    compiled = (
                        candidate if self._answers_as_compiled(candidate, arguments) else False
                    )
                    self._compiled[key] = compiled
        if not compiled:
            return list(self.build(**arguments))
        sql, slots, converters, using = compiled
        db = connections[using]
        with db.cursor() as cursor:
            cursor.execute(sql, self._params(slots, arguments))
            rows = cursor.fetchall()
        if not converters:
            return [tuple(row) for row in rows]
        # As the ORM's compiler applies them, with this thread's connection.
        converted = []
        for row in map(list, rows):
            for pos, (convs, expression) in converters:
                value = row[pos]
                for converter in convs:
                    value = converter(value, expression, db)
                row[pos] = value
            converted.append(tuple(row))
        return converted

    def is_prepared(self, **arguments: Any) -> bool:
        """Whether these arguments' shape runs the compiled SQL (for tests)."""
        return bool(self._compiled.get(self._key(arguments)))
