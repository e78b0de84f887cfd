"""The cache backend: Redis through django-redis, failing soft when Redis cannot be reached."""

from django_redis.cache import RedisCache as DjangoRedisCache
from django_redis.exceptions import ConnectionInterrupted


class RedisCache(DjangoRedisCache):
    """django-redis with IGNORE_EXCEPTIONS, and one answer changed: `add` during an outage.

    With Redis unreachable every read is a miss and every write is dropped, as if the value
    had been evicted at once. django-redis answers `add` with None (false) then, which says
    the key is already there, contradicting `get`; allauth's rate limiter takes that for a
    lock held by another request, waits a second and refuses the sign-in. Answering True
    (stored, then evicted) keeps the outage consistent: rate limits go uncounted, sign-in
    works, and the log says why.
    """

    def add(self, *args, **kwargs):
        try:
            return self.client.add(*args, **kwargs)
        except ConnectionInterrupted as error:
            if not self._ignore_exceptions:
                raise error.__cause__ from None
            if self.logger is not None:
                self.logger.exception("Exception ignored")
            return True
