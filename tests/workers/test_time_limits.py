"""Jobs that run too long end `failed` with 464, by the soft limit or by the hard limit that kills the process."""
from __future__ import annotations

import redis

from api.app import create_app
from api.apps import AppStore
from bench.synth import text_page
from tests.servers import b64, make_settings, start_redis, start_worker, wait_for


def long_page() -> bytes:
    """Six pages stacked: several seconds of work, longer than the pool's once-a-second limit check."""
    import cv2
    import numpy as np
    stacked = np.vstack([text_page(31 + i, n_lines=10).image for i in range(6)])
    return cv2.imencode(".png", stacked)[1].tobytes()


def run_until_finished(tmp, **limits) -> tuple[dict, redis.Redis]:
    server = start_redis(tmp / "redis", appendonly=False)
    settings = make_settings(server.url, **limits)
    worker = start_worker(settings, tmp, "limits")
    try:
        client = create_app(settings).test_client()
        _, code = AppStore(redis.Redis.from_url(server.url)).create("limits")
        headers = {"Authorization": f"APPCODE {code}"}
        page = long_page()
        r = client.post("/v1/jobs/ocr_general", json={"image": b64(page)}, headers=headers)
        assert r.status_code == 202
        request_id = r.json["request_id"]
        job = wait_for(lambda: (j := client.get(f"/v1/jobs/{request_id}", headers=headers).json)["status"]
                       in ("succeeded", "failed") and j, timeout=60, interval=0.1)
        assert job, "the job never ended"
        return job, redis.Redis.from_url(server.url)
    finally:
        worker.stop()
        server.stop()


def test_soft_time_limit_ends_the_job_with_464(tmp_path):
    job, store = run_until_finished(tmp_path, soft_time_limit=0.01, hard_time_limit=30.0)
    assert job["status"] == "failed"
    assert job["error"] == {"code": 464, "message": "Invalid Result - algorithm time limit exceeded"}


def test_hard_time_limit_kills_the_process_and_ends_the_job_with_464(tmp_path):
    # No soft limit, so only the hard one can end the job: the pool kills the process mid-recognition.
    job, _ = run_until_finished(tmp_path, soft_time_limit=0.0, hard_time_limit=0.5)
    assert job["status"] == "failed"
    assert job["error"] == {"code": 464, "message": "Invalid Result - algorithm time limit exceeded"}
    assert "Hard time limit (0.5s) exceeded" in (tmp_path / "limits.log").read_text()
