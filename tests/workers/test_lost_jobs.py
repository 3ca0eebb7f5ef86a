"""Jobs whose queue message Redis lost are found and sent again: only those, and only when missing twice."""
from __future__ import annotations

import json
import time

import fakeredis
import pytest
import redis

from tests.servers import wait_for
from workers.jobs import JobStore, new_request_id
from workers.lost_jobs import OPEN, sweep

QUEUES = ("interactive", "bulk")


@pytest.fixture()
def client():
    return fakeredis.FakeRedis()


def _job(client, request_id: str, age: float, queue: str = "bulk") -> None:
    JobStore(client, result_ttl=100).create(request_id, service="ocr_general", app="a", image=b"x", configure={},
                                            queue=queue)
    client.zadd(OPEN, {request_id: time.time() - age})


def _message(task_id: str) -> bytes:
    return json.dumps({"body": "", "headers": {"id": task_id, "task": "ocrq.run_job"}, "properties": {}}).encode()


def test_a_job_missing_from_queues_and_workers_in_two_sweeps_is_sent_again(client):
    _job(client, "waiting", age=60)
    _job(client, "held", age=60)
    _job(client, "lost", age=60, queue="interactive")
    _job(client, "young", age=1)
    client.lpush("bulk", _message("waiting"))
    client.hset("unacked", "tag1", json.dumps([json.loads(_message("held")), "bulk", "bulk"]))
    sent = []
    resend = lambda request_id, queue: sent.append((request_id, queue))  # noqa: E731
    assert sweep(client, QUEUES, grace=10, resend=resend) == []   # missing once: the instant of a pop, maybe
    assert sweep(client, QUEUES, grace=10, resend=resend) == ["lost"]
    assert sent == [("lost", "interactive")]


def test_a_message_back_in_its_queue_clears_the_suspicion(client):
    _job(client, "slow", age=60)
    sent = []
    sweep(client, QUEUES, grace=10, resend=lambda *a: sent.append(a))
    client.lpush("bulk", _message("slow"))
    sweep(client, QUEUES, grace=10, resend=lambda *a: sent.append(a))
    client.lpop("bulk")
    sweep(client, QUEUES, grace=10, resend=lambda *a: sent.append(a))
    assert sent == []


def test_ended_and_expired_jobs_are_forgotten(client):
    store = JobStore(client, result_ttl=100)
    _job(client, "ended", age=60)
    store.start("ended", worker="w")
    store.succeed("ended", {})
    assert client.zscore(OPEN, "ended") is None          # the job's end takes it off
    client.zadd(OPEN, {"expired": time.time() - 600})     # its hash is gone with its retention
    sweep(client, QUEUES, grace=10, resend=lambda *a: pytest.fail("nothing to send"))
    assert client.zcard(OPEN) == 0


@pytest.mark.slow
def test_a_real_worker_finishes_a_job_whose_message_was_lost(settings, worker, page_png):
    """The job is stored as the API stores it, but its message never reaches a queue."""
    client = redis.Redis.from_url(settings.broker_url)
    store = JobStore(client, settings.result_ttl)
    request_id = new_request_id()
    store.create(request_id, service="ocr_general", app="lost-test", image=page_png,
                 configure={"engine": "tesseract"}, queue="bulk")
    job = wait_for(lambda: (j := store.get(request_id)) and j.finished and j, timeout=90, interval=0.5)
    assert job and job.status == "succeeded" and job.result["ret"]
    assert client.zscore(OPEN, request_id) is None
