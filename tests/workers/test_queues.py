"""The two queues: a job lands in the queue it was sent to, and interactive work always overtakes bulk."""
from __future__ import annotations

import pytest
import redis

from bench.synth import text_page
from tests.servers import make_settings, start_redis, start_worker, wait_for
from workers.celery_app import create_celery
from workers.jobs import JobStore, new_request_id
from workers.queues import BULK, INTERACTIVE, queue_depth


@pytest.fixture()
def idle_redis(tmp_path):
    """A Redis no worker listens to yet."""
    server = start_redis(tmp_path / "redis", appendonly=False)
    yield server
    server.stop()


def enqueue(settings, store: JobStore, queue: str, image: bytes) -> str:
    request_id = new_request_id()
    store.create(request_id, service="ocr_general", app="a", image=image, configure={}, queue=queue)
    create_celery(settings).send_task("ocrq.run_job", args=[request_id], queue=queue)
    return request_id


def test_a_job_lands_only_in_its_own_queue(idle_redis):
    settings = make_settings(idle_redis.url)
    client = redis.Redis.from_url(idle_redis.url)
    # Declare both queues as a starting worker does: their bindings are what routing follows.
    celery = create_celery(settings)
    with celery.connection_for_write() as connection:
        for queue in celery.amqp.queues.values():
            queue(connection.default_channel).declare()
    store = JobStore(client, 60)
    enqueue(settings, store, BULK, b"x")
    assert (queue_depth(client, BULK), queue_depth(client, INTERACTIVE)) == (1, 0)
    enqueue(settings, store, INTERACTIVE, b"x")
    assert (queue_depth(client, BULK), queue_depth(client, INTERACTIVE)) == (1, 1)


def test_interactive_jobs_overtake_bulk_jobs(idle_redis, tmp_path):
    settings = make_settings(idle_redis.url)
    client = redis.Redis.from_url(idle_redis.url)
    store = JobStore(client, 60)
    page = text_page(41, n_lines=2).encode("png")
    bulk = [enqueue(settings, store, BULK, page) for _ in range(4)]
    interactive = [enqueue(settings, store, INTERACTIVE, page) for _ in range(2)]
    worker = start_worker(settings, tmp_path, "order")
    try:
        assert wait_for(lambda: all(store.get(i).finished for i in bulk + interactive), timeout=60)
    finally:
        worker.stop()
    started = {i: store.get(i).started_at for i in bulk + interactive}
    assert max(started[i] for i in interactive) < min(started[i] for i in bulk)
    assert all(store.get(i).status == "succeeded" and store.get(i).attempts == 1 for i in bulk + interactive)
