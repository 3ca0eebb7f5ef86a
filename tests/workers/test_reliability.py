"""Workers die and jobs survive: a worker SIGKILLed mid-job loses nothing, another one finishes it."""
from __future__ import annotations

import os
import signal

import pytest
import redis

from api.apps import AppStore
from api.app import create_app
from bench.synth import text_page
from tests.servers import b64, make_settings, start_redis, start_worker, wait_for


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Its own Redis and two workers, so that killing one disturbs no other test."""
    tmp = tmp_path_factory.mktemp("cluster")
    server = start_redis(tmp / "redis", appendonly=False)
    # A short hard limit makes the visibility timeout short, so an orphaned job comes back in seconds.
    settings = make_settings(server.url, soft_time_limit=6.0, hard_time_limit=8.0)
    workers = {name: start_worker(settings, tmp, name) for name in ("w1", "w2")}
    client = create_app(settings).test_client()
    _, code = AppStore(redis.Redis.from_url(server.url)).create("reliability")
    yield settings, workers, client, code, redis.Redis.from_url(server.url)
    for w in workers.values():
        w.stop()
    server.stop()


def submit_and_catch_running(client, code, store_client, seed):
    """Submit a page and return (request_id, 'node:pid') as soon as a worker runs it."""
    page = text_page(seed, n_lines=10)
    r = client.post("/v1/jobs/ocr_general", json={"image": b64(page.encode())},
                    headers={"Authorization": f"APPCODE {code}"})
    assert r.status_code == 202
    request_id = r.json["request_id"]
    running = wait_for(lambda: store_client.hget(f"ocr:job:{request_id}", "worker"), timeout=30, interval=0.002)
    assert running, "no worker took the job"
    return request_id, page, running.decode()


def finished(client, code, request_id, timeout):
    def done():
        job = client.get(f"/v1/jobs/{request_id}", headers={"Authorization": f"APPCODE {code}"}).json
        return job if job["status"] in ("succeeded", "failed") else None
    return wait_for(done, timeout, interval=0.1)


def test_worker_killed_mid_job_another_worker_finishes_it(cluster):
    settings, workers, client, code, store_client = cluster
    request_id, page, running = submit_and_catch_running(client, code, store_client, seed=21)
    node = running.split("@")[0]
    workers[node].kill()  # the whole worker, parent and pool process, with SIGKILL

    job = finished(client, code, request_id, timeout=settings.visibility_timeout + 30)
    assert job is not None, "the job of the killed worker was lost"
    assert job["status"] == "succeeded", job
    assert page.lines[0].text[:4] in "\n".join(line["word"] for line in job["result"]["ret"])
    record = store_client.hgetall(f"ocr:job:{request_id}")
    assert int(record[b"attempts"]) == 2
    assert not record[b"worker"].decode().startswith(node + "@")


def test_pool_process_killed_mid_job_is_retried(cluster):
    settings, workers, client, code, store_client = cluster
    alive = [w for w in workers.values() if w.process.poll() is None]
    assert alive
    request_id, page, running = submit_and_catch_running(client, code, store_client, seed=22)
    os.kill(int(running.rsplit(":", 1)[1]), signal.SIGKILL)  # only the process running the job

    job = finished(client, code, request_id, timeout=settings.visibility_timeout + 30)
    assert job is not None and job["status"] == "succeeded", job
    assert int(store_client.hget(f"ocr:job:{request_id}", "attempts")) >= 2
