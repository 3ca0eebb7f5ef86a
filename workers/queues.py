"""The two queues, interactive work always served before bulk, and how deep each is (kombu keeps a queue as
a Redis list of its name). No Celery app is made here: the API and the workers both read these."""
from __future__ import annotations

import redis

INTERACTIVE, BULK = "interactive", "bulk"
QUEUES = (INTERACTIVE, BULK)


def queue_depth(client: redis.Redis, queue: str) -> int:
    """Jobs waiting in a queue."""
    return client.llen(queue)
