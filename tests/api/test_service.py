"""The API with a real Redis and a real worker process: each test reads like a client's call."""
from __future__ import annotations

import io
import json
import threading
from dataclasses import replace

import pytest
import redis
from PIL import Image
from prometheus_client.parser import text_string_to_metric_families

from api.app import create_app
from api.apps import AppStore
from bench.synth import text_page
from tests.servers import b64, poll, wait_for

pytestmark = pytest.mark.usefixtures("worker")


def auth(code: str) -> dict:
    return {"Authorization": f"APPCODE {code}"}


def post_json(client, path: str, body, code: str, **kwargs):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(path, data=data, headers={**auth(code), **kwargs.pop("headers", {})}, **kwargs)


def words(answer: dict) -> str:
    return "\n".join(line["word"] for line in answer["ret"])


def png(width: int = 40, height: int = 20) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def pages():
    """Two different pages, and their text."""
    return [text_page(seed, n_lines=2) for seed in (11, 12)]


# -- synchronous, as in the reference ------------------------------------------------

def test_sync_new_format_reads_the_page(client, appcode, pages):
    r = post_json(client, "/api/predict/ocr_general", {"image": b64(pages[0].encode()),
                                                       "configure": '{"output_prob": true}'}, appcode)
    assert r.status_code == 200, r.json
    answer = r.json
    assert answer["success"] is True
    assert answer["request_id"] == r.headers["X-Ca-Request-Id"]
    assert set(answer["ret"][0]) == {"rect", "word", "prob"}
    assert set(answer["ret"][0]["rect"]) == {"angle", "left", "top", "width", "height"}
    assert pages[0].lines[0].text[:4] in words(answer)


@pytest.mark.parametrize("content_type", [None, "application/x-www-form-urlencoded", "application/json",
                                          "text/plain", "application/octet-stream"])
def test_body_is_json_whatever_the_content_type(client, appcode, content_type):
    body = json.dumps({"image": b64(png())})
    headers = auth(appcode) | ({"Content-Type": content_type} if content_type else {})
    r = client.post("/rest/160601/ocr/ocr_general.json", data=body, headers=headers)
    assert r.status_code == 200, r.json
    assert r.json == {"ret": [], "request_id": r.json["request_id"], "success": True}


def test_old_format_answers_outputs_in_the_order_of_inputs(client, appcode, pages):
    body = {"inputs": [{"image": {"dataType": 50, "dataValue": b64(p.encode())}} for p in (pages[1], pages[0])]}
    r = post_json(client, "/api/predict/ocr_general", body, appcode)
    assert r.status_code == 200, r.json
    outputs = r.json["outputs"]
    assert [o["outputLabel"] for o in outputs] == ["ocr_general", "ocr_general"]
    results = [json.loads(o["outputValue"]["dataValue"]) for o in outputs]
    assert pages[1].lines[0].text[:4] in words(results[0])
    assert pages[0].lines[0].text[:4] in words(results[1])
    assert results[0]["request_id"] != results[1]["request_id"]


def test_sync_wait_runs_out_with_503_and_the_job_goes_on(settings, appcode, pages):
    client = create_app(replace(settings, sync_timeout=0.0)).test_client()
    r = post_json(client, "/api/predict/ocr_general", {"image": b64(pages[0].encode())}, appcode)
    assert r.status_code == 503 and r.json["error_code"] == 503
    request_id = r.json["request_id"]
    job = wait_for(lambda: (j := client.get(f"/v1/jobs/{request_id}", headers=auth(appcode)).json)
                   ["status"] == "succeeded" and j, timeout=60)
    assert job and pages[0].lines[0].text[:4] in words(job["result"])


# -- asynchronous jobs ---------------------------------------------------------------


def test_submit_then_poll(client, appcode, pages):
    r = post_json(client, "/v1/jobs/ocr_general", {"image": b64(pages[0].encode())}, appcode)
    assert r.status_code == 202 and r.json["status"] == "queued"
    assert r.headers["Location"] == f"/v1/jobs/{r.json['request_id']}"
    job = poll(client, appcode, r.json["request_id"])
    assert job["status"] == "succeeded" and job["error"] is None and job["service"] == "ocr_general"
    assert job["result"]["request_id"] == r.json["request_id"]
    assert pages[0].lines[0].text[:4] in words(job["result"])
    assert job["created_at"] <= job["finished_at"]


