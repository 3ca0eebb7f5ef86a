"""One Redis connection pool per process and URL, shared by the job store, buckets and metrics."""
from __future__ import annotations

import os
from functools import lru_cache

import redis


@lru_cache(maxsize=8)
def _client(url: str, pid: int) -> redis.Redis:
    # Keyed by pid too: a pool inherited across fork would share sockets with the parent.
    return redis.Redis.from_url(url, health_check_interval=30, socket_keepalive=True)


def get_redis(url: str) -> redis.Redis:
    return _client(url, os.getpid())
