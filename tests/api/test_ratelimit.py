"""The token bucket: refill on Redis's clock, burst, isolation between apps and services."""
import time

import fakeredis
import pytest
import redis

from api.ratelimit import TokenBucket


@pytest.fixture()
def fake():
    return fakeredis.FakeRedis()


def test_burst_then_refused_with_retry_after(fake):
    bucket = TokenBucket(fake, rate=5, burst=5)
    decisions = [bucket.take("app", "ocr_general") for _ in range(8)]
    assert [d.allowed for d in decisions] == [True] * 5 + [False] * 3
    assert decisions[4].remaining == 0
    assert 0 < decisions[5].retry_after <= 0.2 + 1e-6
    assert decisions[0].limit == 5


def test_apps_and_services_have_separate_buckets(fake):
    bucket = TokenBucket(fake, rate=1, burst=2)
    assert [bucket.take("a", "s").allowed for _ in range(3)] == [True, True, False]
    assert bucket.take("b", "s").allowed
    assert bucket.take("a", "other").allowed


def test_tokens_come_back_at_the_rate(redis_server):
    # Real Redis: its TIME is what refills the bucket.
    client = redis.Redis.from_url(redis_server.url)
    bucket = TokenBucket(client, rate=20, burst=2)
    app = f"refill-{time.time()}"
    assert [bucket.take(app, "s").allowed for _ in range(3)] == [True, True, False]
    time.sleep(0.06)  # 1.2 tokens at 20/s
    assert bucket.take(app, "s").allowed
    assert not bucket.take(app, "s").allowed
    time.sleep(0.2)   # refills to the burst, never above it
    assert [bucket.take(app, "s").allowed for _ in range(3)] == [True, True, False]


def test_bucket_key_expires_when_idle(redis_server):
    client = redis.Redis.from_url(redis_server.url)
    TokenBucket(client, rate=5, burst=5).take("expiring", "s")
    assert 0 < client.pttl("ocr:bucket:expiring:s") <= 2000
