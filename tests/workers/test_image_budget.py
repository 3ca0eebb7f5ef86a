"""The image budget's accounting: reserve all of a request or nothing, release once, drop what expired unread."""
from __future__ import annotations

import fakeredis
import pytest

from workers.image_budget import EXPIRY, SIZES, ImageBudget
from workers.jobs import JobStore


@pytest.fixture()
def client():
    return fakeredis.FakeRedis()


def test_reserves_until_the_budget_then_refuses(client):
    budget = ImageBudget(client, budget=1000, ttl=60)
    assert budget.reserve({"a": 400})
    assert budget.reserve({"b": 600})
    assert budget.used() == 1000
    assert not budget.reserve({"c": 1})
    assert budget.used() == 1000 and not client.hexists(SIZES, "c")


def test_a_request_is_reserved_whole_or_not_at_all(client):
    budget = ImageBudget(client, budget=1000, ttl=60)
    assert budget.reserve({"a": 500})
    assert not budget.reserve({"b": 300, "c": 300})
    assert budget.used() == 500 and not client.hexists(SIZES, "b")
    assert budget.reserve({"b": 250, "c": 250})
    assert budget.used() == 1000


def test_release_frees_the_room_once(client):
    budget = ImageBudget(client, budget=1000, ttl=60)
    budget.reserve({"a": 700, "b": 300})
    budget.release("a")
    budget.release("a")  # a second delivery of a job that already ended
    assert budget.used() == 300
    assert budget.reserve({"c": 700})
    budget.release("b", "c", "never-reserved")
    assert budget.used() == 0 and client.zcard(EXPIRY) == 0 and client.hlen(SIZES) == 0


def test_no_budget_counts_but_never_refuses(client):
    budget = ImageBudget(client, budget=0, ttl=60)
    assert budget.reserve({"a": 10**12})
    assert budget.used() == 10**12


def test_pictures_that_expired_unread_give_their_room_back(client):
    budget = ImageBudget(client, budget=1000, ttl=60)
    budget.reserve({"lost": 900})
    # Its job never ran: the picture expired with no end to release it. Pretend its time has come.
    client.zadd(EXPIRY, {"lost": 0})
    assert budget.reserve({"next": 800})
    assert budget.used() == 800 and not client.hexists(SIZES, "lost")


def test_a_job_that_ends_releases_its_picture(client):
    store = JobStore(client, result_ttl=60)
    budget = ImageBudget(client, budget=1000, ttl=60)
    for request_id in ("ok", "bad"):
        assert budget.reserve({request_id: 500})
        store.create(request_id, service="ocr_general", app="a", image=b"x" * 500, configure={}, queue="bulk")
    assert not budget.reserve({"third": 1})
    store.start("ok", "w")
    store.succeed("ok", {"content": ""})
    assert budget.used() == 500
    from ocr_core.errors import AlgorithmException
    store.fail("bad", AlgorithmException())
    assert budget.used() == 0
