"""Reads on every school page, from SQL built once per process.

Every page under a school's address reads the school with its district by the address's slug
(`permissions.school_view`). The ORM compiled that query on each request, select_related and
all, at about a third of a millisecond: more than PostgreSQL takes to answer it. Here the
SELECT is written once from the models' tables and columns, and the row is turned into the
two models as the ORM turns it (each column through the converters the ORM would apply).
"""

from __future__ import annotations

import functools
import weakref

from django.db import DEFAULT_DB_ALIAS, connection, connections

from .models import District, School


@functools.cache
def _school_by_slug_sql() -> str:
    school, district = School._meta, District._meta
    columns = [f's."{f.column}"' for f in school.concrete_fields]
    columns += [f'd."{f.column}"' for f in district.concrete_fields]
    # Table and column names from the models' metadata only; the slug is a parameter.
    return (
        f"SELECT {', '.join(columns)} "  # noqa: S608
        f'FROM "{school.db_table}" s '
        f'INNER JOIN "{district.db_table}" d '
        f'ON d."{district.pk.column}" = s."{school.get_field("district").column}" '
        f'WHERE s."{school.get_field("slug").column}" = %s'
    )


# Per database connection (each thread has its own): the converters of each model's columns.
_CONVERTERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _converters(model) -> list[tuple]:
    by_model = _CONVERTERS.setdefault(connections[DEFAULT_DB_ALIAS], {})
    found = by_model.get(model)
    if found is None:
        found = by_model[model] = []
        for field in model._meta.concrete_fields:
            col = field.get_col(model._meta.db_table)
            converters = [
                *connection.ops.get_db_converters(col),
                *col.get_db_converters(connection),
            ]
            found.append((col, converters))
    return found


def from_row(model, values):
    """An instance of `model` from its concrete columns' values, as the ORM builds it."""
    converted = []
    for (col, converters), value in zip(_converters(model), values, strict=True):
        for converter in converters:
            value = converter(value, col, connection)
        converted.append(value)
    return model.from_db(
        connection.alias, [f.attname for f in model._meta.concrete_fields], converted
    )


def school_with_district(slug: str) -> School | None:
    """The school of this slug with its district (as select_related("district") gives it),
    or None."""
    with connection.cursor() as cursor:
        cursor.execute(_school_by_slug_sql(), [slug])
        row = cursor.fetchone()
    if row is None:
        return None
    width = len(School._meta.concrete_fields)
    school = from_row(School, row[:width])
    school.district = from_row(District, row[width:])
    return school
