"""/metrics after real calls and real jobs (a worker process), parsed as Prometheus parses it; and the access log."""
from __future__ import annotations

import logging

import pytest
import redis
from prometheus_client.parser import text_string_to_metric_families

from api.apps import AppStore
from bench.synth import text_page
from tests.servers import b64, wait_for

pytestmark = pytest.mark.usefixtures("worker")


def auth(code: str) -> dict:
    return {"Authorization": f"APPCODE {code}"}


def samples(client) -> dict[tuple[str, frozenset], float]:
    """Every sample of /metrics: (name, labels) -> value."""
    r = client.get("/metrics")
    assert r.status_code == 200 and r.mimetype == "text/plain"
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(r.get_data(as_text=True)) for s in family.samples}


def value(found: dict, name: str, **labels) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def run_job(client, appcode: str, service: str, image: bytes) -> dict:
    r = client.post(f"/v1/jobs/{service}", headers=auth(appcode), json={"image": b64(image)})
    assert r.status_code == 202, r.json
    request_id = r.json["request_id"]

    def ended():
        job = client.get(f"/v1/jobs/{request_id}", headers=auth(appcode)).json
        return job if job["status"] in ("succeeded", "failed") else None
    return wait_for(ended, timeout=120, interval=0.2)


def test_jobs_and_requests_are_counted_by_route_service_outcome_and_error_code(client, appcode):
    page = text_page(21, n_lines=2).encode("png")
    before = samples(client)
    good = run_job(client, appcode, "ocr_general", page)
    bad = run_job(client, appcode, "ocr_idcard", page)   # a page of text is no identity card: 463 by the worker
    assert good["status"] == "succeeded" and bad["status"] == "failed" and bad["error"]["code"] == 463
    after = samples(client)

    def grew(name: str, **labels) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    # Outcome and error code are labels of their own.
    assert grew("ocr_jobs_total", service="ocr_general", outcome="succeeded", error_code="") == 1
    assert grew("ocr_jobs_total", service="ocr_idcard", outcome="failed", error_code="463") == 1
    assert not any(dict(labels).get("outcome", "").startswith("failed_") for _, labels in after)
    # Recognition apart from the wait in the queue; each a histogram by service.
    for service in ("ocr_general", "ocr_idcard"):
        assert grew("ocr_recognition_seconds_count", service=service) == 1
        assert grew("ocr_queue_wait_seconds_count", service=service, queue="interactive") == 1
        assert grew("ocr_job_seconds_count", service=service) == 1
    assert value(after, "ocr_recognition_seconds_sum", service="ocr_general") > value(
        before, "ocr_recognition_seconds_sum", service="ocr_general")
    assert value(after, "ocr_recognition_seconds_bucket", service="ocr_general", le="+Inf") == value(
        after, "ocr_recognition_seconds_count", service="ocr_general")
    # HTTP latency by route (the URL rule, never the path with its job id), method and status.
    assert grew("ocr_http_request_seconds_count", route="/v1/jobs/<service>", method="POST", code="202") == 2
    assert grew("ocr_http_request_seconds_count", route="/v1/jobs/<request_id>", method="GET", code="200") >= 2
    routes = {dict(labels)["route"] for name, labels in after if name.startswith("ocr_http_request_seconds")}
    assert good["request_id"] not in " ".join(routes)
    assert grew("ocr_requests_total", service="ocr_general", code="202") == 1
    # The gauges the README and the deployment rely on.
    assert ("ocr_queue_depth", frozenset({("queue", "interactive")})) in after
    assert ("ocr_workers_alive", frozenset()) in after and value(after, "ocr_workers_alive") >= 1
    assert ("ocr_image_bytes_waiting", frozenset()) in after


def test_a_path_no_route_matches_is_one_label(client, appcode):
    client.get("/no/such/path/20261124215652_0123", headers=auth(appcode))
    found = samples(client)
    assert value(found, "ocr_http_request_seconds_count", route="unmatched", method="GET", code="400") >= 1
    assert not any("no/such" in dict(labels).get("route", "") for _, labels in found)


def test_one_access_line_per_request_without_pictures_or_fields(client, appcode, settings, caplog):
    caplog.set_level(logging.INFO, logger="ocrq.access")
    image = b64(text_page(22, n_lines=1).encode("png"))
    r = client.post("/v1/jobs/ocr_general", headers=auth(appcode), json={"image": image})
    assert r.status_code == 202
    request_id = r.json["request_id"]
    lines = [rec.getMessage() for rec in caplog.records if rec.name == "ocrq.access"]
    mine = [line for line in lines if f"request_id={request_id}" in line]
    assert len(mine) == 1, lines
    assert "service=ocr_general" in mine[0] and "status=202" in mine[0] and "route=/v1/jobs/<service>" in mine[0]
    assert float(mine[0].rsplit("ms=", 1)[1]) >= 0
    assert image[:40] not in "\n".join(lines)

    caplog.clear()
    assert client.get("/v1/templates", headers={"Authorization": "APPCODE wrong"}).status_code == 403
    (line,) = [rec.getMessage() for rec in caplog.records if rec.name == "ocrq.access"]
    assert "app=- " in line and "status=403" in line

    # The authenticated app is named (by its id, never its code).
    caplog.clear()
    app, code = AppStore(redis.Redis.from_url(settings.broker_url)).create("logged")
    made = client.post("/v1/templates", headers=auth(code), json={
        "name": "t", "anchors": [{"text": "入库单", "box": [10, 10, 60, 20]}],
        "fields": [{"name": "编号", "box": [10, 40, 80, 20]}]})
    assert made.status_code == 201, made.json
    caplog.clear()
    template_id = made.json["template_id"]
    assert client.get(f"/v1/templates/{template_id}", headers=auth(code)).status_code == 200
    (line,) = [rec.getMessage() for rec in caplog.records if rec.name == "ocrq.access"]
    assert f"app={app.app_id} " in line and "route=/v1/templates/<template_id>" in line and code not in line

    caplog.clear()
    assert client.post("/v1/jobs/ocr_general", headers=auth(code), json={"image": image}).status_code == 202
    (line,) = [rec.getMessage() for rec in caplog.records if rec.name == "ocrq.access"]
    assert f"app={app.app_id} " in line and "route=/v1/jobs/<service>" in line and code not in line
