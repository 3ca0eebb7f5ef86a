"""Callbacks waiting to be delivered: a Redis sorted set of request ids scored by when each is due.

Keys: `ocr:callbacks:due` (request id -> due time, on Redis's clock, so hosts' clocks need not agree); the
job's hash `ocr:job:{id}` holds `callback_url`, `callback_status` (pending, delivered, failed),
`callback_attempts` and `callback_error` (the last failure's reason, never a body).
A delivery is claimed by pushing its due time a lease ahead, not by removing it: a worker that dies
while delivering leaves the entry to come due again, so a restart loses no callback.
"""
from __future__ import annotations

from dataclasses import dataclass

import redis

from workers import keys

DUE = keys.CALLBACKS_DUE
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"

# KEYS: job hash, due set. ARGV: request id. Only a job that asked for a callback is scheduled.
_SCHEDULE = """
if redis.call('HEXISTS', KEYS[1], 'callback_url') == 1 then
  local t = redis.call('TIME')
  redis.call('HSET', KEYS[1], 'callback_status', 'pending')
  redis.call('ZADD', KEYS[2], 'NX', t[1] + t[2] / 1e6, ARGV[1])
end
return 0
"""

# KEYS: due set. ARGV: lease seconds, job key prefix. The first due id, claimed, and its attempt number;
# or "" and the seconds until the next one is due (-1: none waiting).
_CLAIM = """
local t = redis.call('TIME')
local now = t[1] + t[2] / 1e6
for _ = 1, 20 do
  local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 1)
  if #due == 0 then
    local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    if #first == 0 then return {'', '-1'} end
    return {'', tostring(tonumber(first[2]) - now)}
  end
  local id = due[1]
  local job = ARGV[2] .. id
  if redis.call('EXISTS', job) == 1 then
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), id)
    return {id, tostring(redis.call('HINCRBY', job, 'callback_attempts', 1))}
  end
  redis.call('ZREM', KEYS[1], id)  -- the job passed its retention: nothing left to send
end
return {'', '0'}
"""

# KEYS: job hash, due set. ARGV: request id, status, error ('' for none), seconds until retried (-1: settled).
# The hash is written only while it exists: written after it expired, it would stay forever.
_SETTLE = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], 'callback_status', ARGV[2])
  if ARGV[3] == '' then redis.call('HDEL', KEYS[1], 'callback_error')
  else redis.call('HSET', KEYS[1], 'callback_error', ARGV[3]) end
end
local delay = tonumber(ARGV[4])
if delay < 0 then
  redis.call('ZREM', KEYS[2], ARGV[1])
else
  local t = redis.call('TIME')
  redis.call('ZADD', KEYS[2], t[1] + t[2] / 1e6 + delay, ARGV[1])
end
return 0
"""


def _job_key(request_id: str) -> str:
    return keys.job(request_id)


def schedule_in(pipe: redis.client.Pipeline, request_id: str) -> None:
    """Queue the job's callback now, if it asked for one; part of the pipeline that ends the job."""
    pipe.eval(_SCHEDULE, 2, _job_key(request_id), DUE, request_id)


@dataclass(frozen=True)
class Claim:
    request_id: str
    attempt: int    # 1 for the first delivery


def claim(client: redis.Redis, lease: float) -> Claim | float:
    """The first due callback, held for `lease` seconds; or, when none is due, seconds until one is (-1: none)."""
    request_id, value = client.eval(_CLAIM, 1, DUE, lease, keys.JOB_PREFIX)
    if not request_id:
        return float(value)
    return Claim(request_id.decode(), int(value))


def settle(client: redis.Redis, request_id: str, status: str, error: str = "", retry_in: float = -1.0) -> None:
    """Record a delivery's outcome: delivered or failed for good, or pending and due again in `retry_in` seconds."""
    client.eval(_SETTLE, 2, _job_key(request_id), DUE, request_id, status, error, retry_in)


def callback_state(client: redis.Redis, request_id: str) -> dict | None:
    """`{"status", "attempts", "error"}` of a job's callback (error only after a failure); None without one."""
    url, status, attempts, error = client.hmget(_job_key(request_id), "callback_url", "callback_status",
                                                "callback_attempts", "callback_error")
    if url is None:
        return None
    state = {"status": (status or PENDING.encode()).decode(), "attempts": int(attempts or 0)}
    if error:
        state["error"] = error.decode()
    return state
