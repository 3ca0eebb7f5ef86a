"""Callbacks with a real Redis, a real worker process and a real HTTP receiver: signed, retried, guarded."""
from __future__ import annotations

import hashlib
import hmac
import json

import cv2
import numpy as np
import pytest
import redis

from api.app import create_app
from api.apps import AppStore
from tests.servers import HttpReceiver, b64, make_settings, start_redis, start_worker, wait_for
from workers import callback_queue

ATTEMPTS = 3


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """Redis and one worker whose callbacks may reach 127.0.0.1 only, with a short backoff."""
    tmp = tmp_path_factory.mktemp("callbacks")
    server = start_redis(tmp / "redis", appendonly=False)
    settings = make_settings(server.url, callback_allow="127.0.0.1/32", callback_backoff=0.2,
                             callback_timeout=2.0, callback_attempts=ATTEMPTS)
    worker = start_worker(settings, tmp, "callbacks")
    yield settings, redis.Redis.from_url(server.url)
    worker.stop()
    server.stop()


@pytest.fixture()
def caller(setup):
    """A Flask client, the headers of a fresh app, and that app's secret."""
    settings, client = setup
    apps = AppStore(client)
    app, code = apps.create("callbacks")
    return create_app(settings).test_client(), {"Authorization": f"APPCODE {code}"}, apps.key_and_secret(app.app_id)[1]


@pytest.fixture()
def receiver():
    r = HttpReceiver()
    yield r
    r.stop()


def blank_png() -> bytes:
    return cv2.imencode(".png", np.full((60, 200, 3), 255, np.uint8))[1].tobytes()


def submit(http, headers, callback_url: str, image: bytes | None = None) -> str:
    r = http.post("/v1/jobs/ocr_general", json={"image": b64(image or blank_png()), "callback_url": callback_url},
                  headers=headers)
    assert r.status_code == 202, r.json
    return r.json["request_id"]


def settled(http, headers, request_id: str) -> dict:
    """The job once its callback is delivered or given up."""
    job = wait_for(lambda: (j := http.get(f"/v1/jobs/{request_id}", headers=headers).json)["callback"]["status"]
                   != "pending" and j, timeout=60, interval=0.1)
    assert job, "the callback never settled"
    return job


