"""A Redis cache that degrades instead of failing: while Redis cannot be reached, each
process serves the cache from its own memory, so pages, the API and its throttles keep
working (throttling then counts per process, a safe fallback for a short outage).

After a failure Redis is left alone for ``RETRY_SECONDS`` so that each request does not
wait for a connection timeout; then it is tried again.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

RETRY_SECONDS = 10.0


def _degrading(name: str):
    def method(self, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() >= self._down_until:
            try:
                return getattr(super(FallbackRedisCache, self), name)(*args, **kwargs)
            except (RedisError, OSError) as exc:
                log.warning("Redis cache unreachable, using local memory: %s", exc)
                self._down_until = time.monotonic() + RETRY_SECONDS
        return getattr(self._local, name)(*args, **kwargs)

    method.__name__ = name
    return method


class FallbackRedisCache(RedisCache):
    """Django's Redis cache, falling back to local memory while Redis is down."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        params = {**params}
        options = {"socket_connect_timeout": 1, "socket_timeout": 2, **params.get("OPTIONS", {})}
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._local = LocMemCache("creditcontrol-fallback", {"TIMEOUT": params.get("TIMEOUT", 300)})
        self._down_until = 0.0


for _name in ("add", "get", "set", "touch", "delete", "get_many", "has_key", "incr",
              "set_many", "delete_many", "clear"):  # fmt: skip
    setattr(FallbackRedisCache, _name, _degrading(_name))
