"""Workers announce themselves in Redis every few seconds, so the API can tell whether any is alive."""
from __future__ import annotations

import threading
import time

import redis

from workers import keys

WORKERS_KEY = keys.WORKERS
BEAT_SECONDS = 5.0
ALIVE_SECONDS = 3 * BEAT_SECONDS


def beat_forever(client: redis.Redis, name: str, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            client.zadd(WORKERS_KEY, {name: time.time()})
        except redis.RedisError:
            pass  # Redis is restarting; the next beat will tell
        stop.wait(BEAT_SECONDS)
    client.zrem(WORKERS_KEY, name)


def workers_alive(client: redis.Redis) -> int:
    now = time.time()
    client.zremrangebyscore(WORKERS_KEY, 0, now - 10 * ALIVE_SECONDS)
    return client.zcount(WORKERS_KEY, now - ALIVE_SECONDS, "+inf")