def test_old_format_submits_one_job_per_input(client, appcode, pages):
    body = {"inputs": [{"image": {"dataType": 50, "dataValue": b64(p.encode())}} for p in pages]}
    r = post_json(client, "/v1/jobs/ocr_general", body, appcode)
    assert r.status_code == 202
    ids = r.json["request_ids"]
    assert len(ids) == 2
    for request_id, page in zip(ids, pages):
        assert page.lines[0].text[:4] in words(poll(client, appcode, request_id)["result"])


def test_failed_job_carries_the_error(client, appcode):
    # The header is intact, so the API's probe accepts it; the pixel data is not, so the worker fails.
    good = png(400, 300)
    broken = good[:60] + bytes(len(good) - 60)
    r = post_json(client, "/v1/jobs/ocr_general", {"image": b64(broken)}, appcode)
    assert r.status_code == 202, r.json
    job = poll(client, appcode, r.json["request_id"])
    assert job["status"] == "failed" and job["error"]["code"] == 462 and job["result"] is None


def test_idempotency_key_returns_the_first_job(settings, client, appcode):
    headers = {"Idempotency-Key": "scan-0001"}
    first = post_json(client, "/v1/jobs/ocr_general", {"image": b64(png())}, appcode, headers=headers)
    second = post_json(client, "/v1/jobs/ocr_general", {"image": b64(png())}, appcode, headers=headers)
    # The first job as it is now: still waiting (202), or ended already (200).
    assert first.status_code == 202 and second.status_code in (200, 202)
    assert first.json["request_id"] == second.json["request_id"]
    apps = AppStore(redis.Redis.from_url(settings.broker_url))
    assert apps.authenticate(f"APPCODE {appcode}").used == 1
    third = post_json(client, "/v1/jobs/ocr_general", {"image": b64(png())}, appcode,
                      headers={"Idempotency-Key": "scan-0002"})
    assert third.json["request_id"] != first.json["request_id"]


def test_results_expire_after_the_retention(settings, appcode):
    client = create_app(replace(settings, result_ttl=2)).test_client()
    r = post_json(client, "/v1/jobs/ocr_general", {"image": b64(png())}, appcode)
    request_id = r.json["request_id"]
    assert poll(client, appcode, request_id)["status"] == "succeeded"
    gone = wait_for(lambda: client.get(f"/v1/jobs/{request_id}", headers=auth(appcode)).status_code == 404, 5)
    assert gone
    assert not redis.Redis.from_url(settings.broker_url).exists(f"ocr:job:{request_id}")


def test_image_deleted_when_the_job_ends(settings, client, appcode):
    r = post_json(client, "/v1/jobs/ocr_general", {"image": b64(png())}, appcode)
    poll(client, appcode, r.json["request_id"])
    assert not redis.Redis.from_url(settings.broker_url).exists(f"ocr:job:{r.json['request_id']}:image")


def test_jobs_of_another_app_are_invisible(client, appcode, settings):
    r = post_json(client, "/v1/jobs/ocr_general", {"image": b64(png())}, appcode)
    _, other = AppStore(redis.Redis.from_url(settings.broker_url)).create("other")
    assert client.get(f"/v1/jobs/{r.json['request_id']}", headers=auth(other)).status_code == 404
    missing = client.get("/v1/jobs/20240101000000_" + "0" * 32, headers=auth(appcode))
    assert missing.status_code == 404 and missing.json["error_code"] == 404


def test_bulk_queue_is_accepted(client, appcode):
    r = post_json(client, "/v1/jobs/ocr_general?queue=bulk", {"image": b64(png())}, appcode)
    assert r.status_code == 202
    assert poll(client, appcode, r.json["request_id"])["status"] == "succeeded"
    bad = post_json(client, "/v1/jobs/ocr_general?queue=urgent", {"image": b64(png())}, appcode)
    assert bad.status_code == 461


# -- the gateway: apps, limits, bounds -----------------------------------------------

def test_no_unknown_or_revoked_appcode_is_forbidden(client, settings):
    body = json.dumps({"image": b64(png())})
    assert client.post("/api/predict/ocr_general", data=body).status_code == 403
    r = client.post("/api/predict/ocr_general", data=body, headers=auth("0" * 32))
    assert r.status_code == 403 and r.json["error_code"] == 403 and r.json["success"] is False
    apps = AppStore(redis.Redis.from_url(settings.broker_url))
    app, code = apps.create("to revoke")
    apps.revoke(app.app_id)
    assert client.post("/api/predict/ocr_general", data=body, headers=auth(code)).status_code == 403


