"""A migration run while the old code still serves (docs/deploy.md, "Upgrades") changes a
column that statements prepared on a running connection read: PostgreSQL then refuses them
("cached plan must not change result type") for as long as the connection lives. The first
refusal closes the connection, so the next request prepares them anew."""

from __future__ import annotations

import pytest
from django.db import NotSupportedError, connection

from leadership import db


@pytest.mark.django_db(transaction=True)
def test_a_statement_outdated_by_a_migration_is_refused_once_then_read_anew():
    if connection.vendor != "postgresql" or not connection.settings_dict["OPTIONS"].get(
        "prepare_threshold"
    ):
        pytest.skip("statements are prepared on PostgreSQL reached directly")
    read = "SELECT id, name FROM accord_stale_plan WHERE id = %s"
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE accord_stale_plan (id int, name varchar(10))")
    try:
        for _ in range(8):
            with connection.cursor() as cursor:
                cursor.execute(read, [1])
        # What AlterField(max_length=...) does, run by `migrate` on a connection of its own
        # (psycopg forgets its prepared statements after DDL on the same connection).
        migrate = connection.get_new_connection(connection.get_connection_params())
        try:
            migrate.autocommit = True
            migrate.execute("ALTER TABLE accord_stale_plan ALTER COLUMN name TYPE varchar(20)")
        finally:
            migrate.close()
        with pytest.raises(NotSupportedError):
            try:
                with connection.cursor() as cursor:
                    cursor.execute(read, [1])
            except NotSupportedError:
                db.on_request_exception(sender=None)  # as got_request_exception calls it
                raise
        assert connection.connection is None  # closed
        with connection.cursor() as cursor:
            cursor.execute(read, [1])
            assert cursor.fetchall() == []
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE accord_stale_plan")


def test_only_that_refusal_closes_the_connection():
    from psycopg import errors

    assert not db.is_stale_plan(None)
    assert not db.is_stale_plan(ValueError("cached plan"))
    assert not db.is_stale_plan(errors.FeatureNotSupported("something else"))
    wrapped = NotSupportedError("cached plan must not change result type")
    wrapped.__cause__ = errors.FeatureNotSupported("cached plan must not change result type")
    assert db.is_stale_plan(wrapped)
