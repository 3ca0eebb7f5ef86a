"""Redis behind Sentinel: the API, the broker and a real worker all find the master through `sentinel://` URLs,
and still do after the master dies and Sentinel promotes its replica."""
from __future__ import annotations

import json
import shutil

import pytest
import redis

from api.app import create_app
from api.apps import AppStore
from bench.synth import text_page
from tests.servers import b64, free_port, make_settings, start_redis, start_sentinel, start_worker, wait_for
from workers.connections import get_redis, parse_sentinel_url
from workers.queues import INTERACTIVE, queue_depth

MASTER = "ocrq-master"

pytestmark = pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed")


def test_sentinel_url_is_read_as_kombu_reads_it():
    sentinels, master = parse_sentinel_url("sentinel://:s%40cret@10.0.0.1:26380/3;sentinel://:s%40cret@10.0.0.2/3;")
    assert sentinels == [("10.0.0.1", 26380), ("10.0.0.2", 26379)]
    assert master == {"db": 3, "password": "s@cret"}
    assert parse_sentinel_url("sentinel://10.0.0.1") == ([("10.0.0.1", 26379)], {"db": 0})
    # kombu moves to the next address when one fails, and takes its database and password: they must agree.
    for bad in ("redis://10.0.0.1:6379/0", "sentinel://10.0.0.1;redis://10.0.0.2", "",
                "sentinel://10.0.0.1/3;sentinel://10.0.0.2", "sentinel://:a@10.0.0.1/0;sentinel://:b@10.0.0.2/0"):
        with pytest.raises(ValueError):
            parse_sentinel_url(bad)


@pytest.fixture()
def cluster(tmp_path):
    """A master, its replica and a Sentinel watching them."""
    master = start_redis(tmp_path / "master", appendonly=False)
    replica = start_redis(tmp_path / "replica", appendonly=False)
    redis.Redis(port=master.port).config_set("repl-diskless-sync-delay", 0)  # sync the replica now, not in 5 s
    replica_client = redis.Redis(port=replica.port)
    replica_client.replicaof("127.0.0.1", master.port)
    # Started once the replica is attached, Sentinel's first look at the master finds it (else up to 10 s).
    assert wait_for(lambda: replica_client.info("replication")["master_link_status"] == "up", 30)
    sentinel = start_sentinel(tmp_path / "sentinel", master, MASTER)
    yield master, replica, sentinel
    for server in (sentinel, replica, master):
        server.stop()


def submit_and_wait(client, code: str, page: bytes, *, before_worker=None) -> dict:
    r = client.post("/v1/jobs/ocr_general", data=json.dumps({"image": b64(page)}),
                    headers={"Authorization": f"APPCODE {code}"})
    assert r.status_code == 202, r.json
    if before_worker:
        before_worker()
    request_id = r.json["request_id"]

    def succeeded():
        job = client.get(f"/v1/jobs/{request_id}", headers={"Authorization": f"APPCODE {code}"}).json
        return job if job.get("status") == "succeeded" else None
    job = wait_for(succeeded, 120, interval=0.2)
    assert job, f"job {request_id} did not finish"
    return job


@pytest.mark.slow
def test_jobs_finish_through_sentinel_and_after_a_failover(cluster, tmp_path):
    master, replica, sentinel = cluster
    # A Sentinel that is down comes first: the next one in the list answers. Database 3, read by both
    # kombu (the queues) and the job store, so the queue depth the API checks is the broker's.
    url = f"sentinel://127.0.0.1:{free_port()}/3;sentinel://127.0.0.1:{sentinel.port}/3"
    settings = make_settings(url, sentinel_master=MASTER)
    client = create_app(settings).test_client()
    store = get_redis(url, MASTER)
    _, code = AppStore(store).create("sentinel")
    page = text_page(31, n_lines=1).encode("png")

    worker = None

    def start():
        nonlocal worker
        assert queue_depth(store, INTERACTIVE) == 1
        assert redis.Redis(port=master.port, db=3).llen(INTERACTIVE) == 1
        worker = start_worker(settings, tmp_path / "worker", "sentinel-worker")
    try:
        job = submit_and_wait(client, code, page, before_worker=start)
        assert job["result"]["ret"]

        # The master dies: Sentinel sees it down after 1 s and promotes the replica it has watched since it started.
        watcher = redis.Redis(port=sentinel.port)
        assert wait_for(lambda: any(r["name"] == f"127.0.0.1:{replica.port}" and "disconnected" not in r["flags"]
                                    for r in watcher.sentinel_slaves(MASTER)), 30, interval=0.2)
        master.process.kill()
        master.process.wait(timeout=10)
        assert wait_for(lambda: watcher.sentinel_get_master_addr_by_name(MASTER)[1] == replica.port, 60, interval=0.2)
        assert wait_for(lambda: redis.Redis(port=replica.port).info("replication")["role"] == "master", 30)
        # Until Sentinel has seen the new master answer, clients find no master (the API answers 503, retry).
        assert wait_for(lambda: (s := watcher.sentinel_master(MASTER))["is_master"] and not s["is_sdown"]
                        and not s["is_odown"], 30, interval=0.1)
        first = client.get(f"/v1/jobs/{job['request_id']}", headers={"Authorization": f"APPCODE {code}"})
        assert first.status_code == 200 and first.json["status"] == "succeeded"

        # The API's and the worker's connections now lead to the new master: a new job still ends.
        job = submit_and_wait(client, code, page)
        assert job["result"]["ret"]
        assert redis.Redis(port=replica.port, db=3).hget(f"ocr:job:{job['request_id']}", "status") == b"succeeded"
    finally:
        if worker:
            worker.stop()
