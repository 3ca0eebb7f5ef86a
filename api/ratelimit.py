"""A token bucket per app and service, kept in Redis and updated atomically on Redis's own clock.

One Lua script refills and takes in a single step, so API processes on several hosts
share one bucket and no clock skew between them matters.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import redis

from workers import keys

_TAKE = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens, ts = tonumber(state[1]), tonumber(state[2])
if tokens == nil then tokens, ts = burst, now end
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local allowed, wait = 0, 0
if tokens >= 1 then
  tokens, allowed = tokens - 1, 1
else
  wait = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return {allowed, tostring(tokens), tostring(wait)}
"""


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int          # the bucket's size
    remaining: int      # whole tokens left
    retry_after: float  # seconds until one token is back (0 when allowed)
    reset: float        # seconds until the bucket is full again


class TokenBucket:
    def __init__(self, client: redis.Redis, rate: float, burst: int):
        self.rate, self.burst = rate, burst
        self._take = client.register_script(_TAKE)

    def take(self, app_id: str, service: str) -> Decision:
        allowed, tokens, wait = self._take(keys=[keys.bucket(app_id, service)], args=[self.rate, self.burst])
        tokens = float(tokens)
        return Decision(bool(allowed), self.burst, math.floor(tokens), float(wait), (self.burst - tokens) / self.rate)


def rate_limit_headers(limit: int, remaining: int, reset: float) -> dict[str, str]:
    """The RateLimit-* headers of an answer (draft-ietf-httpapi-ratelimit-headers)."""
    return {"RateLimit-Limit": str(limit), "RateLimit-Remaining": str(remaining),
            "RateLimit-Reset": str(max(0, math.ceil(reset)))}
