"""retry_on_conflict: a transaction that PostgreSQL aborts for a deadlock runs again, whole."""

import psycopg
import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, transaction

from leadership.db import STILL_BUSY, retries_so_far, retry_on_conflict
from leadership.models import District


def _deadlock() -> OperationalError:
    error = OperationalError("deadlock detected")
    error.__cause__ = psycopg.errors.DeadlockDetected("deadlock detected")
    return error


def test_a_deadlocked_block_runs_again_and_its_first_writes_are_gone(transactional_db):
    calls = []

    @retry_on_conflict(backoff=0)
    @transaction.atomic
    def rename():
        calls.append(1)
        District.objects.create(slug=f"try-{len(calls)}", name="Try")
        if len(calls) < 3:
            raise _deadlock()
        return len(calls)

    before = retries_so_far()
    assert rename() == 3
    assert retries_so_far() - before == 2
    # The aborted attempts left nothing behind.
    assert list(District.objects.values_list("slug", flat=True)) == ["try-3"]


def test_after_the_last_attempt_the_person_is_told_to_try_again(transactional_db):
    @retry_on_conflict(attempts=2, backoff=0)
    @transaction.atomic
    def always():
        District.objects.create(slug="never", name="Never")
        raise _deadlock()

    with pytest.raises(ValidationError) as refused:
        always()
    assert refused.value.messages == [str(STILL_BUSY)]
    assert not District.objects.exists()


def test_other_database_errors_are_not_retried(transactional_db):
    calls = []

    @retry_on_conflict(backoff=0)
    @transaction.atomic
    def broken():
        calls.append(1)
        raise OperationalError("connection lost")

    with pytest.raises(OperationalError):
        broken()
    assert calls == [1]


def test_inside_an_outer_transaction_it_runs_once_and_lets_the_error_out(db):
    calls = []

    @retry_on_conflict(backoff=0)
    def inner():
        calls.append(1)
        raise _deadlock()

    with pytest.raises(OperationalError):
        inner()
    assert calls == [1]
