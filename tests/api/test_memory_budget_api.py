"""Waiting pictures are bounded by bytes: past `image_budget` the API answers 450, and ended jobs give the room back.

A Redis of its own, so that pictures other tests leave waiting do not count against this small budget.
"""
from __future__ import annotations

import json

import pytest
import redis

from api.app import create_app
from api.apps import AppStore
from api.errors import QueueFull
from bench.synth import text_page
from tests.servers import b64, make_settings, start_redis, start_worker, wait_for
from workers.image_budget import ImageBudget
from workers.queues import BULK, queue_depth

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pages() -> list[bytes]:
    return [text_page(seed, n_lines=1).encode("png") for seed in (21, 22, 23)]


@pytest.fixture(scope="module")
def own_redis(tmp_path_factory):
    server = start_redis(tmp_path_factory.mktemp("budget-redis"), appendonly=False)
    yield server
    server.stop()


def post_job(client, code: str, body: dict, **headers):
    return client.post("/v1/jobs/ocr_general?queue=bulk", data=json.dumps(body),
                       headers={"Authorization": f"APPCODE {code}", **headers})


def test_past_the_budget_450_then_every_accepted_job_ends_and_frees_its_room(own_redis, pages, tmp_path):
    # Room for two of the three pages, far below the queue's bound of 2000 jobs.
    budget_bytes = len(pages[0]) + len(pages[1]) + min(map(len, pages)) // 2
    settings = make_settings(own_redis.url, image_budget=budget_bytes)
    client = create_app(settings).test_client()
    store = redis.Redis.from_url(own_redis.url)
    _, code = AppStore(store).create("budget")
    budget = ImageBudget(store, settings.image_budget, settings.result_ttl)

    accepted = []
    for page in pages[:2]:
        r = post_job(client, code, {"image": b64(page)})
        assert r.status_code == 202, r.json
        accepted.append(r.json["request_id"])
    assert budget.used() == len(pages[0]) + len(pages[1])

    # As `ocrq ingest` sends it: with an Idempotency-Key, which it repeats when it tries again after 450.
    refused = post_job(client, code, {"image": b64(pages[2])}, **{"Idempotency-Key": "page-3"})
    assert refused.status_code == 450
    assert refused.json == {"success": False, "request_id": refused.headers["X-Ca-Request-Id"],
                            "error_code": 450, "error_msg": QueueFull.message}
    # Two pictures in one old-format body: refused whole, nothing of it reserved.
    both = post_job(client, code, {"inputs": [{"image": {"dataType": 50, "dataValue": b64(p)}} for p in pages[1:]]})
    assert both.status_code == 450
    assert queue_depth(store, BULK) == 2 < settings.bulk_queue_bound
    assert budget.used() == len(pages[0]) + len(pages[1])
    assert AppStore(store).authenticate(f"APPCODE {code}").used == 2  # refused calls are not charged

    worker = start_worker(settings, tmp_path, "budget-worker")
    try:
        def ended():
            jobs = [client.get(f"/v1/jobs/{i}", headers={"Authorization": f"APPCODE {code}"}).json for i in accepted]
            return jobs if all(job["status"] == "succeeded" for job in jobs) else None
        jobs = wait_for(ended, 120, interval=0.2)
        assert jobs, "accepted jobs did not all finish"
        assert all(job["result"]["ret"] for job in jobs)
        assert budget.used() == 0
        assert not store.exists(*[f"ocr:job:{i}:image" for i in accepted])
        # The room is back: the page refused before is accepted now, and read (a new job, not the refused id).
        again = post_job(client, code, {"image": b64(pages[2])}, **{"Idempotency-Key": "page-3"})
        assert again.status_code == 202, again.json
        request_id = again.json["request_id"]
        assert request_id != refused.json["request_id"]
        job = wait_for(lambda: (j := client.get(f"/v1/jobs/{request_id}", headers={"Authorization": f"APPCODE {code}"}).json)
                       ["status"] == "succeeded" and j, 120, interval=0.2)
        assert job and job["result"]["ret"]
        assert budget.used() == 0
    finally:
        worker.stop()
