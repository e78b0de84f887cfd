"""Running a transaction again when PostgreSQL gives it up: deadlocks and serialization failures."""

from __future__ import annotations

import functools
import logging
import random
import sys
import threading
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.core.exceptions import ValidationError
from django.db import OperationalError, connection
from django.utils.translation import gettext_lazy as _

P = ParamSpec("P")
R = TypeVar("R")

logger = logging.getLogger(__name__)

STILL_BUSY = _(
    "Many people are saving this at the same moment; nothing was changed. Please try again."
)

_retries = 0
_retries_lock = threading.Lock()


def retries_so_far() -> int:
    """How many transactions were run again since the process started (for tests and logs)."""
    return _retries


def is_conflict(error: BaseException) -> bool:
    """Whether PostgreSQL ended the transaction to break a deadlock or keep it serializable.

    Django wraps psycopg's error in its own OperationalError and keeps it as `__cause__`."""
    from psycopg import errors

    seen = error
    while seen is not None:
        if isinstance(seen, (errors.DeadlockDetected, errors.SerializationFailure)):
            return True
        seen = seen.__cause__
    return False


def retry_on_conflict(
    func: Callable[P, R] | None = None, *, attempts: int = 4, backoff: float = 0.02
):
    """Run the whole atomic block again when PostgreSQL aborts it for a deadlock or a
    serialization failure, a few times with a short jittered backoff.

    Put it above `@transaction.atomic`: the block must be the outermost transaction, as an
    aborted transaction cannot go on. Called inside someone else's transaction, it runs once
    and lets the error through to the outermost retry. When every attempt fails, the person
    is told to try again (a ValidationError): nothing was written.
    """

    def decorate(inner: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(inner)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if connection.in_atomic_block:
                return inner(*args, **kwargs)
            for attempt in range(1, attempts + 1):
                try:
                    return inner(*args, **kwargs)
                except OperationalError as error:
                    if not is_conflict(error):
                        raise
                    if attempt == attempts:
                        logger.warning("%s gave up after %s attempts", inner.__qualname__, attempt)
                        raise ValidationError(STILL_BUSY, code="conflict") from error
                    _count()
                    logger.info("%s conflicted (%s); again", inner.__qualname__, error)
                    time.sleep(random.uniform(0.5, 1.5) * backoff * 2 ** (attempt - 1))
            raise AssertionError("unreachable")

        return wrapper

    return decorate(func) if func is not None else decorate


def _count() -> None:
    global _retries
    with _retries_lock:
        _retries += 1


def is_stale_plan(error: BaseException | None) -> bool:
    """Whether PostgreSQL refused a statement this connection prepared because a migration has
    since changed a column it reads ("cached plan must not change result type"): a web or
    worker process still running the old code while `migrate` runs."""
    from psycopg import errors

    seen = error
    while seen is not None:
        if isinstance(seen, errors.FeatureNotSupported) and "cached plan" in str(seen):
            return True
        seen = seen.__cause__
    return False


def forget_stale_plans(error: BaseException | None) -> bool:
    """Close the connection whose prepared statements a migration has outdated, so that the
    next request or task opens a new one and prepares them again: without this the
    connection, still usable, would refuse the same statement until CONN_MAX_AGE ran out.
    Connected to a request's exception and a task's failure (LeadershipConfig.ready)."""
    if not is_stale_plan(error):
        return False
    logger.warning("a migration changed what a prepared statement reads: reconnecting")
    connection.close()
    return True


def on_request_exception(sender, request=None, **kwargs) -> None:
    forget_stale_plans(sys.exc_info()[1])


def on_task_failure(sender=None, exception=None, **kwargs) -> None:
    forget_stale_plans(exception)
