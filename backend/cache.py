"""A Redis cache that degrades instead of failing when Redis is away.

The cache only holds rate-limit counters and coalescing marks: losing them for
a minute is harmless, while raising would turn every request into a 500 when
Redis stops. Reads answer "absent", writes are dropped, and a warning is logged.
"""

from __future__ import annotations

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class ResilientRedisCache(RedisCache):
    def _quietly(self, name: str, default, *args, **kwargs):
        try:
            return getattr(super(), name)(*args, **kwargs)
        except UNAVAILABLE as exc:
            logger.warning("cache: Redis unavailable for %s (%s)", name, exc)
            return default

    def get(self, key, default=None, version=None):
        return self._quietly("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._quietly("get_many", {}, keys, version)

    def set(self, key, value, timeout=None, version=None):
        return self._quietly("set", None, key, value, timeout, version)

    def add(self, key, value, timeout=None, version=None):
        # "Not added": callers that coalesce work then skip, and the periodic scan catches up.
        return self._quietly("add", False, key, value, timeout, version)

    def delete(self, key, version=None):
        return self._quietly("delete", False, key, version)

    def incr(self, key, delta=1, version=None):
        return self._quietly("incr", delta, key, delta, version)

    def touch(self, key, timeout=None, version=None):
        return self._quietly("touch", False, key, timeout, version)
