"""Finding accepted jobs whose queue message Redis lost, and sending them again.

kombu's Redis transport pops a message (BRPOP) and only then records it as unacknowledged: if Redis
stops in between, the message is gone from both, and its job would stay `queued` for ever (seen in
`tests/workers/test_reliability.py`'s restart test). Every job not yet ended is kept in
`ocr:jobs:open` (request id → creation time) by the job store; a sweep looks for those older than a
grace whose message is in no queue and not held by any worker, and a job missing in two sweeps in a
row is sent again (two, because a message is in neither place for the instant between the pop and
its record). One worker sweeps at a time (a lock in Redis).
"""
from __future__ import annotations

import json
import logging
import threading
import time
from typing import Callable

import redis

from workers import keys

log = logging.getLogger(__name__)

OPEN = keys.JOBS_OPEN
SUSPECTS = keys.JOBS_MISSING
LOCK = keys.SWEEP_LOCK
UNACKED = "unacked"                 # kombu's hash of messages held by workers: tag -> [message, exchange, key]


def queued_task_ids(client: redis.Redis, queues: tuple[str, ...]) -> set[str]:
    """The task ids of every message waiting in `queues` or held by a worker."""
    messages = [_parsed(raw) for queue in queues for raw in client.lrange(queue, 0, -1)]
    messages += [held[0] for held in map(_parsed, client.hvals(UNACKED)) if isinstance(held, list) and held]
    return {str(m["headers"].get("id")) for m in messages
            if isinstance(m, dict) and isinstance(m.get("headers"), dict)}


def _parsed(raw: bytes):
    try:
        return json.loads(raw)
    except ValueError:
        return None


def sweep(client: redis.Redis, queues: tuple[str, ...], grace: float,
          resend: Callable[[str, str], None]) -> list[str]:
    """One sweep: the ids sent again (`resend(request_id, queue)`), those missing in this sweep and the last."""
    now = time.time()
    candidates = [i.decode() for i in client.zrangebyscore(OPEN, "-inf", now - grace)]
    previous = {k.decode(): float(v) for k, v in client.hgetall(SUSPECTS).items()}
    if not candidates:
        if previous:
            client.delete(SUSPECTS)
        return []
    present = queued_task_ids(client, queues)
    missing: dict[str, str] = {}
    for request_id in candidates:
        if request_id in present:
            continue
        status, queue = client.hmget(keys.job(request_id), "status", "queue")
        if status is None or status.decode() in ("succeeded", "failed"):
            client.zrem(OPEN, request_id)    # past its retention, or ended: nothing to look after
            continue
        missing[request_id] = queue.decode() if queue else queues[0]
    resent = [rid for rid in missing if rid in previous]
    for request_id in resent:
        log.warning("job %s: its queue message was lost; sending it again", request_id)
        resend(request_id, missing[request_id])
    pipe = client.pipeline()
    pipe.delete(SUSPECTS)
    still = {rid: previous.get(rid, now) for rid in missing if rid not in resent}
    if still:
        pipe.hset(SUSPECTS, mapping=still)
    pipe.execute()
    return resent


def sweep_forever(client: redis.Redis, queues: tuple[str, ...], interval: float,
                  resend: Callable[[str, str], None], stop: threading.Event) -> None:
    """Sweep every `interval` seconds, whichever worker holds the lock; a worker thread's loop."""
    while not stop.wait(interval):
        try:
            # The lock lapses before the next sweep is due: a worker that died holding it blocks none.
            if client.set(LOCK, "1", nx=True, px=int(interval * 900)):
                sweep(client, queues, grace=2 * interval, resend=resend)
        except redis.RedisError as exc:
            log.debug("lost-job sweep skipped: %s", exc)
        except Exception:  # noqa: BLE001 - the thread must outlive one bad sweep
            log.exception("lost-job sweep failed")
