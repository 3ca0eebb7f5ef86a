"""Long-lived recognition processes are recycled after a number of jobs or an amount of memory."""
from __future__ import annotations

import pytest
import redis

from bench.synth import text_page
from tests.servers import make_settings, start_redis, start_worker, wait_for
from workers.celery_app import create_celery
from workers.jobs import JobStore, new_request_id


@pytest.mark.parametrize("limit", [{"max_tasks_per_child": 1}, {"max_memory_per_child": 1}])
def test_each_job_gets_a_fresh_process_past_the_limit(tmp_path, limit):
    server = start_redis(tmp_path / "redis", appendonly=False)
    settings = make_settings(server.url, **limit)
    worker = start_worker(settings, tmp_path, "recycle")
    try:
        store = JobStore(redis.Redis.from_url(server.url), 60)
        image = text_page(81, n_lines=1).encode("png")
        ran_in = []
        for _ in range(2):
            request_id = new_request_id()
            store.create(request_id, service="ocr_general", app="a", image=image, configure={}, queue="interactive")
            create_celery(settings).send_task("ocrq.run_job", args=[request_id], queue="interactive")
            assert wait_for(lambda: store.get(request_id).finished, timeout=60)
            assert store.get(request_id).status == "succeeded"
            ran_in.append(store.redis.hget(f"ocr:job:{request_id}", "worker"))
        assert ran_in[0] != ran_in[1], "the second job ran in the same process"
    finally:
        worker.stop()
        server.stop()
