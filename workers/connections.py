"""One Redis connection pool per process and URL, shared by the job store, buckets and metrics.

A `sentinel://` URL (kombu's form, which the broker reads too) names Sentinels, which say which Redis
is the master now: `sentinel://[:password@]host1:26379/0;sentinel://[:password@]host2:26379/0`, the
master's password and database on every address, its name in `OCR_SENTINEL_MASTER`.
"""
from __future__ import annotations

import os
from functools import lru_cache
from urllib.parse import unquote, urlsplit

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from redis.sentinel import Sentinel

SENTINEL_PORT = 26379
_OPTIONS = {"health_check_interval": 30, "socket_keepalive": True}


def sentinel_options() -> dict:
    """How to talk to the Sentinels themselves (also the broker's `sentinel_kwargs`): a Sentinel that is down
    is passed over at once for the next, not retried with backoff (redis-py's default, seconds per lookup)
    nor waited on until the system's connect time-out when its host is gone."""
    return {"socket_connect_timeout": 2.0, "socket_timeout": 2.0, "socket_keepalive": True,
            "retry": Retry(NoBackoff(), 0)}


def is_sentinel_url(url: str) -> bool:
    return url.lower().startswith("sentinel://")


def parse_sentinel_url(url: str) -> tuple[list[tuple[str, int]], dict]:
    """The Sentinels' addresses, and the master's `db`, `username` and `password`, as kombu reads them."""
    parts = [urlsplit(part.strip()) for part in url.split(";") if part.strip()]
    if not parts or any(p.scheme.lower() != "sentinel" or not p.hostname for p in parts):
        raise ValueError(f"not a Sentinel URL (sentinel://host:port/db;sentinel://host:port/db): {url!r}")
    masters = [_master_of(p) for p in parts]
    # When a Sentinel fails kombu moves to the next address and takes its database and password (one left
    # out is dropped): addresses that disagree would move the queues, or lose the password, after a failure.
    if any(m != masters[0] for m in masters):
        raise ValueError(f"every address of a Sentinel URL needs the same database and password: {url!r}")
    return [(p.hostname, p.port or SENTINEL_PORT) for p in parts], masters[0]


def _master_of(part) -> dict:
    master: dict = {"db": int(part.path.strip("/") or 0)}
    if part.username:
        master["username"] = unquote(part.username)
    if part.password:
        master["password"] = unquote(part.password)
    return master


@lru_cache(maxsize=8)
def _client(url: str, sentinel_master: str, pid: int) -> redis.Redis:
    # Keyed by pid too: a pool inherited across fork would share sockets with the parent.
    if is_sentinel_url(url):
        sentinels, master = parse_sentinel_url(url)
        # Asked again on each new connection: after a failover, reconnecting finds the new master.
        return Sentinel(sentinels, sentinel_kwargs=sentinel_options(), **_OPTIONS, **master).master_for(
            sentinel_master, redis_class=redis.Redis)
    return redis.Redis.from_url(url, **_OPTIONS)


def get_redis(url: str, sentinel_master: str = "mymaster") -> redis.Redis:
    """The process's client for `url`; for a `sentinel://` URL, of the master Sentinel calls `sentinel_master`."""
    return _client(url, sentinel_master, os.getpid())