def test_callback_arrives_signed_with_the_jobs_answer(caller, receiver, page_png):
    http, headers, secret = caller
    request_id = submit(http, headers, receiver.url + "/hook?token=abc", page_png)
    job = settled(http, headers, request_id)
    assert job["status"] == "succeeded" and job["callback"] == {"status": "delivered", "attempts": 1}
    [hit] = receiver.requests
    assert hit["path"] == "/hook?token=abc"
    assert hit["headers"]["X-Request-Id"] == request_id
    assert hit["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert hit["headers"]["X-Signature"] == hmac.new(secret.encode(), hit["body"], hashlib.sha256).hexdigest()
    # The body is the job as GET answers it (without GET's own account of the callback).
    delivered = json.loads(hit["body"])
    assert delivered == {k: v for k, v in job.items() if k != "callback"}
    assert delivered["result"]["request_id"] == request_id and delivered["result"]["ret"]


def test_a_failing_receiver_is_tried_again_until_it_answers(caller, receiver):
    http, headers, secret = caller
    receiver.script = [500, "drop"]  # an error answer, then a connection closed without one
    request_id = submit(http, headers, receiver.url + "/hook")
    job = settled(http, headers, request_id)
    assert job["callback"] == {"status": "delivered", "attempts": 3}
    assert len(receiver.requests) == 3
    assert [h["headers"]["X-Callback-Attempt"] for h in receiver.requests] == ["1", "2", "3"]
    # Every attempt sends the same signed bytes.
    assert len({(h["body"], h["headers"]["X-Signature"]) for h in receiver.requests}) == 1
    assert receiver.requests[0]["headers"]["X-Signature"] == hmac.new(
        secret.encode(), receiver.requests[0]["body"], hashlib.sha256).hexdigest()


def test_a_receiver_that_never_answers_2xx_is_given_up_after_the_attempts(caller, receiver):
    http, headers, _ = caller
    receiver.default = 503
    request_id = submit(http, headers, receiver.url + "/hook")
    job = settled(http, headers, request_id)
    assert job["callback"] == {"status": "failed", "attempts": ATTEMPTS, "error": "answered 503"}
    assert len(receiver.requests) == ATTEMPTS


@pytest.mark.parametrize("host", ["127.0.0.2", "10.255.255.1", "[::1]", "169.254.169.254"])
def test_a_private_or_loopback_target_outside_the_allow_list_is_never_contacted(caller, host):
    http, headers, _ = caller
    # Listening on every address: were the guard to let 127.0.0.2 or ::1 through, the request would land here.
    everywhere = HttpReceiver(host="0.0.0.0")
    try:
        request_id = submit(http, headers, f"http://{host}:{everywhere.port}/hook")
        job = settled(http, headers, request_id)
        assert job["status"] == "succeeded"
        assert job["callback"]["status"] == "failed" and job["callback"]["attempts"] == 1
        assert job["callback"]["error"].startswith("refused")
        assert everywhere.requests == []
    finally:
        everywhere.stop()


@pytest.fixture()
def queue_db(setup):
    """The same Redis, another database: no worker's delivery threads drain this one."""
    settings, _ = setup
    client = redis.Redis.from_url(settings.broker_url.rsplit("/", 1)[0] + "/7")
    assert client.connection_pool.connection_kwargs["db"] == 7
    client.flushdb()
    return client


def ended_job(client: redis.Redis, request_id: str, callback: bool = True) -> str:
    key = f"ocr:job:{request_id}"
    client.hset(key, mapping={"app": "x", **({"callback_url": "http://127.0.0.1:9/"} if callback else {})})
    client.expire(key, 60)
    pipe = client.pipeline()
    callback_queue.schedule_in(pipe, request_id)
    pipe.execute()
    return key


def test_a_claim_whose_deliverer_died_comes_due_again(queue_db):
    key = ended_job(queue_db, "job-a")
    assert queue_db.hget(key, "callback_status") == b"pending"
    assert callback_queue.claim(queue_db, lease=0.3) == callback_queue.Claim("job-a", 1)
    waiting = callback_queue.claim(queue_db, lease=0.3)
    assert not isinstance(waiting, callback_queue.Claim) and 0 < waiting <= 0.3  # held by the first claim
    # Nobody settles it (the deliverer died): once the lease has passed it is claimed again, and counted.
    again = wait_for(lambda: c if isinstance(c := callback_queue.claim(queue_db, lease=0.3), callback_queue.Claim)
                     else None, timeout=10, interval=0.05)
    assert again == callback_queue.Claim("job-a", 2)
    callback_queue.settle(queue_db, "job-a", callback_queue.DELIVERED)
    assert queue_db.zscore(callback_queue.DUE, "job-a") is None
    assert callback_queue.callback_state(queue_db, "job-a") == {"status": "delivered", "attempts": 2}
    assert callback_queue.claim(queue_db, lease=0.3) == -1


def test_a_retry_is_due_after_its_delay_and_a_job_without_callback_is_never_queued(queue_db):
    ended_job(queue_db, "job-b")
    ended_job(queue_db, "job-c", callback=False)
    assert queue_db.zrange(callback_queue.DUE, 0, -1) == [b"job-b"]
    assert callback_queue.claim(queue_db, lease=60) == callback_queue.Claim("job-b", 1)
    callback_queue.settle(queue_db, "job-b", callback_queue.PENDING, "answered 500", retry_in=30)
    assert 0 < callback_queue.claim(queue_db, lease=60) <= 30
    assert callback_queue.callback_state(queue_db, "job-b") == {"status": "pending", "attempts": 1,
                                                                 "error": "answered 500"}
    assert callback_queue.callback_state(queue_db, "job-c") is None


def test_a_job_past_its_retention_is_dropped_and_not_written_back(queue_db):
    key = ended_job(queue_db, "job-d")
    queue_db.delete(key)
    assert callback_queue.claim(queue_db, lease=60) == -1
    assert queue_db.zcard(callback_queue.DUE) == 0
    callback_queue.settle(queue_db, "job-d", callback_queue.FAILED, "late")
    assert not queue_db.exists(key)  # a hash written after expiry would never expire


def test_a_failed_job_calls_back_with_its_error(caller, receiver):
    http, headers, _ = caller
    r = http.post("/v1/jobs/ocr_vehicle_license", json={"image": b64(blank_png()), "callback_url": receiver.url},
                  headers=headers)
    assert r.status_code == 202
    job = settled(http, headers, r.json["request_id"])
    assert job["status"] == "failed" and job["callback"]["status"] == "delivered"
    [hit] = receiver.requests
    assert json.loads(hit["body"])["error"] == job["error"] and job["error"]["code"] in (463, 464)
