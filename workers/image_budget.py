"""The bytes of waiting pictures Redis holds, bounded by `OCR_IMAGE_BUDGET`: the API reserves, the job's end releases.

Keys: `ocr:images:bytes` the total, `ocr:images:size` a hash (job id → bytes), `ocr:images:expiry` a sorted
set (job id → when its picture expires). A picture that expires unread (its job never ran) has no end to
release it, so each reservation first drops the entries already past their expiry: the total cannot drift.
"""
from __future__ import annotations

import redis
from redis.client import Pipeline

from workers import keys

TOTAL, SIZES, EXPIRY = keys.IMAGES_BYTES, keys.IMAGES_SIZE, keys.IMAGES_EXPIRY
KEYS = (TOTAL, SIZES, EXPIRY)

# ARGV: budget (0: none), ttl, then id, size pairs. All or none of a request's pictures: 1 if reserved, else 0.
# Time comes from Redis, so API hosts with skewed clocks agree on what has expired.
_RESERVE = """
local now = tonumber(redis.call('TIME')[1])
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
for _, id in ipairs(expired) do
  local size = redis.call('HGET', KEYS[2], id)
  if size then
    redis.call('DECRBY', KEYS[1], size)
    redis.call('HDEL', KEYS[2], id)
  end
  redis.call('ZREM', KEYS[3], id)
end
local budget, ttl = tonumber(ARGV[1]), tonumber(ARGV[2])
local wanted = 0
for i = 3, #ARGV, 2 do wanted = wanted + tonumber(ARGV[i + 1]) end
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if budget > 0 and used + wanted > budget then return 0 end
for i = 3, #ARGV, 2 do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  redis.call('ZADD', KEYS[3], now + ttl, ARGV[i])
end
redis.call('INCRBY', KEYS[1], wanted)
return 1
"""

# ARGV: ids. Releasing twice (a job ended by two deliveries) releases once.
_RELEASE = """
for _, id in ipairs(ARGV) do
  local size = redis.call('HGET', KEYS[2], id)
  if size then
    redis.call('DECRBY', KEYS[1], size)
    redis.call('HDEL', KEYS[2], id)
    redis.call('ZREM', KEYS[3], id)
  end
end
return 0
"""


class ImageBudget:
    """Reserve room for a request's pictures before they are stored; release it when each job ends."""

    def __init__(self, client: redis.Redis, budget: int, ttl: int):
        self.redis = client
        self.budget = budget
        self.ttl = ttl

    def reserve(self, sizes: dict[str, int]) -> bool:
        """Room for every picture of `sizes` (job id → bytes), or for none: False when they do not fit."""
        argv = [self.budget, self.ttl]
        for request_id, size in sizes.items():
            argv += [request_id, size]
        return bool(self.redis.eval(_RESERVE, len(KEYS), *KEYS, *argv))

    def release(self, *request_ids: str) -> None:
        release_in(self.redis, *request_ids)

    def used(self) -> int:
        """Bytes reserved now (including pictures past their expiry until the next reservation drops them)."""
        return int(self.redis.get(TOTAL) or 0)


def release_in(client: redis.Redis | Pipeline, *request_ids: str) -> None:
    """Give back the room of these jobs' pictures; on a pipeline, in the same transaction that deletes them."""
    if request_ids:
        client.eval(_RELEASE, len(KEYS), *KEYS, *request_ids)
