"""Who has answered an anonymous survey but is not yet written to the database.

PostgreSQL stamps every row with the transaction that wrote it (`xmin`) and keeps rows in the
order they were written, so a participation written with its response would pair the person
with the answer however the tables are shaped. An answer's transaction therefore writes the
response alone, and the person goes into a set in Redis (the cache's, under the cache's key
prefix and version); `services.participations_flush` later writes the pending people to the
database in shuffled batches of at least the district's threshold, one transaction each.

Every reader of participations adds these sets: whether someone has answered, the response
rates, my work, the reminders. Without Redis in the settings (a fresh clone: local-memory
cache, one process) the sets live in this process's memory, behind a lock: not in the
local-memory cache, which drops entries when it fills.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from django.core.cache import cache
from django.db.models import Q

logger = logging.getLogger(__name__)

SURVEYS = "voice:pending:surveys"


class Unavailable(ConnectionError):
    """The pending sets cannot be read or written (Redis down or hung)."""


def _key(survey_id: int) -> str:
    return cache.make_key(f"voice:pending:{survey_id}")


def _redis():
    try:
        from django_redis import get_redis_connection

        return get_redis_connection("default")
    except (ImportError, NotImplementedError):
        return None


_local_lock = threading.Lock()
_local: dict[str, set[int]] = {}


def _local_get(key: str) -> set[int]:
    return set(_local.get(key, set()))


def _local_set(key: str, members: set[int]) -> None:
    _local[key] = set(members)


def reset_local() -> None:
    """Empty the in-process sets (the tests' fresh start, as the cache's flush is Redis's)."""
    with _local_lock:
        _local.clear()


def _call(redis_work, local_work):
    client = _redis()
    if client is None:
        with _local_lock:
            return local_work()
    from redis.exceptions import RedisError

    try:
        return redis_work(client)
    except RedisError as error:
        raise Unavailable(str(error)) from error


def add(survey_id: int, user_id: int) -> bool:
    """Record that `user_id` answered `survey_id`; True if they were not pending already."""

    def redis_work(client):
        pipe = client.pipeline(transaction=True)
        pipe.sadd(_key(survey_id), user_id)
        pipe.sadd(cache.make_key(SURVEYS), survey_id)
        return bool(pipe.execute()[0])

    def local_work():
        members = _local_get(f"voice:pending:{survey_id}")
        added = user_id not in members
        members.add(user_id)
        _local_set(f"voice:pending:{survey_id}", members)
        _local_set(SURVEYS, _local_get(SURVEYS) | {survey_id})
        return added

    return _call(redis_work, local_work)


def remove(survey_id: int, user_ids: Iterable[int]) -> None:
    user_ids = list(user_ids)
    if not user_ids:
        return

    def local_work():
        key = f"voice:pending:{survey_id}"
        _local_set(key, _local_get(key) - set(user_ids))

    _call(lambda client: client.srem(_key(survey_id), *user_ids), local_work)


def contains(survey_id: int, user_id: int) -> bool:
    return _call(
        lambda client: bool(client.sismember(_key(survey_id), user_id)),
        lambda: user_id in _local_get(f"voice:pending:{survey_id}"),
    )


def containing(survey_ids: Iterable[int], user_id: int) -> set[int]:
    """Of `survey_ids`, those where `user_id` is pending: one round trip, whatever the number
    of people pending (a membership test per survey, not the whole sets)."""
    survey_ids = list(dict.fromkeys(survey_ids))
    if not survey_ids:
        return set()

    def redis_work(client):
        pipe = client.pipeline(transaction=False)
        for survey_id in survey_ids:
            pipe.sismember(_key(survey_id), user_id)
        return list(pipe.execute())

    def local_work():
        return [user_id in _local.get(f"voice:pending:{survey_id}", ()) for survey_id in survey_ids]

    found = _call(redis_work, local_work)
    return {survey_id for survey_id, here in zip(survey_ids, found, strict=True) if here}


def members_of(survey_ids: Iterable[int]) -> dict[int, set[int]]:
    """{survey id: pending user ids} for the surveys that have any: one round trip."""
    survey_ids = list(dict.fromkeys(survey_ids))
    if not survey_ids:
        return {}

    def redis_work(client):
        pipe = client.pipeline(transaction=False)
        for survey_id in survey_ids:
            pipe.smembers(_key(survey_id))
        return list(pipe.execute())

    def local_work():
        return [_local_get(f"voice:pending:{survey_id}") for survey_id in survey_ids]

    found = _call(redis_work, local_work)
    return {
        survey_id: {int(user_id) for user_id in members}
        for survey_id, members in zip(survey_ids, found, strict=True)
        if members
    }


def members(survey_id: int) -> set[int]:
    return members_of([survey_id]).get(survey_id, set())


def surveys() -> set[int]:
    """The surveys that may have pending people (a survey stays listed until it is closed and
    its set is empty)."""
    found = _call(
        lambda client: client.smembers(cache.make_key(SURVEYS)), lambda: _local_get(SURVEYS)
    )
    return {int(survey_id) for survey_id in found}


def forget(survey_id: int) -> None:
    """Stop listing a survey whose set is empty and can fill no more (closed or deleted)."""

    def redis_work(client):
        pipe = client.pipeline(transaction=True)
        pipe.delete(_key(survey_id))
        pipe.srem(cache.make_key(SURVEYS), survey_id)
        pipe.execute()

    def local_work():
        _local.pop(f"voice:pending:{survey_id}", None)
        _local_set(SURVEYS, _local_get(SURVEYS) - {survey_id})

    _call(redis_work, local_work)


def members_or_none(survey_ids: Iterable[int]) -> dict[int, set[int]]:
    """As `members_of` for pages and counts: during an outage they show what the database
    holds (the people still pending uncounted until Redis answers) rather than fail."""
    try:
        return members_of(survey_ids)
    except Unavailable:
        logger.warning("pending participations unreadable; counting the database's alone")
        return {}


def already_written(
    found: dict[int, set[int]], *, survey_field: str = "survey_id", user_field: str = "user_id"
) -> Q | None:
    """A filter for the participation rows of pending people that are also written (a batch
    committed whose removal from Redis has not happened yet): counted once, not twice."""
    condition = None
    for survey_id, user_ids in found.items():
        part = Q(**{survey_field: survey_id, f"{user_field}__in": sorted(user_ids)})
        condition = part if condition is None else condition | part
    return condition
