"""The job store: states, retention, images deleted when the job ends, idempotency, waiting."""
import re
import threading

import fakeredis
import pytest

from ocr_core.errors import WrongCategory
from workers.jobs import JobStore, new_request_id


@pytest.fixture()
def store():
    return JobStore(fakeredis.FakeRedis(), result_ttl=100)


def make(store, request_id="r1"):
    return store.create(request_id, service="ocr_general", app="a1", image=b"img", configure={"min_size": 3},
                        queue="interactive")


def test_request_id_has_the_reference_form():
    assert re.fullmatch(r"\d{14}_[0-9a-f]{32}", new_request_id())


def test_queued_running_succeeded(store):
    make(store)
    assert store.get("r1").status == "queued"
    job, image = store.start("r1", worker="w:1")
    assert (job.status, job.attempts, image) == ("running", 1, b"img")
    store.succeed("r1", {"ret": []})
    job = store.get("r1")
    assert job.status == "succeeded" and job.result == {"ret": []} and job.finished_at >= job.created_at
    assert job.to_api()["finished_at"].endswith("+00:00")


def test_image_deleted_as_soon_as_the_job_ends(store):
    make(store)
    store.start("r1", worker="w:1")
    store.fail("r1", WrongCategory())
    assert store.redis.get("ocr:job:r1:image") is None
    assert store.get("r1").error == {"code": 463, "message": "Invalid Input - wrong category"}


def test_result_kept_for_the_retention(store):
    make(store)
    store.start("r1", worker="w:1")
    store.succeed("r1", {})
    assert 0 < store.redis.ttl("ocr:job:r1") <= 100


def test_a_finished_job_is_not_started_again(store):
    make(store)
    store.start("r1", worker="w:1")
    store.succeed("r1", {})
    assert store.start("r1", worker="w:2") is None


def test_attempts_count_each_delivery(store):
    make(store)
    store.start("r1", worker="w:1")
    job, _ = store.start("r1", worker="w:2")
    assert job.attempts == 2


def test_idempotency_key_returns_the_first_job(store):
    assert store.claim_idempotency_key("a1", "k", "r1") is None
    assert store.claim_idempotency_key("a1", "k", "r2") == "r1"
    assert store.claim_idempotency_key("a2", "k", "r3") is None  # keys are per app


def test_wait_returns_when_the_job_ends(store, monkeypatch):
    make(store)
    store.start("r1", worker="w:1")
    pops = []
    blpop = store.redis.blpop

    def job_ends_while_waiting(keys, timeout):
        if not pops:   # the waiter is blocked: the worker ends the job
            threading.Thread(target=store.succeed, args=("r1", {"ok": 1})).start()
        pops.append(blpop(keys, timeout=timeout))
        return pops[-1]

    monkeypatch.setattr(store.redis, "blpop", job_ends_while_waiting)
    job = store.wait("r1", timeout=30)
    assert job.status == "succeeded" and job.result == {"ok": 1}
    # Woken by the job's end, not by one of its own short time-outs.
    assert pops and pops[-1] is not None


def test_wait_gives_up_after_the_timeout(store):
    make(store)
    job = store.wait("r1", timeout=0.3)
    assert job.status == "queued"
