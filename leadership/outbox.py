"""Background work that survives a broker outage: `enqueue` records it, `sweep` catches up.

`enqueue("app.tasks.name", *args)` writes an OutboxTask row in the caller's transaction and,
once that commits, hands the task to Celery and marks the row dispatched. A broker that cannot
be reached at that moment costs nothing but time: the failure is written on the row (the
request that committed does not fail) and `sweep`, run by Celery beat every minute, queues
every row that is overdue and still undispatched. Without a broker (tasks run eagerly in
process) the same path runs the task inline after the commit.

Rows are handed over at least once, so every task queued this way must be idempotent.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from functools import partial

from celery.utils.imports import symbol_by_name
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError

from .models import OutboxTask, SentMail

log = logging.getLogger(__name__)

# Errors that say the broker is out of reach: the sweep stops at the first one.
BROKER_DOWN = (OperationalError, ConnectionError, TimeoutError)


def overdue_after() -> timedelta:
    """How old an undispatched row must be before the sweep takes it: long enough that the
    on-commit hand-over of a request still running is not raced."""
    return timedelta(seconds=getattr(settings, "OUTBOX_OVERDUE_SECONDS", 60))


def enqueue(task, *args) -> OutboxTask:
    """Record `task` (its dotted name, or the task) with JSON-able `args`; queue it on commit."""
    name = task if isinstance(task, str) else task.name
    row = OutboxTask.objects.create(task=name, args=list(args))
    transaction.on_commit(partial(dispatch, row.pk))
    return row


# After the broker was found unreachable, on-commit hand-overs in this process are not
# tried for this many seconds and are left to the sweep: each failed publish costs its
# connection retries (about half a second), so without this pause a request that queues
# an e-mail per family would take that long for every family while the broker is down.
PAUSE_AFTER_BROKER_DOWN = 10.0
_broker_down_at: float | None = None


def _broker_resting() -> bool:
    down_at = _broker_down_at
    return down_at is not None and time.monotonic() - down_at < PAUSE_AFTER_BROKER_DOWN


def dispatch(row_id: int) -> bool:
    """Hand one committed row to Celery, unless already done. Never raises."""
    if _broker_resting():
        return False  # the sweep will queue it
    row = OutboxTask.objects.filter(pk=row_id, dispatched_at__isnull=True).first()
    return row is not None and _publish(row) == QUEUED


QUEUED, FAILED, BROKER_UNREACHABLE = "queued", "failed", "broker unreachable"


def _publish(row: OutboxTask) -> str:
    global _broker_down_at
    try:
        symbol_by_name(row.task).apply_async(args=row.args)
    except Exception as error:  # the request (or the sweep) goes on; the row remembers
        log.warning("outbox: %s (row %s) not queued: %r", row.task, row.pk, error)
        OutboxTask.objects.filter(pk=row.pk).update(
            attempts=F("attempts") + 1, last_error=repr(error)[:2000]
        )
        if isinstance(error, BROKER_DOWN):
            _broker_down_at = time.monotonic()
            return BROKER_UNREACHABLE
        return FAILED
    _broker_down_at = None
    OutboxTask.objects.filter(pk=row.pk, dispatched_at__isnull=True).update(
        dispatched_at=timezone.now(), attempts=F("attempts") + 1
    )
    return QUEUED


# Dispatched rows are kept this long, to look into what was queued, then deleted.
KEEP_DISPATCHED = timedelta(days=7)


def prune() -> int:
    """Delete the rows handed over more than KEEP_DISPATCHED ago; returns how many."""
    cutoff = timezone.now() - KEEP_DISPATCHED
    deleted, _by_model = OutboxTask.objects.filter(dispatched_at__lt=cutoff).delete()
    return deleted


def pending() -> int:
    return OutboxTask.objects.filter(dispatched_at__isnull=True).count()


def sweep(*, limit: int = 500) -> int:
    """Queue the overdue undispatched rows, oldest first; returns how many were queued.

    Each row is locked while it is handed over (SKIP LOCKED), so two sweeps at once never
    queue the same row, and a row already dispatched is skipped: sweeping twice queues once.
    The sweep stops at the first sign that the broker is down; the next run goes on.
    """
    cutoff = timezone.now() - overdue_after()
    ids = list(
        OutboxTask.objects.filter(dispatched_at__isnull=True, created_at__lte=cutoff)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    queued = 0
    for pk in ids:
        with transaction.atomic():
            row = (
                OutboxTask.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, dispatched_at__isnull=True)
                .first()
            )
            outcome = _publish(row) if row is not None else None
        if outcome == QUEUED:
            queued += 1
        elif outcome == BROKER_UNREACHABLE:
            break
    return queued


def claim_send(key: str) -> bool:
    """Inside the transaction that sends one e-mail: True if `key` (one message to one person)
    was not sent yet, and from now on it is. The mark commits with the send and rolls back
    with a failed one, so a retry sends exactly what is still unsent."""
    try:
        with transaction.atomic():
            SentMail.objects.create(key=key)
    except IntegrityError:
        return False
    return True