def test_quota_exhausted_answers_403_with_the_gateway_message(client, settings):
    _, code = AppStore(redis.Redis.from_url(settings.broker_url)).create("quota", quota=1)
    body = {"image": b64(png())}
    assert post_json(client, "/v1/jobs/ocr_general", body, code).status_code == 202
    r = post_json(client, "/v1/jobs/ocr_general", body, code)
    assert r.status_code == 403 and r.headers["X-Ca-Error-Message"] == "Quota Exhausted"


def test_burst_gets_the_bucket_allowance_and_429_for_the_rest(settings, appcode):
    # A token comes back every 100 s: however long the 20 calls take on a busy machine, none
    # comes back while they run (the refill at the rate is tested in test_ratelimit).
    settings = replace(settings, rate_limit=0.01)
    client = create_app(settings).test_client()
    _, other = AppStore(redis.Redis.from_url(settings.broker_url)).create("other")
    body = json.dumps({"image": b64(png())})
    statuses, lock = [], threading.Lock()

    def call():
        r = client.post("/v1/jobs/ocr_general", data=body, headers=auth(appcode))
        with lock:
            statuses.append((r.status_code, dict(r.headers), r.json))

    threads = [threading.Thread(target=call) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    allowed = [s for s in statuses if s[0] == 202]
    refused = [s for s in statuses if s[0] == 429]
    # Every call answered, the bucket's `burst` tokens accepted, the rest refused.
    assert len(statuses) == 20
    assert len(allowed) == settings.rate_burst and len(refused) == 20 - settings.rate_burst
    assert all(answer["status"] == "queued" for _, _, answer in allowed)
    _, headers, answer = refused[0]
    assert answer["error_code"] == 429
    assert headers["X-Ca-Error-Message"] == "Throttled by USER Flow Control"
    assert int(headers["Retry-After"]) >= 1
    assert headers["RateLimit-Limit"] == str(settings.rate_burst) and headers["RateLimit-Remaining"] == "0"
    assert "RateLimit-Reset" in headers
    # Another app has its own bucket.
    assert [client.post("/v1/jobs/ocr_general", data=body, headers=auth(other)).status_code
            for _ in range(settings.rate_burst)] == [202] * settings.rate_burst


def test_throttle_can_answer_403_as_the_reference_gateway(settings, appcode):
    client = create_app(replace(settings, rate_burst=1, throttle_status=403)).test_client()
    body = {"image": b64(png())}
    assert post_json(client, "/v1/jobs/ocr_general", body, appcode).status_code == 202
    r = post_json(client, "/v1/jobs/ocr_general", body, appcode)
    assert r.status_code == 403 and r.headers["X-Ca-Error-Message"] == "Throttled by USER Flow Control"


def test_queue_deeper_than_its_bound_answers_450_and_accepts_nothing(settings, appcode):
    client = create_app(replace(settings, interactive_queue_bound=0)).test_client()
    r = post_json(client, "/v1/jobs/ocr_general", {"image": b64(png())}, appcode)
    assert r.status_code == 450 and r.json["error_code"] == 450
    assert client.get(f"/v1/jobs/{r.json['request_id']}", headers=auth(appcode)).status_code == 404
    assert AppStore(redis.Redis.from_url(settings.broker_url)).authenticate(f"APPCODE {appcode}").used == 0


def test_body_over_the_bound_answers_413(settings, appcode):
    client = create_app(replace(settings, max_body_bytes=2000)).test_client()
    r = post_json(client, "/api/predict/ocr_general", {"image": "A" * 4000}, appcode)
    assert r.status_code == 413 and r.json["error_code"] == 413 and r.json["success"] is False


def test_unknown_service_is_an_invalid_url(client, appcode):
    r = post_json(client, "/api/predict/ocr_nothing", {"image": b64(png())}, appcode)
    assert r.status_code == 400 and r.json["error_msg"] == "Invalid URL"
    assert client.get("/no/such/path").status_code == 400


# -- every 460/461/462 variant through the API ---------------------------------------

def _gif(screen_flags: int = 0x80, body: bytes | None = None) -> bytes:
    header = b"GIF89a" + (1).to_bytes(2, "little") * 2 + bytes([screen_flags, 0, 0])
    table = b"\x00\x00\x00\xff\xff\xff" if screen_flags & 0x80 else b""
    # One 1x1 frame with no local colour table.
    descriptor = b"\x2c" + bytes(4) + (1).to_bytes(2, "little") * 2 + b"\x00"
    image = descriptor + b"\x02\x02\x44\x01\x00\x3b" if body is None else body
    return header + table + image


BAD_BODIES = [
    (b"{oops", 460, "Invalid Input - failed to parse json"),
    (json.dumps({"configure": "{}"}), 461, "Invalid Input - json format error - missing key: image"),
    (json.dumps({"image": 5}), 461, "Invalid Input - json format error - image format error"),
    (json.dumps({"input": [{"image": {"dataType": 50, "dataValue": "x"}}]}), 461,
     "Invalid Input - json format error - key inputs missing"),
    (json.dumps({"inputs": {"a": 1}}), 461, "Invalid Input - json format error - value of inputs must be a array"),
    (json.dumps({"inputs": [{"image": {"dataType": 50, "dataValue": 7}}]}), 461,
     "Invalid Input - json format error - image DataValue format error"),
    (json.dumps({"inputs": [{"image": {"dataType": 50, "dataValue": "x"}, "configure": "{}"}]}), 461,
     "Invalid Input - json format error - configure format error"),
    (json.dumps({"image": "x", "configure": "{bad"}), 461,
     "Invalid Input - json format error - failed to parse config str: {bad"),
    (json.dumps([1]), 461, "Invalid Input - json format error - json parse runtime exception"),
    (json.dumps({"image": "x", "configure": {"output_prob": "very"}}), 461, None),
    (json.dumps({"image": "http://127.0.0.1:9/page.png"}), 462,
     "Invalid Input - image data error - download image from url error"),
    (json.dumps({"image": "HTTPS://169.254.169.254/latest/meta-data"}), 462,
     "Invalid Input - image data error - download image from url error"),
    (json.dumps({"image": ""}), 462,
     "Invalid Input - image data error - input image empty, please check your image binary data"),
    (json.dumps({"image": "data:image/jpg;base64," + b64(png())}), 462, None),
    (json.dumps({"image": "abc"}), 462,
     "Invalid Input - image data error - base64decode error: incorrect padding in base64 string"),
    (json.dumps({"image": "ab$c"}), 462,
     "Invalid Input - image data error - base64decode error: base64decode error: incorrect base64 format data"),
    (json.dumps({"image": b64(b"this is not a picture at all")}), 462,
     "Invalid Input - image data error - image decode failed, please check your image binary data"),
    (json.dumps({"image": b64(_gif(screen_flags=0x00))}), 462,
     "Invalid Input - image data error - gif data error, no color map got"),
    (json.dumps({"image": b64(b"GIF89a\x00\x00")}), 462, None),
]


@pytest.mark.parametrize("body, code, message", BAD_BODIES)
def test_bad_bodies_answer_their_code_and_message(client, appcode, body, code, message):
    r = post_json(client, "/api/predict/ocr_general", body, appcode)
    assert r.status_code == code, r.json
    assert r.json["error_code"] == code and r.json["success"] is False
    assert r.json["request_id"] == r.headers["X-Ca-Request-Id"]
    if message:
        assert r.json["error_msg"] == message
    else:
        assert r.json["error_msg"].startswith("Invalid Input - ")


def test_picture_over_the_pixel_bound_is_refused_before_decoding(settings, appcode):
    client = create_app(replace(settings, max_pixels=10_000)).test_client()
    r = post_json(client, "/api/predict/ocr_general", {"image": b64(png(200, 100))}, appcode)
    assert r.status_code == 462 and "too large" in r.json["error_msg"]


# -- operations ----------------------------------------------------------------------

def test_health_ready_and_metrics(client, appcode):
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["workers_alive"] >= 1
    post_json(client, "/api/predict/ocr_general", {"image": b64(png())}, appcode)
    text = client.get("/metrics").get_data(as_text=True)
    found = {(s.name, tuple(sorted(s.labels.items()))) for family in text_string_to_metric_families(text)
             for s in family.samples}
    assert ("ocr_requests_total", (("code", "200"), ("service", "ocr_general"))) in found
    assert ("ocr_job_seconds_bucket", (("le", "+Inf"), ("service", "ocr_general"))) in found
    assert {("ocr_queue_depth", (("queue", "interactive"),)), ("ocr_queue_depth", (("queue", "bulk"),))} <= found
    assert {("ocr_workers_alive", ()), ("ocr_image_bytes_waiting", ())} <= found


def test_openapi_describes_every_endpoint(client):
    doc = client.get("/openapi.json").json
    assert doc["openapi"].startswith("3.")
    assert {"/api/predict/{service}", "/rest/160601/ocr/{service}.json", "/v1/jobs/{service}",
            "/v1/jobs/{request_id}", "/healthz", "/readyz", "/metrics"} <= set(doc["paths"])
